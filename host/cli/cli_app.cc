// The `vigil` command line: the global options and every subcommand, in one CLI11 app.
// main() parses with it; tests build the same app to check every subcommand.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace vigil::cli {

// Issue 15 item 3: `vigil reports build|list|show|submit|retract`, CyberTipline reports
// (reports_command.cc). Declared here rather than in commands.h so that adding it does not
// rebuild every command (the lead may move it there at merge).
void RegisterReportsCommand(CLI::App& app, GlobalOptions& options);

const std::vector<std::string>& GlobalOptionNames() {
  static const std::vector<std::string> kNames = {
      "--plugin-dir", "--store",          "--set",
      "--in-process", "--developer-mode", "--wait-for-debugger",
      "--config"};  // issue 13 item 3
  return kNames;
}

void BuildCli(CLI::App& app, GlobalOptions& options) {
  app.require_subcommand(1);
  app.set_version_flag("--version", "vigil 0.1.0 (plugin ABI 1.0)");
  // Global options may come before or after the subcommand, at any depth (`vigil scan DIR
  // --store s.db`, `vigil lists import ... --store s.db`): an option a subcommand does not
  // know falls through to its parent. Subcommands inherit this, and the footer, when they
  // are added, so both are set first.
  app.fallthrough();
  app.footer(
      "Global options (--store, --plugin-dir, --set, --in-process, --developer-mode, "
      "--wait-for-debugger) go before or after the subcommand; `vigil --help` describes them.");
  // Each occurrence of a repeatable option takes one value, so that an option after the
  // subcommand never swallows the subcommand's own arguments (`scan --set K=V DIR`).
  app.add_option("--plugin-dir", options.plugin_dirs,
                 "Load plugins from this directory or .so first (repeatable); then "
                 "VIGIL_PLUGIN_PATH, then the directory installed beside vigil. A Python "
                 "detector: --plugin-dir <lib>/vigil/python (the vigil.python bridge) with "
                 "VIGIL_PYTHON_DETECTOR=PATH/detector.py (docs/python.md)")
      ->type_name("DIR")
      ->allow_extra_args(false);
  app.add_option("--store", options.store,
                 "The store file (default: $XDG_DATA_HOME/vigil/store.db or "
                 "~/.local/share/vigil/store.db)")
      ->type_name("FILE");
  app.add_option("--set", options.settings,
                 "Configure a detector: DETECTOR.KEY=VALUE, e.g. vigil.pdq.threshold=31 "
                 "(repeatable). An unknown detector or key is an error; `vigil plugins list "
                 "--json` shows each detector's config_schema. A vigil.classifier.model that "
                 "is not shipped with Vigil must be signed and runs in a worker "
                 "(docs/isolation.md)")
      ->type_name("DETECTOR.KEY=VALUE")
      ->allow_extra_args(false)
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
  app.add_option("--config", options.config,
                 "The org config file whose [store] table names the media key file, "
                 "keep_media and retention_days (default: $VIGIL_CONFIG; "
                 "docs/operations.md, \"Media in the store and retention\")")
      ->type_name("FILE");
  RegisterPluginsCommand(app, options);
  RegisterScanCommand(app, options);
  RegisterStoreCommands(app, options);
  RegisterListsCommands(app, options);
  RegisterExposureCommand(app, options);
  RegisterRematchCommand(app, options);
  RegisterQueuesCommand(app, options);
  RegisterUsersCommand(app, options);
  RegisterTokensCommand(app, options);
  RegisterServeCommand(app, options);
  RegisterRetentionCommand(app, options);
  RegisterStoreMigrateCommand(app, options);
  RegisterVideoCommand(app, options);  // issue 16
  RegisterEvalCommand(app, options);
  RegisterBundleCommand(app, options);  // issue 15
  RegisterWorkerCommand(app, options);  // issue 14 item 4
  RegisterWebhooksCommand(app, options);  // issue 14
  RegisterExchangesCommand(app, options);  // issue 15 item 1
  RegisterReportsCommand(app, options);  // issue 15 item 3
}

}  // namespace vigil::cli
