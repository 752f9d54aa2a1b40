// vigil exposure [--json] [--reviewer ID] [--since YYYY-MM-DD]
//
// The reviewer exposure ledger the console writes: per reviewer and severity, items
// opened, seconds unobscured and reveals. Reviewers see their own in the console's
// status line; this is the team lead's and the reviewer's own view from a terminal.
#include <cstdio>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/terminal_text.h"
#include "store/db/database.h"
#include "store/store.h"
#include "store/store_access.h"

namespace vigil::cli {
namespace {

const char* SeverityLabel(int64_t severity) {
  static const char* const kNames[] = {"unspecified", "none", "low", "medium", "high", "critical"};
  return severity >= 0 && severity <= 5 ? kNames[severity] : "unknown";
}

bool ValidDay(const std::string& day) {
  if (day.size() != 10 || day[4] != '-' || day[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (day[i] < '0' || day[i] > '9') return false;
  }
  return true;
}

int Exposure(const GlobalOptions& global, bool json, const std::string& reviewer,
             const std::string& since) {
  if (!since.empty() && !ValidDay(since)) {
    PrintError("--since takes a UTC date like 2026-11-29");
    return 2;
  }
  // A report: a store this user cannot write (an auditor's copy) is opened read-only.
  std::unique_ptr<host::Store> store =
      OpenStoreOrSay(global, host::OpenMode::kReadWrite, /*reads=*/true);
  if (!store) return 1;
  host::Statement rows(store->db(),
                       "SELECT reviewer, severity, count(*), coalesce(sum(seconds_unobscured), 0), "
                       "coalesce(sum(reveals), 0) FROM exposure "
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
      entry["by_severity"] = nlohmann::ordered_json::object();
    }
    const int64_t items = rows.ColumnInt(2);
    const double seconds = std::stod(rows.ColumnText(3));
    const int64_t reveals = rows.ColumnInt(4);
    entry["items"] = entry["items"].get<int64_t>() + items;
    entry["seconds_unobscured"] = entry["seconds_unobscured"].get<double>() + seconds;
    entry["reveals"] = entry["reveals"].get<int64_t>() + reveals;
    entry["by_severity"][SeverityLabel(rows.ColumnInt(1))] = {
        {"items", items}, {"seconds_unobscured", seconds}, {"reveals", reveals}};
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
    for (const auto& [severity, e] : entry["by_severity"].items()) {
      std::printf("  %-12s %6lld items %9.1f s unobscured %6lld reveals\n", severity.c_str(),
                  static_cast<long long>(e["items"].get<int64_t>()),
                  e["seconds_unobscured"].get<double>(),
                  static_cast<long long>(e["reveals"].get<int64_t>()));
    }
  }
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
  cmd->callback([&options] { options.exit_code = Exposure(options, json, reviewer, since); });
}

}  // namespace vigil::cli
