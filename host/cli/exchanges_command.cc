// `vigil exchanges add|list|remove|sync|status` (issue 15 item 1; docs/exchanges.md): hash
// exchanges that sync themselves into banks, with a checkpoint after each page. Credentials
// are a reference to a file or an environment variable, never a command-line value.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "bank_set.h"
#include "cli/commands.h"
#include "core/terminal_text.h"
#include "exchange/exchange_client.h"
#include "exchange/exchange_feedback_sender.h"
#include "exchange/exchange_sync.h"
#include "store/exchange_feedback.h"
#include "store/exchanges.h"

namespace vigil::cli {
namespace {

namespace fs = std::filesystem;

struct ExchangeArgs {
  std::string name;
  std::string kind;
  std::string endpoint;
  std::string bank;
  std::string credentials_file;
  std::string credentials_env;
  int64_t interval_s = 600;
  bool disabled = false;
  bool json = false;
  bool once = false;
  int max_pages = 10000;
  size_t batch_entries = 200000;
  int attempts = 5;
  int64_t first_backoff_ms = 500;
  int64_t timeout_ms = 60000;
  bool feedback = false;
  std::string feedback_reason;
  int64_t feedback_interval_s = 30;
};

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop.store(true); }

int64_t NowUnix() { return static_cast<int64_t>(std::time(nullptr)); }

int Fail(const Status& status, int code = 1) {
  PrintError(status.message());
  return code;
}

std::string Lag(const host::ExchangeState& s, int64_t now) {
  if (s.last_success_unix == 0) return "never synced";
  const int64_t lag = std::max<int64_t>(0, now - s.last_success_unix);
  if (lag < 120) return std::to_string(lag) + " s";
  if (lag < 7200) return std::to_string(lag / 60) + " min";
  return std::to_string(lag / 3600) + " h";
}

// One sync of `exchange`; prints a line per outcome. True on success.
bool SyncOne(const GlobalOptions& global, host::Database& db, const host::Exchange& exchange,
             const ExchangeArgs& args) {
  const std::string name = TerminalText(exchange.name);
  auto secret = exchange::ResolveCredentials(exchange.credentials);
  if (!secret.ok()) {
    (void)host::RecordExchangeError(db, exchange.name, secret.status().message(), NowUnix());
    PrintError("exchange " + exchange.name + ": " + secret.status().message());
    return false;
  }
  exchange::ClientOptions client_options;
  client_options.retry.max_attempts = args.attempts;
  client_options.retry.first_backoff_ms = args.first_backoff_ms;
  client_options.timeout_ms = args.timeout_ms;
  auto client = exchange::MakeExchangeClient(exchange, secret.value(), client_options);
  if (!client.ok()) {
    (void)host::RecordExchangeError(db, exchange.name, client.status().message(), NowUnix());
    PrintError("exchange " + exchange.name + ": " + client.status().message());
    return false;
  }
  exchange::SyncOptions sync_options;
  sync_options.max_pages = args.max_pages;
  sync_options.batch_ops = std::max<size_t>(1, args.batch_entries);
  sync_options.on_page = [&](int page, const exchange::ExchangePage& p, size_t) {
    std::printf("%s: page %d fetched (%s)%s\n", name.c_str(), page, TerminalText(p.what).c_str(),
                p.unchanged ? ", unchanged" : "");
    std::fflush(stdout);
  };
  sync_options.on_applied = [&](int pages, const std::string&, size_t entries) {
    std::printf("%s: %d pages in bank %s, checkpoint saved: %zu entries\n", name.c_str(), pages,
                TerminalText(exchange.bank).c_str(), entries);
    std::fflush(stdout);
  };
  const std::string bank_path = hashdetect::BankPath(DataDir(global).string(), exchange.bank);
  auto report = exchange::SyncExchange(db, exchange, *client.value(), bank_path, sync_options);
  if (!report.ok()) {
    PrintError(report.status().message() + " (checkpoint kept; the next sync resumes there)");
    return false;
  }
  const auto& r = report.value();
  std::printf(
      "%s: synced bank %s: %d pages, %zu added, %zu updated, %zu deleted; %zu entries "
      "now%s\n",
      name.c_str(), TerminalText(exchange.bank).c_str(), r.pages, r.added, r.updated, r.deleted,
      r.entries,
      r.bad_records > 0 ? ("; " + std::to_string(r.bad_records) + " bad records skipped").c_str()
                        : "");
  std::fflush(stdout);
  return true;
}

// Syncs args.name (or every enabled exchange) each on its interval until `wait` says
// stop. The exchanges are listed again every round: one added, changed or disabled while
// this runs is picked up. A listing error is printed and tried again a minute later.
void SyncOnInterval(const GlobalOptions& global, host::Database& db, const ExchangeArgs& args,
                    const std::function<bool(std::chrono::milliseconds)>& wait) {
  std::map<std::string, int64_t> due;
  for (;;) {
    int64_t next = NowUnix() + 60;
    auto all = host::ListExchanges(db);
    if (!all.ok()) PrintError("exchanges: " + all.status().message() + " (retrying)");
    for (const host::Exchange& e : all.ok() ? all.value() : std::vector<host::Exchange>()) {
      if (!args.name.empty() ? e.name != args.name : !e.enabled) continue;
      int64_t& at = due[e.name];
      if (at <= NowUnix()) {
        SyncOne(global, db, e, args);
        at = NowUnix() + e.interval_s;
        if (wait(std::chrono::milliseconds(0))) return;
      }
      next = std::min(next, at);
    }
    if (wait(std::chrono::seconds(std::max<int64_t>(1, next - NowUnix())))) return;
  }
}

int Sync(const GlobalOptions& global, host::Database& db, const ExchangeArgs& args) {
  auto all = host::ListExchanges(db);
  if (!all.ok()) return Fail(all.status());
  std::vector<host::Exchange> chosen;
  for (const host::Exchange& e : all.value()) {
    if (!args.name.empty() ? e.name == args.name : e.enabled) chosen.push_back(e);
  }
  if (!args.name.empty() && chosen.empty()) {
    return Fail(Status::NotFound("no exchange named '" + args.name + "'"));
  }
  if (chosen.empty()) {
    std::printf("no enabled exchanges to sync (vigil exchanges add)\n");
    return 0;
  }
  if (args.once) {
    bool ok = true;
    for (const host::Exchange& e : chosen) ok = SyncOne(global, db, e, args) && ok;
    return ok ? 0 : 1;
  }
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  SyncOnInterval(global, db, args, [](std::chrono::milliseconds pause) {
    const auto until = std::chrono::steady_clock::now() + pause;
    while (!g_stop.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return g_stop.load();
  });
  return 0;
}

// Issue 15 item 2: one delivery pass of the feedback outbox, said in one line when it did
// anything (or always with `verbose`).
bool DeliverFeedbackPass(host::Database& db, bool verbose) {
  exchange::FeedbackOptions options;
  char host_name[256] = "";
  ::gethostname(host_name, sizeof host_name - 1);
  options.owner = std::string(host_name) + ":" + std::to_string(::getpid());
  auto report = exchange::DeliverExchangeFeedback(db, options);
  if (!report.ok()) {
    PrintError("exchange feedback: " + report.status().message());
    return false;
  }
  const exchange::FeedbackReport& r = report.value();
  if (verbose || r.delivered + r.retrying + r.dead > 0) {
    std::printf("exchange feedback: %d delivered, %d to retry, %d given up\n", r.delivered,
                r.retrying, r.dead);
    std::fflush(stdout);
  }
  return r.dead == 0 && r.retrying == 0;
}

int Feedback(host::Database& db, const ExchangeArgs& args) {
  if (args.once) {
    const bool ok = DeliverFeedbackPass(db, true);
    auto rows = host::ListExchangeFeedback(db);
    if (!rows.ok()) return Fail(rows.status());
    std::map<std::string, int> states;
    for (const host::ExchangeFeedback& f : rows.value()) ++states[f.state];
    std::printf("outbox: %d pending, %d delivered, %d given up\n",
                states["pending"] + states["sending"], states["delivered"], states["dead"]);
    for (const host::ExchangeFeedback& f : rows.value()) {
      if (f.state == "dead" || (f.state == "pending" && !f.last_error.empty())) {
        std::printf("  %s entry %s (%s, item %lld): %s %s\n", TerminalText(f.exchange).c_str(),
                    TerminalText(f.entry_id).c_str(), f.vote.c_str(),
                    static_cast<long long>(f.item_id), f.state.c_str(),
                    TerminalText(f.last_error).c_str());
      }
    }
    return ok ? 0 : 1;
  }
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  while (!g_stop.load()) {
    DeliverFeedbackPass(db, false);
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::seconds(args.feedback_interval_s);
    while (!g_stop.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  return 0;
}

int Run(const GlobalOptions& global, const std::string& action, const ExchangeArgs& args) {
  const bool reads = action == "list" || action == "status";
  std::unique_ptr<host::Store> store = OpenStoreOrSay(global, host::OpenMode::kReadWrite, reads);
  if (!store) return 1;
  host::Database& db = store->db();
  if (action == "add") {
    host::Exchange e;
    e.name = args.name;
    e.kind = args.kind;
    e.feedback = args.feedback;
    e.feedback_reason = args.feedback_reason;
    e.endpoint = args.endpoint;
    e.bank = args.bank;
    e.interval_s = args.interval_s;
    e.enabled = !args.disabled;
    if (!args.credentials_file.empty() && !args.credentials_env.empty()) {
      return Fail(Status::InvalidArgument("give --credentials-file or --credentials-env, not both"),
                  2);
    }
    if (!args.credentials_file.empty()) {
      std::error_code ec;
      const fs::path path = fs::absolute(args.credentials_file, ec);
      if (ec || !fs::is_regular_file(path, ec)) {
        return Fail(Status::InvalidArgument("no credentials file " + args.credentials_file), 2);
      }
      e.credentials = "file:" + path.lexically_normal().string();
    } else if (!args.credentials_env.empty()) {
      e.credentials = "env:" + args.credentials_env;
    }
    if (e.kind == "folder" && !e.endpoint.empty()) {
      std::error_code ec;
      const fs::path folder = fs::absolute(e.endpoint, ec);
      if (ec || !fs::is_directory(folder, ec)) {
        return Fail(Status::InvalidArgument("no folder " + e.endpoint), 2);
      }
      e.endpoint = folder.lexically_normal().string();
    }
    if (e.kind == "ncmec" && e.credentials.empty()) {
      return Fail(
          Status::InvalidArgument("an NCMEC exchange needs --credentials-file or --credentials-env "
                                  "(\"user:password\")"),
          2);
    }
    if (e.kind == "stopncii" && e.credentials.empty()) {
      return Fail(Status::InvalidArgument("a StopNCII exchange needs --credentials-file or "
                                          "--credentials-env "
                                          "(\"subscription-key:fetch-function-key\")"),
                  2);
    }
    if (e.kind == "threatexchange" && e.credentials.empty()) {
      return Fail(
          Status::InvalidArgument("a ThreatExchange exchange needs --credentials-file or "
                                  "--credentials-env (the app token \"<app id>|<secret>\")"),
          2);
    }
    e.created_by =
        store->login().empty() ? (std::getenv("USER") ? std::getenv("USER") : "") : store->login();
    if (Status s = host::AddExchange(db, e); !s.ok()) {
      return Fail(s, s.code() == Status::Code::kInvalidArgument ? 2 : 1);
    }
    std::printf("exchange %s: added (%s, bank %s, every %lld s)\n", TerminalText(e.name).c_str(),
                e.kind.c_str(), TerminalText(e.bank).c_str(), static_cast<long long>(e.interval_s));
    return 0;
  }
  if (action == "remove") {
    if (Status s = host::RemoveExchange(db, args.name); !s.ok()) return Fail(s);
    std::printf("exchange %s: removed (its bank file stays; `vigil lists` manages it)\n",
                TerminalText(args.name).c_str());
    return 0;
  }
  if (action == "sync") return Sync(global, db, args);
  if (action == "feedback") return Feedback(db, args);
  auto all = host::ListExchanges(db);
  if (!all.ok()) return Fail(all.status());
  const int64_t now = NowUnix();
  nlohmann::json out = nlohmann::json::array();
  for (const host::Exchange& e : all.value()) {
    nlohmann::json row = {{"name", e.name},
                          {"kind", e.kind},
                          {"endpoint", e.endpoint},
                          {"bank", e.bank},
                          {"credentials", e.credentials},
                          {"interval_s", e.interval_s},
                          {"enabled", e.enabled},
                          {"created_by", e.created_by},
                          {"created_at", e.created_at},
                          {"feedback", e.feedback},
                          {"feedback_negative_reason", e.feedback_reason}};
    if (action == "status") {
      auto state = host::ExchangeStateOf(db, e.name);
      if (!state.ok()) return Fail(state.status());
      const host::ExchangeState& s = state.value();
      row = {{"name", e.name},
             {"bank", e.bank},
             {"enabled", e.enabled},
             {"entries", s.entries},
             {"last_success", s.last_success},
             {"lag_s", s.last_success_unix == 0 ? nlohmann::json(nullptr)
                                                : nlohmann::json(now - s.last_success_unix)},
             {"last_error", s.last_error},
             {"last_error_at", s.last_error_at},
             {"in_progress_pages", s.pages},
             {"checkpoint", s.checkpoint}};
      if (!args.json) {
        std::printf("%s  bank %s  entries %lld  last success %s  lag %s%s%s\n",
                    TerminalText(e.name).c_str(), TerminalText(e.bank).c_str(),
                    static_cast<long long>(s.entries),
                    s.last_success.empty() ? "never" : s.last_success.c_str(), Lag(s, now).c_str(),
                    e.enabled ? "" : "  (disabled)",
                    s.last_error.empty() ? ""
                                         : ("\n  last error (" + s.last_error_at +
                                            "): " + TerminalText(s.last_error))
                                               .c_str());
      }
    } else if (!args.json) {
      std::printf("%s  %s  %s  bank %s  every %lld s  credentials %s%s%s\n",
                  TerminalText(e.name).c_str(), e.kind.c_str(), TerminalText(e.endpoint).c_str(),
                  TerminalText(e.bank).c_str(), static_cast<long long>(e.interval_s),
                  e.credentials.empty() ? "none" : TerminalText(e.credentials).c_str(),
                  e.enabled ? "" : "  (disabled)", e.feedback ? "  feedback on" : "");
    }
    out.push_back(std::move(row));
  }
  if (args.json) {
    std::printf("%s\n", out.dump().c_str());
  } else if (all.value().empty()) {
    std::printf("no exchanges (vigil exchanges add)\n");
  }
  return 0;
}

}  // namespace

void SyncExchangesUntil(const GlobalOptions& global, host::Database& db,
                        const std::function<bool(std::chrono::milliseconds)>& wait) {
  SyncOnInterval(global, db, ExchangeArgs{}, wait);
}

bool WaitDeliveringExchangeFeedback(host::Database& db, std::chrono::milliseconds pause,
                                    const std::function<bool(std::chrono::milliseconds)>& wait) {
  const auto until = std::chrono::steady_clock::now() + pause;
  while (true) {
    DeliverFeedbackPass(db, false);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    if (wait(std::min<std::chrono::milliseconds>(left, std::chrono::seconds(10)))) return true;
  }
}

void RegisterExchangesCommand(CLI::App& app, GlobalOptions& options) {
  static ExchangeArgs args;
  CLI::App* exchanges = app.add_subcommand(
      "exchanges", "Hash exchanges that sync themselves into banks (docs/exchanges.md)");
  exchanges->require_subcommand(1);

  CLI::App* add = exchanges->add_subcommand("add", "Configure an exchange (admins)");
  add->add_option("NAME", args.name, "Letters, digits, '-', '_', '.'")->required();
  add->add_option("--kind", args.kind, "ncmec, stopncii, threatexchange, http or folder")
      ->required();
  add->add_option("--endpoint", args.endpoint,
                  "ncmec: the API's base URL (before /v2); stopncii: the API's base URL (e.g. "
                  "https://api.stopncii.org/v1); threatexchange: the privacy group's Graph API URL "
                  "(https://graph.facebook.com/v<version>/<privacy group id>); http: the list "
                  "URL; folder: a path")
      ->required();
  add->add_option("--bank", args.bank, "The bank it feeds (one exchange per bank)")->required();
  add->add_option("--credentials-file", args.credentials_file,
                  "Credentials from the first line of FILE (ncmec: user:password; stopncii: "
                  "subscription-key:fetch-function-key, plus :submitfeedback-function-key "
                  "with --feedback; threatexchange: the app token "
                  "<app id>|<secret>; http: a bearer token); the path is "
                  "stored, never the secret")
      ->type_name("FILE");
  add->add_option("--credentials-env", args.credentials_env,
                  "Credentials from the environment variable NAME at sync time")
      ->type_name("NAME");
  add->add_option("--interval", args.interval_s, "Seconds between syncs (default 600)")
      ->check(CLI::Range(1, 31536000));
  add->add_flag("--disabled", args.disabled, "Configured, but not synced by `sync` without NAME");
  add->add_flag("--feedback", args.feedback,
                "ncmec, stopncii: decisions on items that matched its entries send its "
                "feedback (NCMEC votes, StopNCII Blocked/NotBlocked; off by default; delivered "
                "by `exchanges feedback` and `vigil serve`)");
  add->add_option("--feedback-negative-reason", args.feedback_reason,
                  "ncmec with --feedback: the reason GUID a not-illegal decision's negative "
                  "vote carries (without it only affirmative votes are sent)")
      ->type_name("GUID");
  add->callback([&options] { options.exit_code = Run(options, "add", args); });

  CLI::App* list = exchanges->add_subcommand("list", "The configured exchanges");
  list->add_flag("--json", args.json, "One JSON array");
  list->callback([&options] { options.exit_code = Run(options, "list", args); });

  CLI::App* remove =
      exchanges->add_subcommand("remove", "Forget an exchange and its checkpoint (admins)");
  remove->add_option("NAME", args.name)->required();
  remove->callback([&options] { options.exit_code = Run(options, "remove", args); });

  CLI::App* sync = exchanges->add_subcommand(
      "sync",
      "Sync NAME (or every enabled exchange): once (--once) or every interval until "
      "SIGINT/SIGTERM");
  sync->add_option("NAME", args.name, "One exchange (default: every enabled one)");
  sync->add_flag("--once", args.once, "One sync each, then exit (1 when any failed)");
  sync->add_option("--max-pages", args.max_pages,
                   "Stop with an error after this many pages in one sync (default 10000)")
      ->check(CLI::Range(1, 100000000));
  sync->add_option("--batch-entries", args.batch_entries,
                   "Write the bank and save the checkpoint once the pages fetched hold this many "
                   "changes (default 200000; 1: after every page), and at the end")
      ->check(CLI::Range(1, 1000000000));
  sync->add_option("--attempts", args.attempts, "Tries per request (default 5)")
      ->check(CLI::Range(1, 100));
  sync->add_option("--first-backoff-ms", args.first_backoff_ms,
                   "Wait after a first failed try, doubling per try (default 500)");
  sync->add_option("--timeout-ms", args.timeout_ms, "Per request (default 60000)")
      ->check(CLI::Range(1, 3600000));
  sync->callback([&options] { options.exit_code = Run(options, "sync", args); });

  CLI::App* feedback = exchanges->add_subcommand(
      "feedback",
      "Deliver the queued exchange feedback: once (--once) or every --interval seconds until "
      "SIGINT/SIGTERM");
  feedback->add_flag("--once", args.once,
                     "One pass, then the outbox's counts; exit 1 when a vote failed");
  feedback->add_option("--interval", args.feedback_interval_s, "Seconds between passes (30)")
      ->check(CLI::Range(1, 86400));
  feedback->callback([&options] { options.exit_code = Run(options, "feedback", args); });

  CLI::App* status = exchanges->add_subcommand(
      "status", "Per exchange: entries, last success, lag and the last error");
  status->add_flag("--json", args.json, "One JSON array");
  status->callback([&options] { options.exit_code = Run(options, "status", args); });
}

}  // namespace vigil::cli
