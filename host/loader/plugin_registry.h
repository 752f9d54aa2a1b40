// PluginRegistry: finds plugins, loads them, and keeps every detector by unique id.
//
// Search order: directories given on the command line, then each entry of
// VIGIL_PLUGIN_PATH (':'-separated directories or .so files), then the directory
// installed beside the binary (<exe>/../lib/vigil/plugins). A plugin that fails to load
// is not fatal: it is recorded with its reason and the rest still load.
//
// Detector ids starting with "vigil." are reserved to first-party plugins (the loader
// says which plugins are first-party: LoadedPlugin::first_party). A plugin that is not
// first-party and declares such an id is refused, whatever the load order. When two
// plugins declare the same id, the plugin that is not first-party is refused (removed
// again if it loaded first), never the first-party one.
#ifndef VIGIL_HOST_LOADER_PLUGIN_REGISTRY_H_
#define VIGIL_HOST_LOADER_PLUGIN_REGISTRY_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <set>
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

// One plugin file as loaded: in process (library set) or described by a worker.
struct LoadedPlugin {
  std::filesystem::path path;
  std::shared_ptr<PluginLibrary> library;  // null: the plugin runs out of process
  vigil_version_t abi{};
  std::vector<Detector> detectors;
  // Facts for `vigil plugins list` and the console, e.g. isolation, signature.
  std::vector<std::pair<std::string, std::string>> notes;
  // Shipped with Vigil (named in the host config, in the installed plugins dir). The
  // default in-process loader (no isolation layer: tests, benches) has no notion of
  // trust and marks every plugin first-party; the isolation layer decides for the CLI.
  bool first_party = false;
};

// Detector ids with this prefix belong to Vigil's own plugins.
inline constexpr char kReservedIdPrefix[] = "vigil.";

// Loads one plugin file (canonical path); the isolation layer supplies one that checks
// signatures and runs vendor plugins in workers.
using PluginFileLoader = std::function<StatusOr<LoadedPlugin>(const std::filesystem::path&)>;

class PluginRegistry {
 public:
  // Loads one .so; a directory loads every *.so in it (sorted, not recursive).
  void Load(const std::filesystem::path& path);
  void LoadAll(const std::vector<std::filesystem::path>& paths);
  // Replaces the default loader (PluginLibrary::Open, in process). Set before Load.
  void SetFileLoader(PluginFileLoader loader) { loader_ = std::move(loader); }

  const std::vector<std::shared_ptr<PluginLibrary>>& plugins() const { return plugins_; }
  // Every plugin file loaded, in or out of process.
  const std::vector<LoadedPlugin>& files() const { return files_; }
  const std::vector<Detector>& detectors() const { return detectors_; }
  const std::vector<PluginLoadError>& errors() const { return errors_; }
  const Detector* Find(const std::string& id) const;
  // True if `id` is a loaded detector from a first-party plugin.
  bool IsFirstPartyDetector(const std::string& id) const;
  // The ids of every loaded detector from a first-party plugin (for the policy).
  std::set<std::string> FirstPartyDetectorIds() const;

  // The default search path described above. `exe_dir` is the running binary's folder.
  static std::vector<std::filesystem::path> DefaultSearchPath(
      const std::filesystem::path& exe_dir);

 private:
  void LoadFile(const std::filesystem::path& path);
  // Removes a loaded plugin file and its detectors, recording `why` as its error.
  void Evict(const std::filesystem::path& plugin, Status why);

  PluginFileLoader loader_;
  std::vector<std::shared_ptr<PluginLibrary>> plugins_;
  std::vector<LoadedPlugin> files_;
  std::vector<Detector> detectors_;
  std::vector<PluginLoadError> errors_;
};

// The folder of the running executable (from /proc/self/exe).
std::filesystem::path ExecutableDir();

}  // namespace vigil::host

#endif  // VIGIL_HOST_LOADER_PLUGIN_REGISTRY_H_
