#include "cli/bank_holds_command.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "bank_set.h"
#include "cli/reviewer_identity.h"
#include "core/terminal_text.h"
#include "scan/scan_json.h"
#include "store/bank_entries.h"
#include "store/bank_materialise.h"
#include "store/db/postgres_database.h"
#include "store/local_banks.h"
#include "store/review_queue.h"
#include "store/store_access.h"

namespace vigil::cli {
namespace {

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string Lower(std::string text) {
  for (char &c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

struct HoldArgs {
  std::string bank;
  std::string entry;
  std::string until;
  std::string reason;
  std::string actor;  // --reviewer: who acts on a workstation store (a team
                      // store: the login)
  bool json = false;
};

std::unique_ptr<host::Store> OpenAndSync(const GlobalOptions &global) {
  std::unique_ptr<host::Store> store = OpenStoreOrSay(global);
  if (!store || !SyncBanksFromStore(global, *store)) return nullptr;
  return store;
}

int Disable(const GlobalOptions &global, const HoldArgs &args) {
  int64_t until = 0;
  if (!ParseUtcDate(args.until, until)) {
    PrintError(
        "--until takes a UTC date like 2027-01-31 or "
        "2027-01-31T12:00:00Z, not '" +
        args.until + "'");
    return 2;
  }
  if (until <= Now()) {
    PrintError("--until " + args.until +
               " has passed: an entry is disabled until a date in the future");
    return 2;
  }
  if (args.reason.find_first_not_of(" \t") == std::string::npos) {
    PrintError("a reason is required to disable an entry: --reason TEXT");
    return 2;
  }
  std::unique_ptr<host::Store> store = OpenAndSync(global);
  if (!store) return 1;
  auto actor = ReviewerId(*store, args.actor);
  if (!actor.ok()) {
    PrintError(actor.status().message());
    return 1;
  }
  const std::string data_dir = DataDir(global).string();
  auto entry = host::FindBankEntry(data_dir, args.bank, args.entry);
  if (!entry.ok()) {
    PrintError(entry.status().message() + "; nothing disabled");
    return 1;
  }
  host::EntryHold hold;
  hold.bank = args.bank;
  hold.entry = entry.value();
  hold.until_unix = until;
  hold.reason = args.reason;
  hold.actor = actor.value();
  if (Status s = host::DisableBankEntry(store->db(), hold, Now()); !s.ok()) {
    PrintError("could not disable " + hold.entry + " of bank " + hold.bank + ": " + s.message());
    return 1;
  }
  if (!SyncBanksFromStore(global, *store)) return 1;
  std::printf(
      "Disabled entry %s of bank %s until %s: it does not match until "
      "then (%s).\n",
      TerminalText(hold.entry).c_str(), TerminalText(hold.bank).c_str(),
      host::UtcTime(until).c_str(), TerminalText(hold.reason).c_str());
  return 0;
}

int Enable(const GlobalOptions &global, const HoldArgs &args) {
  std::unique_ptr<host::Store> store = OpenAndSync(global);
  if (!store) return 1;
  auto actor = ReviewerId(*store, args.actor);
  if (!actor.ok()) {
    PrintError(actor.status().message());
    return 1;
  }
  // A value may be given in any case; the hold recorded it in lower case.
  std::string entry = args.entry;
  auto holds = host::ActiveHolds(store->db(), Now());
  if (!holds.ok()) {
    PrintError(holds.status().message());
    return 1;
  }
  for (const host::EntryHold &h : holds.value()) {
    if (h.bank == args.bank && h.entry == Lower(args.entry)) entry = h.entry;
  }
  if (Status s = host::EnableBankEntry(store->db(), args.bank, entry, actor.value(), Now());
      !s.ok()) {
    PrintError(s.message());
    return 1;
  }
  if (!SyncBanksFromStore(global, *store)) return 1;
  std::printf("Enabled entry %s of bank %s: it matches again.\n", TerminalText(entry).c_str(),
              TerminalText(args.bank).c_str());
  return 0;
}

int ListDisabled(const GlobalOptions &global, bool json) {
  std::unique_ptr<host::Store> store = OpenStoreOrSay(global, host::OpenMode::kReadWrite, true);
  if (!store) return 1;
  auto holds = host::ActiveHolds(store->db(), Now());
  if (!holds.ok()) {
    PrintError(holds.status().message());
    return 1;
  }
  for (const host::EntryHold &h : holds.value()) {
    if (json) {
      nlohmann::ordered_json line = {
          {"bank", h.bank},     {"entry", h.entry}, {"until", host::UtcTime(h.until_unix)},
          {"reason", h.reason}, {"by", h.actor},    {"at", h.at}};
      std::cout << host::JsonText(line) << "\n";
    } else {
      std::cout << "bank " << TerminalText(h.bank) << " entry " << TerminalText(h.entry)
                << ": disabled until " << host::UtcTime(h.until_unix) << " by "
                << TerminalText(h.actor) << " at " << h.at << ": " << TerminalText(h.reason)
                << "\n";
    }
  }
  if (holds.value().empty() && !json) std::cout << "No bank entry is disabled.\n";
  return 0;
}

void AddActorOption(CLI::App &command, std::string &actor) {
  command
      .add_option("--reviewer", actor,
                  "Who acts (default: $USER; on a team store the database "
                  "login), recorded "
                  "with the hold and its audit entry")
      ->type_name("ID");
}

}  // namespace

bool SyncBanksFromStore(const GlobalOptions &global, host::Store &store) {
  auto written = host::MaterialiseBanks(store.db(), DataDir(global).string(), Now());
  if (!written.ok()) {
    PrintError("the store's local banks and disabled entries cannot be brought to " +
               DataDir(global).string() + ": " + written.status().message());
    return false;
  }
  return true;
}

bool SyncBanksIfThereIsAStore(const GlobalOptions &global) {
  if (!host::IsPostgresUrl(global.store) && !std::filesystem::exists(StorePath(global))) {
    return true;
  }
  std::unique_ptr<host::Store> store = OpenStoreOrSay(global, host::OpenMode::kReadWrite, true);
  return store && SyncBanksFromStore(global, *store);
}

void AddBankHoldCommands(CLI::App &lists, GlobalOptions &options) {
  static HoldArgs disable_args;
  CLI::App *disable =
      lists.add_subcommand("disable",
                           "Stop a noisy bank entry from matching until a date, with a "
                           "reason (recorded in the "
                           "store with who and when, and audited). It matches again "
                           "after the date with no one "
                           "doing anything; the next scan, match or rematch honours it. "
                           "Works for imported and "
                           "local banks. On a team store only an admin may");
  disable->add_option("BANK", disable_args.bank, "The bank")->required();
  disable
      ->add_option("ENTRY", disable_args.entry,
                   "An entry id as `vigil match` reports it, or a hash value")
      ->required();
  disable->add_option("--until", disable_args.until, "The entry matches again from then (UTC)")
      ->type_name("YYYY-MM-DD[THH:MM:SSZ]")
      ->required();
  disable->add_option("--reason", disable_args.reason, "Why (required)")
      ->type_name("TEXT")
      ->required();
  AddActorOption(*disable, disable_args.actor);
  disable->callback([&options] { options.exit_code = Disable(options, disable_args); });

  static HoldArgs enable_args;
  CLI::App *enable = lists.add_subcommand(
      "enable", "End a hold before its date: the entry matches again at once (audited)");
  enable->add_option("BANK", enable_args.bank, "The bank")->required();
  enable->add_option("ENTRY", enable_args.entry, "The entry, as it was disabled")->required();
  AddActorOption(*enable, enable_args.actor);
  enable->callback([&options] { options.exit_code = Enable(options, enable_args); });

  static bool json = false;
  CLI::App *disabled = lists.add_subcommand(
      "disabled", "List the bank entries disabled now: until when, by whom, when and why");
  disabled->add_flag("--json", json, "One JSON object per entry");
  disabled->callback([&options] { options.exit_code = ListDisabled(options, json); });
}

}  // namespace vigil::cli
