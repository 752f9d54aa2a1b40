#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "cli/commands.h"
#include "store/db/postgres_database.h"
#include "store/store_access.h"
#include "core/terminal_text.h"
#include "isolation/isolation_runtime.h"
#include "store/store.h"

namespace vigil::cli {

bool IsUtcDay(const std::string& day) {
  if (day.size() != 10 || day[4] != '-' || day[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (day[i] < '0' || day[i] > '9') return false;
  }
  return true;
}

void PrintError(const std::string& message) {
  // Messages carry paths, store text and plugins' words: one line, no terminal controls.
  std::fprintf(stderr, "vigil: %s\n", TerminalText(message).c_str());
}

namespace {

constexpr char kClassifierId[] = "vigil.classifier";

// The first DIR/*/manifest.json (sorted), or empty.
std::filesystem::path FirstManifestIn(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (std::filesystem::exists(entry.path() / "manifest.json", ec)) {
      found.push_back(entry.path() / "manifest.json");
    }
  }
  std::sort(found.begin(), found.end());
  return found.empty() ? std::filesystem::path() : found.front();
}

// The model manifest vigil.classifier will load, in the plugin's own order (see
// plugins/classifier/plugin/classifier_detector.cc): --set vigil.classifier.model
// (the first one), $VIGIL_CLASSIFIER_MODEL, the first <data dir>/models/*/manifest.json.
// Empty: the plugin takes the model shipped beside it.
std::filesystem::path ClassifierModel(const GlobalOptions& options) {
  const std::string prefix = std::string(kClassifierId) + ".model=";
  for (const std::string& setting : options.settings) {
    if (setting.rfind(prefix, 0) == 0) return setting.substr(prefix.size());
  }
  if (const char* env = std::getenv("VIGIL_CLASSIFIER_MODEL"); env != nullptr && *env != '\0') {
    return env;
  }
  return FirstManifestIn(DataDir(options) / "models");
}

}  // namespace

void LoadPlugins(GlobalOptions& options, host::PluginRegistry& registry) {
  if (!options.isolation) {
    isolation::RuntimeFlags flags;
    flags.in_process = options.in_process;
    flags.developer_mode = options.developer_mode;
    flags.wait_for_debugger = options.wait_for_debugger;
    flags.quarantine_file = LocalStateDir(options) / "plugin-health.json";
    const auto exe_dir = host::ExecutableDir();
    auto config = isolation::HostConfig::Load(isolation::HostConfig::DefaultFile(exe_dir), exe_dir);
    auto runtime = config.ok() ? isolation::IsolationRuntime::Create(config.value(), flags)
                               : StatusOr<std::shared_ptr<isolation::IsolationRuntime>>(
                                     config.status());
    if (!runtime.ok()) {
      PrintError(runtime.status().message() + "; no plugins loaded");
      return;
    }
    options.isolation = runtime.value();
    if (options.isolation->developer_mode()) {
      PrintError("DEVELOPER MODE: plugin signatures are not enforced");
    }
    // The classifier's model is untrusted input unless shipped with Vigil: tell the
    // runtime before the plugin loads, so that it checks it and runs it in a worker.
    std::filesystem::path model = ClassifierModel(options);
    // None named: the plugin takes the first model shipped beside it (<plugins>/../models).
    // Named to the runtime all the same (shipped: trusted, loaded as it is), so that a
    // scan's key covers its bytes (IsolationRuntime::ModelDigests).
    if (model.empty()) model = FirstManifestIn(options.isolation->config().models_dir);
    if (!model.empty()) {
      Status used = options.isolation->UseModel(kClassifierId, model);
      if (!used.ok()) PrintError(used.message());
    }
  }
  registry.SetFileLoader(options.isolation->FileLoader());
  for (const std::string& dir : options.plugin_dirs) registry.Load(dir);
  registry.LoadAll(host::PluginRegistry::DefaultSearchPath(host::ExecutableDir()));
}

// `reads`: the command only reads, so a store it cannot write (an auditor's copy) is
// opened read-only instead of refused.
std::unique_ptr<host::Store> OpenStoreOrSay(const GlobalOptions& global, host::OpenMode mode,
                                            bool reads) {
  const bool audit = mode == host::OpenMode::kReadOnly;
  // A team store (postgresql://...) is a server, not a file: what a login may do is for
  // the database to say.
  const bool team = host::IsPostgresUrl(global.store);
  if (!team && reads && host::StoreIsReadOnly(StorePath(global))) mode = host::OpenMode::kReadOnly;
  if (!team && !std::filesystem::exists(StorePath(global))) {
    PrintError("no store at " + StorePath(global).string() + ": run `vigil scan` first, or name one with --store");
    return nullptr;
  }
  auto store = host::Store::Open(StorePath(global), mode);
  if (!store.ok()) {
    PrintError(store.status().message());
    return nullptr;
  }
  // Read-only opens (audit verify) report the same findings as problems of their own.
  if (!audit) {
    for (const auto& warning : store.value()->schema_warnings()) {
      PrintError("warning: " + warning);
    }
  }
  return std::move(store).value();
}

std::filesystem::path StorePath(const GlobalOptions& options) {
  return options.store.empty() ? host::Store::DefaultPath() : std::filesystem::path(options.store);
}

std::filesystem::path LocalStateDir(const GlobalOptions& options) {
  // A team store is a server with no folder: the workstation's files sit beside its
  // default store. Absolute: workers are given it after they chdir into their scratch.
  const std::filesystem::path store =
      host::IsPostgresUrl(options.store) ? host::Store::DefaultPath() : StorePath(options);
  return std::filesystem::absolute(store).parent_path();
}
std::filesystem::path DataDir(const GlobalOptions& options) {
  return LocalStateDir(options) / "lists";
}

std::map<std::string, vigil::v1::DetectorConfig> DetectorConfigs(
    const GlobalOptions& options, const host::PluginRegistry& registry) {
  std::map<std::string, vigil::v1::DetectorConfig> configs;
  for (const auto& detector : registry.detectors()) {
    configs[detector.id()].set_data_dir(DataDir(options).string());
  }
  for (const std::string& setting : options.settings) {
    // DETECTOR.KEY=VALUE, where DETECTOR may itself contain dots: split at the last
    // dot before '='.
    size_t eq = setting.find('=');
    size_t dot = eq == std::string::npos ? std::string::npos : setting.rfind('.', eq);
    if (dot == std::string::npos || dot == 0) continue;  // validated by the option check
    configs[setting.substr(0, dot)].mutable_params()->insert(
        {setting.substr(dot + 1, eq - dot - 1), setting.substr(eq + 1)});
  }
  // An untrusted model: the detector loads the verified copy, never the original.
  if (options.isolation) {
    for (auto& [id, config] : configs) {
      const std::filesystem::path copy = options.isolation->VerifiedModel(id);
      if (!copy.empty()) (*config.mutable_params())["model"] = copy.string();
    }
  }
  return configs;
}

host::PipelineOptions PipelineOptionsFor(const GlobalOptions& options, int threads,
                                         int deadline_ms, uint64_t max_pixels) {
  host::PipelineOptions pipeline_options;
  if (options.isolation) {
    pipeline_options.make_analyzer = options.isolation->AnalyzerFactory();
    pipeline_options.limits.media_storage = options.isolation->MediaStorage();
  }
  pipeline_options.threads = threads;
  pipeline_options.detector_deadline = std::chrono::milliseconds(deadline_ms);
  pipeline_options.limits.decode.max_pixels = max_pixels;
  return pipeline_options;
}

bool ParseUtcDate(const std::string& text, int64_t& unix_time) {
  std::tm tm{};
  const char* end = nullptr;
  if (text.size() == 10) {
    end = strptime(text.c_str(), "%Y-%m-%d", &tm);
  } else if (text.size() == 20) {
    end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  }
  if (end == nullptr || *end != '\0') return false;
  // strptime accepts "2026-13-45" in some fields' ranges only; normalise and compare back.
  const std::tm given = tm;
  const time_t t = timegm(&tm);
  if (t == static_cast<time_t>(-1) || tm.tm_mday != given.tm_mday || tm.tm_mon != given.tm_mon) {
    return false;
  }
  unix_time = static_cast<int64_t>(t);
  return true;
}

}  // namespace vigil::cli
