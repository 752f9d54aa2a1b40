#include <cstdio>

#include "cli/commands.h"
#include "store/store.h"

namespace vigil::cli {

void PrintError(const std::string& message) {
  std::fprintf(stderr, "vigil: %s\n", message.c_str());
}

void LoadPlugins(const GlobalOptions& options, host::PluginRegistry& registry) {
  for (const std::string& dir : options.plugin_dirs) registry.Load(dir);
  registry.LoadAll(host::PluginRegistry::DefaultSearchPath(host::ExecutableDir()));
}

std::filesystem::path StorePath(const GlobalOptions& options) {
  return options.store.empty() ? host::Store::DefaultPath() : std::filesystem::path(options.store);
}

}  // namespace vigil::cli
