// Local banks and entry holds (issue 13 item 6): from decisions to banks, and
// noisy bank entries disabled until a date. The store is the source of truth;
// the host writes what it holds into the lists folder before detectors load
// (store/bank_materialise.h).
//
//   bank_rules          the policy's [[bank_rules]] as the last scan or rematch
//   recorded them:
//                       a confirmed decision (A1, A2, B1, B2) named by a rule
//                       adds the item's hashes to the rule's bank, whoever
//                       decided
//   local_bank_entries  one row per hash added: bank, type, value, category,
//   the item, the
//                       decision, the rule ('' when asked for explicitly), who,
//                       why, when. Append-only; a value is in a bank once (the
//                       first decision keeps it)
//   bank_entry_holds    disable (until a time, with a reason) and enable, by
//   whom and when.
//                       Append-only; the latest row for (bank, entry) says
//                       whether it holds
//
// On a team store the database decides who may: a reviewer adds an item's own
// signals only through a rule the store records and only on their own confirmed
// decision; a senior or an admin also explicitly; only an admin disables or
// enables (postgres_schema.h, migration 5).
#ifndef VIGIL_HOST_STORE_LOCAL_BANKS_H_
#define VIGIL_HOST_STORE_LOCAL_BANKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

// "local-" and then 1..94 of letters, digits, '-', '_', '.': the names
// decisions may add to. Imported banks may not use the prefix, so a decision
// never rewrites an imported bank.
bool IsLocalBankName(const std::string &name);
inline constexpr char kLocalBankPrefix[] = "local-";

// A decision that counts as confirmed (an industry category; not not-illegal or
// escalate).
bool IsConfirmedDecision(const std::string &decision);

struct BankRule {
  std::string name;                    // unique within the policy
  std::vector<std::string> decisions;  // A1, A2, B1, B2 (empty: every confirmed decision)
  std::string bank;                    // a local bank name
};

// Makes the store's bank_rules exactly `rules` (those the policy no longer has
// are removed).
Status RecordBankRules(Database &db, const std::vector<BankRule> &rules);
StatusOr<std::vector<BankRule>> ListBankRules(Database &db);

// Adds the hashes of `item_id` (its PDQ signals of quality >= 50 or unknown,
// and its md5, sha1 and sha256 digests) to every bank a recorded rule names for
// `decision`, and to each of `explicit_banks`, recording the latest decision of
// `actor` on the item as the reason. One "bank.entries_added" audit entry per
// bank that gained entries. Returns the number of entries added. Errors:
// InvalidArgument (explicit banks on a decision that is not confirmed, a bank
// name that is not local, an item with no such signals for an explicit bank).
// REQUIRES: inside the write transaction that recorded the decision.
StatusOr<int> AddDecisionToBanks(Database &db, int64_t item_id, const std::string &actor,
                                 const std::string &decision, const std::string &reason,
                                 const std::vector<std::string> &explicit_banks);

struct LocalBankEntry {
  int64_t id = 0;
  std::string bank;
  std::string type;   // pdq, md5, sha1, sha256
  std::string value;  // lower-case hex
  std::string category;
  int64_t item_id = 0;
  int64_t decision_id = 0;
  std::string rule;  // '' when explicit
  std::string added_by;
  std::string reason;
  std::string added_at;
};

// Every local bank entry, by id.
StatusOr<std::vector<LocalBankEntry>> ListLocalBankEntries(Database &db);

struct EntryHold {
  std::string bank;
  std::string entry;  // an entry id (as matches report it) or a hash value
  int64_t until_unix = 0;
  std::string reason;
  std::string actor;
  std::string at;
};

// Disables (bank, entry) until `until_unix` (> `now_unix`), with
// "bank.entry_disabled" in the audit log. A later disable replaces the date.
// One transaction.
Status DisableBankEntry(Database &db, const EntryHold &hold, int64_t now_unix);
// Ends a hold before its date ("bank.entry_enabled"). NotFound when (bank,
// entry) is not disabled at `now_unix`.
Status EnableBankEntry(Database &db, const std::string &bank, const std::string &entry,
                       const std::string &actor, int64_t now_unix);
// The holds in force at `now_unix` (the latest row for each (bank, entry) is a
// disable whose date is later), by bank and entry.
StatusOr<std::vector<EntryHold>> ActiveHolds(Database &db, int64_t now_unix);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_LOCAL_BANKS_H_
