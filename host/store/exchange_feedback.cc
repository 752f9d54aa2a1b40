// The exchange feedback outbox (exchange_feedback.h).
#include "store/exchange_feedback.h"

#include "store/store.h"

namespace vigil::host {
namespace {

constexpr char kColumns[] =
    "SELECT id, exchange, item_id, decision_id, entry_id, signal_type, vote, reason_id, state, "
    "attempts, next_at_ms, http_status, last_error, created_at, delivered_at "
    "FROM exchange_feedback";

ExchangeFeedback ReadRow(Statement& row) {
  ExchangeFeedback f;
  f.id = row.ColumnInt(0);
  f.exchange = row.ColumnText(1);
  f.item_id = row.ColumnInt(2);
  f.decision_id = row.ColumnInt(3);
  f.entry_id = row.ColumnText(4);
  f.signal_type = row.ColumnText(5);
  f.vote = row.ColumnText(6);
  f.reason_id = row.ColumnText(7);
  f.state = row.ColumnText(8);
  f.attempts = row.ColumnInt(9);
  f.next_at_ms = row.ColumnInt(10);
  f.http_status = static_cast<int>(row.ColumnInt(11));
  f.last_error = row.ColumnText(12);
  f.created_at = row.ColumnText(13);
  f.delivered_at = row.ColumnText(14);
  return f;
}

}  // namespace

std::string FeedbackVoteFor(const std::string& decision) {
  if (decision == "A1" || decision == "A2" || decision == "B1" || decision == "B2") {
    return "affirmative";
  }
  if (decision == "not-illegal") return "negative";
  return "";
}

StatusOr<int64_t> QueueExchangeFeedback(Database& db, int64_t item_id,
                                        const std::string& decision) {
  const std::string vote = FeedbackVoteFor(decision);
  if (vote.empty()) return int64_t{0};
  // The decision just recorded for the item (the caller's transaction holds it).
  int64_t decision_id = 0;
  {
    Statement latest(db, "SELECT max(id) FROM decisions WHERE item_id = ?1");
    latest.Bind(1, item_id);
    if (latest.Step() != kRow) return latest.Error("reading the item's decision");
    decision_id = latest.ColumnInt(0);
  }
  if (decision_id == 0) return int64_t{0};
  // One row per detection naming an entry of a bank whose exchange sends feedback; a
  // negative NCMEC vote only where the exchange names the reason it carries (StopNCII's
  // NotBlocked needs none). Detections of one
  // entry and type (e.g. several dihedral variants) give one row.
  Statement queue(db,
                  "INSERT INTO exchange_feedback (exchange, item_id, decision_id, entry_id, "
                  "signal_type, vote, reason_id, created_at) "
                  "SELECT DISTINCT e.name, d.item_id, ?2, d.entry_id, d.signal_type, ?3, "
                  "CASE WHEN ?3 = 'negative' THEN e.feedback_reason ELSE '' END, ?4 "
                  "FROM detections d JOIN exchanges e ON e.bank = d.bank "
                  "WHERE d.item_id = ?1 AND e.feedback = 1 AND e.kind IN ('ncmec', 'stopncii') "
                  "AND d.entry_id IS NOT NULL AND d.entry_id <> '' "
                  "AND d.signal_type IS NOT NULL AND d.signal_type <> '' "
                  "AND (?3 = 'affirmative' OR e.kind = 'stopncii' OR e.feedback_reason <> '') "
                  "ON CONFLICT (exchange, entry_id, signal_type, decision_id) DO NOTHING");
  queue.Bind(1, item_id).Bind(2, decision_id).Bind(3, vote).Bind(4, NowUtc());
  if (queue.Step() != kDone) return queue.Error("queueing exchange feedback");
  return queue.RowsChanged();
}

StatusOr<std::vector<ExchangeFeedback>> ListExchangeFeedback(Database& db) {
  Statement rows(db, std::string(kColumns) + " ORDER BY id");
  std::vector<ExchangeFeedback> out;
  int rc;
  while ((rc = rows.Step()) == kRow) out.push_back(ReadRow(rows));
  if (rc != kDone) return rows.Error("reading exchange feedback");
  return out;
}

StatusOr<std::vector<ExchangeFeedback>> LeaseDueFeedback(Database& db, const std::string& owner,
                                                         int64_t now_ms, int64_t lease_ms,
                                                         int limit) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  // As webhook deliveries: PostgreSQL skips rows another sender is leasing at this moment;
  // SQLite serialises writers.
  const std::string lock = db.dialect() == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
  {
    Statement lease(db,
                    "UPDATE exchange_feedback SET state = 'sending', lease_owner = ?1, "
                    "lease_until_ms = ?2 WHERE id IN (SELECT id FROM exchange_feedback WHERE "
                    "(state = 'pending' AND next_at_ms <= ?3) OR "
                    "(state = 'sending' AND lease_until_ms < ?3) ORDER BY id LIMIT ?4" +
                        lock + ")");
    lease.Bind(1, owner).Bind(2, now_ms + lease_ms).Bind(3, now_ms).Bind(4, limit);
    if (lease.Step() != kDone) return lease.Error("leasing exchange feedback");
  }
  std::vector<ExchangeFeedback> leased;
  {
    Statement rows(db, std::string(kColumns) +
                           " WHERE state = 'sending' AND lease_owner = ?1 AND lease_until_ms = ?2 "
                           "ORDER BY id");
    rows.Bind(1, owner).Bind(2, now_ms + lease_ms);
    int rc;
    while ((rc = rows.Step()) == kRow) leased.push_back(ReadRow(rows));
    if (rc != kDone) return rows.Error("reading leased exchange feedback");
  }
  if (Status s = tx.Commit(); !s.ok()) return s;
  return leased;
}

Status RecordFeedbackAttempt(Database& db, int64_t id, const std::string& owner,
                             const FeedbackAttempt& attempt) {
  Statement update(db,
                   "UPDATE exchange_feedback SET attempts = attempts + 1, state = ?3, "
                   "next_at_ms = ?4, http_status = ?5, last_error = ?6, delivered_at = ?7, "
                   "lease_owner = NULL, lease_until_ms = 0 "
                   "WHERE id = ?1 AND lease_owner = ?2 AND state = 'sending'");
  update.Bind(1, id)
      .Bind(2, owner)
      .Bind(3, attempt.delivered ? "delivered"
               : attempt.dead    ? "dead"
                                 : "pending")
      .Bind(4, attempt.next_at_ms)
      .Bind(5, static_cast<int64_t>(attempt.http_status))
      .Bind(6, attempt.error.substr(0, 500))
      .Bind(7, attempt.delivered ? NowUtc() : std::string());
  if (update.Step() != kDone) return update.Error("recording exchange feedback");
  if (update.RowsChanged() == 0) {
    return Status::Unavailable("exchange feedback " + std::to_string(id) +
                               " is no longer leased to this sender");
  }
  return Status::Ok();
}

}  // namespace vigil::host
