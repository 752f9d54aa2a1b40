// Where URL lists live and how a URL detector opens them: <data_dir>/url-lists/*.ulist,
// each a memory-mapped file written by `vigil lists import --type url`.
#ifndef VIGIL_PLUGINS_URL_PLUGIN_URL_LISTS_H_
#define VIGIL_PLUGINS_URL_PLUGIN_URL_LISTS_H_

#include <string>
#include <vector>

#include "vigil/url/blocklist.h"

namespace vigil::urldetect {

std::string ListDirectory(const std::string& data_dir);
std::string ListPath(const std::string& data_dir, const std::string& list_name);

struct NamedList {
  std::string name;
  url::Blocklist list;
};

// Opens every list in the directory (none is fine). Errors name the damaged file.
url::Result<std::vector<NamedList>> OpenLists(const std::string& data_dir);

}  // namespace vigil::urldetect

#endif  // VIGIL_PLUGINS_URL_PLUGIN_URL_LISTS_H_
