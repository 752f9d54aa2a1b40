#include <cstdio>

#include "cli/commands.h"
#include "cli/terminal_text.h"
#include "isolation/isolation_runtime.h"
#include "store/store.h"

namespace vigil::cli {

void PrintError(const std::string& message) {
  // Messages carry paths, store text and plugins' words: one line, no terminal controls.
  std::fprintf(stderr, "vigil: %s\n", TerminalText(message).c_str());
}

void LoadPlugins(GlobalOptions& options, host::PluginRegistry& registry) {
  if (!options.isolation) {
    isolation::RuntimeFlags flags;
    flags.in_process = options.in_process;
    flags.developer_mode = options.developer_mode;
    flags.wait_for_debugger = options.wait_for_debugger;
    flags.quarantine_file = StorePath(options).parent_path() / "plugin-health.json";
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
  }
  registry.SetFileLoader(options.isolation->FileLoader());
  for (const std::string& dir : options.plugin_dirs) registry.Load(dir);
  registry.LoadAll(host::PluginRegistry::DefaultSearchPath(host::ExecutableDir()));
}

std::filesystem::path StorePath(const GlobalOptions& options) {
  return options.store.empty() ? host::Store::DefaultPath() : std::filesystem::path(options.store);
}

std::filesystem::path DataDir(const GlobalOptions& options) {
  return StorePath(options).parent_path() / "lists";
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
  return configs;
}

}  // namespace vigil::cli
