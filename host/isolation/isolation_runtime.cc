#include "isolation/isolation_runtime.h"

#include <fnmatch.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_set>

#include "isolation/confine.h"
#include "isolation/describe_check.h"
#include "isolation/python_detector.h"
#include "loader/plugin_library.h"

namespace vigil::isolation {
namespace fs = std::filesystem;
namespace {

fs::path DefaultTrustDir() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    return fs::path(xdg) / "vigil" / "trusted-keys";
  }
  const char* home = std::getenv("HOME");
  return fs::path(home ? home : "/") / ".config" / "vigil" / "trusted-keys";
}

// The loader words in-process errors with the memfd path; say the file's name.
std::string Reword(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// What describe() said, checked before it reaches a manifest, a terminal or the store.
Status CheckDescribed(const std::vector<host::Detector>& detectors, const fs::path& plugin) {
  for (const host::Detector& detector : detectors) {
    if (Status s = CheckDetectorInfo(detector.info(), plugin.string()); !s.ok()) return s;
  }
  return Status::Ok();
}

// [egress]: every key checked, every value validated; an unknown key is an error.
Status LoadEgress(const toml::table& root, const fs::path& file, EgressConfig& egress) {
  const toml::node* node = root.get("egress");
  if (node == nullptr) return Status::Ok();
  auto bad = [&file](const std::string& why) {
    return Status::InvalidArgument("host config " + file.string() + ": [egress] " + why);
  };
  const toml::table* table = node->as_table();
  if (table == nullptr) return bad("is not a table");
  for (const auto& [key, value] : *table) {
    const std::string name(key.str());
    if (name == "allowed_origins") {
      const toml::array* list = value.as_array();
      if (list == nullptr) return bad("allowed_origins is not a list of origins");
      for (const auto& item : *list) {
        const auto* text = item.as_string();
        if (text == nullptr) return bad("allowed_origins lists strings (https://host[:port])");
        auto origin = NormalizeOrigin(text->get());
        if (!origin.ok()) return bad("allowed_origins: " + origin.status().message());
        egress.allowed_origins.insert(origin.value());
      }
    } else if (name == "ca_file") {
      const auto* text = value.as_string();
      if (text == nullptr || text->get().empty()) return bad("ca_file is not a file name");
      fs::path path(text->get());
      if (!path.is_absolute()) path = file.parent_path() / path;
      std::error_code ec;
      if (!fs::is_regular_file(path, ec) || ::access(path.c_str(), R_OK) != 0) {
        return bad("ca_file " + path.string() + " is not a readable file");
      }
      egress.ca_file = path;
    } else if (name == "max_request_bytes" || name == "max_response_bytes" ||
               name == "timeout_ms") {
      const auto* number = value.as_integer();
      const int64_t max =
          name == "timeout_ms" ? kMaxEgressTimeoutMs : static_cast<int64_t>(kMaxEgressBodyBytes);
      if (number == nullptr || number->get() < 1 || number->get() > max) {
        return bad(name + " must be an integer from 1 to " + std::to_string(max));
      }
      if (name == "timeout_ms") {
        egress.timeout = std::chrono::milliseconds(number->get());
      } else {
        (name == "max_request_bytes" ? egress.max_request_bytes : egress.max_response_bytes) =
            static_cast<uint64_t>(number->get());
      }
    } else {
      return bad("has no key '" + name +
                 "' (allowed_origins, ca_file, max_request_bytes, max_response_bytes, "
                 "timeout_ms)");
    }
  }
  return Status::Ok();
}

}  // namespace

fs::path HostConfig::DefaultFile(const fs::path& exe_dir) {
  if (const char* env = std::getenv("VIGIL_HOST_CONFIG"); env != nullptr && *env != '\0') {
    return env;
  }
  return exe_dir / ".." / "lib" / "vigil" / "host.toml";
}

namespace {

// The keys a host config may hold, by section, and the range of each whole-number key.
// Anything else is refused: a misspelt limit must not silently fall back to a default.
struct HostConfigKey {
  const char* section;
  const char* key;
  int64_t low = 0, high = 0;  // whole numbers only; 0, 0 for other types
};
constexpr HostConfigKey kHostConfigKeys[] = {
    {"plugins", "first_party"},
    {"trust", "keys"},
    {"trust", "developer_mode"},
    {"isolation", "max_deadline_ms", 1, 3'600'000},  // up to an hour
    {"isolation", "default_deadline_ms", 1, 3'600'000},
    {"isolation", "workers_per_detector", 1, 64},
    {"isolation", "memory_mb", 64, 1'048'576},     // 64 MiB .. 1 TiB of address space
    {"isolation", "cpu_seconds", 1, 30 * 86'400},  // up to 30 days per worker
    {"isolation", "quarantine_failures", 1, 1000},
    {"isolation", "quarantine_minutes", 1, 7 * 24 * 60},  // up to a week
};

std::string At(const fs::path& file, const toml::node& node) {
  const auto& at = node.source().begin;
  return "host config " + file.string() + ":" + std::to_string(at.line) + ":" +
         std::to_string(at.column);
}

// Every section and key is known, with the right type; whole numbers within their range.
Status CheckHostConfig(const toml::table& root, const fs::path& file) {
  for (const auto& [section, node] : root) {
    const std::string name(section.str());
    if (name == "egress") continue;  // LoadEgress checks every key and value of its own
    bool known_section = false;
    for (const auto& k : kHostConfigKeys) known_section |= name == k.section;
    if (!known_section) {
      return Status::InvalidArgument(At(file, node) + ": unknown section [" + name +
                                     "] (known: [plugins], [trust], [isolation], [egress])");
    }
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      return Status::InvalidArgument(At(file, node) + ": '" + name + "' must be a [section]");
    }
    for (const auto& [key_name, value] : *table) {
      const std::string key(key_name.str());
      const HostConfigKey* spec = nullptr;
      for (const auto& k : kHostConfigKeys) {
        if (name == k.section && key == k.key) spec = &k;
      }
      const std::string full = name + "." + key;
      if (spec == nullptr) {
        return Status::InvalidArgument(At(file, value) + ": unknown key '" + full + "'");
      }
      if (spec->low != 0 || spec->high != 0) {
        const auto number = value.is_integer() ? value.value<int64_t>() : std::nullopt;
        if (!number || *number < spec->low || *number > spec->high) {
          return Status::InvalidArgument(
              At(file, value) + ": '" + full + "' must be a whole number from " +
              std::to_string(spec->low) + " to " + std::to_string(spec->high));
        }
      } else if (full == "trust.developer_mode" && !value.is_boolean()) {
        return Status::InvalidArgument(At(file, value) + ": '" + full + "' must be true or false");
      } else if (full == "trust.keys" && !value.is_string()) {
        return Status::InvalidArgument(At(file, value) + ": '" + full + "' must be a path");
      } else if (full == "plugins.first_party" && !value.is_array()) {
        return Status::InvalidArgument(At(file, value) + ": '" + full +
                                       "' must be a list of file names");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<HostConfig> HostConfig::Load(const fs::path& file, const fs::path& exe_dir) {
  HostConfig config;
  std::error_code ec;
  config.plugins_dir = fs::weakly_canonical(exe_dir / ".." / "lib" / "vigil" / "plugins", ec);
  config.models_dir = fs::weakly_canonical(exe_dir / ".." / "lib" / "vigil" / "models", ec);
  // Found at run time beside the binary (build tree and install alike), never compiled in.
  config.onnxruntime_dir =
      fs::weakly_canonical(exe_dir / ".." / "lib" / "vigil" / "onnxruntime", ec);
  config.trust_dir = DefaultTrustDir();
  if (!fs::exists(file, ec)) return config;
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument("host config " + file.string() + ": " +
                                   std::string(e.description()));
  }
  if (Status checked = CheckHostConfig(root, file); !checked.ok()) return checked;
  if (const toml::array* list = root["plugins"]["first_party"].as_array()) {
    for (const auto& item : *list) {
      const auto* name = item.as_string();
      if (name == nullptr || fs::path(name->get()).has_parent_path()) {
        return Status::InvalidArgument("host config " + file.string() +
                                       ": [plugins] first_party lists file names only");
      }
      config.first_party.insert(name->get());
    }
  }
  if (auto keys = root["trust"]["keys"].value<std::string>()) {
    fs::path dir(*keys);
    config.trust_dir = dir.is_absolute() ? dir : file.parent_path() / dir;
  }
  config.developer_mode = root["trust"]["developer_mode"].value_or(false);
  // Every number below was range-checked by CheckHostConfig.
  const auto& iso = root["isolation"];
  auto ms = [](int64_t v) { return std::chrono::milliseconds(v); };
  config.supervision.max_deadline =
      ms(iso["max_deadline_ms"].value_or<int64_t>(config.supervision.max_deadline.count()));
  config.supervision.default_deadline =
      ms(iso["default_deadline_ms"].value_or<int64_t>(config.supervision.default_deadline.count()));
  config.supervision.max_workers =
      static_cast<int>(iso["workers_per_detector"].value_or<int64_t>(2));
  config.supervision.worker.limits.address_space_bytes =
      static_cast<uint64_t>(iso["memory_mb"].value_or<int64_t>(4096)) << 20;
  config.supervision.worker.limits.cpu_seconds =
      static_cast<uint64_t>(iso["cpu_seconds"].value_or<int64_t>(3600));
  config.quarantine.failures = static_cast<int>(iso["quarantine_failures"].value_or<int64_t>(3));
  config.quarantine.window = std::chrono::minutes(iso["quarantine_minutes"].value_or<int64_t>(10));
  if (Status s = LoadEgress(root, file, config.egress); !s.ok()) return s;
  return config;
}

StatusOr<std::shared_ptr<IsolationRuntime>> IsolationRuntime::Create(HostConfig config,
                                                                     const RuntimeFlags& flags) {
  std::shared_ptr<IsolationRuntime> runtime(new IsolationRuntime());
  auto trust = TrustStore::Load(config.trust_dir);
  if (!trust.ok()) return trust.status();
  runtime->trust_ = trust.value();
  runtime->flags_ = flags;
  runtime->developer_mode_ = flags.developer_mode || config.developer_mode;
  runtime->config_ = std::move(config);
  runtime->config_.supervision.worker.wait_for_debugger = flags.wait_for_debugger;
  runtime->quarantine_ =
      std::make_shared<QuarantineBook>(flags.quarantine_file, runtime->config_.quarantine);
  runtime->egress_ = std::make_shared<HttpEgress>(runtime->config_.egress);
  runtime->config_.supervision.egress = runtime->egress_;
  return runtime;
}

bool IsolationRuntime::IsFirstParty(const fs::path& canonical) const {
  if (config_.plugins_dir.empty() || canonical.parent_path() != config_.plugins_dir) return false;
  const std::string name = canonical.filename().string();
  for (const std::string& pattern : config_.first_party) {
    if (::fnmatch(pattern.c_str(), name.c_str(), FNM_PATHNAME) == 0) return true;
  }
  return false;
}

host::PluginFileLoader IsolationRuntime::FileLoader() {
  std::shared_ptr<IsolationRuntime> self = shared_from_this();
  return [self](const fs::path& canonical) { return self->Load(canonical); };
}

StatusOr<host::LoadedPlugin> IsolationRuntime::Load(const fs::path& canonical) {
  host::LoadedPlugin loaded;
  loaded.path = canonical;
  if (IsFirstParty(canonical)) {
    auto library = host::PluginLibrary::Open(canonical);
    if (!library.ok()) return library.status();
    loaded.library = library.value();
    loaded.abi = loaded.library->abi();
    loaded.detectors = loaded.library->Detectors();
    if (Status s = CheckDescribed(loaded.detectors, canonical); !s.ok()) return s;
    if (const ModelPlacement* model = ModelFor(loaded.detectors)) {
      if (!model->refused.ok()) {
        return Status::PluginError("plugin " + canonical.string() + ": " +
                                   model->refused.message());
      }
      if (!flags_.in_process) return LoadWithUntrustedModel(canonical, *model);
      loaded.notes = {{"isolation", "in-process (--in-process)"},
                      {"trust", TrustStateName(TrustState::kFirstParty)},
                      {"model", model->original.string() + ": " + model->trust}};
      loaded.first_party = true;
      return loaded;
    }
    loaded.notes = {{"isolation", "in-process"},
                    {"trust", TrustStateName(TrustState::kFirstParty)}};
    loaded.first_party = true;
    return loaded;
  }
  auto verified = OpenVerifiedPlugin(canonical, trust_, {developer_mode_, false});
  if (!verified.ok()) return verified.status();
  auto plugin = std::make_shared<VerifiedPlugin>(std::move(verified).value());
  std::string trust = TrustStateName(plugin->state);
  if (plugin->state == TrustState::kSigned) trust += " by " + plugin->signer.substr(0, 16);
  if (plugin->state == TrustState::kDeveloper) trust += ": " + plugin->problem;
  if (flags_.in_process) {
    // The verified memfd is what loads; it stays open (in verified_) so its
    // /proc/self/fd/N name is never reused for another plugin.
    auto library = host::PluginLibrary::Open(plugin->LoadPath(), canonical);
    if (!library.ok()) return library.status();
    loaded.library = library.value();
    loaded.abi = loaded.library->abi();
    loaded.detectors = loaded.library->Detectors();
    if (Status s = CheckDescribed(loaded.detectors, canonical); !s.ok()) return s;
    loaded.notes = {{"isolation", "in-process (--in-process)"}, {"trust", trust}};
    std::lock_guard<std::mutex> lock(mutex_);
    verified_[canonical] = plugin;
    return loaded;
  }
  // The vigil.python bridge's workers also read its detector.py's folder.
  const std::vector<fs::path> python_reads = PythonBridgeReads(canonical);
  auto described = DescribeInWorker(plugin, python_reads);
  if (!described.ok()) return described.status();
  loaded = std::move(described).value();
  loaded.path = canonical;
  const PluginHealth health = quarantine_->Health(plugin->sha256);
  loaded.notes = {{"isolation", "worker"},
                  {"trust", trust},
                  {"quarantined", health.quarantined ? "yes: " + health.last_reason : "no"}};
  std::lock_guard<std::mutex> lock(mutex_);
  verified_[canonical] = plugin;
  if (!python_reads.empty()) read_paths_[canonical] = python_reads;
  return loaded;
}

IsolationRuntime::~IsolationRuntime() {
  if (!models_copy_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(models_copy_dir_, ec);
  }
}

Status IsolationRuntime::UseModel(const std::string& detector_id, const fs::path& manifest) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(manifest, ec);
  const fs::path models = config_.models_dir;
  auto inside = [&](const fs::path& path) {
    if (models.empty()) return false;
    auto rel = path.lexically_relative(models);
    return !rel.empty() && *rel.begin() != ".." && rel.is_relative();
  };
  ModelPlacement placement;
  placement.original = manifest;
  auto refuse = [&](Status why) {
    placement.refused = Status::PluginError("detector '" + detector_id + "': model " +
                                            manifest.string() + " refused: " + why.message());
    Status result = placement.refused;
    models_[detector_id] = std::move(placement);
    return result;
  };
  if (ec || !fs::is_regular_file(canonical, ec)) {
    return refuse(Status::NotFound("no such file"));
  }
  if (inside(canonical)) {  // shipped with Vigil: trusted like the binary
    shipped_models_[detector_id] = canonical;
    return Status::Ok();
  }
  if (models_copy_dir_.empty()) {
    std::string tmpl = (fs::temp_directory_path(ec) / "vigil-models-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      return refuse(Status::IoError(std::string("cannot make a folder for verified models: ") +
                                    std::strerror(errno)));
    }
    models_copy_dir_ = tmpl;
  }
  const fs::path dir = models_copy_dir_ / std::to_string(models_.size());
  if (!fs::create_directory(dir, ec) || ec) {
    return refuse(Status::IoError("cannot make " + dir.string() + ": " + ec.message()));
  }
  fs::permissions(dir, fs::perms::owner_all, ec);
  std::string trust;
  auto verify = [&](const fs::path& file) -> Status {
    auto verified = CopyVerifiedModelFile(file, dir / file.filename(), trust_, developer_mode_);
    if (!verified.ok()) return verified.status();
    placement.digests[file.filename().string()] = verified->sha256;
    if (verified->state == TrustState::kSigned) {
      if (trust.empty()) trust = "signed by " + verified->signer.substr(0, 16);
    } else {
      trust = std::string(TrustStateName(verified->state)) + ": " + verified->problem;
    }
    return Status::Ok();
  };
  // The manifest first: only its verified copy is read here, for the model's name.
  if (Status s = verify(canonical); !s.ok()) return refuse(s);
  const fs::path copy = dir / canonical.filename();
  if (fs::file_size(copy, ec) > (1u << 20) || ec) {
    return refuse(Status::InvalidArgument("a model manifest is at most 1 MiB"));
  }
  std::ifstream in(copy);
  nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("model") ||
      !json["model"].is_string()) {
    return refuse(Status::InvalidArgument("not a model manifest (JSON naming its \"model\")"));
  }
  const fs::path model_name = json["model"].get<std::string>();
  if (model_name.empty() || model_name.has_parent_path() || model_name == "." ||
      model_name == ".." || model_name == canonical.filename()) {
    return refuse(Status::InvalidArgument(
        "a vendor model's manifest must name its model file beside it (a plain file name)"));
  }
  if (Status s = verify(canonical.parent_path() / model_name); !s.ok()) return refuse(s);
  placement.copy = copy;
  placement.read_paths = {copy, dir / model_name, dir};
  // The classifier loads ONNX Runtime from Vigil's private lib dir beside the binary
  // (<bin>/../lib/vigil/onnxruntime) or $VIGIL_ONNXRUNTIME_LIBRARY; without read access
  // there it would quietly fall back to OpenCV DNN in the worker and score differently
  // from the same model in process.
  std::vector<fs::path> runtime_dirs = {config_.onnxruntime_dir};
  if (const char* env = std::getenv("VIGIL_ONNXRUNTIME_LIBRARY"); env != nullptr && *env) {
    runtime_dirs.push_back(fs::path(env).parent_path());
  }
  for (const fs::path& runtime_dir : runtime_dirs) {
    if (runtime_dir.is_absolute() && fs::is_directory(runtime_dir, ec)) {
      placement.read_paths.push_back(runtime_dir);
    }
  }
  placement.trust = trust;
  models_[detector_id] = std::move(placement);
  return Status::Ok();
}

Status IsolationRuntime::ModelStatus() const {
  for (const auto& [id, model] : models_) {
    if (!model.refused.ok()) return model.refused;
  }
  return Status::Ok();
}

fs::path IsolationRuntime::VerifiedModel(const std::string& detector_id) const {
  auto it = models_.find(detector_id);
  return it == models_.end() || !it->second.refused.ok() ? fs::path() : it->second.copy;
}

const IsolationRuntime::ModelPlacement* IsolationRuntime::ModelFor(
    const std::vector<host::Detector>& detectors) const {
  for (const host::Detector& detector : detectors) {
    if (auto it = models_.find(detector.id()); it != models_.end()) return &it->second;
  }
  return nullptr;
}

StatusOr<host::LoadedPlugin> IsolationRuntime::LoadWithUntrustedModel(const fs::path& canonical,
                                                                      const ModelPlacement& model) {
  // First-party code, untrusted input: the plugin runs in workers, never parses the
  // model here. Its bytes are pinned in a sealed memfd like a vendor plugin's.
  auto opened = OpenVerifiedPlugin(canonical, trust_, {developer_mode_, /*first_party=*/true});
  if (!opened.ok()) return opened.status();
  auto plugin = std::make_shared<VerifiedPlugin>(std::move(opened).value());
  auto described = DescribeInWorker(plugin);
  if (!described.ok()) return described.status();
  host::LoadedPlugin loaded = std::move(described).value();
  loaded.path = canonical;
  loaded.first_party = true;
  const PluginHealth health = quarantine_->Health(plugin->sha256);
  loaded.notes = {{"isolation", "worker"},
                  {"trust", TrustStateName(TrustState::kFirstParty)},
                  {"model", model.original.string() + ": " + model.trust},
                  {"quarantined", health.quarantined ? "yes: " + health.last_reason : "no"}};
  std::lock_guard<std::mutex> lock(mutex_);
  verified_[canonical] = plugin;
  read_paths_[canonical] = model.read_paths;
  return loaded;
}

StatusOr<host::LoadedPlugin> DescribeUntrustedPlugin(const fs::path& path,
                                                     const WorkerOptions& options) {
  auto opened = OpenVerifiedPlugin(path, TrustStore(), {false, /*first_party=*/true});
  if (!opened.ok()) return opened.status();
  auto plugin = std::make_shared<VerifiedPlugin>(std::move(opened).value());
  return DescribeInWorker(plugin, options);
}

StatusOr<host::LoadedPlugin> IsolationRuntime::DescribeInWorker(
    std::shared_ptr<VerifiedPlugin> plugin, const std::vector<fs::path>& extra_reads) {
  WorkerOptions options = config_.supervision.worker;
  options.read_paths.insert(options.read_paths.end(), extra_reads.begin(), extra_reads.end());
  options.wait_for_debugger = false;  // only analysis workers wait for a debugger
  return isolation::DescribeInWorker(plugin, options);
}

StatusOr<host::LoadedPlugin> DescribeInWorker(std::shared_ptr<VerifiedPlugin> plugin,
                                              const WorkerOptions& options) {
  WorkerOptions with_folder = options;
  with_folder.read_paths.push_back(PluginFolder(plugin->path));
  auto worker =
      WorkerProcess::Start(plugin->fd.get(), plugin->path.filename().string(), with_folder);
  if (!worker.ok()) return worker.status();
  const wire::WorkerReply& hello = worker.value()->hello();
  if (!hello.worker_error().empty()) {
    return Status::PluginError(
        Reword(hello.worker_error(), plugin->path.filename().string(), plugin->path.string()));
  }
  host::LoadedPlugin loaded;
  loaded.abi = {VIGIL_ABI_MAJOR, hello.abi_minor(), 0};
  std::unordered_set<std::string> ids;
  for (const auto& described : hello.detectors()) {
    vigil::v1::DetectorInfo info;
    if (!info.ParseFromString(described.info()) || info.id().empty() ||
        !ids.insert(info.id()).second) {
      return Status::PluginError("plugin " + plugin->path.string() +
                                 ": its worker described a malformed or duplicate detector");
    }
    if (Status s = CheckDetectorInfo(info, plugin->path.string()); !s.ok()) return s;
    loaded.detectors.emplace_back(std::move(info), described.flags(), plugin->path);
  }
  if (loaded.detectors.empty()) {
    return Status::PluginError("plugin " + plugin->path.string() + " offers no detectors");
  }
  return loaded;
}

host::AnalyzerFactory IsolationRuntime::AnalyzerFactory() {
  std::shared_ptr<IsolationRuntime> self = shared_from_this();
  return
      [self](const host::Detector& detector,
             const vigil::v1::DetectorConfig& config) -> StatusOr<std::unique_ptr<host::Analyzer>> {
        std::shared_ptr<VerifiedPlugin> plugin;
        {
          std::lock_guard<std::mutex> lock(self->mutex_);
          auto it = self->verified_.find(detector.plugin_path());
          if (it != self->verified_.end()) plugin = it->second;
        }
        if (detector.in_process()) {
          auto instance = detector.Create(config);
          if (!instance.ok()) return instance.status();
          // vigil.http/1 on the analyzing thread: the signed manifest's origins, if any.
          EgressCaller caller{detector.plugin_path().filename().string(),
                              plugin ? plugin->sha256 : "", detector.id(),
                              plugin ? plugin->egress_origins : std::set<std::string>()};
          return WithEgress(std::move(instance).value(), std::move(caller), self->egress_);
        }
        if (!plugin) {
          return Status::InvalidArgument("detector " + detector.id() +
                                         " was not loaded through the isolation layer");
        }
        SupervisionOptions supervision = self->config_.supervision;
        {
          std::lock_guard<std::mutex> lock(self->mutex_);
          auto paths = self->read_paths_.find(detector.plugin_path());
          if (paths != self->read_paths_.end()) supervision.worker.read_paths = paths->second;
        }
        auto analyzer =
            WorkerAnalyzer::Create(plugin, detector.info(), config, supervision, self->quarantine_);
        if (!analyzer.ok()) {
          // Errors about a verified model copy name the file the operator gave.
          auto model = self->models_.find(detector.id());
          if (model == self->models_.end() || model->second.copy.empty()) return analyzer.status();
          return Status::PluginError(
              Reword(analyzer.status().message(), model->second.copy.parent_path().string(),
                     fs::path(model->second.original).parent_path().string()));
        }
        return std::unique_ptr<host::Analyzer>(std::move(analyzer).value());
      };
}

}  // namespace vigil::isolation
