// vigil: the host runtime's command line. See `vigil --help` and DESIGN.md's CLI contract.
#include <CLI/CLI.hpp>

#include <sys/prctl.h>

#include <csignal>
#include <cstdio>

#include "cli/commands.h"
#include "loader/host_services.h"

namespace {

void OnInterrupt(int) { vigil::host::RequestCancel(); }

}  // namespace

int main(int argc, char** argv) {
  // Not dumpable: no process of this user without CAP_SYS_PTRACE (a plugin's worker has
  // no capabilities at all) may open our /proc/PID/mem, environ or maps, or ptrace us.
  // Workers are separate executables and stay debuggable (--wait-for-debugger).
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
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
  app.add_option("--set", options.settings,
                 "Configure a detector: DETECTOR.KEY=VALUE, e.g. vigil.hash.threshold=31 "
                 "(repeatable). A vigil.classifier.model that is not shipped with Vigil must "
                 "be signed and runs in a worker (docs/isolation.md)")
      ->type_name("DETECTOR.KEY=VALUE")
      ->check([](const std::string& v) {
        size_t eq = v.find('=');
        size_t dot = eq == std::string::npos ? std::string::npos : v.rfind('.', eq);
        return dot == std::string::npos || dot == 0 || dot + 1 == eq
                   ? std::string("expected DETECTOR.KEY=VALUE")
                   : std::string();
      });
  app.add_flag("--in-process", options.in_process,
               "Load every plugin into this process instead of worker processes "
               "(debugging; signatures are still checked)");
  app.add_flag("--developer-mode", options.developer_mode,
               "Load unsigned or wrongly signed plugins (announced on every run)");
  app.add_flag("--wait-for-debugger", options.wait_for_debugger,
               "Each worker prints its pid and stops until a debugger resumes it");
  vigil::cli::RegisterPluginsCommand(app, options);
  vigil::cli::RegisterScanCommand(app, options);
  vigil::cli::RegisterStoreCommands(app, options);
  vigil::cli::RegisterListsCommands(app, options);
  vigil::cli::RegisterExposureCommand(app, options);

  std::signal(SIGINT, OnInterrupt);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return options.exit_code;
}
