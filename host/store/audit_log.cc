#include "store/audit_log.h"

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <utility>

#include "scan/sha256.h"
#include "store/postgres_schema_check.h"
#include "store/schema_check.h"
#include "store/db/database.h"
#include "store/db/sqlite_database.h"

namespace vigil::host {
namespace {

// SHA-256 over the fields, each length-prefixed so no two field lists collide.
std::string EntryHash(const std::string& prev, int64_t seq, const std::string& at,
                      const std::string& actor, const std::string& action, int64_t item_id,
                      const std::string& details) {
  std::string material;
  for (const std::string& field :
       {prev, std::to_string(seq), at, actor, action, std::to_string(item_id), details}) {
    material += std::to_string(field.size());
    material += ':';
    material += field;
  }
  return Sha256Hex(material);
}

}  // namespace

Status AppendAudit(Database& db, const AuditEntry& entry, const std::string& at) {
  int64_t seq = 1;
  std::string prev = kAuditGenesis;
  std::string hash;
  if (db.dialect() == Dialect::kPostgres) {
    // The server's trigger sets seq, prev_hash, hash, time and actor under its lock
    // (postgres_schema.h, vigil_audit_chain): reading the head here would cost a round
    // trip for values it overwrites, so the entry can go with the transaction's other
    // writes.
    seq = 0;
    prev.clear();
  } else {
    Statement last(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (!last.ok()) return last.Error("reading the audit head");
    if (last.Step() == kRow) {
      seq = last.ColumnInt(0) + 1;
      prev = last.ColumnText(1);
    }
    hash = EntryHash(prev, seq, at, entry.actor, entry.action, entry.item_id, entry.details);
  }
  Statement insert(db,
                   "INSERT INTO audit_log (seq, at, actor, action, item_id, details, prev_hash, "
                   "hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  insert.Bind(1, seq).Bind(2, at).Bind(3, entry.actor).Bind(4, entry.action);
  if (entry.item_id) insert.Bind(5, entry.item_id); else insert.BindNull(5);
  insert.Bind(6, entry.details).Bind(7, prev).Bind(8, hash);
  return insert.Write("appending to the audit log");
}

namespace {

// Problems of one kind, at most kShown of them spelled out: a store of a million
// unaccounted items still gives a readable report.
class ProblemList {
 public:
  static constexpr int kShown = 20;
  ProblemList(std::vector<std::string>& out, std::string more)
      : out_(out), more_(std::move(more)) {}
  ~ProblemList() {
    if (hidden_ > 0) out_.push_back("... and " + std::to_string(hidden_) + " more " + more_);
  }
  void Add(std::string problem) {
    if (shown_ < kShown) {
      out_.push_back(std::move(problem));
      ++shown_;
    } else {
      ++hidden_;
    }
  }

 private:
  std::vector<std::string>& out_;
  std::string more_;
  int shown_ = 0;
  int64_t hidden_ = 0;
};

// What the audit log says happened, to hold the other tables against.
struct AuditAccount {
  std::map<int64_t, int64_t> scanned;                      // item -> first item.scanned seq
  std::set<std::pair<int64_t, std::string>> auto_actions;  // (item, rule) decided by policy
  // (item, reviewer, decision) -> seqs of queue.decided entries, oldest first
  std::map<std::tuple<int64_t, std::string, std::string>, std::deque<int64_t>> decided;
  std::map<std::pair<int64_t, std::string>, std::deque<int64_t>> reveals;   // (item, reviewer)
  std::map<std::pair<int64_t, std::string>, std::deque<int64_t>> exposure;  // (item, reviewer)
};

std::string Entry(int64_t seq) { return "entry " + std::to_string(seq); }

std::string Item(int64_t item_id) { return "item " + std::to_string(item_id); }

// A short, printable excerpt of a stored value for a problem line.
std::string Excerpt(const std::string& value) {
  std::string out;
  for (char c : value.substr(0, 40)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  return value.size() > 40 ? out + "..." : out;
}

void NoteEntry(AuditAccount& account, int64_t seq, const std::string& actor,
               const std::string& action, int64_t item_id, const std::string& details) {
  if (action == "item.scanned") {
    account.scanned.emplace(item_id, seq);
    nlohmann::json d = nlohmann::json::parse(details, nullptr, false);
    if (d.is_object() && d.value("outcome", "") == "auto-action") {
      account.auto_actions.insert({item_id, d.value("rule", "")});
    }
  } else if (action == "item.rematched") {
    // `vigil rematch` (store/rematch.h): a stored signal newly matched a bank entry; its
    // automatic decision is accounted for as a scan's.
    nlohmann::json d = nlohmann::json::parse(details, nullptr, false);
    if (d.is_object() && d.value("outcome", "") == "auto-action") {
      account.auto_actions.insert({item_id, d.value("rule", "")});
    }
  } else if (action == "queue.decided") {
    nlohmann::json d = nlohmann::json::parse(details, nullptr, false);
    const std::string decision = d.is_object() ? d.value("decision", "") : "";
    account.decided[{item_id, actor, decision}].push_back(seq);
  } else if (action == "reveal") {
    account.reveals[{item_id, actor}].push_back(seq);
  } else if (action == "exposure") {
    account.exposure[{item_id, actor}].push_back(seq);
  }
}

// Holds items, decisions, reveals and exposure records against the log: each must have
// its entry, and each entry its row.
Status CheckAccount(Database& db, AuditAccount& account, std::vector<std::string>& problems) {
  {
    ProblemList missing(problems, "items without an 'item.scanned' audit entry");
    Statement items(db, "SELECT id FROM items ORDER BY id");
    if (!items.ok()) return items.Error("reading items");
    std::set<int64_t> present;
    int rc;
    while ((rc = items.Step()) == kRow) {
      const int64_t id = items.ColumnInt(0);
      present.insert(id);
      if (!account.scanned.count(id)) {
        missing.Add(Item(id) +
                    " has no 'item.scanned' audit entry (recorded outside Vigil, "
                    "or its entry was removed)");
      }
    }
    if (rc != kDone) return items.Error("reading items");
    ProblemList deleted(problems, "scanned items missing from the store");
    for (const auto& [id, seq] : account.scanned) {
      if (!present.count(id)) {
        deleted.Add(Entry(seq) + " records a scan of " + Item(id) +
                    ", which is not in the store (deleted)");
      }
    }
  }
  {
    ProblemList missing(problems, "decisions without an audit entry");
    Statement rows(db, "SELECT id, item_id, reviewer, decision FROM decisions ORDER BY id");
    if (!rows.ok()) return rows.Error("reading decisions");
    int rc;
    while ((rc = rows.Step()) == kRow) {
      const int64_t id = rows.ColumnInt(0), item = rows.ColumnInt(1);
      const std::string reviewer = rows.ColumnText(2), decision = rows.ColumnText(3);
      const std::string what = "decision " + std::to_string(id) + " on " + Item(item) + " (" +
                               Excerpt(decision) + " by " + Excerpt(reviewer) + ")";
      if (reviewer.rfind("policy:", 0) == 0) {
        if (!account.auto_actions.count({item, reviewer.substr(7)})) {
          missing.Add(what + " has no 'item.scanned' audit entry with that automatic outcome");
        }
        continue;
      }
      auto found = account.decided.find({item, reviewer, decision});
      if (found == account.decided.end() || found->second.empty()) {
        missing.Add(what + " has no 'queue.decided' audit entry");
      } else {
        found->second.pop_front();
      }
    }
    if (rc != kDone) return rows.Error("reading decisions");
    ProblemList deleted(problems, "audited decisions missing from the store");
    for (const auto& [key, seqs] : account.decided) {
      for (int64_t seq : seqs) {
        deleted.Add(Entry(seq) + " records decision " + Excerpt(std::get<2>(key)) + " by " +
                    Excerpt(std::get<1>(key)) + " on " + Item(std::get<0>(key)) +
                    ", which is not in the store (deleted or changed)");
      }
    }
  }
  const std::pair<const char*, std::map<std::pair<int64_t, std::string>, std::deque<int64_t>>*>
      ledgers[] = {{"reveal", &account.reveals}, {"exposure", &account.exposure}};
  for (const auto& [table_action, entries] : ledgers) {
    const std::string action = table_action;
    const std::string table = action == "reveal" ? "reveals" : "exposure";
    ProblemList missing(problems, table + " rows without an audit entry");
    const std::string sql = "SELECT id, item_id, reviewer FROM " + table + " ORDER BY id";
    Statement rows(db, sql.c_str());
    if (!rows.ok()) return rows.Error("reading " + table);
    int rc;
    while ((rc = rows.Step()) == kRow) {
      const int64_t id = rows.ColumnInt(0), item = rows.ColumnInt(1);
      const std::string reviewer = rows.ColumnText(2);
      auto found = entries->find({item, reviewer});
      if (found == entries->end() || found->second.empty()) {
        missing.Add(action + " " + std::to_string(id) + " on " + Item(item) + " by " +
                    Excerpt(reviewer) + " has no '" + action + "' audit entry");
      } else {
        found->second.pop_front();
      }
    }
    if (rc != kDone) return rows.Error("reading " + table);
    ProblemList deleted(problems, "audited " + table + " rows missing from the store");
    for (const auto& [key, seqs] : *entries) {
      for (int64_t seq : seqs) {
        deleted.Add(Entry(seq) + " records " +
                    (action == "reveal" ? "a reveal" : "an exposure record") + " by " +
                    Excerpt(key.second) + " on " + Item(key.first) +
                    ", which is not in the store (deleted)");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<AuditReport> VerifyAudit(Database& db) {
  AuditReport report;
  // The schema first: a dropped trigger is why anything below could have happened.
  if (db.dialect() == Dialect::kSqlite) {
    Statement version(db, "PRAGMA user_version");
    if (!version.ok() || version.Step() != kRow) return version.Error("reading the schema");
    auto differences = CompareSchema(db, static_cast<int>(version.ColumnInt(0)));
    if (!differences.ok()) return differences.status();
    for (const SchemaDifference& d : differences.value()) {
      report.problems.push_back("the store's " + d.Describe());
    }
  } else {
    // PostgreSQL: the chain and append-only triggers are there and enabled, row-level
    // security is on and forced (store/postgres_schema_check.h).
    auto problems = CheckPostgresProtections(db);
    if (!problems.ok()) return problems.status();
    for (const std::string& p : *problems) report.problems.push_back("the store's " + p);
  }
  Statement rows(db,
                 "SELECT seq, at, actor, action, item_id, details, prev_hash, hash "
                 "FROM audit_log ORDER BY seq");
  if (!rows.ok()) return rows.Error("reading the audit log");
  // Every column as written: text, and item_id an integer or NULL. SQLite keeps what it
  // is given ('12abc' in an INTEGER column stays text), and the hash covers the value
  // as text, so a retyped value with the same text would otherwise still verify.
  static const char* const kColumns[] = {"seq",     "at",      "actor",     "action",
                                         "item_id", "details", "prev_hash", "hash"};
  AuditAccount account;
  std::string prev = kAuditGenesis;
  int64_t expected_seq = 1;
  int rc;
  while ((rc = rows.Step()) == kRow) {
    const int64_t seq = rows.ColumnInt(0);
    std::string types[8];
    for (int c = 1; c < 8; ++c) types[c] = rows.ColumnType(c);
    std::string fields[8];
    for (int c = 1; c < 8; ++c) fields[c] = rows.ColumnBytes(c);
    for (int c = 1; c < 8; ++c) {
      const bool ok = c == 4 ? types[c] == "integer" || types[c] == "null" : types[c] == "text";
      if (!ok) {
        report.problems.push_back(Entry(seq) + ": " + kColumns[c] + " is stored as " + types[c] +
                                  " ('" + Excerpt(fields[c]) + "'), not as " +
                                  (c == 4 ? "an integer" : "text") +
                                  ": changed after it was written");
      }
    }
    const int64_t item_id = types[4] == "integer" ? rows.ColumnInt(4) : 0;
    if (types[4] == "integer" && item_id == 0) {
      report.problems.push_back(Entry(seq) +
                                ": item_id is 0 where the log writes NULL: "
                                "changed after it was written");
    }
    const std::string& stored_prev = fields[6];
    const std::string& stored_hash = fields[7];
    if (seq != expected_seq) {
      report.problems.push_back("entries " + std::to_string(expected_seq) + ".." +
                                std::to_string(seq - 1) + " are missing (deleted)");
    }
    if (stored_prev != prev) {
      report.problems.push_back(Entry(seq) + " does not follow the entry before it (chain broken)");
    }
    const std::string computed =
        EntryHash(stored_prev, seq, fields[1], fields[2], fields[3], item_id, fields[5]);
    if (computed != stored_hash) {
      report.problems.push_back(Entry(seq) + " was changed after it was written (hash mismatch)");
    }
    if (fields[3] == kSchemaRestoredAction) {
      nlohmann::json d = nlohmann::json::parse(fields[5], nullptr, false);
      std::string what;
      if (d.is_object() && d.contains("restored") && d["restored"].is_array()) {
        for (const auto& r : d["restored"]) {
          if (r.is_string()) what += (what.empty() ? "" : "; ") + r.get<std::string>();
        }
      }
      report.problems.push_back(Entry(seq) + " (" + Excerpt(fields[1]) +
                                "): the store's append-only rules had been changed by hand (" +
                                (what.empty() ? "no details" : what) +
                                "); Vigil restored them on open");
    }
    NoteEntry(account, seq, fields[2], fields[3], item_id, fields[5]);
    prev = stored_hash;
    expected_seq = seq + 1;
    ++report.entries;
  }
  if (rc != kDone) return rows.Error("reading the audit log");
  report.head_hash = report.entries ? prev : "";
  if (Status s = CheckAccount(db, account, report.problems); !s.ok()) return s;
  return report;
}

}  // namespace vigil::host
