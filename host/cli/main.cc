// vigil: the host runtime's command line. See `vigil --help` and DESIGN.md's CLI contract.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>

#include "cli/commands.h"
#include "loader/host_services.h"

namespace {

void OnInterrupt(int) { vigil::host::RequestCancel(); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vigil: run detector plugins over items and keep what they flag for review"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "vigil 0.1.0 (plugin ABI 1.0)");
  vigil::cli::GlobalOptions options;
  app.add_option("--plugin-dir", options.plugin_dirs,
                 "Load plugins from this directory or .so first (repeatable); then "
                 "VIGIL_PLUGIN_PATH, then the directory installed beside vigil")
      ->type_name("DIR");
  app.add_option("--store", options.store,
                 "The store file (default: $XDG_DATA_HOME/vigil/store.db or "
                 "~/.local/share/vigil/store.db)")
      ->type_name("FILE");
  vigil::cli::RegisterPluginsCommand(app, options);
  vigil::cli::RegisterScanCommand(app, options);

  std::signal(SIGINT, OnInterrupt);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return options.exit_code;
}
