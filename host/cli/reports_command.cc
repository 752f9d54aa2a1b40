// `vigil reports build|list|show|submit|retract` (issue 15 item 3; docs/cybertipline.md):
// CyberTipline reports built from decided items (one per uploader or incident), sent to
// NCMEC's reporting API from a persistent queue (submit, upload, fileinfo, finish; resumed
// after a failure without uploading a file twice), retracted on request. Credentials come
// from a file or an environment variable, never from the command line. On a team store only
// senior and admin logins may build, submit or retract (the database refuses others too).
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/reviewer_identity.h"
#include "core/terminal_text.h"
#include "exchange/exchange_client.h"
#include "report/cybertip_client.h"
#include "report/report_builder.h"
#include "report/report_sender.h"
#include "scan/scan_json.h"
#include "store/cyber_reports.h"

namespace vigil::cli {
namespace {

struct ReportsArgs {
  std::string items;  // comma-separated item ids
  std::string first_name;
  std::string last_name;
  std::string email;
  std::string state;
  std::vector<int64_t> ids;
  std::string endpoint;
  std::string credentials_file;
  std::string credentials_env;
  std::string reviewer;
  int64_t timeout_ms = 60000;
  int max_attempts = 8;
  int64_t first_backoff_s = 60;
  bool json = false;
  bool xml = false;
};

int64_t NowMs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int Fail(const Status& status) {
  PrintError(status.message());
  return status.code() == Status::Code::kInvalidArgument ? 2 : 1;
}

StatusOr<std::vector<int64_t>> ParseItems(const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    if (part.empty() || part.size() > 18 ||
        part.find_first_not_of("0123456789") != std::string::npos) {
      return Status::InvalidArgument("--items takes item ids separated by commas, not '" + part +
                                     "'");
    }
    out.push_back(std::stoll(part));
  }
  if (out.empty()) return Status::InvalidArgument("--items names no item");
  return out;
}

// On a team store: only seniors and admins work with reports (a clear refusal before the
// database's own).
Status CheckReportRole(host::Store& store) {
  if (store.db().dialect() != host::Dialect::kPostgres) return Status::Ok();
  host::Statement may(store.db(),
                      "SELECT CASE WHEN vigil_is('vigil_senior') OR "
                      "vigil_is('vigil_admin') THEN 1 ELSE 0 END");
  if (may.Step() != host::kRow) return may.Error("reading the login's roles");
  if (may.ColumnInt(0) != 1) {
    return Status::InvalidArgument(
        "only senior and admin logins may build, submit or retract "
        "CyberTipline reports (" +
        store.login() + " is neither)");
  }
  return Status::Ok();
}

StatusOr<std::string> EndpointUrl(const std::string& endpoint) {
  std::string url = endpoint == "production" ? report::kCybertipProduction
                    : endpoint == "test"     ? report::kCybertipTest
                                             : endpoint;
  if (url.empty()) {
    return Status::InvalidArgument(
        "--endpoint is required: production, test (NCMEC's test service) or a URL");
  }
  if (Status s = report::CheckCybertipBaseUrl(url); !s.ok()) return s;
  return url;
}

StatusOr<std::unique_ptr<report::CybertipClient>> MakeClient(const ReportsArgs& args) {
  auto url = EndpointUrl(args.endpoint);
  if (!url.ok()) return url.status();
  if (args.credentials_file.empty() == args.credentials_env.empty()) {
    return Status::InvalidArgument(
        "give the CyberTipline credentials (user:password) with exactly one of "
        "--credentials-file PATH or --credentials-env NAME");
  }
  auto secret =
      exchange::ResolveCredentials(args.credentials_file.empty() ? "env:" + args.credentials_env
                                                                 : "file:" + args.credentials_file);
  if (!secret.ok()) return secret.status();
  const size_t colon = secret.value().find(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("the CyberTipline credentials are not user:password");
  }
  return std::make_unique<report::CybertipClient>(url.value(), secret.value(), args.timeout_ms);
}

nlohmann::ordered_json ReportJson(const host::CyberReport& r, bool with_files) {
  nlohmann::ordered_json j = {{"id", r.id},
                              {"group", r.group_key},
                              {"state", r.state},
                              {"ncmec_report_id", r.ncmec_report_id},
                              {"created_by", r.created_by},
                              {"created_at", r.created_at},
                              {"updated_at", r.updated_at},
                              {"finished_at", r.finished_at},
                              {"retracted_by", r.retracted_by},
                              {"retracted_at", r.retracted_at},
                              {"attempts", r.attempts},
                              {"next_attempt_ms", r.next_attempt_ms},
                              {"last_error", r.last_error}};
  if (!with_files) return j;
  j["files"] = nlohmann::ordered_json::array();
  for (const host::CyberReportFile& f : r.files) {
    j["files"].push_back({{"item", f.item_id},
                          {"original_name", f.original_name},
                          {"sha256", f.sha256},
                          {"md5", f.md5},
                          {"upload_time", f.upload_time},
                          {"fileViewedByEsp", f.viewed_by_esp},
                          {"classification", f.classification},
                          {"state", f.state},
                          {"ncmec_file_id", f.ncmec_file_id}});
  }
  j["preservations"] = nlohmann::ordered_json::array();
  for (const host::Preservation& p : r.preservations) {
    j["preservations"].push_back({{"item", p.item_id},
                                  {"what", p.what},
                                  {"where", p.where_kept},
                                  {"until", p.until},
                                  {"made_by", p.made_by},
                                  {"made_at", p.made_at}});
  }
  return j;
}

void PrintReportLine(const host::CyberReport& r) {
  std::printf("report %lld: %s, %s%s%s%s\n", static_cast<long long>(r.id), r.state.c_str(),
              TerminalText(r.group_key).c_str(),
              r.ncmec_report_id.empty() ? "" : (", NCMEC report " + r.ncmec_report_id).c_str(),
              r.last_error.empty() ? "" : "; last error: ", TerminalText(r.last_error).c_str());
}

int Run(const GlobalOptions& global, const std::string& action, const ReportsArgs& args) {
  const bool reads = action == "list" || action == "show";
  std::unique_ptr<host::Store> store = OpenStoreOrSay(global, host::OpenMode::kReadWrite, reads);
  if (!store) return 1;
  host::Database& db = store->db();
  if (action == "list") {
    auto reports = host::ListCyberReports(db, args.state);
    if (!reports.ok()) return Fail(reports.status());
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const host::CyberReport& r : reports.value()) {
      if (args.json) {
        out.push_back(ReportJson(r, false));
      } else {
        PrintReportLine(r);
      }
    }
    if (args.json) std::printf("%s\n", host::JsonText(out).c_str());
    if (!args.json && reports.value().empty()) std::printf("No CyberTipline reports.\n");
    return 0;
  }
  if (action == "show") {
    auto r = host::GetCyberReport(db, args.ids.front());
    if (!r.ok()) return Fail(r.status());
    if (args.xml) {
      std::printf("%s", r.value().report_xml.c_str());
      return 0;
    }
    if (args.json) {
      std::printf("%s\n", host::JsonText(ReportJson(r.value(), true)).c_str());
      return 0;
    }
    PrintReportLine(r.value());
    for (const host::CyberReportFile& f : r.value().files) {
      std::printf(
          "  item %lld: %s, %s, fileViewedByEsp %s, %s%s\n", static_cast<long long>(f.item_id),
          TerminalText(f.original_name).c_str(), f.classification.c_str(),
          f.viewed_by_esp ? "true" : "false", f.state.c_str(),
          f.ncmec_file_id.empty() ? "" : (" (file " + TerminalText(f.ncmec_file_id) + ")").c_str());
    }
    for (const host::Preservation& p : r.value().preservations) {
      std::printf("  preserved: item %lld until %s at %s\n", static_cast<long long>(p.item_id),
                  p.until.c_str(), TerminalText(p.where_kept).c_str());
    }
    return 0;
  }
  auto actor = ReviewerId(*store, args.reviewer);
  if (!actor.ok()) return Fail(actor.status());
  if (Status s = CheckReportRole(*store); !s.ok()) return Fail(s);
  auto key = ConfiguredMediaKey(global);
  if (!key.ok()) return Fail(key.status());
  std::optional<host::MediaVault> vault;
  if (key.value()) vault.emplace(db, *key.value());
  host::MediaVault* vault_ptr = vault ? &*vault : nullptr;

  if (action == "build") {
    report::BuildOptions options;
    if (!args.items.empty()) {
      auto items = ParseItems(args.items);
      if (!items.ok()) return Fail(items.status());
      options.item_ids = items.value();
    }
    options.reporter = {args.first_name, args.last_name, args.email};
    options.actor = actor.value();
    options.now = host::NowUtc();
    options.read_bytes = [&](const host::ReportableFile& f) {
      return report::ReadStoredItem(db, vault_ptr, f.item_id, actor.value());
    };
    auto built = report::BuildReports(db, options);
    if (!built.ok()) return Fail(built.status());
    for (const std::string& note : built.value().notes) PrintError(note);
    if (args.json) {
      std::printf("%s\n", host::JsonText(nlohmann::ordered_json{{"built", built.value().report_ids},
                                                                {"notes", built.value().notes}})
                              .c_str());
    } else {
      for (int64_t id : built.value().report_ids) {
        auto r = host::GetCyberReport(db, id);
        if (r.ok()) PrintReportLine(r.value());
      }
      if (built.value().report_ids.empty()) std::printf("No reportable items.\n");
    }
    return 0;
  }

  report::SendOptions send;
  send.actor = actor.value();
  send.now = [] { return host::NowUtc(); };
  send.now_ms = NowMs();
  send.max_attempts = args.max_attempts;
  send.first_backoff_ms = args.first_backoff_s * 1000;
  send.read_bytes = [&](const host::CyberReportFile& f) {
    return report::ReadStoredItem(db, vault_ptr, f.item_id, actor.value());
  };

  if (action == "retract") {
    std::unique_ptr<report::CybertipClient> client;
    if (!args.endpoint.empty()) {
      auto made = MakeClient(args);
      if (!made.ok()) return Fail(made.status());
      client = std::move(made).value();
    }
    const Status s = report::RetractReport(db, client.get(), args.ids.front(), send);
    if (!s.ok()) return Fail(s);
    if (args.json) {
      std::printf("%s\n",
                  host::JsonText(nlohmann::ordered_json{{"retracted", args.ids.front()}}).c_str());
    } else {
      std::printf("report %lld: retracted\n", static_cast<long long>(args.ids.front()));
    }
    return 0;
  }

  // submit: queue the named reports, then one attempt at every due report.
  auto client = MakeClient(args);
  if (!client.ok()) return Fail(client.status());
  for (int64_t id : args.ids) {
    if (Status s = host::QueueCyberReport(db, id, actor.value(), send.now(), send.now_ms);
        !s.ok()) {
      return Fail(s);
    }
  }
  auto summary = report::SendDueReports(db, *client.value(), send);
  if (!summary.ok()) return Fail(summary.status());
  for (const auto& [id, why] : summary.value().failed) PrintError(why);
  if (args.json) {
    nlohmann::ordered_json failed = nlohmann::ordered_json::array();
    for (const auto& [id, why] : summary.value().failed) {
      failed.push_back({{"report", id}, {"error", why}});
    }
    std::printf("%s\n",
                host::JsonText(nlohmann::ordered_json{{"submitted", summary.value().submitted},
                                                      {"failed", failed}})
                    .c_str());
  } else {
    for (int64_t id : summary.value().submitted) {
      auto r = host::GetCyberReport(db, id);
      if (r.ok()) PrintReportLine(r.value());
    }
    if (summary.value().submitted.empty() && summary.value().failed.empty()) {
      std::printf("No CyberTipline reports due.\n");
    }
  }
  return summary.value().failed.empty() ? 0 : 1;
}

void AddSendOptions(CLI::App* cmd, ReportsArgs& args) {
  cmd->add_option("--endpoint", args.endpoint,
                  "production (https://report.cybertip.org/ispws), test "
                  "(https://exttest.cybertip.org/ispws) or a base URL");
  cmd->add_option("--credentials-file", args.credentials_file,
                  "a file whose first line is the CyberTipline user:password");
  cmd->add_option("--credentials-env", args.credentials_env,
                  "an environment variable holding user:password");
  cmd->add_option("--timeout-ms", args.timeout_ms, "per call (default 60000)");
  cmd->add_option("--reviewer", args.reviewer,
                  "who, on a workstation store (default $USER; a team store records the login)");
  cmd->add_flag("--json", args.json, "JSON output");
}

}  // namespace

void RegisterReportsCommand(CLI::App& app, GlobalOptions& options) {
  static ReportsArgs args;
  CLI::App* reports = app.add_subcommand(
      "reports",
      "CyberTipline reports of decided items (NCMEC's reporting API): build, list, show, "
      "submit, retract");
  reports->require_subcommand(1);

  CLI::App* build = reports->add_subcommand(
      "build",
      "Build draft reports: one per uploader from the items decided A1, A2, B1 or B2 and not "
      "reported yet (or exactly --items, whose files without an uploader form one incident "
      "report); fileViewedByEsp is true only for items a person revealed");
  build->add_option("--items", args.items, "item ids, separated by commas");
  build->add_option("--reporter-first", args.first_name, "the reporting person's first name")
      ->required();
  build->add_option("--reporter-last", args.last_name, "the reporting person's last name")
      ->required();
  build->add_option("--reporter-email", args.email, "the reporting person's e-mail address")
      ->required();
  build->add_option("--reviewer", args.reviewer,
                    "who, on a workstation store (default $USER; a team store records the login)");
  build->add_flag("--json", args.json, "JSON output");
  build->callback([&options] { options.exit_code = Run(options, "build", args); });

  CLI::App* list = reports->add_subcommand("list", "The reports, newest first");
  list->add_option("--state", args.state,
                   "only this state: draft, queued, submitting, submitted, failed, retracted");
  list->add_flag("--json", args.json, "JSON output");
  list->callback([&options] { options.exit_code = Run(options, "list", args); });

  CLI::App* show = reports->add_subcommand(
      "show",
      "A report with its files (fileViewedByEsp, NCMEC's file ids) and preservation records");
  show->add_option("id", args.ids, "the report's id")->required()->expected(1);
  show->add_flag("--xml", args.xml, "print the report XML as it is sent");
  show->add_flag("--json", args.json, "JSON output");
  show->callback([&options] { options.exit_code = Run(options, "show", args); });

  CLI::App* submit = reports->add_subcommand(
      "submit",
      "Queue the given draft or failed reports, then send every due report: submit, upload "
      "each file, fileinfo each, finish (resumed where a failed attempt stopped; a failure is "
      "retried with backoff by the next `vigil reports submit`)");
  submit->add_option("id", args.ids, "reports to queue (none: only send the due ones)");
  submit->add_option("--max-attempts", args.max_attempts,
                     "attempts before a report waits for a person (default 8)");
  submit->add_option("--backoff-s", args.first_backoff_s,
                     "the first wait after a failed attempt, doubled each time (default 60)");
  AddSendOptions(submit, args);
  submit->callback([&options] { options.exit_code = Run(options, "submit", args); });

  CLI::App* retract = reports->add_subcommand(
      "retract",
      "Retract a report that is not finished: cancelled at NCMEC when it was opened there "
      "(needs --endpoint and credentials), marked retracted");
  retract->add_option("id", args.ids, "the report's id")->required()->expected(1);
  AddSendOptions(retract, args);
  retract->callback([&options] { options.exit_code = Run(options, "retract", args); });
}

}  // namespace vigil::cli
