// PluginRegistry: finds plugins, loads them, and keeps every detector by unique id.
//
// Search order: directories given on the command line, then each entry of
// VIGIL_PLUGIN_PATH (':'-separated directories or .so files), then the directory
// installed beside the binary (<exe>/../lib/vigil/plugins). A plugin that fails to load
// is not fatal: it is recorded with its reason and the rest still load.
#ifndef VIGIL_HOST_LOADER_PLUGIN_REGISTRY_H_
#define VIGIL_HOST_LOADER_PLUGIN_REGISTRY_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "loader/detector.h"
#include "loader/plugin_library.h"

namespace vigil::host {

struct PluginLoadError {
  std::filesystem::path path;
  Status status;
};

class PluginRegistry {
 public:
  // Loads one .so; a directory loads every *.so in it (sorted, not recursive).
  void Load(const std::filesystem::path& path);
  void LoadAll(const std::vector<std::filesystem::path>& paths);

  const std::vector<std::shared_ptr<PluginLibrary>>& plugins() const { return plugins_; }
  const std::vector<Detector>& detectors() const { return detectors_; }
  const std::vector<PluginLoadError>& errors() const { return errors_; }
  const Detector* Find(const std::string& id) const;

  // The default search path described above. `exe_dir` is the running binary's folder.
  static std::vector<std::filesystem::path> DefaultSearchPath(
      const std::filesystem::path& exe_dir);

 private:
  void LoadFile(const std::filesystem::path& path);

  std::vector<std::shared_ptr<PluginLibrary>> plugins_;
  std::vector<Detector> detectors_;
  std::vector<PluginLoadError> errors_;
};

// The folder of the running executable (from /proc/self/exe).
std::filesystem::path ExecutableDir();

}  // namespace vigil::host

#endif  // VIGIL_HOST_LOADER_PLUGIN_REGISTRY_H_
