// `vigil webhooks add|list|remove|status|deliver` (issue 14 item 3; docs/webhooks.md):
// the endpoints of the webhook outbox, its delivery state, and a deliverer to run without
// `vigil serve`. A secret is read from a file or VIGIL_WEBHOOK_SECRET, never the command
// line; without either, a random one is made and printed once.
#include <openssl/rand.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "core/terminal_text.h"
#include "scan/scan_json.h"
#include "service/webhook_dispatcher.h"
#include "store/webhook_outbox.h"

namespace vigil::cli {
namespace {

struct WebhookArgs {
  std::string name;
  std::string url;
  std::string events;
  std::string secret_file;
  bool json = false;
  bool once = false;
  bool follow = false;
  int64_t first_backoff_ms = 1000;
  int64_t max_backoff_ms = 600000;
  double give_up_hours = 72;
  int64_t timeout_ms = 10000;
};

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop.store(true); }

StatusOr<std::string> ReadSecret(const std::string& file, bool& generated) {
  generated = false;
  std::string secret;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return Status::IoError("cannot read the secret file " + file);
    std::getline(in, secret);
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (secret.empty()) return Status::InvalidArgument("no secret on the first line of " + file);
    return secret;
  }
  if (const char* env = std::getenv("VIGIL_WEBHOOK_SECRET"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1)
    return Status::Internal("no random bytes for a secret");
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char b : bytes) {
    secret += kHex[b >> 4];
    secret += kHex[b & 0xf];
  }
  generated = true;
  return secret;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

int Fail(const Status& status, int code = 1) {
  PrintError(status.message());
  return code;
}

int Run(const GlobalOptions& global, const std::string& action, const WebhookArgs& args) {
  std::unique_ptr<host::Store> store =
      OpenStoreOrSay(global, host::OpenMode::kReadWrite, action == "list" || action == "status");
  if (!store) return 1;
  host::Database& db = store->db();
  if (action == "add") {
    host::WebhookEndpoint endpoint;
    endpoint.name = args.name;
    endpoint.url = args.url;
    endpoint.events = SplitList(args.events);
    bool generated = false;
    auto secret = ReadSecret(args.secret_file, generated);
    if (!secret.ok()) return Fail(secret.status(), 2);
    endpoint.secret = secret.value();
    auto key = ConfiguredMediaKey(global);
    if (!key.ok()) return Fail(key.status());
    if (Status s = host::AddWebhookEndpoint(db, endpoint, key->has_value() ? &**key : nullptr);
        !s.ok()) {
      return Fail(s, s.code() == Status::Code::kInvalidArgument ? 2 : 1);
    }
    std::printf("%s: added (%s)\n", TerminalText(endpoint.name).c_str(),
                args.events.empty() ? "every event" : TerminalText(args.events).c_str());
    if (key->has_value()) std::printf("secret sealed with the store's media key\n");
    if (generated) {
      std::printf("secret (shown once; give it to the receiver): %s\n", endpoint.secret.c_str());
    }
    return 0;
  }
  if (action == "remove") {
    if (Status s = host::RemoveWebhookEndpoint(db, args.name); !s.ok()) return Fail(s);
    std::printf("%s: removed (its pending deliveries with it)\n", TerminalText(args.name).c_str());
    return 0;
  }
  if (action == "list") {
    auto endpoints = host::ListWebhookEndpoints(db, /*with_secrets=*/false);
    if (!endpoints.ok()) return Fail(endpoints.status());
    if (args.json) {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& e : endpoints.value()) {
        out.push_back({{"name", e.name},
                       {"url", e.url},
                       {"events", e.events},
                       {"enabled", e.enabled},
                       {"created_at", e.created_at}});
      }
      std::printf("%s\n", host::JsonText(out).c_str());
      return 0;
    }
    if (endpoints->empty()) std::printf("No webhook endpoints (vigil webhooks add).\n");
    for (const auto& e : endpoints.value()) {
      std::string events;
      for (const std::string& t : e.events) events += (events.empty() ? "" : ",") + t;
      std::printf("%s  %s  %s%s\n", TerminalText(e.name).c_str(), TerminalText(e.url).c_str(),
                  events.empty() ? "every event" : TerminalText(events).c_str(),
                  e.enabled ? "" : "  (disabled)");
    }
    return 0;
  }
  if (action == "status") {
    auto status = host::WebhookStatus(db);
    if (!status.ok()) return Fail(status.status());
    if (args.json) {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& s : status.value()) {
        out.push_back({{"name", s.name},
                       {"url", s.url},
                       {"enabled", s.enabled},
                       {"pending", s.pending},
                       {"delivered", s.delivered},
                       {"dead", s.dead},
                       {"last_error", s.last_error}});
      }
      std::printf("%s\n", host::JsonText(out).c_str());
      return 0;
    }
    if (status->empty()) std::printf("No webhook endpoints (vigil webhooks add).\n");
    for (const auto& s : status.value()) {
      std::printf("%s: %lld pending, %lld delivered, %lld dead%s%s\n", TerminalText(s.name).c_str(),
                  static_cast<long long>(s.pending), static_cast<long long>(s.delivered),
                  static_cast<long long>(s.dead),
                  s.last_error.empty() ? "" : "; last error: ", TerminalText(s.last_error).c_str());
    }
    return 0;
  }
  // deliver
  if (args.once && args.follow) {
    return Fail(Status::InvalidArgument("--once and --follow exclude each other"), 2);
  }
  if (args.first_backoff_ms < 0 || args.max_backoff_ms < args.first_backoff_ms ||
      args.give_up_hours <= 0 || args.timeout_ms <= 0) {
    return Fail(Status::InvalidArgument("backoffs must be 0 <= first <= max, --give-up-after "
                                        "and --timeout-ms positive"),
                2);
  }
  service::WebhookOptions options;
  options.first_backoff = std::chrono::milliseconds(args.first_backoff_ms);
  options.max_backoff = std::chrono::milliseconds(args.max_backoff_ms);
  options.give_up_after =
      std::chrono::milliseconds(static_cast<int64_t>(args.give_up_hours * 3600 * 1000));
  options.request_timeout = std::chrono::milliseconds(args.timeout_ms);
  options.lease = std::max(options.lease, options.request_timeout * (options.batch + 1));
  auto key = ConfiguredMediaKey(global);
  if (!key.ok()) return Fail(key.status());
  options.secret_key = key.value();
  service::WebhookDispatcher dispatcher(db, options);
  if (args.follow) {
    std::signal(SIGINT, OnStopSignal);
    std::signal(SIGTERM, OnStopSignal);
    dispatcher.Run(g_stop, [](const Status& s) { PrintError(s.message() + " (retrying)"); });
    return 0;
  }
  auto report = dispatcher.DeliverDue();
  if (!report.ok()) return Fail(report.status());
  std::printf("%d attempted: %d delivered, %d to retry, %d dead\n", report->attempted,
              report->delivered, report->failed, report->dead);
  return 0;
}

}  // namespace

void RegisterWebhooksCommand(CLI::App& app, GlobalOptions& options) {
  static WebhookArgs args;
  CLI::App* webhooks = app.add_subcommand(
      "webhooks",
      "Signed webhooks: endpoints, delivery state, and delivering them (docs/webhooks.md)");
  webhooks->require_subcommand(1);

  CLI::App* add = webhooks->add_subcommand("add", "Send events to an endpoint (admins)");
  add->add_option("NAME", args.name, "Letters, digits, '-', '_', '.'")->required();
  add->add_option("URL", args.url, "http:// or https:// (redirects are not followed)")->required();
  add->add_option("--events", args.events,
                  "Comma-separated: item.auto_action, item.decided, item.matched (default: all)");
  add->add_option("--secret-file", args.secret_file,
                  "The signing secret (at least 16 bytes) from the first line of FILE; else "
                  "$VIGIL_WEBHOOK_SECRET; else a random one is made and printed once")
      ->type_name("FILE");
  add->callback([&options] { options.exit_code = Run(options, "add", args); });

  CLI::App* list = webhooks->add_subcommand("list", "The endpoints (without secrets)");
  list->add_flag("--json", args.json, "One JSON array");
  list->callback([&options] { options.exit_code = Run(options, "list", args); });

  CLI::App* remove = webhooks->add_subcommand("remove", "Stop sending to an endpoint");
  remove->add_option("NAME", args.name)->required();
  remove->callback([&options] { options.exit_code = Run(options, "remove", args); });

  CLI::App* status = webhooks->add_subcommand(
      "status", "Per endpoint: deliveries pending, delivered and dead (given up), last error");
  status->add_flag("--json", args.json, "One JSON array");
  status->callback([&options] { options.exit_code = Run(options, "status", args); });

  CLI::App* deliver = webhooks->add_subcommand(
      "deliver", "Send what is due: one pass (--once, the default) or until stopped (--follow)");
  deliver->add_flag("--once", args.once, "One pass over what is due now");
  deliver->add_flag("--follow", args.follow, "Keep delivering until SIGINT or SIGTERM");
  deliver->add_option("--first-backoff-ms", args.first_backoff_ms,
                      "Wait after a first failure (doubles per failure; default 1000)");
  deliver->add_option("--max-backoff-ms", args.max_backoff_ms,
                      "Cap on the wait between attempts (default 600000)");
  deliver->add_option("--give-up-after", args.give_up_hours,
                      "Hours after its event a failing delivery is recorded dead (default 72)");
  deliver->add_option("--timeout-ms", args.timeout_ms, "Per request (default 10000)");
  deliver->callback([&options] { options.exit_code = Run(options, "deliver", args); });
}

}  // namespace vigil::cli
