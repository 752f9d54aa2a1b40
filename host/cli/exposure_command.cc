// vigil exposure [--json] [--reviewer ID] [--since YYYY-MM-DD]
// vigil exposure --team [--days N] [--json]
// vigil exposure budget [--json] | budget SEVERITY (--items N | --seconds S | --unlimited)...
//
// The reviewer exposure ledger the console writes: per reviewer and severity, items
// opened, seconds unobscured and reveals (and, for video items, storyboard frames
// revealed and seconds unobscured on videos). Reviewers see their own in the console's
// status line; this is the team lead's and the reviewer's own view from a terminal.
// --team: the team's totals by day and severity, without groups of fewer than 3
// reviewers (issue 13 item 7). `budget`: the team's exposure budget that caps every claim
// (store/exposure_budget.h).
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "cli/reviewer_identity.h"
#include "core/terminal_text.h"
#include "store/db/database.h"
#include "store/exposure_budget.h"
#include "store/store.h"
#include "store/store_access.h"

namespace vigil::cli {
namespace {

const char* SeverityLabel(int64_t severity) {
  static const char* const kNames[] = {"unspecified", "none", "low", "medium", "high", "critical"};
  return severity >= 0 && severity <= 5 ? kNames[severity] : "unknown";
}

int Exposure(const GlobalOptions& global, bool json, const std::string& reviewer,
             const std::string& since) {
  if (!since.empty() && !IsUtcDay(since)) {
    PrintError("--since takes a UTC date like 2026-11-29");
    return 2;
  }
  // A report: a store this user cannot write (an auditor's copy) is opened read-only.
  std::unique_ptr<host::Store> store =
      OpenStoreOrSay(global, host::OpenMode::kReadWrite, /*reads=*/true);
  if (!store) return 1;
  host::Statement rows(store->db(),
                       "SELECT reviewer, severity, count(*), coalesce(sum(seconds_unobscured), 0), "
                       "coalesce(sum(reveals), 0), coalesce(sum(video_frames_revealed), 0), "
                       "coalesce(sum(video_seconds_unobscured), 0) FROM exposure "
                       "WHERE (?1 = '' OR reviewer = ?1) AND (?2 = '' OR recorded_at >= ?2) "
                       "GROUP BY reviewer, severity ORDER BY reviewer, severity DESC");
  if (!rows.ok()) {
    PrintError(rows.Error("reading the exposure ledger").message());
    return 1;
  }
  rows.Bind(1, reviewer).Bind(2, since);
  std::map<std::string, nlohmann::ordered_json> by_reviewer;
  int rc;
  while ((rc = rows.Step()) == host::kRow) {
    const std::string who = rows.ColumnText(0);
    nlohmann::ordered_json& entry = by_reviewer[who];
    if (entry.is_null()) {
      entry["reviewer"] = who;
      entry["items"] = 0;
      entry["seconds_unobscured"] = 0.0;
      entry["reveals"] = 0;
      entry["video_frames_revealed"] = 0;
      entry["video_seconds_unobscured"] = 0.0;
      entry["by_severity"] = nlohmann::ordered_json::object();
    }
    const int64_t items = rows.ColumnInt(2);
    const double seconds = std::stod(rows.ColumnText(3));
    const int64_t reveals = rows.ColumnInt(4);
    const int64_t video_frames = rows.ColumnInt(5);
    const double video_seconds = std::stod(rows.ColumnText(6));
    entry["items"] = entry["items"].get<int64_t>() + items;
    entry["seconds_unobscured"] = entry["seconds_unobscured"].get<double>() + seconds;
    entry["reveals"] = entry["reveals"].get<int64_t>() + reveals;
    entry["video_frames_revealed"] = entry["video_frames_revealed"].get<int64_t>() + video_frames;
    entry["video_seconds_unobscured"] =
        entry["video_seconds_unobscured"].get<double>() + video_seconds;
    entry["by_severity"][SeverityLabel(rows.ColumnInt(1))] = {
        {"items", items},
        {"seconds_unobscured", seconds},
        {"reveals", reveals},
        {"video_frames_revealed", video_frames},
        {"video_seconds_unobscured", video_seconds}};
  }
  if (rc != host::kDone) {
    PrintError(rows.Error("reading the exposure ledger").message());
    return 1;
  }
  if (json) {
    for (const auto& [who, entry] : by_reviewer) std::cout << entry.dump() << "\n";
    return 0;
  }
  if (by_reviewer.empty()) {
    std::printf("No exposure recorded%s%s.\n", reviewer.empty() ? "" : " for ",
                TerminalText(reviewer).c_str());
    return 0;
  }
  for (const auto& [who, entry] : by_reviewer) {
    std::printf("Reviewer %s: %lld items, %.1f s unobscured, %lld reveals\n",
                TerminalText(who).c_str(), static_cast<long long>(entry["items"].get<int64_t>()),
                entry["seconds_unobscured"].get<double>(),
                static_cast<long long>(entry["reveals"].get<int64_t>()));
    if (entry["video_frames_revealed"].get<int64_t>() > 0 ||
        entry["video_seconds_unobscured"].get<double>() > 0) {
      // Video storyboards: part of the totals above, said apart.
      std::printf("  video: %lld frames revealed, %.1f s unobscured\n",
                  static_cast<long long>(entry["video_frames_revealed"].get<int64_t>()),
                  entry["video_seconds_unobscured"].get<double>());
    }
    for (const auto& [severity, e] : entry["by_severity"].items()) {
      std::printf("  %-12s %6lld items %9.1f s unobscured %6lld reveals\n", severity.c_str(),
                  static_cast<long long>(e["items"].get<int64_t>()),
                  e["seconds_unobscured"].get<double>(),
                  static_cast<long long>(e["reveals"].get<int64_t>()));
    }
  }
  return 0;
}

// "high", "4" -> 4; -1 when it is neither a severity name nor 0..5.
int ParseSeverity(const std::string& text) {
  for (int s = 0; s <= 5; ++s) {
    if (text == SeverityLabel(s) || text == std::to_string(s)) return s;
  }
  return -1;
}

// The UTC date `days_back` days before today.
std::string UtcDayBefore(int days_back) {
  const std::time_t t = std::time(nullptr) - static_cast<std::time_t>(days_back) * 86400;
  std::tm utc{};
  gmtime_r(&t, &utc);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", &utc);
  return day;
}

int TeamExposure(const GlobalOptions& global, bool json, int days) {
  std::unique_ptr<host::Store> store =
      OpenStoreOrSay(global, host::OpenMode::kReadWrite, /*reads=*/true);
  if (!store) return 1;
  const std::string since = UtcDayBefore(days - 1);
  auto rows = host::TeamExposure(store->db(), since);
  if (!rows.ok()) {
    PrintError(rows.status().message());
    return 1;
  }
  if (json) {
    for (const host::TeamExposureRow& r : rows.value()) {
      nlohmann::ordered_json out;
      out["day"] = r.day;
      out["severity"] = SeverityLabel(r.severity);
      out["items"] = r.items;
      out["seconds_unobscured"] = r.seconds_unobscured;
      out["reveals"] = r.reveals;
      out["reviewers"] = r.reviewers;
      std::cout << out.dump() << "\n";
    }
    return 0;
  }
  std::printf("Team exposure since %s (UTC; groups of fewer than %d reviewers are not shown):\n",
              since.c_str(), host::kTeamExposureMinReviewers);
  if (rows.value().empty()) {
    std::printf("  nothing to show.\n");
    return 0;
  }
  std::string day;
  for (const host::TeamExposureRow& r : rows.value()) {
    if (r.day != day) std::printf("%s\n", (day = r.day).c_str());
    std::printf("  %-12s %6lld items %9.1f s unobscured %6lld reveals %4lld reviewers\n",
                SeverityLabel(r.severity), static_cast<long long>(r.items), r.seconds_unobscured,
                static_cast<long long>(r.reveals), static_cast<long long>(r.reviewers));
  }
  return 0;
}

struct BudgetArgs {
  bool json = false;
  std::string severity;  // empty: list
  int64_t items = -1;    // -1: not given
  double seconds = -1;
  bool unlimited = false;
  std::string reviewer;
};

int Budget(const GlobalOptions& global, const BudgetArgs& args) {
  if (args.severity.empty()) {
    if (args.items >= 0 || args.seconds >= 0 || args.unlimited) {
      PrintError("budget: name the SEVERITY the limits are for");
      return 2;
    }
    std::unique_ptr<host::Store> store =
        OpenStoreOrSay(global, host::OpenMode::kReadWrite, /*reads=*/true);
    if (!store) return 1;
    auto budgets = host::ListExposureBudgets(store->db());
    if (!budgets.ok()) {
      PrintError(budgets.status().message());
      return 1;
    }
    for (const host::SeverityBudgetRow& b : budgets.value()) {
      if (args.json) {
        nlohmann::ordered_json out;
        out["severity"] = SeverityLabel(b.severity);
        out["items"] = b.items ? nlohmann::ordered_json(*b.items) : nlohmann::ordered_json();
        out["seconds_unobscured"] =
            b.seconds ? nlohmann::ordered_json(*b.seconds) : nlohmann::ordered_json();
        out["set_by"] = b.set_by;
        out["set_at"] = b.set_at;
        std::cout << out.dump() << "\n";
        continue;
      }
      std::printf(
          "%-12s %s items, %s s unobscured per reviewer per day (set by %s at %s)\n",
          SeverityLabel(b.severity), b.items ? std::to_string(*b.items).c_str() : "unlimited",
          b.seconds ? std::to_string(static_cast<long long>(std::llround(*b.seconds))).c_str()
                    : "unlimited",
          TerminalText(b.set_by).c_str(), b.set_at.c_str());
    }
    if (budgets.value().empty() && !args.json) {
      std::printf("No exposure budget is set: every severity is served without limit.\n");
    }
    return 0;
  }
  const int severity = ParseSeverity(args.severity);
  if (severity < 0) {
    PrintError("budget: '" + args.severity +
               "' is not a severity (0-5 or unspecified, none, low, medium, high, critical)");
    return 2;
  }
  if (args.unlimited == (args.items >= 0 || args.seconds >= 0)) {
    PrintError("budget: give --items N and/or --seconds S, or --unlimited");
    return 2;
  }
  std::unique_ptr<host::Store> store = OpenStoreOrSay(global);
  if (!store) return 1;
  auto actor = ReviewerId(*store, args.reviewer);
  if (!actor.ok()) {
    PrintError(actor.status().message());
    return 1;
  }
  std::optional<int64_t> items;
  std::optional<double> seconds;
  if (args.items >= 0) items = args.items;
  if (args.seconds >= 0) seconds = args.seconds;
  if (Status s = host::SetExposureBudget(store->db(), severity, items, seconds, actor.value());
      !s.ok()) {
    PrintError(s.message());
    return 1;
  }
  std::printf(
      "The exposure budget for %s items is now %s items and %s s unobscured per "
      "reviewer per UTC day.\n",
      SeverityLabel(severity), items ? std::to_string(*items).c_str() : "unlimited",
      seconds ? std::to_string(static_cast<long long>(std::llround(*seconds))).c_str()
              : "unlimited");
  return 0;
}

}  // namespace

void RegisterExposureCommand(CLI::App& app, GlobalOptions& options) {
  static bool json = false;
  static std::string reviewer;
  static std::string since;
  CLI::App* cmd = app.add_subcommand(
      "exposure", "The reviewer exposure ledger: items seen, seconds unobscured, reveals by severity");
  cmd->add_flag("--json", json, "One JSON object per reviewer");
  cmd->add_option("--reviewer", reviewer, "Only this reviewer")->type_name("ID");
  cmd->add_option("--since", since, "Only rows recorded on or after this UTC date")
      ->type_name("YYYY-MM-DD");
  static bool team = false;
  static int days = 7;
  cmd->add_flag("--team", team,
                "The team's totals by UTC day and severity (items, seconds unobscured, "
                "reveals, reviewers); groups of fewer than 3 reviewers are not shown");
  cmd->add_option("--days", days, "With --team: today and the N-1 days before (default 7)")
      ->type_name("N")
      ->check(CLI::Range(1, 366));

  static BudgetArgs budget;
  CLI::App* budget_cmd = cmd->add_subcommand(
      "budget",
      "The team's exposure budget per severity per reviewer per UTC day, which caps every "
      "claim: list it, or set one severity's (an admin on a team store)");
  budget_cmd->add_option("SEVERITY", budget.severity,
                         "0-5 or unspecified, none, low, medium, high, critical");
  budget_cmd->add_option("--items", budget.items, "Items a reviewer may be served per day")
      ->type_name("N")
      ->check(CLI::Range(int64_t{0}, int64_t{1000000}));
  budget_cmd
      ->add_option("--seconds", budget.seconds, "Seconds unobscured a reviewer may spend per day")
      ->type_name("S")
      ->check(CLI::Range(0.0, 86400.0));
  budget_cmd->add_flag("--unlimited", budget.unlimited, "Remove the severity's budget");
  budget_cmd->add_flag("--json", budget.json, "One JSON object per severity with a budget");
  budget_cmd
      ->add_option("--reviewer", budget.reviewer,
                   "Who sets it, on a workstation store (default: $USER; on a team store the "
                   "login)")
      ->type_name("ID");
  budget_cmd->callback([&options] { options.exit_code = Budget(options, budget); });

  RegisterExposureCostsCommand(*cmd, options);

  cmd->callback([&options, cmd] {
    if (cmd->got_subcommand("budget") || cmd->got_subcommand("costs")) return;
    if (team) {
      if (!reviewer.empty() || !since.empty()) {
        PrintError("--team reports the whole team: give --days, not --reviewer or --since");
        options.exit_code = 2;
        return;
      }
      options.exit_code = TeamExposure(options, json, days);
      return;
    }
    if (cmd->count("--days") > 0) {
      PrintError("--days goes with --team (use --since for the ledger by reviewer)");
      options.exit_code = 2;
      return;
    }
    options.exit_code = Exposure(options, json, reviewer, since);
  });
}

}  // namespace vigil::cli
