#include "url_lists.h"

#include <algorithm>
#include <filesystem>

namespace vigil::urldetect {
namespace fs = std::filesystem;

std::string ListDirectory(const std::string& data_dir) {
  return (fs::path(data_dir) / "url-lists").string();
}

std::string ListPath(const std::string& data_dir, const std::string& list_name) {
  return (fs::path(ListDirectory(data_dir)) / (list_name + ".ulist")).string();
}

url::Result<std::vector<NamedList>> OpenLists(const std::string& data_dir) {
  std::vector<NamedList> lists;
  if (data_dir.empty()) return lists;
  std::error_code ec;
  const fs::path dir = ListDirectory(data_dir);
  if (!fs::is_directory(dir, ec)) return lists;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".ulist") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    auto list = url::Blocklist::Open(file.string());
    if (!list.ok()) {
      return url::Status::Corruption("URL list " + file.string() + " cannot be used: " +
                                     list.status().message());
    }
    lists.push_back({file.stem().string(), std::move(list).value()});
  }
  return lists;
}

}  // namespace vigil::urldetect
