// PluginLibrary: one loaded plugin (.so), its negotiated ABI and its detectors.
//
// Loading does, in order: dlopen (Boost.DLL, rtld_now | rtld_local), resolve
// vigil_entry_v1, check the entry struct, negotiate the minor version, init, then read
// and check every detector table and its describe() output. Any failure gives a
// message a person can act on and unloads the library again.
#ifndef VIGIL_HOST_LOADER_PLUGIN_LIBRARY_H_
#define VIGIL_HOST_LOADER_PLUGIN_LIBRARY_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "core/status.h"
#include "loader/detector.h"
#include "vigil/plugin.h"

namespace vigil::host {

class PluginLibrary : public std::enable_shared_from_this<PluginLibrary> {
 public:
  // Loads and initialises the plugin at `path`. `shown_as` names it in messages and
  // path() when `path` is not the file a person knows (a verified memfd's
  // /proc/self/fd/N).
  static StatusOr<std::shared_ptr<PluginLibrary>> Open(const std::filesystem::path& path,
                                                       const std::filesystem::path& shown_as = {});

  // Calls deinit, then unloads. Every Detector and DetectorInstance holds a shared_ptr
  // to its library, so this runs only after the last of them is gone.
  ~PluginLibrary();

  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  const std::filesystem::path& path() const { return path_; }
  const vigil_plugin_entry_t& entry() const { return *entry_; }
  // The ABI version both sides agreed on.
  vigil_version_t abi() const { return {VIGIL_ABI_MAJOR, chosen_minor_, 0}; }
  // Handles on the plugin's detectors; each keeps this library loaded while it lives.
  std::vector<Detector> Detectors();
  size_t detector_count() const { return tables_.size(); }

 private:
  PluginLibrary() = default;
  Status Load(const std::filesystem::path& path, const std::filesystem::path& shown_as);
  Status ReadDetectors();

  std::filesystem::path path_;
  boost::dll::shared_library library_;
  const vigil_plugin_entry_t* entry_ = nullptr;
  uint32_t chosen_minor_ = 0;
  bool initialised_ = false;
  // Checked tables and their parsed describe() output. Plain pointers, not Detector
  // handles: a handle holds a shared_ptr to this library and would make a cycle.
  std::vector<std::pair<const vigil_detector_t*, vigil::v1::DetectorInfo>> tables_;
};

// Text for a vigil_status_t, e.g. "VIGIL_ERR_CONFIG".
const char* StatusName(vigil_status_t status);

}  // namespace vigil::host

#endif  // VIGIL_HOST_LOADER_PLUGIN_LIBRARY_H_
