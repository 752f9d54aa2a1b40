#include "store/audit_log.h"

#include "scan/sha256.h"
#include "store/sqlite_statement.h"

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

Status AppendAudit(sqlite3* db, const AuditEntry& entry, const std::string& at) {
  int64_t seq = 1;
  std::string prev = kAuditGenesis;
  {
    Statement last(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (!last.ok()) return last.Error("reading the audit head");
    if (last.Step() == SQLITE_ROW) {
      seq = last.ColumnInt(0) + 1;
      prev = last.ColumnText(1);
    }
  }
  const std::string hash =
      EntryHash(prev, seq, at, entry.actor, entry.action, entry.item_id, entry.details);
  Statement insert(db,
                   "INSERT INTO audit_log (seq, at, actor, action, item_id, details, prev_hash, "
                   "hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  insert.Bind(1, seq).Bind(2, at).Bind(3, entry.actor).Bind(4, entry.action);
  if (entry.item_id) insert.Bind(5, entry.item_id); else insert.BindNull(5);
  insert.Bind(6, entry.details).Bind(7, prev).Bind(8, hash);
  if (insert.Step() != SQLITE_DONE) return insert.Error("appending to the audit log");
  return Status::Ok();
}

StatusOr<AuditReport> VerifyAudit(sqlite3* db) {
  AuditReport report;
  Statement rows(db,
                 "SELECT seq, at, actor, action, ifnull(item_id, 0), details, prev_hash, hash "
                 "FROM audit_log ORDER BY seq");
  if (!rows.ok()) return rows.Error("reading the audit log");
  std::string prev = kAuditGenesis;
  int64_t expected_seq = 1;
  int rc;
  while ((rc = rows.Step()) == SQLITE_ROW) {
    const int64_t seq = rows.ColumnInt(0);
    const std::string stored_prev = rows.ColumnText(6);
    const std::string stored_hash = rows.ColumnText(7);
    if (seq != expected_seq) {
      report.problems.push_back("entries " + std::to_string(expected_seq) + ".." +
                                std::to_string(seq - 1) + " are missing (deleted)");
    }
    if (stored_prev != prev) {
      report.problems.push_back("entry " + std::to_string(seq) +
                                " does not follow the entry before it (chain broken)");
    }
    const std::string computed =
        EntryHash(stored_prev, seq, rows.ColumnText(1), rows.ColumnText(2), rows.ColumnText(3),
                  rows.ColumnInt(4), rows.ColumnText(5));
    if (computed != stored_hash) {
      report.problems.push_back("entry " + std::to_string(seq) +
                                " was changed after it was written (hash mismatch)");
    }
    prev = stored_hash;
    expected_seq = seq + 1;
    ++report.entries;
  }
  if (rc != SQLITE_DONE) return rows.Error("reading the audit log");
  report.head_hash = report.entries ? prev : "";
  return report;
}

}  // namespace vigil::host
