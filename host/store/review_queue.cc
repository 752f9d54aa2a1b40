#include "store/review_queue.h"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "scan/scan_json.h"

#include "store/audit_log.h"
#include "store/local_banks.h"
#include "store/exposure_budget.h"
#include "store/named_queues.h"
#include "store/db/database.h"

namespace vigil::host {
namespace {

constexpr const char* kEntryColumns =
    "q.item_id, i.sha256, i.last_path, coalesce(i.url, ''), i.media_kind, q.state, i.outcome, "
    "q.priority, q.severity, q.obscure_level, coalesce(q.category, ''), coalesce(q.reason, ''), "
    "coalesce(q.lease_owner, ''), q.enqueued_at, "
    "coalesce((SELECT decision FROM decisions d WHERE d.item_id = q.item_id ORDER BY d.id DESC "
    "LIMIT 1), ''), "
    "coalesce((SELECT reviewer FROM decisions d WHERE d.item_id = q.item_id ORDER BY d.id DESC "
    "LIMIT 1), ''), "
    "coalesce(q.lease_expires, 0), q.queue_name";

QueueEntry ReadEntry(Statement& row) {
  QueueEntry e;
  e.item_id = row.ColumnInt(0);
  e.sha256 = row.ColumnText(1);
  e.path = row.ColumnText(2);
  e.url = row.ColumnText(3);
  e.media_kind = row.ColumnText(4);
  e.state = row.ColumnText(5);
  e.outcome = row.ColumnText(6);
  e.priority = static_cast<int>(row.ColumnInt(7));
  e.severity = static_cast<int>(row.ColumnInt(8));
  e.obscure_level = static_cast<int>(row.ColumnInt(9));
  e.category = row.ColumnText(10);
  e.reason = row.ColumnText(11);
  e.lease_owner = row.ColumnText(12);
  e.enqueued_at = row.ColumnText(13);
  e.decision = row.ColumnText(14);
  e.decided_by = row.ColumnText(15);
  e.lease_expires = row.ColumnInt(16);
  e.queue = row.ColumnText(17);
  return e;
}

const char* OrderBy(QueueOrder order) {
  // kPriority (docs/operations.md, "Queue order"): severity first, then confidence,
  // then the rule's priority (which only breaks ties), then age, oldest first.
  return order == QueueOrder::kPriority
             ? " ORDER BY q.severity DESC, q.confidence DESC, q.priority DESC, q.enqueued_at, "
               "q.item_id"
             : " ORDER BY q.enqueued_at, q.item_id";
}

}  // namespace

std::string UtcTime(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

bool IsValidDecision(const std::string& d) {
  return d == "A1" || d == "A2" || d == "B1" || d == "B2" || d == "not-illegal" ||
         d == "escalate";
}

StatusOr<std::vector<QueueEntry>> ReviewQueue::List(const std::string& state, QueueOrder order,
                                                    int limit, const std::string& queue) const {
  std::string sql = std::string("SELECT ") + kEntryColumns +
                    " FROM queue q JOIN items i ON i.id = q.item_id WHERE (?1 = '' OR q.state = ?1)"
                    " AND (?2 = '' OR q.queue_name = ?2)" + OrderBy(order) + " LIMIT " +
                    std::to_string(limit);
  Statement rows(store_.db(), sql);
  if (!rows.ok()) return rows.Error("listing the queue");
  rows.Bind(1, state).Bind(2, queue);
  std::vector<QueueEntry> out;
  int rc;
  while ((rc = rows.Step()) == kRow) out.push_back(ReadEntry(rows));
  if (rc != kDone) return rows.Error("listing the queue");
  return out;
}

StatusOr<std::optional<QueueEntry>> ReviewQueue::Get(int64_t item_id) const {
  std::string sql = std::string("SELECT ") + kEntryColumns +
                    " FROM queue q JOIN items i ON i.id = q.item_id WHERE q.item_id = ?1";
  Statement row(store_.db(), sql);
  row.Bind(1, item_id);
  int rc = row.Step();
  if (rc == kRow) return std::optional<QueueEntry>(ReadEntry(row));
  if (rc == kDone) return std::optional<QueueEntry>();
  return row.Error("reading a queue entry");
}

StatusOr<std::optional<QueueEntry>> ReviewQueue::Claim(const std::string& reviewer,
                                                       const ClaimOptions& options) {
  Transaction tx(store_.db());
  if (Status s = tx.Begin(); !s.ok()) return s;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::string sql = std::string("SELECT q.item_id FROM queue q WHERE (q.state = 'pending' OR "
                                "(q.state = 'claimed' AND q.lease_expires < ?1)) AND "
                                "q.severity <= ?2");
  for (int64_t excluded : options.exclude_items) sql += " AND q.item_id != " + std::to_string(excluded);
  if (options.only_item != 0) sql += " AND q.item_id = " + std::to_string(options.only_item);
  // Queue names are checked (IsValidQueueName) before they reach SQL text.
  if (!options.queues.empty()) {
    std::string in;
    for (const std::string& name : options.queues) {
      if (!IsValidQueueName(name)) return Status::InvalidArgument("no such queue name: " + name);
      in += (in.empty() ? "'" : ", '") + name + "'";
    }
    sql += " AND q.queue_name IN (" + in + ")";
  }
  // The team's exposure budget caps what is served (store/exposure_budget.h). A team
  // store serves a login only from the queues its roles may work, up to the severity the
  // database allows the login today (row-level security and the queue_exposure_cap trigger
  // would refuse the lease anyway; this way nothing else is offered), and picks with
  // FOR UPDATE SKIP LOCKED: a row another reviewer is leasing is passed over, not waited
  // for, and the row picked is ours to lease (no retry).
  const bool team = store_.db().dialect() == Dialect::kPostgres;
  int max_severity = options.max_severity;
  if (team) {
    // state IN (...): the pick walks the partial index of open entries in queue order.
    sql +=
        " AND q.state IN ('pending', 'claimed') AND vigil_may_work(q.queue_name) AND "
        "q.severity <= (SELECT vigil_max_servable())";
  } else {
    auto cap = MaxServableSeverity(store_.db(), reviewer);
    if (!cap.ok()) return cap.status();
    max_severity = std::min(max_severity, cap.value());
  }
  const std::string order = std::string(OrderBy(options.order)) + " LIMIT 1" +
                            (team ? " FOR UPDATE OF q SKIP LOCKED" : "");
  // On PostgreSQL the pick and the lease are one statement: the row the pick locked is
  // leased, or nothing is left.
  int64_t item_id = 0;
  if (team) {
    Statement lease(store_.db(),
                    "UPDATE queue SET state = 'claimed', lease_owner = ?3, lease_expires = ?4, "
                    "updated_at = ?5 WHERE item_id = (" + sql + order + ") RETURNING item_id");
    lease.Bind(1, now).Bind(2, static_cast<int64_t>(max_severity)).Bind(3, reviewer)
        .Bind(4, now + options.lease_seconds).Bind(5, NowUtc());
    const int rc = lease.Step();
    if (rc == kDone) return std::optional<QueueEntry>();
    if (rc != kRow) return lease.Error("claiming from the queue");
    item_id = lease.ColumnInt(0);
  }
  // On SQLite the lease takes the item only if it is still free (another connection may
  // have leased it between the pick and the lease): such an item is passed over and the
  // next one picked.
  std::string lost;
  for (int attempt = 0; attempt < 20 && item_id == 0; ++attempt) {
    int64_t picked = 0;
    {
      Statement pick(store_.db(), sql + lost + order);
      pick.Bind(1, now).Bind(2, static_cast<int64_t>(max_severity));
      int rc = pick.Step();
      if (rc == kDone) return std::optional<QueueEntry>();
      if (rc != kRow) return pick.Error("claiming from the queue");
      picked = pick.ColumnInt(0);
    }
    Statement lease(store_.db(),
                    "UPDATE queue SET state = 'claimed', lease_owner = ?2, lease_expires = ?3, "
                    "updated_at = ?4 WHERE item_id = ?1 AND (state = 'pending' OR "
                    "(state = 'claimed' AND lease_expires < ?5))");
    lease.Bind(1, picked).Bind(2, reviewer).Bind(3, now + options.lease_seconds).Bind(4, NowUtc())
        .Bind(5, now);
    if (lease.Step() != kDone) return lease.Error("leasing an item");
    if (lease.RowsChanged() == 1) {
      item_id = picked;
    } else {
      lost += " AND q.item_id != " + std::to_string(picked);
    }
  }
  if (item_id == 0) {
    return Status::Unavailable("other reviewers took every item picked for you: claim again");
  }
  if (Status s = AppendAudit(store_.db(), {reviewer, "queue.claimed", item_id, "{}"}, NowUtc());
      !s.ok()) {
    return s;
  }
  if (Status s = tx.Commit(); !s.ok()) return s;
  return Get(item_id);
}

Status ReviewQueue::CheckHeld(int64_t item_id, const std::string& reviewer, int64_t now,
                              bool expired_ok) {
  Statement row(store_.db(),
                "SELECT q.state, coalesce(q.lease_owner, ''), coalesce(q.lease_expires, 0), "
                "coalesce((SELECT decision || ' by ' || reviewer FROM decisions d "
                "WHERE d.item_id = q.item_id ORDER BY d.id DESC LIMIT 1), '') "
                "FROM queue q WHERE q.item_id = ?1");
  row.Bind(1, item_id);
  const int rc = row.Step();
  const std::string item = "item " + std::to_string(item_id);
  if (rc == kDone) return Status::NotFound("no " + item + " in the queue");
  if (rc != kRow) return row.Error("reading a queue entry");
  const std::string state = row.ColumnText(0);
  const std::string owner = row.ColumnText(1);
  const int64_t expires = row.ColumnInt(2);
  const std::string not_held = item + " is not held by " + reviewer + ": ";
  if (state == "decided") {
    return Status::Unavailable(not_held + "it is decided (" + row.ColumnText(3) + ")");
  }
  if (state != "claimed") return Status::Unavailable(not_held + "it is pending; claim it first");
  if (owner != reviewer) {
    return Status::Unavailable(not_held + owner + " holds it" +
                               (expires < now ? " (lease expired); claim it first" : ""));
  }
  if (expires < now && !expired_ok) {
    return Status::Unavailable("the lease of " + reviewer + " on " + item + " expired at " +
                               UtcTime(expires) +
                               " (someone else may hold it now): claim it again");
  }
  return Status::Ok();
}

Status ReviewQueue::Release(int64_t item_id, const std::string& reviewer) {
  Transaction tx(store_.db());
  if (Status s = tx.Begin(); !s.ok()) return s;
  // An expired lease that nobody took over yet may still be given back.
  if (Status held = CheckHeld(item_id, reviewer, static_cast<int64_t>(std::time(nullptr)),
                              /*expired_ok=*/true);
      !held.ok()) {
    return held;
  }
  Statement release(store_.db(),
                    "UPDATE queue SET state = 'pending', lease_owner = NULL, lease_expires = NULL, "
                    "updated_at = ?3 WHERE item_id = ?1 AND state = 'claimed' AND lease_owner = ?2");
  release.Bind(1, item_id).Bind(2, reviewer).Bind(3, NowUtc());
  if (release.Step() != kDone) return release.Error("releasing an item");
  if (release.RowsChanged() == 0) {
    return Status::InvalidArgument("item " + std::to_string(item_id) + " is not held by " + reviewer);
  }
  if (Status s = AppendAudit(store_.db(), {reviewer, "queue.released", item_id, "{}"}, NowUtc());
      !s.ok()) {
    return s;
  }
  return tx.Commit();
}

Status ReviewQueue::Decide(int64_t item_id, const std::string& reviewer,
                           const std::string& decision, const std::string& reason,
                           const std::vector<std::string>& add_to_banks) {
  if (!IsValidDecision(decision)) {
    return Status::InvalidArgument("unknown decision '" + decision +
                                   "' (use A1, A2, B1, B2, not-illegal or escalate)");
  }
  if ((decision == "not-illegal" || decision == "escalate") && reason.empty()) {
    return Status::InvalidArgument("a reason is required for '" + decision + "'");
  }
  Transaction tx(store_.db());
  if (Status s = tx.Begin(); !s.ok()) return s;
  if (Status held = CheckHeld(item_id, reviewer, static_cast<int64_t>(std::time(nullptr)),
                              /*expired_ok=*/false);
      !held.ok()) {
    return held;
  }
  const std::string now = NowUtc();
  const char* next_state = decision == "escalate" ? "pending" : "decided";
  // The decision is recorded while the lease is still held (CheckHeld above, in this
  // transaction), then the lease ends: a team store's row-level security admits a
  // reviewer's decision only on an item they hold (docs/operations.md, "The team store").
  // A failure below rolls both back.
  Statement insert(store_.db(),
                   "INSERT INTO decisions (item_id, reviewer, decision, reason, decided_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)");
  insert.Bind(1, item_id).Bind(2, reviewer).Bind(3, decision).Bind(4, reason).Bind(5, now);
  if (insert.Step() != kDone) return insert.Error("recording a decision");
  Statement update(store_.db(),
                   "UPDATE queue SET state = ?3, lease_owner = NULL, lease_expires = NULL, "
                   "priority = CASE WHEN ?3 = 'pending' THEN priority + 100 ELSE priority END, "
                   "updated_at = ?4 WHERE item_id = ?1 AND state = 'claimed' AND lease_owner = ?2");
  update.Bind(1, item_id).Bind(2, reviewer).Bind(3, next_state).Bind(4, now);
  if (update.Step() != kDone) return update.Error("recording a decision");
  if (update.RowsChanged() == 0) {
    return Status::InvalidArgument("item " + std::to_string(item_id) + " is not held by " +
                                   reviewer + ": claim it first");
  }
  nlohmann::json details = {{"decision", decision}, {"reason", reason}};
  if (Status s = AppendAudit(store_.db(), {reviewer, "queue.decided", item_id, JsonText(details)}, now);
      !s.ok()) {
    return s;
  }
  // Issue 13 item 6: the item's hashes to local banks (rules and explicit), with the decision.
  if (auto added = AddDecisionToBanks(store_.db(), item_id, reviewer, decision, reason,
                                      add_to_banks);
      !added.ok()) {
    return added.status();
  }
  return tx.Commit();
}

StatusOr<QueueEntry> ReviewQueue::Reopen(int64_t item_id, const std::string& senior,
                                         const std::string& reason) {
  const std::string item = "item " + std::to_string(item_id);
  if (reason.empty()) return Status::InvalidArgument("a reason is required to reopen " + item);
  Transaction tx(store_.db());
  if (Status s = tx.Begin(); !s.ok()) return s;
  auto found = Get(item_id);  // inside the transaction: exactly what is reopened
  if (!found.ok()) return found.status();
  if (!found.value()) return Status::NotFound("no " + item + " in the queue");
  const QueueEntry before = *found.value();
  if (before.state != "decided") {
    return Status::InvalidArgument(item + " is " + before.state +
                                   ", not decided: there is nothing to reopen");
  }
  // The next reviewer sees why it came back, then the policy's own reason.
  std::string queue_reason = "reopened by " + senior + ": " + reason;
  {
    Statement policy(store_.db(),
                     "SELECT coalesce(outcome_reason, '') FROM items WHERE id = ?1");
    policy.Bind(1, item_id);
    if (policy.Step() != kRow) return policy.Error("reading an item");
    if (!policy.ColumnText(0).empty()) queue_reason += "; " + policy.ColumnText(0);
  }
  const std::string now = NowUtc();
  Statement update(store_.db(),
                   "UPDATE queue SET state = 'pending', lease_owner = NULL, lease_expires = NULL, "
                   "reason = ?2, updated_at = ?3 WHERE item_id = ?1 AND state = 'decided'");
  update.Bind(1, item_id).Bind(2, queue_reason).Bind(3, now);
  if (update.Step() != kDone) return update.Error("reopening an item");
  nlohmann::json details = {{"reason", reason},
                            {"previous_decision", before.decision},
                            {"previous_reviewer", before.decided_by}};
  if (Status s =
          AppendAudit(store_.db(), {senior, "queue.reopened", item_id, JsonText(details)}, now);
      !s.ok()) {
    return s;
  }
  if (Status s = tx.Commit(); !s.ok()) return s;
  return before;
}

Status ReviewQueue::RecordExposure(const std::string& reviewer, int64_t item_id, int severity,
                                   double seconds_unobscured, int reveals) {
  Transaction tx(store_.db());
  if (Status s = tx.Begin(); !s.ok()) return s;
  const std::string now = NowUtc();
  Statement insert(store_.db(),
                   "INSERT INTO exposure (reviewer, item_id, severity, seconds_unobscured, "
                   "reveals, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.Bind(1, reviewer).Bind(2, item_id).Bind(3, static_cast<int64_t>(severity))
      .Bind(4, seconds_unobscured).Bind(5, static_cast<int64_t>(reveals)).Bind(6, now);
  if (insert.Step() != kDone) return insert.Error("recording exposure");
  nlohmann::json details = {{"severity", severity},
                            {"seconds_unobscured", seconds_unobscured},
                            {"reveals", reveals}};
  if (Status s = AppendAudit(store_.db(), {reviewer, "exposure", item_id, JsonText(details)}, now);
      !s.ok()) {
    return s;
  }
  return tx.Commit();
}

Status ReviewQueue::RecordReveal(const std::string& reviewer, int64_t item_id, float x, float y,
                                 float w, float h, int64_t duration_ms) {
  Transaction tx(store_.db());
  if (Status s = tx.Begin(); !s.ok()) return s;
  const std::string now = NowUtc();
  Statement insert(store_.db(),
                   "INSERT INTO reveals (reviewer, item_id, x, y, w, h, started_at, duration_ms) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  insert.Bind(1, reviewer).Bind(2, item_id).Bind(3, static_cast<double>(x))
      .Bind(4, static_cast<double>(y)).Bind(5, static_cast<double>(w))
      .Bind(6, static_cast<double>(h)).Bind(7, now).Bind(8, duration_ms);
  if (insert.Step() != kDone) return insert.Error("recording a reveal");
  nlohmann::json details = {{"region", {x, y, w, h}}, {"duration_ms", duration_ms}};
  if (Status s = AppendAudit(store_.db(), {reviewer, "reveal", item_id, JsonText(details)}, now);
      !s.ok()) {
    return s;
  }
  return tx.Commit();
}

}  // namespace vigil::host
