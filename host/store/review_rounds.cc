#include "store/review_rounds.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "scan/scan_json.h"
#include "scan/sha256.h"
#include "store/audit_log.h"
#include "store/store.h"

namespace vigil::host {
namespace {

std::string JoinComma(const std::vector<std::string> &values) {
  std::string out;
  for (const std::string &v : values) out += (out.empty() ? "" : ",") + v;
  return out;
}

std::vector<std::string> SplitComma(const std::string &text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

std::string RateText(double rate) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", rate);
  return text;
}

bool Contains(const std::vector<std::string> &list, const std::string &value) {
  return !value.empty() && std::find(list.begin(), list.end(), value) != list.end();
}

// The id of the decision `reviewer` has just recorded on the item (their
// newest).
StatusOr<int64_t> OwnNewestDecision(Database &db, int64_t item_id, const std::string &reviewer) {
  Statement row(db, "SELECT max(id) FROM decisions WHERE item_id = ?1 AND reviewer = ?2");
  row.Bind(1, item_id).Bind(2, reviewer);
  if (row.Step() != kRow) return row.Error("reading a decision");
  return row.ColumnInt(0);
}

// The round-1 decision a round-2 decision is compared with. On a team store the
// reviewer cannot read it (row-level security keeps the second review blind):
// the database compares through vigil_round_decision, which answers only the
// holder who has decided already.
StatusOr<std::string> RoundOneDecision(Database &db, int64_t item_id, int64_t review_from) {
  const bool postgres = db.dialect() == Dialect::kPostgres;
  Statement row(db, postgres ? "SELECT coalesce(vigil_round_decision(?1), '')"
                             : "SELECT decision FROM decisions WHERE id = ?2 AND item_id = ?1");
  row.Bind(1, item_id);
  if (!postgres) row.Bind(2, review_from);
  const int rc = row.Step();
  if (rc == kRow) return row.ColumnText(0);
  if (rc == kDone) return std::string();
  return row.Error("reading the round-1 decision");
}

}  // namespace

Status RecordReviewSettings(Database &db, const ReviewSettings &settings) {
  const std::string now = NowUtc();
  const std::pair<const char *, std::string> values[] = {
      {"second_review_categories", JoinComma(settings.second_review_categories)},
      {"qa_sample_rate", RateText(settings.qa_sample_rate)},
      {"golden_rate", RateText(settings.golden_rate)},
      {"senior_queue", settings.senior_queue},
  };
  for (const auto &[name, value] : values) {
    Statement upsert(db,
                     "INSERT INTO review_settings (name, value, updated_at) "
                     "VALUES (?1, ?2, ?3) "
                     "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                     "updated_at = excluded.updated_at");
    upsert.Bind(1, name).Bind(2, value).Bind(3, now);
    if (upsert.Step() != kDone) return upsert.Error("recording the [review] settings");
  }
  return Status::Ok();
}

StatusOr<ReviewSettings> ReadReviewSettings(Database &db) {
  ReviewSettings settings;
  Statement rows(db, "SELECT name, value FROM review_settings");
  if (!rows.ok()) return rows.Error("reading the [review] settings");
  int rc;
  while ((rc = rows.Step()) == kRow) {
    const std::string name = rows.ColumnText(0);
    const std::string value = rows.ColumnText(1);
    if (name == "second_review_categories") settings.second_review_categories = SplitComma(value);
    if (name == "qa_sample_rate") settings.qa_sample_rate = std::strtod(value.c_str(), nullptr);
    if (name == "golden_rate") settings.golden_rate = std::strtod(value.c_str(), nullptr);
    if (name == "senior_queue" && !value.empty()) settings.senior_queue = value;
  }
  if (rc != kDone) return rows.Error("reading the [review] settings");
  return settings;
}

double SampleFraction(const std::string &salt, const std::string &key) {
  const std::string hex = Sha256Hex(salt + ":" + key);
  const uint64_t top = std::strtoull(hex.substr(0, 13).c_str(), nullptr, 16);  // 52 bits
  return static_cast<double>(top) / static_cast<double>(uint64_t{1} << 52);
}

bool QaSampled(int64_t item_id, double rate) {
  return rate > 0 && SampleFraction("vigil-qa", std::to_string(item_id)) < rate;
}

std::string DecisionVisibleSql(const std::string &alias) {
  return "(" + alias +
         ".item_id NOT IN (SELECT bq.item_id FROM queue bq WHERE bq.round = 2 "
         "AND bq.state <> 'decided') AND " +
         alias +
         ".item_id NOT IN (SELECT bg.item_id FROM golden_items bg WHERE "
         "bg.removed_at IS NULL))";
}

std::string NotDecidedByInThisReviewSql(const std::string &reviewer_param) {
  return " AND (q.round = 1 OR NOT EXISTS (SELECT 1 FROM decisions rd WHERE "
         "rd.item_id = "
         "q.item_id AND rd.reviewer = " +
         reviewer_param + " AND rd.id >= q.review_from))";
}

StatusOr<RoundResult> RecordRoundDecision(Database &db, int64_t item_id,
                                          const std::string &reviewer, const std::string &decision,
                                          const std::string &reason, const std::string &now) {
  auto settings = ReadReviewSettings(db);
  if (!settings.ok()) return settings.status();
  int round = 1;
  int64_t review_from = 0;
  std::string category, queue;
  {
    Statement row(db,
                  "SELECT round, coalesce(review_from, 0), "
                  "coalesce(category, ''), queue_name "
                  "FROM queue WHERE item_id = ?1");
    row.Bind(1, item_id);
    if (row.Step() != kRow) return row.Error("reading a queue entry");
    round = static_cast<int>(row.ColumnInt(0));
    review_from = row.ColumnInt(1);
    category = row.ColumnText(2);
    queue = row.ColumnText(3);
  }
  const std::string item = "item " + std::to_string(item_id);
  if (round >= 2) {
    // One decision per person per review (a team store's row-level security
    // refuses the insert too). Claim does not serve such an item to them; this
    // guards a direct call.
    Statement mine(db,
                   "SELECT count(*) FROM decisions WHERE item_id = ?1 AND reviewer = ?2 "
                   "AND id >= ?3");
    mine.Bind(1, item_id).Bind(2, reviewer).Bind(3, review_from);
    if (mine.Step() != kRow) return mine.Error("reading decisions");
    if (mine.ColumnInt(0) > 0) {
      return Status::InvalidArgument(reviewer + " already decided " + item +
                                     " in this review: round " + std::to_string(round) +
                                     " needs another person");
    }
  }
  Statement insert(db,
                   "INSERT INTO decisions (item_id, reviewer, decision, "
                   "reason, decided_at, round) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.Bind(1, item_id)
      .Bind(2, reviewer)
      .Bind(3, decision)
      .Bind(4, reason)
      .Bind(5, now)
      .Bind(6, static_cast<int64_t>(round));
  if (insert.Step() != kDone) return insert.Error("recording a decision");
  auto decision_id = OwnNewestDecision(db, item_id, reviewer);
  if (!decision_id.ok()) return decision_id.status();

  RoundResult result;
  result.round = round;
  result.queue = queue;
  result.state = "decided";
  int64_t next_review_from = review_from;
  std::string first;
  if (round == 1) {
    if (decision == "escalate") {
      result.state = "pending";  // passed on: the next reviewer starts round 1 again
    } else if (Contains(settings->second_review_categories, category) ||
               Contains(settings->second_review_categories, decision)) {
      result.state = "pending";
      result.round = 2;
      next_review_from = decision_id.value();
    }
  } else if (round == 2) {
    auto read = RoundOneDecision(db, item_id, review_from);
    if (!read.ok()) return read.status();
    first = read.value();
    if (first.empty()) return Status::Internal("the round-1 decision of " + item + " is missing");
    if (decision != first) {
      result.state = "pending";
      result.round = 3;
      result.queue = settings->senior_queue;
    }
  } else if (decision == "escalate") {
    result.state = "pending";  // a senior passes it to another senior
  }
  // The decision was recorded while the lease is held; now the lease ends (a
  // team store's row-level security admits a decision only on an item its
  // author holds).
  Statement update(db,
                   "UPDATE queue SET state = ?3, lease_owner = NULL, lease_expires = NULL, "
                   "priority = priority + ?6, round = ?5, review_from = ?7, updated_at = ?4 "
                   "WHERE item_id = ?1 AND state = 'claimed' AND lease_owner = ?2");
  // An escalation that leaves the item pending raises its priority (docs/operations.md).
  const int64_t raise = decision == "escalate" && result.state == "pending" ? 100 : 0;
  update.Bind(1, item_id)
      .Bind(2, reviewer)
      .Bind(3, result.state)
      .Bind(4, now)
      .Bind(5, static_cast<int64_t>(result.round))
      .Bind(6, raise);
  if (next_review_from != 0) {
    update.Bind(7, next_review_from);
  } else {
    update.BindNull(7);
  }
  if (update.Step() != kDone) return update.Error("recording a decision");
  if (update.RowsChanged() == 0) {
    return Status::InvalidArgument(item + " is not held by " + reviewer + ": claim it first");
  }
  // Round 3 is worked in the seniors' queue. A team store's transition trigger moves the
  // entry itself (a reviewer may not set queue_name); the embedded store is moved here.
  if (result.round == 3 && round == 2 && db.dialect() != Dialect::kPostgres) {
    Statement move(db, "UPDATE queue SET queue_name = ?2 WHERE item_id = ?1");
    move.Bind(1, item_id).Bind(2, result.queue);
    if (move.Step() != kDone) return move.Error("moving an item to the seniors' queue");
  }
  if (result.state == "decided" && QaSampled(item_id, settings->qa_sample_rate)) {
    Statement task(db,
                   "INSERT INTO qa_tasks (item_id, decision_id, sampled_at) "
                   "VALUES (?1, ?2, ?3)");
    task.Bind(1, item_id).Bind(2, decision_id.value()).Bind(3, now);
    if (task.Step() != kDone) return task.Error("sampling a decision for QA");
    result.qa_sampled = true;
  }
  nlohmann::json details = {{"decision", decision}, {"reason", reason}, {"round", round}};
  if (result.state == "pending" && result.round != round) {
    details["next_round"] = result.round;
    details["queue"] = result.queue;
  }
  if (round == 2) details["agrees_with_round_1"] = decision == first;
  if (result.qa_sampled) details["qa_sampled"] = true;
  if (Status s = AppendAudit(db, {reviewer, "queue.decided", item_id, JsonText(details)}, now);
      !s.ok()) {
    return s;
  }
  return result;
}

// --- Golden items ---

StatusOr<int64_t> AddGolden(Database &db, int64_t item_id, const std::string &answer,
                            const std::string &admin) {
  const std::string item = "item " + std::to_string(item_id);
  if (answer == "escalate" || (answer != "A1" && answer != "A2" && answer != "B1" &&
                               answer != "B2" && answer != "not-illegal")) {
    return Status::InvalidArgument("a golden answer is A1, A2, B1, B2 or not-illegal, not '" +
                                   answer + "'");
  }
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  {
    Statement queued(db, "SELECT count(*) FROM queue WHERE item_id = ?1");
    queued.Bind(1, item_id);
    if (queued.Step() != kRow) return queued.Error("reading the queue");
    if (queued.ColumnInt(0) == 0) return Status::NotFound("no " + item + " in the queue");
    Statement active(db,
                     "SELECT count(*) FROM golden_items WHERE item_id = ?1 "
                     "AND removed_at IS NULL");
    active.Bind(1, item_id);
    if (active.Step() != kRow) return active.Error("reading golden items");
    if (active.ColumnInt(0) > 0) {
      return Status::InvalidArgument(item +
                                     " is golden already (remove it first to change "
                                     "its answer)");
    }
  }
  const std::string now = NowUtc();
  Statement insert(db,
                   "INSERT INTO golden_items (item_id, answer, added_by, added_at) "
                   "VALUES (?1, ?2, ?3, ?4)");
  insert.Bind(1, item_id).Bind(2, answer).Bind(3, admin).Bind(4, now);
  if (insert.Step() != kDone) return insert.Error("flagging a golden item");
  Statement id(db, "SELECT id FROM golden_items WHERE item_id = ?1 AND removed_at IS NULL");
  id.Bind(1, item_id);
  if (id.Step() != kRow) return id.Error("reading golden items");
  const int64_t golden_id = id.ColumnInt(0);
  // The audit entry does not name the answer: reviewers read their own entries
  // only, but an admin's entries are read by seniors who may be served the
  // item.
  if (Status s = AppendAudit(db, {admin, "golden.added", item_id, "{}"}, now); !s.ok()) return s;
  if (Status s = tx.Commit(); !s.ok()) return s;
  return golden_id;
}

Status RemoveGolden(Database &db, int64_t item_id, const std::string &admin) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  const std::string now = NowUtc();
  Statement update(db,
                   "UPDATE golden_items SET removed_by = ?2, removed_at = ?3 "
                   "WHERE item_id = ?1 AND removed_at IS NULL");
  update.Bind(1, item_id).Bind(2, admin).Bind(3, now);
  if (update.Step() != kDone) return update.Error("removing a golden item");
  if (update.RowsChanged() == 0) {
    return Status::NotFound("item " + std::to_string(item_id) + " is not a golden item");
  }
  if (Status s = AppendAudit(db, {admin, "golden.removed", item_id, "{}"}, now); !s.ok()) return s;
  return tx.Commit();
}

StatusOr<std::vector<GoldenItem>> ListGolden(Database &db) {
  Statement rows(db,
                 "SELECT g.id, g.item_id, g.answer, g.added_by, g.added_at, "
                 "(SELECT count(*) FROM golden_answers a WHERE a.golden_id = g.id), "
                 "(SELECT count(*) FROM golden_answers a WHERE a.golden_id = g.id "
                 "AND a.answer = g.answer) "
                 "FROM golden_items g WHERE g.removed_at IS NULL ORDER BY g.item_id");
  if (!rows.ok()) return rows.Error("listing golden items");
  std::vector<GoldenItem> out;
  int rc;
  while ((rc = rows.Step()) == kRow) {
    out.push_back({rows.ColumnInt(0), rows.ColumnInt(1), rows.ColumnText(2), rows.ColumnText(3),
                   rows.ColumnText(4), rows.ColumnInt(5), rows.ColumnInt(6)});
  }
  if (rc != kDone) return rows.Error("listing golden items");
  return out;
}

StatusOr<int64_t> ClaimGolden(Database &db, const std::string &reviewer,
                              const std::string &queue_filter, int64_t max_severity, int64_t now,
                              int lease_seconds) {
  auto settings = ReadReviewSettings(db);
  if (!settings.ok()) return settings.status();
  if (settings->golden_rate <= 0) return int64_t{0};
  {
    Statement any(db, "SELECT count(*) FROM golden_items WHERE removed_at IS NULL");
    if (any.Step() != kRow) return any.Error("reading golden items");
    if (any.ColumnInt(0) == 0) return int64_t{0};
  }
  // Due: a hash of the reviewer and how much they have answered so far, so that
  // the share is golden_rate and the same history gives the same answer.
  int64_t answered = 0;
  {
    Statement count(db,
                    "SELECT (SELECT count(*) FROM decisions WHERE reviewer = ?1) + "
                    "(SELECT count(*) FROM golden_answers WHERE reviewer = ?1)");
    count.Bind(1, reviewer);
    if (count.Step() != kRow) return count.Error("counting decisions");
    answered = count.ColumnInt(0);
  }
  if (SampleFraction("vigil-golden:" + reviewer, std::to_string(answered)) >=
      settings->golden_rate) {
    return int64_t{0};
  }
  Statement pick(db,
                 "SELECT g.id, g.item_id FROM golden_items g JOIN queue q "
                 "ON q.item_id = g.item_id "
                 "WHERE g.removed_at IS NULL AND q.severity <= ?2 AND NOT "
                 "EXISTS (SELECT 1 FROM "
                 "golden_answers a WHERE a.golden_id = g.id AND a.reviewer "
                 "= ?1) AND NOT EXISTS "
                 "(SELECT 1 FROM golden_claims c WHERE c.golden_id = g.id "
                 "AND c.reviewer = ?1 "
                 "AND c.lease_expires >= ?3) AND NOT EXISTS (SELECT 1 FROM "
                 "decisions d WHERE "
                 "d.item_id = g.item_id AND d.reviewer = ?1)" +
                     queue_filter + " ORDER BY g.id LIMIT 1");
  pick.Bind(1, reviewer).Bind(2, max_severity).Bind(3, now);
  const int rc = pick.Step();
  if (rc == kDone) return int64_t{0};
  if (rc != kRow) return pick.Error("picking a golden item");
  const int64_t golden_id = pick.ColumnInt(0);
  const int64_t item_id = pick.ColumnInt(1);
  Statement lease(db,
                  "INSERT INTO golden_claims (golden_id, reviewer, lease_expires) "
                  "VALUES (?1, ?2, ?3) ON CONFLICT (golden_id, reviewer) DO UPDATE SET "
                  "lease_expires = excluded.lease_expires");
  lease.Bind(1, golden_id).Bind(2, reviewer).Bind(3, now + lease_seconds);
  if (lease.Step() != kDone) return lease.Error("leasing a golden item");
  return item_id;
}

StatusOr<int64_t> HeldGolden(Database &db, int64_t item_id, const std::string &reviewer,
                             int64_t now, bool expired_ok) {
  Statement row(db,
                "SELECT g.id, c.lease_expires FROM golden_claims c JOIN golden_items "
                "g ON "
                "g.id = c.golden_id WHERE g.item_id = ?1 AND c.reviewer = ?2 AND "
                "g.removed_at IS NULL");
  row.Bind(1, item_id).Bind(2, reviewer);
  const int rc = row.Step();
  if (rc == kDone) return int64_t{0};
  if (rc != kRow) return row.Error("reading golden leases");
  if (!expired_ok && row.ColumnInt(1) < now) return int64_t{0};
  return row.ColumnInt(0);
}

Status AnswerGolden(Database &db, int64_t golden_id, int64_t item_id, const std::string &reviewer,
                    const std::string &answer, const std::string &reason, const std::string &now) {
  Statement insert(db,
                   "INSERT INTO golden_answers (golden_id, item_id, "
                   "reviewer, answer, reason, "
                   "answered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.Bind(1, golden_id)
      .Bind(2, item_id)
      .Bind(3, reviewer)
      .Bind(4, answer)
      .Bind(5, reason)
      .Bind(6, now);
  if (insert.Step() != kDone) return insert.Error("recording a golden answer");
  if (Status s = ReleaseGolden(db, golden_id, reviewer); !s.ok()) return s;
  // The audit entry looks like any decision's to its author (who reads only
  // their own entries); the action tells a senior or auditor that nothing was
  // acted on.
  nlohmann::json details = {{"decision", answer}, {"reason", reason}};
  return AppendAudit(db, {reviewer, "golden.answered", item_id, JsonText(details)}, now);
}

Status ReleaseGolden(Database &db, int64_t golden_id, const std::string &reviewer) {
  Statement release(db, "DELETE FROM golden_claims WHERE golden_id = ?1 AND reviewer = ?2");
  release.Bind(1, golden_id).Bind(2, reviewer);
  if (release.Step() != kDone) return release.Error("ending a golden lease");
  return Status::Ok();
}

// --- Agreement ---

StatusOr<std::vector<ReviewerAgreement>> ComputeAgreement(Database &db) {
  std::map<std::string, ReviewerAgreement> by;
  {
    Statement rows(db,
                   "SELECT a.reviewer, count(*), sum(CASE WHEN a.answer = g.answer THEN 1 "
                   "ELSE 0 "
                   "END) FROM golden_answers a JOIN golden_items g ON g.id = a.golden_id "
                   "GROUP BY a.reviewer");
    if (!rows.ok()) return rows.Error("reading golden answers");
    int rc;
    while ((rc = rows.Step()) == kRow) {
      ReviewerAgreement &r = by[rows.ColumnText(0)];
      r.golden_answered = rows.ColumnInt(1);
      r.golden_agreed = rows.ColumnInt(2);
    }
    if (rc != kDone) return rows.Error("reading golden answers");
  }
  {
    // Each round-2 decision with the round-1 decision it answered
    // (queue.review_from at the time: the newest round-1 decision before it
    // that was not an escalation).
    Statement rows(db,
                   "SELECT d1.reviewer, d2.reviewer, CASE WHEN d1.decision = "
                   "d2.decision THEN 1 "
                   "ELSE 0 END FROM decisions d2 JOIN decisions d1 ON d1.id = (SELECT "
                   "max(x.id) "
                   "FROM decisions x WHERE x.item_id = d2.item_id AND x.round = 1 AND "
                   "x.decision <> 'escalate' AND x.id < d2.id) WHERE d2.round = 2");
    if (!rows.ok()) return rows.Error("reading second reviews");
    int rc;
    while ((rc = rows.Step()) == kRow) {
      const int64_t agreed = rows.ColumnInt(2);
      for (int column : {0, 1}) {
        ReviewerAgreement &r = by[rows.ColumnText(column)];
        ++r.second_reviews;
        r.second_agreed += agreed;
      }
    }
    if (rc != kDone) return rows.Error("reading second reviews");
  }
  std::vector<ReviewerAgreement> out;
  for (auto &[name, r] : by) {
    r.reviewer = name;
    out.push_back(r);
  }
  return out;
}

// --- QA ---

StatusOr<std::vector<QaTask>> ListQa(Database &db, bool all) {
  Statement rows(db,
                 "SELECT t.id, t.item_id, d.decision, d.reviewer, t.sampled_at, "
                 "coalesce(v.verdict, ''), coalesce(v.senior, ''), coalesce(v.reason, '') "
                 "FROM qa_tasks t JOIN decisions d ON d.id = t.decision_id "
                 "LEFT JOIN qa_verdicts v ON v.task_id = t.id WHERE (?1 = 1 OR v.id IS "
                 "NULL) "
                 "ORDER BY t.id");
  if (!rows.ok()) return rows.Error("listing QA tasks");
  rows.Bind(1, static_cast<int64_t>(all ? 1 : 0));
  std::vector<QaTask> out;
  int rc;
  while ((rc = rows.Step()) == kRow) {
    out.push_back({rows.ColumnInt(0), rows.ColumnInt(1), rows.ColumnText(2), rows.ColumnText(3),
                   rows.ColumnText(4), rows.ColumnText(5), rows.ColumnText(6), rows.ColumnText(7)});
  }
  if (rc != kDone) return rows.Error("listing QA tasks");
  return out;
}

Status RecordQaVerdict(Database &db, int64_t item_id, const std::string &senior,
                       const std::string &verdict, const std::string &reason) {
  const std::string item = "item " + std::to_string(item_id);
  if (verdict != "agree" && verdict != "disagree") {
    return Status::InvalidArgument("a QA verdict is agree or disagree, not '" + verdict + "'");
  }
  if (reason.empty()) return Status::InvalidArgument("a reason is required for a QA verdict");
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  Statement task(db,
                 "SELECT t.id, d.reviewer, (SELECT count(*) FROM qa_verdicts v WHERE "
                 "v.task_id = t.id) FROM qa_tasks t JOIN decisions d ON d.id = "
                 "t.decision_id "
                 "WHERE t.item_id = ?1 ORDER BY t.id DESC LIMIT 1");
  task.Bind(1, item_id);
  const int rc = task.Step();
  if (rc == kDone) return Status::NotFound("no QA task for " + item);
  if (rc != kRow) return task.Error("reading QA tasks");
  const int64_t task_id = task.ColumnInt(0);
  if (task.ColumnText(1) == senior) {
    return Status::InvalidArgument(senior + " made the decision on " + item +
                                   ": another senior checks it");
  }
  if (task.ColumnInt(2) > 0) {
    return Status::InvalidArgument("the QA task for " + item + " has its verdict already");
  }
  const std::string now = NowUtc();
  Statement insert(db,
                   "INSERT INTO qa_verdicts (task_id, senior, verdict, reason, decided_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)");
  insert.Bind(1, task_id).Bind(2, senior).Bind(3, verdict).Bind(4, reason).Bind(5, now);
  if (insert.Step() != kDone) return insert.Error("recording a QA verdict");
  nlohmann::json details = {{"verdict", verdict}, {"reason", reason}, {"task", task_id}};
  if (Status s = AppendAudit(db, {senior, "qa.verdict", item_id, JsonText(details)}, now);
      !s.ok()) {
    return s;
  }
  return tx.Commit();
}

}  // namespace vigil::host
