#include "store/review_queue.h"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "scan/scan_json.h"

#include "store/audit_log.h"
#include "store/local_banks.h"
#include "store/exchange_feedback.h"
#include "store/exposure_budget.h"
#include "store/named_queues.h"
#include "store/review_rounds.h"
#include "store/db/database.h"
#include "store/webhook_outbox.h"

namespace vigil::host {
namespace {

// The latest decision is left out while the item is in a blind second round or golden
// (store/review_rounds.h, DecisionVisibleSql).
const std::string kEntryColumns =
    "q.item_id, i.sha256, i.last_path, coalesce(i.url, ''), i.media_kind, q.state, i.outcome, "
    "q.priority, q.severity, q.obscure_level, coalesce(q.category, ''), coalesce(q.reason, ''), "
    "coalesce(q.lease_owner, ''), q.enqueued_at, "
    "coalesce((SELECT decision FROM decisions d WHERE d.item_id = q.item_id AND " +
    DecisionVisibleSql("d") + " ORDER BY d.id DESC LIMIT 1), ''), "
    "coalesce((SELECT reviewer FROM decisions d WHERE d.item_id = q.item_id AND " +
    DecisionVisibleSql("d") + " ORDER BY d.id DESC LIMIT 1), ''), "
    "coalesce(q.lease_expires, 0), q.queue_name, q.round";

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
  e.round = static_cast<int>(row.ColumnInt(18));
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
  const size_t queue_filter_from = sql.size();  // the queue conditions, for golden items too
  // Queue names are checked (IsValidQueueName) before they reach SQL text.
  if (!options.queues.empty()) {
    std::string in;
    for (const std::string& name : options.queues) {
      if (!IsValidQueueName(name)) return Status::InvalidArgument("no such queue name: " + name);
      in += (in.empty() ? "'" : ", '") + name + "'";
    }
    sql += " AND q.queue_name IN (" + in + ")";
  }
  // Second review (store/review_rounds.h): not to someone who decided it in this review,
  // and golden items only as golden items. Golden items are picked by the queue conditions
  // above (their queue entry may be decided), not by the open-entry conditions below.
  std::string queue_filter = sql.substr(queue_filter_from);
  // The team's exposure budget caps what is served (store/exposure_budget.h). A team
  // store serves a login only from the queues its roles may work, up to the severity the
  // database allows the login today (row-level security and the queue_exposure_cap trigger
  // would refuse the lease anyway; this way nothing else is offered), and picks with
  // FOR UPDATE SKIP LOCKED: a row another reviewer is leasing is passed over, not waited
  // for, and the row picked is ours to lease (no retry).
  const bool team = store_.db().dialect() == Dialect::kPostgres;
  int max_severity = options.max_severity;
  if (team) {
    queue_filter += " AND vigil_may_work(q.queue_name)";
    // state IN (...): the pick walks the partial index of open entries in queue order.
    sql +=
        " AND q.state IN ('pending', 'claimed') AND vigil_may_work(q.queue_name) AND "
        "q.severity <= (SELECT vigil_max_servable())";
  } else {
    auto cap = MaxServableSeverity(store_.db(), reviewer);
    if (!cap.ok()) return cap.status();
    max_severity = std::min(max_severity, cap.value());
  }
  sql += NotDecidedByInThisReviewSql("?3") +
         " AND q.item_id NOT IN (SELECT item_id FROM golden_items WHERE removed_at IS NULL)";
  if (options.only_item == 0) {
    auto golden = ClaimGolden(store_.db(), reviewer, queue_filter, max_severity, now,
                              options.lease_seconds);
    if (!golden.ok()) return golden.status();
    if (golden.value() != 0) return FinishGoldenClaim(tx, golden.value(), reviewer);
  }
  const std::string order = std::string(OrderBy(options.order)) + " LIMIT 1" +
                            (team ? " FOR UPDATE OF q SKIP LOCKED" : "");
  // On PostgreSQL the pick and the lease are one statement: the row the pick locked is
  // leased, or nothing is left (?3, the reviewer, is the lease owner there and the
  // second-review exclusion's reviewer here).
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
      pick.Bind(1, now).Bind(2, static_cast<int64_t>(max_severity)).Bind(3, reviewer);
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

StatusOr<std::optional<QueueEntry>> ReviewQueue::FinishGoldenClaim(Transaction& tx, int64_t item_id,
                                                                   const std::string& reviewer) {
  if (Status s = AppendAudit(store_.db(), {reviewer, "queue.claimed", item_id, "{}"}, NowUtc());
      !s.ok()) {
    return s;
  }
  auto entry = Get(item_id);
  if (!entry.ok() || !entry.value()) return entry;
  auto lease = HeldGolden(store_.db(), item_id, reviewer, 0, /*expired_ok=*/true);
  if (!lease.ok()) return lease.status();
  Statement expires(
      store_.db(),
      "SELECT lease_expires FROM golden_claims WHERE golden_id = ?1 AND reviewer = ?2");
  expires.Bind(1, lease.value()).Bind(2, reviewer);
  if (expires.Step() != kRow) return expires.Error("reading a golden lease");
  QueueEntry e = *entry.value();
  e.state = "claimed";
  e.lease_owner = reviewer;
  e.lease_expires = expires.ColumnInt(0);
  e.round = 1;
  if (Status s = tx.Commit(); !s.ok()) return s;
  return std::optional<QueueEntry>(e);
}

Status ReviewQueue::Release(int64_t item_id, const std::string& reviewer) {
  Transaction tx(store_.db());
  if (Status s = tx.Begin(); !s.ok()) return s;
  // A golden item is given back by ending the reviewer's golden lease.
  auto golden = HeldGolden(store_.db(), item_id, reviewer, 0, /*expired_ok=*/true);
  if (!golden.ok()) return golden.status();
  if (golden.value() != 0) {
    if (Status s = ReleaseGolden(store_.db(), golden.value(), reviewer); !s.ok()) return s;
    if (Status s = AppendAudit(store_.db(), {reviewer, "queue.released", item_id, "{}"}, NowUtc());
        !s.ok()) {
      return s;
    }
    return tx.Commit();
  }
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
                           const std::vector<std::string>& add_to_banks, RoundResult* result) {
  if (!IsValidDecision(decision)) {
    return Status::InvalidArgument("unknown decision '" + decision +
                                   "' (use A1, A2, B1, B2, not-illegal or escalate)");
  }
  if ((decision == "not-illegal" || decision == "escalate") && reason.empty()) {
    return Status::InvalidArgument("a reason is required for '" + decision + "'");
  }
  Transaction tx(store_.db());
  if (Status s = tx.Begin(); !s.ok()) return s;
  const int64_t now_epoch = static_cast<int64_t>(std::time(nullptr));
  const std::string now = NowUtc();
  // An answer to a golden item (served by Claim at the policy's golden_rate) is kept apart
  // and acts on nothing.
  auto golden = HeldGolden(store_.db(), item_id, reviewer, now_epoch, /*expired_ok=*/false);
  if (!golden.ok()) return golden.status();
  if (golden.value() != 0) {
    if (Status s =
            AnswerGolden(store_.db(), golden.value(), item_id, reviewer, decision, reason, now);
        !s.ok()) {
      return s;
    }
    if (result != nullptr) *result = RoundResult{"decided", 1, "", false};
    return tx.Commit();
  }
  if (Status held = CheckHeld(item_id, reviewer, now_epoch, /*expired_ok=*/false); !held.ok()) {
    return held;
  }
  // The round decides what follows: decided, a second review, a senior (review_rounds.h).
  // A decision is recorded while the lease is still held (CheckHeld above, in this
  // transaction); a team store's row-level security admits it only then.
  auto recorded = RecordRoundDecision(store_.db(), item_id, reviewer, decision, reason, now);
  if (!recorded.ok()) return recorded.status();
  // Issue 13 item 6: the item's hashes to local banks (rules and explicit), with the
  // decision that settles the item; a decision that leaves it for another round adds
  // nothing yet (explicit banks on it are refused rather than dropped).
  if (recorded->state == "decided") {
    if (auto added =
            AddDecisionToBanks(store_.db(), item_id, reviewer, decision, reason, add_to_banks);
        !added.ok()) {
      return added.status();
    }
  } else if (!add_to_banks.empty()) {
    return Status::InvalidArgument("item " + std::to_string(item_id) + " is not settled by this "
                                   "decision (" + recorded->state + "): its hashes go to a bank "
                                   "with the decision that settles it");
  }
  if (Status s = EnqueueDecisionEvent(store_.db(), item_id, decision, recorded->state,
                                      recorded->round);
      !s.ok()) {
    return s;  // issue 14: the item.decided webhook, with the decision
  }
  if (recorded->state == "decided") {  // issue 15 item 2: the exchanges' feedback (outbox)
    if (auto queued = QueueExchangeFeedback(store_.db(), item_id, decision); !queued.ok()) {
      return queued.status();
    }
  }
  if (Status s = tx.Commit(); !s.ok()) return s;
  if (result != nullptr) *result = recorded.value();
  return Status::Ok();
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
                   "reason = ?2, updated_at = ?3, round = 1, review_from = NULL "
                   "WHERE item_id = ?1 AND state = 'decided'");
  update.Bind(1, item_id).Bind(2, queue_reason).Bind(3, now);
  if (update.Step() != kDone) return update.Error("reopening an item");
  if (update.RowsChanged() == 0) {  // a team store's row-level security: seniors only
    return Status::Unavailable(item + " was not reopened: only a senior may reopen it");
  }
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
                                   double seconds_unobscured, int reveals,
                                   int video_frames_revealed, double video_seconds_unobscured) {
  Transaction tx(store_.db());
  if (Status s = tx.Begin(); !s.ok()) return s;
  const std::string now = NowUtc();
  Statement insert(store_.db(),
                   "INSERT INTO exposure (reviewer, item_id, severity, seconds_unobscured, "
                   "reveals, recorded_at, video_frames_revealed, video_seconds_unobscured) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  insert.Bind(1, reviewer)
      .Bind(2, item_id)
      .Bind(3, static_cast<int64_t>(severity))
      .Bind(4, seconds_unobscured)
      .Bind(5, static_cast<int64_t>(reveals))
      .Bind(6, now)
      .Bind(7, static_cast<int64_t>(std::max(0, video_frames_revealed)))
      .Bind(8, std::max(0.0, video_seconds_unobscured));
  if (insert.Step() != kDone) return insert.Error("recording exposure");
  nlohmann::json details = {{"severity", severity},
                            {"seconds_unobscured", seconds_unobscured},
                            {"reveals", reveals}};
  if (video_frames_revealed > 0 || video_seconds_unobscured > 0) {
    details["video_frames_revealed"] = video_frames_revealed;
    details["video_seconds_unobscured"] = video_seconds_unobscured;
  }
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
