#include "loader/plugin_registry.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

namespace vigil::host {
namespace fs = std::filesystem;

void PluginRegistry::LoadAll(const std::vector<fs::path>& paths) {
  for (const fs::path& path : paths) Load(path);
}

void PluginRegistry::Load(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (entry.path().extension() == ".so") files.push_back(entry.path());
    }
    if (ec) {
      errors_.push_back({path, Status::IoError("cannot read plugin directory " + path.string() +
                                               ": " + ec.message())});
      return;
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) LoadFile(file);
    return;
  }
  LoadFile(path);
}

void PluginRegistry::LoadFile(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  if (ec) canonical = path;
  for (const auto& file : files_) {
    if (file.path == canonical) return;  // the same file found twice on the path
  }
  LoadedPlugin loaded;
  if (loader_) {
    auto opened = loader_(canonical);
    if (!opened.ok()) {
      errors_.push_back({canonical, opened.status()});
      return;
    }
    loaded = std::move(opened).value();
  } else {
    auto opened = PluginLibrary::Open(canonical);
    if (!opened.ok()) {
      errors_.push_back({canonical, opened.status()});
      return;
    }
    loaded.library = opened.value();
    loaded.abi = loaded.library->abi();
    loaded.detectors = loaded.library->Detectors();
    loaded.first_party = true;  // no isolation layer: trusted like the caller
  }
  loaded.path = canonical;
  if (!loaded.first_party) {
    for (const Detector& detector : loaded.detectors) {
      if (detector.id().rfind(kReservedIdPrefix, 0) == 0) {
        errors_.push_back(
            {canonical,
             Status::PluginError("plugin " + canonical.string() + " declares detector id '" +
                                 detector.id() + "', but ids starting with '" + kReservedIdPrefix +
                                 "' are reserved to Vigil's first-party plugins; refused")});
        return;
      }
    }
  }
  for (const Detector& detector : loaded.detectors) {
    const Detector* existing = Find(detector.id());
    if (existing == nullptr) continue;
    const fs::path existing_path = existing->plugin_path();
    if (loaded.first_party && !IsFirstPartyDetector(detector.id())) {
      // The untrusted plugin loaded first: it goes, the first-party one stays.
      Evict(existing_path,
            Status::PluginError("plugin " + existing_path.string() + ": detector id '" +
                                detector.id() + "' belongs to the first-party plugin " +
                                canonical.string() + "; the plugin was refused"));
      continue;
    }
    const bool against_first_party = !loaded.first_party && IsFirstPartyDetector(detector.id());
    errors_.push_back({canonical, Status::PluginError(
                                      "plugin " + canonical.string() + ": detector id '" +
                                      detector.id() + "' is already provided by " +
                                      (against_first_party ? "the first-party plugin " : "") +
                                      existing_path.string() +
                                      (against_first_party ? "; the plugin was refused"
                                                           : "; remove one of the two plugins"))});
    return;  // refuse the whole plugin: a half-loaded plugin would surprise its vendor
  }
  if (loaded.library) plugins_.push_back(loaded.library);
  detectors_.insert(detectors_.end(), loaded.detectors.begin(), loaded.detectors.end());
  files_.push_back(std::move(loaded));
}

void PluginRegistry::Evict(const fs::path& plugin, Status why) {
  auto file = std::find_if(files_.begin(), files_.end(),
                           [&](const LoadedPlugin& f) { return f.path == plugin; });
  if (file == files_.end()) return;
  if (file->library) {
    plugins_.erase(std::remove(plugins_.begin(), plugins_.end(), file->library), plugins_.end());
  }
  detectors_.erase(std::remove_if(detectors_.begin(), detectors_.end(),
                                  [&](const Detector& d) { return d.plugin_path() == plugin; }),
                   detectors_.end());
  files_.erase(file);
  errors_.push_back({plugin, std::move(why)});
}

bool PluginRegistry::IsFirstPartyDetector(const std::string& id) const {
  const Detector* detector = Find(id);
  if (detector == nullptr) return false;
  for (const LoadedPlugin& file : files_) {
    if (file.path == detector->plugin_path()) return file.first_party;
  }
  return false;
}

std::set<std::string> PluginRegistry::FirstPartyDetectorIds() const {
  std::set<std::string> ids;
  for (const LoadedPlugin& file : files_) {
    if (!file.first_party) continue;
    for (const Detector& detector : file.detectors) ids.insert(detector.id());
  }
  return ids;
}

const Detector* PluginRegistry::Find(const std::string& id) const {
  for (const Detector& detector : detectors_) {
    if (detector.id() == id) return &detector;
  }
  return nullptr;
}

std::vector<fs::path> PluginRegistry::DefaultSearchPath(const fs::path& exe_dir) {
  std::vector<fs::path> paths;
  if (const char* env = std::getenv("VIGIL_PLUGIN_PATH")) {
    std::stringstream stream(env);
    std::string item;
    while (std::getline(stream, item, ':')) {
      if (!item.empty()) paths.emplace_back(item);
    }
  }
  fs::path beside = exe_dir / ".." / "lib" / "vigil" / "plugins";
  std::error_code ec;
  if (fs::is_directory(beside, ec)) paths.push_back(fs::weakly_canonical(beside, ec));
  return paths;
}

fs::path ExecutableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

}  // namespace vigil::host
