#include "store/local_banks.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "scan/scan_json.h"
#include "store/audit_log.h"
#include "store/review_queue.h"
#include "store/store.h"

namespace vigil::host {
namespace {

std::string Join(const std::vector<std::string> &parts) {
  std::string out;
  for (const std::string &p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

std::vector<std::string> Split(const std::string &text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

// The latest decision of `actor` on the item (the one just recorded).
StatusOr<int64_t> LatestDecision(Database &db, int64_t item_id, const std::string &actor) {
  Statement row(db,
                "SELECT coalesce(max(id), 0) FROM decisions WHERE item_id "
                "= ?1 AND reviewer = ?2");
  row.Bind(1, item_id).Bind(2, actor);
  if (row.Step() != kRow) return row.Error("reading the decision");
  const int64_t id = row.ColumnInt(0);
  if (id == 0) {
    return Status::NotFound("no decision by " + actor + " on item " + std::to_string(item_id));
  }
  return id;
}

}  // namespace

bool IsLocalBankName(const std::string &name) {
  const std::string prefix = kLocalBankPrefix;
  if (name.size() <= prefix.size() || name.size() > 100 || name.rfind(prefix, 0) != 0) {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool IsConfirmedDecision(const std::string &d) {
  return d == "A1" || d == "A2" || d == "B1" || d == "B2";
}

Status RecordBankRules(Database &db, const std::vector<BankRule> &rules) {
  auto current = ListBankRules(db);
  if (!current.ok()) return current.status();
  // Nothing to write when the store already holds these rules (a reviewer's
  // store, or a login that may read the rules but not write them, opens without
  // a change).
  auto key = [](const BankRule &r) { return std::make_tuple(r.name, Join(r.decisions), r.bank); };
  std::set<std::tuple<std::string, std::string, std::string>> want, have;
  for (const BankRule &r : rules) want.insert(key(r));
  for (const BankRule &r : current.value()) have.insert(key(r));
  if (want == have) return Status::Ok();
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  Statement clear(db, "DELETE FROM bank_rules");
  if (clear.Step() != kDone) return clear.Error("recording the bank rules");
  const std::string now = NowUtc();
  for (const BankRule &rule : rules) {
    Statement insert(db,
                     "INSERT INTO bank_rules (name, decisions, bank, "
                     "updated_at) VALUES (?1, ?2, "
                     "?3, ?4)");
    insert.Bind(1, rule.name).Bind(2, Join(rule.decisions)).Bind(3, rule.bank).Bind(4, now);
    if (insert.Step() != kDone) return insert.Error("recording bank rule " + rule.name);
  }
  return tx.Commit();
}

StatusOr<std::vector<BankRule>> ListBankRules(Database &db) {
  Statement rows(db, "SELECT name, decisions, bank FROM bank_rules ORDER BY name");
  if (!rows.ok()) return rows.Error("reading the bank rules");
  std::vector<BankRule> out;
  int rc;
  while ((rc = rows.Step()) == kRow) {
    out.push_back({rows.ColumnText(0), Split(rows.ColumnText(1)), rows.ColumnText(2)});
  }
  if (rc != kDone) return rows.Error("reading the bank rules");
  return out;
}

StatusOr<int> AddDecisionToBanks(Database &db, int64_t item_id, const std::string &actor,
                                 const std::string &decision, const std::string &reason,
                                 const std::vector<std::string> &explicit_banks) {
  const bool confirmed = IsConfirmedDecision(decision);
  if (!explicit_banks.empty() && !confirmed) {
    return Status::InvalidArgument(
        "only a confirmed decision (A1, A2, B1, B2) adds an item to a "
        "bank, not '" +
        decision + "'");
  }
  for (const std::string &bank : explicit_banks) {
    if (!IsLocalBankName(bank)) {
      return Status::InvalidArgument("decisions add to local banks only: '" + bank +
                                     "' must start with '" + kLocalBankPrefix +
                                     "' (then letters, digits, '-', '_', '.')");
    }
  }
  if (!confirmed) return 0;
  // (bank, rule): explicit banks first (rule ''), then every rule that names
  // the decision.
  std::vector<std::pair<std::string, std::string>> targets;
  for (const std::string &bank : explicit_banks) targets.push_back({bank, ""});
  auto rules = ListBankRules(db);
  if (!rules.ok()) return rules.status();
  for (const BankRule &rule : rules.value()) {
    if (!rule.decisions.empty() &&
        std::find(rule.decisions.begin(), rule.decisions.end(), decision) == rule.decisions.end()) {
      continue;
    }
    const bool already = std::any_of(targets.begin(), targets.end(),
                                     [&rule](const auto &t) { return t.first == rule.bank; });
    if (!already) targets.push_back({rule.bank, rule.name});
  }
  if (targets.empty()) return 0;
  auto decision_id = LatestDecision(db, item_id, actor);
  if (!decision_id.ok()) return decision_id.status();
  const std::string now = NowUtc();
  int total = 0;
  for (const auto &[bank, rule] : targets) {
    Statement insert(db,
                     "INSERT INTO local_bank_entries (bank, type, value, "
                     "category, item_id, decision_id, rule, "
                     "added_by, reason, added_at) SELECT DISTINCT ?1, "
                     "s.type, lower(s.value), ?2, s.item_id, "
                     "?3, ?4, ?5, ?6, ?7 FROM signals s WHERE s.item_id = "
                     "?8 AND (s.type IN ('md5', 'sha1', "
                     "'sha256') OR (s.type = 'pdq' AND (s.quality IS NULL "
                     "OR s.quality >= 50))) "
                     "ON CONFLICT (bank, type, value) DO NOTHING");
    insert.Bind(1, bank)
        .Bind(2, decision)
        .Bind(3, decision_id.value())
        .Bind(4, rule)
        .Bind(5, actor)
        .Bind(6, reason)
        .Bind(7, now)
        .Bind(8, item_id);
    if (insert.Step() != kDone)
      return insert.Error("adding item " + std::to_string(item_id) + " to bank " + bank);
    const int64_t added = insert.RowsChanged();
    if (added == 0 && rule.empty()) {
      // Asked for by name: say why nothing happened instead of recording
      // nothing silently.
      Statement known(db,
                      "SELECT count(*) FROM local_bank_entries e JOIN signals s ON "
                      "s.item_id = ?2 "
                      "AND s.type = e.type AND lower(s.value) = e.value WHERE e.bank = ?1");
      known.Bind(1, bank).Bind(2, item_id);
      if (known.Step() != kRow) return known.Error("reading bank " + bank);
      if (known.ColumnInt(0) == 0) {
        return Status::InvalidArgument("item " + std::to_string(item_id) +
                                       " has no PDQ hash of quality 50 or more and no digest to "
                                       "add to bank " +
                                       bank + "; nothing decided");
      }
    }
    if (added == 0) continue;
    total += static_cast<int>(added);
    nlohmann::json details = {{"bank", bank},         {"decision_id", decision_id.value()},
                              {"decision", decision}, {"rule", rule},
                              {"reason", reason},     {"entries", added}};
    if (Status s = AppendAudit(db, {actor, "bank.entries_added", item_id, JsonText(details)}, now);
        !s.ok()) {
      return s;
    }
  }
  return total;
}

StatusOr<std::vector<LocalBankEntry>> ListLocalBankEntries(Database &db) {
  Statement rows(db,
                 "SELECT id, bank, type, value, category, item_id, "
                 "decision_id, rule, added_by, "
                 "reason, added_at FROM local_bank_entries ORDER BY id");
  if (!rows.ok()) return rows.Error("reading the local banks");
  std::vector<LocalBankEntry> out;
  int rc;
  while ((rc = rows.Step()) == kRow) {
    LocalBankEntry e;
    e.id = rows.ColumnInt(0);
    e.bank = rows.ColumnText(1);
    e.type = rows.ColumnText(2);
    e.value = rows.ColumnText(3);
    e.category = rows.ColumnText(4);
    e.item_id = rows.ColumnInt(5);
    e.decision_id = rows.ColumnInt(6);
    e.rule = rows.ColumnText(7);
    e.added_by = rows.ColumnText(8);
    e.reason = rows.ColumnText(9);
    e.added_at = rows.ColumnText(10);
    out.push_back(std::move(e));
  }
  if (rc != kDone) return rows.Error("reading the local banks");
  return out;
}

namespace {

// The latest hold row per (bank, entry), whatever it says.
StatusOr<std::map<std::pair<std::string, std::string>, std::pair<std::string, EntryHold>>>
LatestHolds(Database &db) {
  Statement rows(db,
                 "SELECT bank, entry, action, coalesce(until_unix, 0), "
                 "reason, actor, at FROM "
                 "bank_entry_holds ORDER BY id");
  if (!rows.ok()) return rows.Error("reading the disabled bank entries");
  std::map<std::pair<std::string, std::string>, std::pair<std::string, EntryHold>> latest;
  int rc;
  while ((rc = rows.Step()) == kRow) {
    EntryHold h;
    h.bank = rows.ColumnText(0);
    h.entry = rows.ColumnText(1);
    h.until_unix = rows.ColumnInt(3);
    h.reason = rows.ColumnText(4);
    h.actor = rows.ColumnText(5);
    h.at = rows.ColumnText(6);
    latest[{h.bank, h.entry}] = {rows.ColumnText(2), h};
  }
  if (rc != kDone) return rows.Error("reading the disabled bank entries");
  return latest;
}

Status AppendHold(Database &db, const std::string &action, const EntryHold &hold,
                  const std::string &now) {
  Statement insert(db,
                   "INSERT INTO bank_entry_holds (bank, entry, action, "
                   "until_unix, reason, actor, "
                   "at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  insert.Bind(1, hold.bank).Bind(2, hold.entry).Bind(3, action);
  if (action == "disable") {
    insert.Bind(4, hold.until_unix);
  } else {
    insert.BindNull(4);
  }
  insert.Bind(5, hold.reason).Bind(6, hold.actor).Bind(7, now);
  if (insert.Step() != kDone) return insert.Error("recording the " + action + " of a bank entry");
  nlohmann::json details = {{"bank", hold.bank}, {"entry", hold.entry}, {"reason", hold.reason}};
  if (action == "disable") details["until"] = UtcTime(hold.until_unix);
  return AppendAudit(db, {hold.actor, "bank.entry_" + action + "d", 0, JsonText(details)}, now);
}

}  // namespace

Status DisableBankEntry(Database &db, const EntryHold &hold, int64_t now_unix) {
  if (hold.reason.empty())
    return Status::InvalidArgument("a reason is required to disable an entry");
  if (hold.until_unix <= now_unix) {
    return Status::InvalidArgument("--until " + UtcTime(hold.until_unix) +
                                   " is not in the future: a disabled entry matches again then");
  }
  if (hold.bank.empty() || hold.entry.empty()) {
    return Status::InvalidArgument("a bank and an entry are required");
  }
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  if (Status s = AppendHold(db, "disable", hold, NowUtc()); !s.ok()) return s;
  return tx.Commit();
}

Status EnableBankEntry(Database &db, const std::string &bank, const std::string &entry,
                       const std::string &actor, int64_t now_unix) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  auto latest = LatestHolds(db);
  if (!latest.ok()) return latest.status();
  auto found = latest.value().find({bank, entry});
  if (found == latest.value().end() || found->second.first != "disable" ||
      found->second.second.until_unix <= now_unix) {
    return Status::NotFound("entry " + entry + " of bank " + bank +
                            " is not disabled (`vigil lists disabled` lists those that are)");
  }
  EntryHold hold;
  hold.bank = bank;
  hold.entry = entry;
  hold.actor = actor;
  hold.reason = "enabled before " + UtcTime(found->second.second.until_unix);
  if (Status s = AppendHold(db, "enable", hold, NowUtc()); !s.ok()) return s;
  return tx.Commit();
}

StatusOr<std::vector<EntryHold>> ActiveHolds(Database &db, int64_t now_unix) {
  auto latest = LatestHolds(db);
  if (!latest.ok()) return latest.status();
  std::vector<EntryHold> out;
  for (const auto &[key, row] : latest.value()) {
    if (row.first == "disable" && row.second.until_unix > now_unix) out.push_back(row.second);
  }
  return out;
}

}  // namespace vigil::host
