// vigil rematch [--bank NAME]... [--since DATE] [--policy FILE] [--json]
//
// Retro-hunt: when a bank gains entries, items scanned before may now match. The PDQ and
// digest signals the store kept are matched against the banks without the media, and
// new hits go through the policy as a scan's would (store/rematch.h).
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "bank_set.h"
#include "cli/bank_holds_command.h"
#include "cli/commands.h"
#include "store/named_queues.h"
#include "store/review_rounds.h"
#include "core/terminal_text.h"
#include "policy/policy.h"
#include "scan/scan_json.h"
#include "store/local_banks.h"
#include "store/rematch.h"
#include "store/store.h"

namespace vigil::cli {
namespace {
namespace fs = std::filesystem;

struct RematchArgs {
  std::vector<std::string> banks;
  std::string since;
  std::string policy;
  bool json = false;
};

// A vigil.pdq setting given with --set (the same number a scan would use), or `fallback`.
bool PdqSetting(const GlobalOptions& global, const std::string& key, int low, int high,
                int& value) {
  const std::string prefix = "vigil.pdq." + key + "=";
  for (const std::string& setting : global.settings) {
    if (setting.rfind(prefix, 0) != 0) continue;
    const std::string text = setting.substr(prefix.size());
    try {
      size_t used = 0;
      const int v = std::stoi(text, &used);
      if (used != text.size() || v < low || v > high) return false;
      value = v;
    } catch (const std::exception&) {
      return false;
    }
  }
  return true;
}

int Rematch(GlobalOptions& global, const RematchArgs& args) {
  host::RematchOptions options;
  if (!args.since.empty() && !ParseUtcDate(args.since, options.entries_since_unix)) {
    PrintError("--since takes a UTC date like 2026-11-29 or 2026-11-29T16:32:00Z, not '" +
               args.since + "'");
    return 2;
  }
  if (!PdqSetting(global, "threshold", 0, 256, options.pdq_threshold) ||
      !PdqSetting(global, "min_quality", 0, 100, options.pdq_min_quality)) {
    PrintError("--set vigil.pdq.threshold takes 0 to 256 and vigil.pdq.min_quality 0 to 100");
    return 2;
  }
  std::unique_ptr<host::Store> store = OpenStoreOrSay(global);
  if (!store) return 1;
  host::Policy policy = host::Policy::Default();
  if (!args.policy.empty()) {
    auto loaded = host::Policy::Load(args.policy);
    if (!loaded.ok()) {
      PrintError(loaded.status().message());
      return 1;
    }
    policy = loaded.value();
  }
  if (Status s = host::RecordQueueSpecs(store->db(), policy.routing().queues());
      !s.ok()) {
    PrintError(s.message());
    return 1;
  }
  // Its [review] settings: second review, QA sampling, golden items (review_rounds.h).
  if (Status s = host::RecordReviewSettings(store->db(), policy.review()); !s.ok()) {
    PrintError(s.message());
    return 1;
  }

  // Issue 13 item 6: the policy's bank rules, and the store's local banks and disabled
  // entries into the lists folder, before the banks are opened.
  if (Status s = host::RecordBankRules(store->db(), policy.bank_rules()); !s.ok()) {
    PrintError(s.message());
    return 1;
  }
  if (!SyncBanksFromStore(global, *store)) return 1;

  // The banks, opened by the loader the hash detectors use; --bank chooses among them.
  const std::string data_dir = DataDir(global).string();
  if (hashdetect::BankSet::Names(data_dir).empty()) {
    PrintError("no hash banks in " + hashdetect::BankDirectory(data_dir) +
               ": import one with `vigil lists import`, then rematch");
    return 1;
  }
  std::unique_ptr<hashdetect::BankSet> bank_set;
  try {
    bank_set = std::make_unique<hashdetect::BankSet>(data_dir, args.banks);
  } catch (const std::exception& e) {
    PrintError(e.what());
    return 1;
  }
  std::vector<const hashbank::Bank*> chosen;
  for (const auto& bank : bank_set->banks()) chosen.push_back(bank.get());

  // Which detectors may act without a person: the same first-party rule as a scan.
  host::PluginRegistry registry;
  LoadPlugins(global, registry);
  if (Status settings = CheckSettings(global, registry); !settings.ok()) {
    PrintError(settings.message());
    return 1;
  }
  options.first_party = registry.FirstPartyDetectorIds();
  // Disabled entries match nothing, as in a scan (issue 13 item 6).
  const hashdetect::BankSet* held = bank_set.get();
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  options.skip_match = [held, now](const hashbank::Match& m) { return held->Disabled(m, now); };

  auto report = host::Rematch(*store, chosen, policy, options);
  if (!report.ok()) {
    PrintError("rematch failed, nothing recorded: " + report.status().message());
    return 1;
  }
  const host::RematchReport& r = report.value();
  if (args.json) {
    nlohmann::ordered_json out = {
        {"store_has_signals", r.store_has_signals}, {"items_checked", r.items_checked},
        {"signals_checked", r.signals_checked},     {"new_matches", r.new_matches},
        {"items_matched", r.items_matched},         {"queued", r.queued},
        {"auto_actioned", r.auto_actioned}};
    std::cout << host::JsonText(out) << "\n";
    return 0;
  }
  if (!r.store_has_signals) {
    std::printf(
        "The store %s holds no PDQ or digest signals: nothing to rematch (items "
        "scanned with vigil.pdq or vigil.exact keep theirs).\n",
        TerminalText(StorePath(global).string()).c_str());
    return 0;
  }
  std::printf("%lld items checked, %lld new matches, %lld queued%s\n",
              static_cast<long long>(r.items_checked), static_cast<long long>(r.new_matches),
              static_cast<long long>(r.queued),
              r.auto_actioned ? (", " + std::to_string(r.auto_actioned) +
                                 " decided automatically by the policy")
                                    .c_str()
                              : "");
  return 0;
}

}  // namespace

void RegisterRematchCommand(CLI::App& app, GlobalOptions& options) {
  static RematchArgs args;
  CLI::App* cmd = app.add_subcommand(
      "rematch",
      "Match the PDQ and digest signals stored for past items against the hash banks "
      "(no media needed) and record new hits through the policy, as a scan would: run "
      "after `vigil lists import`. A hit already recorded is not recorded again. PDQ "
      "hashes are matched in their original orientation only (the rotated variants are "
      "not stored).");
  cmd->add_option("--bank", args.banks, "Only this bank (repeatable; default: every bank)")
      ->type_name("NAME")
      ->allow_extra_args(false);
  cmd->add_option("--since", args.since,
                  "Only bank entries added at or after this UTC time (the list's own date "
                  "for the entry, else the import's)")
      ->type_name("YYYY-MM-DD[THH:MM:SSZ]");
  cmd->add_option("--policy", args.policy, "Policy file (TOML; default: the built-in policy)")
      ->type_name("FILE");
  cmd->add_flag("--json", args.json, "One JSON object with the counts");
  cmd->callback([&options] { options.exit_code = Rematch(options, args); });
}

}  // namespace vigil::cli
