// The `vigil` subcommands. Each Register* adds its subcommand to the CLI11 app; the
// callbacks return the process exit status through `exit_code`.
#ifndef VIGIL_HOST_CLI_COMMANDS_H_
#define VIGIL_HOST_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "loader/plugin_registry.h"

namespace vigil::cli {

// Options every subcommand shares.
struct GlobalOptions {
  std::vector<std::string> plugin_dirs;  // --plugin-dir, searched before the default path
  std::string store;                     // --store; empty: the user's default store
  int exit_code = 0;
};

// Loads plugins from --plugin-dir, VIGIL_PLUGIN_PATH and the installed directory.
void LoadPlugins(const GlobalOptions& options, host::PluginRegistry& registry);
std::filesystem::path StorePath(const GlobalOptions& options);

// Prints "vigil: <message>" on stderr; the one-line error contract.
void PrintError(const std::string& message);

void RegisterPluginsCommand(CLI::App& app, GlobalOptions& options);
void RegisterScanCommand(CLI::App& app, GlobalOptions& options);

}  // namespace vigil::cli

#endif  // VIGIL_HOST_CLI_COMMANDS_H_
