// vigil exposure costs [--since YYYY-MM-DD] [--json]
//
// Issue 17 item 6: exposure as a metric. Seconds unobscured per decided item, by the
// detector and bank that flagged the item, the category the reviewer was shown and the
// policy rule that queued it (store/exposure_metrics.h): which detector or rule costs
// reviewers the most. On a team store groups from fewer than 3 reviewers are withheld,
// as `vigil exposure --team` withholds them.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/terminal_text.h"
#include "store/exposure_budget.h"
#include "store/exposure_metrics.h"
#include "store/store.h"

namespace vigil::cli {
namespace {

struct CostsArgs {
  std::string since;
  bool json = false;
};

nlohmann::ordered_json GroupsJson(const std::vector<host::ExposureGroup>& groups) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const host::ExposureGroup& g : groups) {
    out.push_back({{"key", g.key},
                   {"decided_items", g.decided_items},
                   {"reviewers", g.reviewers},
                   {"items_seen", g.items_seen},
                   {"seconds_unobscured", g.seconds},
                   {"reveals", g.reveals},
                   {"seconds_per_item", g.seconds_per_item},
                   {"p50_seconds", g.p50_seconds},
                   {"p90_seconds", g.p90_seconds},
                   {"max_seconds", g.max_seconds}});
  }
  return out;
}

void PrintGroups(const char* title, const std::vector<host::ExposureGroup>& groups) {
  std::printf("\nBy %s:\n  %-36s %7s %7s %10s %8s %8s %8s %7s\n", title, "", "items", "seen",
              "seconds", "s/item", "p90 s", "max s", "reveals");
  for (const host::ExposureGroup& g : groups) {
    std::printf("  %-36s %7lld %7lld %10.1f %8.2f %8.1f %8.1f %7lld\n", TerminalText(g.key).c_str(),
                static_cast<long long>(g.decided_items), static_cast<long long>(g.items_seen),
                g.seconds, g.seconds_per_item, g.p90_seconds, g.max_seconds,
                static_cast<long long>(g.reveals));
  }
}

int Costs(const GlobalOptions& global, const CostsArgs& args) {
  if (!args.since.empty() && !IsUtcDay(args.since)) {
    PrintError("--since takes a UTC date like 2026-11-29");
    return 2;
  }
  std::unique_ptr<host::Store> store =
      OpenStoreOrSay(global, host::OpenMode::kReadWrite, /*reads=*/true);
  if (!store) return 1;
  const bool team = store->db().dialect() == host::Dialect::kPostgres;
  auto metrics = host::ComputeExposureMetrics(store->db(), args.since,
                                              team ? host::kTeamExposureMinReviewers : 0);
  if (!metrics.ok()) {
    PrintError(metrics.status().message());
    return 1;
  }
  const host::ExposureMetrics& m = metrics.value();
  if (args.json) {
    nlohmann::ordered_json out = {{"since", args.since},
                                  {"decided_items", m.decided_items},
                                  {"reviewers", m.reviewers},
                                  {"seconds_unobscured", m.seconds},
                                  {"reveals", m.reveals},
                                  {"totals_withheld", m.totals_withheld},
                                  {"withheld_groups", m.withheld_groups},
                                  {"by_detector", GroupsJson(m.by_detector)},
                                  {"by_bank", GroupsJson(m.by_bank)},
                                  {"by_category", GroupsJson(m.by_category)},
                                  {"by_rule", GroupsJson(m.by_rule)}};
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (m.decided_items == 0) {
    std::printf("No decided items%s%s.\n", args.since.empty() ? "" : " since ", args.since.c_str());
    return 0;
  }
  std::printf("%lld decided items%s%s: ", static_cast<long long>(m.decided_items),
              args.since.empty() ? "" : " since ", args.since.c_str());
  if (m.totals_withheld) {
    std::printf("exposure from fewer than %d reviewers is not shown on a team store.\n",
                host::kTeamExposureMinReviewers);
  } else {
    std::printf("%.1f s unobscured (%.2f s per item), %lld reveals, %lld reviewers.\n", m.seconds,
                m.seconds / static_cast<double>(m.decided_items), static_cast<long long>(m.reveals),
                static_cast<long long>(m.reviewers));
  }
  std::printf(
      "An item flagged by several detectors or banks counts in each; \"seen\": items with any "
      "unobscured second or reveal.\n");
  PrintGroups("detector", m.by_detector);
  PrintGroups("bank", m.by_bank);
  PrintGroups("category", m.by_category);
  PrintGroups("policy rule", m.by_rule);
  if (m.withheld_groups > 0) {
    std::printf("\n%lld groups with exposure from fewer than %d reviewers are not shown.\n",
                static_cast<long long>(m.withheld_groups), host::kTeamExposureMinReviewers);
  }
  return 0;
}

}  // namespace

void RegisterExposureCostsCommand(CLI::App& exposure, GlobalOptions& options) {
  static CostsArgs args;
  CLI::App* cmd = exposure.add_subcommand(
      "costs",
      "Which detector, bank, category and policy rule cost reviewers the most: seconds "
      "unobscured per decided item (all reviewers, all rounds), from the exposure ledger. "
      "An item flagged by two detectors counts for both. On a team store groups from fewer "
      "than 3 reviewers are not shown");
  cmd->add_option("--since", args.since,
                  "Only items whose latest decision is on or after this UTC date")
      ->type_name("YYYY-MM-DD");
  cmd->add_flag("--json", args.json, "One JSON object with every group");
  cmd->callback([&options] { options.exit_code = Costs(options, args); });
}

}  // namespace vigil::cli
