// The `vigil` subcommands. Each Register* adds its subcommand to the CLI11 app; the
// callbacks return the process exit status through `exit_code`.
#ifndef VIGIL_HOST_CLI_COMMANDS_H_
#define VIGIL_HOST_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loader/plugin_registry.h"
#include "pipeline/pipeline.h"
#include "store/media_vault.h"
#include "store/store.h"
#include "store/store_settings.h"
#include "vigil/v1/detector.pb.h"

namespace vigil::isolation {
class IsolationRuntime;
}

namespace vigil::cli {

// Options every subcommand shares.
struct GlobalOptions {
  std::vector<std::string> plugin_dirs;  // --plugin-dir, searched before the default path
  std::string store;                     // --store; empty: the user's default store
  std::vector<std::string> settings;     // --set DETECTOR.KEY=VALUE
  bool in_process = false;               // --in-process: no worker processes
  bool developer_mode = false;           // --developer-mode: unsigned plugins load
  bool wait_for_debugger = false;        // --wait-for-debugger
  std::string config;                    // --config FILE (else $VIGIL_CONFIG): [store] table
  // Set by LoadPlugins: runs vendor plugins in workers (host/isolation).
  std::shared_ptr<isolation::IsolationRuntime> isolation;
  int exit_code = 0;
};

// Loads plugins from --plugin-dir, VIGIL_PLUGIN_PATH and the installed directory,
// through the isolation runtime (signatures checked, vendor plugins in workers).
void LoadPlugins(GlobalOptions& options, host::PluginRegistry& registry);
std::filesystem::path StorePath(const GlobalOptions& options);
// Opens the store --store names, or says why not (one line) and returns nullptr. Every
// schema warning is printed unless `mode` is read-only (audit verify reports them itself).
// `reads`: the command only reads, so a store it cannot write is opened read-only.
std::unique_ptr<host::Store> OpenStoreOrSay(const GlobalOptions& global,
                                            host::OpenMode mode = host::OpenMode::kReadWrite,
                                            bool reads = false);
// The folder of the workstation's own files: the store's folder, or for a team store
// (postgresql://...) the folder of the default store.
std::filesystem::path LocalStateDir(const GlobalOptions& options);
// Where hash banks, URL lists and other detector data live: <store folder>/lists.
std::filesystem::path DataDir(const GlobalOptions& options);
// One configuration per loaded detector: data_dir, plus every --set for its id.
std::map<std::string, vigil::v1::DetectorConfig> DetectorConfigs(
    const GlobalOptions& options, const host::PluginRegistry& registry);

// How `vigil scan` and `vigil eval` run their items: in the isolation workers when
// plugins were loaded into them, with these threads, per-detector deadline and pixel limit.
host::PipelineOptions PipelineOptionsFor(const GlobalOptions& options, int threads,
                                         int deadline_ms, uint64_t max_pixels);

// Prints "vigil: <message>" on stderr; the one-line error contract (the message goes
// through TerminalText: control characters and invalid UTF-8 are escaped).
void PrintError(const std::string& message);
// A UTC date as the CLI takes it: "YYYY-MM-DD" (digits in place; not checked further).
bool IsUtcDay(const std::string& day);

void RegisterPluginsCommand(CLI::App& app, GlobalOptions& options);
// `vigil plugins keygen|sign|trust` (plugins_sign_command.cc).
void RegisterPluginSigningCommands(CLI::App& plugins, GlobalOptions& options);
void RegisterScanCommand(CLI::App& app, GlobalOptions& options);
void RegisterStoreCommands(CLI::App& app, GlobalOptions& options);
void RegisterListsCommands(CLI::App& app, GlobalOptions& options);
void RegisterExposureCommand(CLI::App& app, GlobalOptions& options);

// `vigil queues`: the named queues with their counts and who may work them
// (queues_command.cc).
void RegisterQueuesCommand(CLI::App& app, GlobalOptions& options);

// `vigil users add|list|disable|role`: a team store's logins (users_command.cc).
void RegisterUsersCommand(CLI::App& app, GlobalOptions& options);
// `vigil webhooks add|list|remove|status|deliver` (webhooks_command.cc; issue 14).
void RegisterWebhooksCommand(CLI::App& app, GlobalOptions& options);
// `vigil exchanges add|list|remove|sync|status` (exchanges_command.cc; issue 15 item 1).
void RegisterExchangesCommand(CLI::App& app, GlobalOptions& options);
// Syncs every enabled exchange on its interval until wait(pause) returns true (it waits up
// to `pause` and says whether to stop); `vigil serve` runs it on a thread with a store
// connection of its own (exchanges_command.cc).
void SyncExchangesUntil(const GlobalOptions& global, host::Database& db,
                        const std::function<bool(std::chrono::milliseconds)>& wait);
// Issue 15 item 2: waits `pause` with wait() (true: stop), delivering the exchange feedback
// outbox every 10 s meanwhile; `vigil serve` waits between exchange syncs with it.
bool WaitDeliveringExchangeFeedback(host::Database& db, std::chrono::milliseconds pause,
                                    const std::function<bool(std::chrono::milliseconds)>& wait);

// `vigil tokens create|list|revoke`: bearer tokens of the HTTP API (tokens_command.cc).
void RegisterTokensCommand(CLI::App& app, GlobalOptions& options);
// `vigil serve`: the HTTP API (serve_command.cc, host/service/).
void RegisterServeCommand(CLI::App& app, GlobalOptions& options);

// `vigil retention run|hold|release|holds`: media kept in the store (retention_command.cc).
void RegisterRetentionCommand(CLI::App& app, GlobalOptions& options);
// The [store] settings of --config (or $VIGIL_CONFIG; the defaults when neither names a
// file), and whether `store` keeps media of queued items: always on a team store, with
// keep_media on a workstation. When it does, loads the key and tells the store; a missing
// or unusable key is an error (media_keeping.cc).
StatusOr<host::StoreSettings> StoreSettingsOf(const GlobalOptions& options);
Status KeepMediaIfConfigured(const GlobalOptions& options, host::Store& store);
// The store's media key when the org config names one (it also seals webhook secrets at
// rest); nullopt when none is named (media_keeping.cc).
StatusOr<std::optional<host::MediaKey>> ConfiguredMediaKey(const GlobalOptions& options);

// "2026-11-29" (midnight UTC) or "2026-11-29T16:32:00Z" as Unix seconds; false for anything
// else, an impossible date included (rematch --since, lists disable --until).
bool ParseUtcDate(const std::string& text, int64_t& unix_time);

// `vigil rematch` (rematch_command.cc).
void RegisterRematchCommand(CLI::App& app, GlobalOptions& options);

// `vigil store migrate`: a workstation store into the team store (store_migrate_command.cc).
void RegisterStoreMigrateCommand(CLI::App& app, GlobalOptions& options);

// `vigil video hash|match`: vPDQ of video files (video_command.cc; issue 16).
void RegisterVideoCommand(CLI::App& app, GlobalOptions& options);
// `vigil eval`: detectors measured on a labelled corpus (eval_command.cc, issue 17 item 3).
void RegisterEvalCommand(CLI::App& app, GlobalOptions& options);
// `vigil exposure costs`: exposure per decided item by detector, bank, category and rule
// (exposure_costs_command.cc, issue 17 item 6), a subcommand of `exposure`.
void RegisterExposureCostsCommand(CLI::App& exposure, GlobalOptions& options);
// `vigil eval robustness`: PDQ under image edits (eval_robustness_command.cc, issue 17
// item 4), a subcommand of `eval`; returned so `eval` can tell it ran.
CLI::App* RegisterEvalRobustnessCommand(CLI::App& eval, GlobalOptions& options);
// `vigil eval shadow` (issue 17 item 5, eval_shadow_command.cc).
CLI::App* RegisterEvalShadowCommand(CLI::App& eval, GlobalOptions& options);
// Issue 15 item 4: `vigil bundle verify` (bundle_command.cc).
void RegisterBundleCommand(CLI::App& app, GlobalOptions& options);
// `vigil worker`: a fleet member on NATS JetStream (worker_command.cc, issue 14 item 4).
void RegisterWorkerCommand(CLI::App& app, GlobalOptions& options);

// The whole command line: global options, then every Register* above (cli_app.cc).
// Global options are accepted before or after the subcommand, at every depth.
void BuildCli(CLI::App& app, GlobalOptions& options);
// The global options' names ("--store", ...), as BuildCli adds them.
const std::vector<std::string>& GlobalOptionNames();

// Every --set names a loaded detector and a key its config_schema declares; otherwise an
// error naming the detector and the known ids or keys (settings_check.cc).
Status CheckSettings(const GlobalOptions& options, const host::PluginRegistry& registry);

}  // namespace vigil::cli

#endif  // VIGIL_HOST_CLI_COMMANDS_H_
