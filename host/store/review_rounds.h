// Review rounds (issue 13 item 5): second review, QA sampling and golden items.
//
// The state machine of a queue entry's rounds lives here; ReviewQueue::Decide
// calls RecordRoundDecision inside its transaction, once the reviewer's lease
// is checked:
//   round 1  a decision in a category that [review] second_review_categories
//   names (the
//            item's queued category or the decision itself) sends the item back
//            to pending for round 2 in the same queue; any other decision
//            decides it.
//   round 2  served to anyone but the round-1 reviewer, who does not see the
//   round-1
//            decision; the same decision decides the item, a different one
//            (escalate included) sends it to round 3 in the seniors' queue
//            ([review] senior_queue).
//   round 3  a senior's decision is final.
// A final decision is sampled into the QA queue with probability
// qa_sample_rate, by a hash of the item id (reproducible). Golden items (known
// answers an admin flagged) are served to reviewers at golden_rate; their
// answers are recorded apart and never act on the item.
#ifndef VIGIL_HOST_STORE_REVIEW_ROUNDS_H_
#define VIGIL_HOST_STORE_REVIEW_ROUNDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

// The policy's [review] table, as kept in the store (review_settings).
struct ReviewSettings {
  std::vector<std::string> second_review_categories;
  double qa_sample_rate = 0.0;
  double golden_rate = 0.0;
  std::string senior_queue = "senior-review";
};

// Records the settings (the scanner and rematch do, from the policy).
Status RecordReviewSettings(Database &db, const ReviewSettings &settings);
// The recorded settings; the defaults above when none are recorded.
StatusOr<ReviewSettings> ReadReviewSettings(Database &db);

// A number in [0, 1) from SHA-256 of `salt` and `key`: the same for the same
// input.
double SampleFraction(const std::string &salt, const std::string &key);
// Whether a finally decided item is sampled for QA at `rate`.
bool QaSampled(int64_t item_id, double rate);

// A condition on a row `alias` of decisions: false while the decision's item is
// in its second round (blind) or an active golden item. Every view of decisions
// that a reviewer may see (queue entries, `queue show`, the console's panels,
// export) adds it; a team store's row-level security enforces the same for
// everyone but the decision's author.
std::string DecisionVisibleSql(const std::string &alias);

// A condition on the queue row `q` for the pick of ReviewQueue::Claim: the
// reviewer bound to `reviewer_param` (e.g. "?3") has not decided the item in
// its current review.
std::string NotDecidedByInThisReviewSql(const std::string &reviewer_param);

struct RoundResult {
  std::string state;  // "pending" or "decided"
  int round = 1;      // the round the item is in now
  std::string queue;  // the queue it is in now
  bool qa_sampled = false;
};

// Records `reviewer`'s decision on `item_id` for the item's round and moves the
// entry on. REQUIRES: inside ReviewQueue::Decide's transaction, after the lease
// was checked.
StatusOr<RoundResult> RecordRoundDecision(Database &db, int64_t item_id,
                                          const std::string &reviewer, const std::string &decision,
                                          const std::string &reason, const std::string &now);

// --- Golden items ---

struct GoldenItem {
  int64_t id = 0;
  int64_t item_id = 0;
  std::string answer;
  std::string added_by;
  std::string added_at;
  int64_t answered = 0;  // how many reviewers answered it
  int64_t agreed = 0;    // how many gave the known answer
};

// Flags `item_id` (in the queue) as golden with the known `answer` (a decision
// other than escalate). Errors: InvalidArgument (answer, already golden),
// NotFound (no queued item).
StatusOr<int64_t> AddGolden(Database &db, int64_t item_id, const std::string &answer,
                            const std::string &admin);
// Stops serving it (its answers stay). NotFound when it is not an active golden
// item.
Status RemoveGolden(Database &db, int64_t item_id, const std::string &admin);
StatusOr<std::vector<GoldenItem>> ListGolden(Database &db);

// When the reviewer is due a golden item (golden_rate) and one is left that
// they have neither answered nor decided, in a queue they may work: leases it
// to them and returns its item id. REQUIRES: inside ReviewQueue::Claim's
// transaction. `queue_filter` is SQL on the queue row q (the claim's queue and
// severity conditions).
StatusOr<int64_t> ClaimGolden(Database &db, const std::string &reviewer,
                              const std::string &queue_filter, int64_t max_severity, int64_t now,
                              int lease_seconds);
// The golden lease `reviewer` holds on `item_id` (0: none, or expired when
// !expired_ok).
StatusOr<int64_t> HeldGolden(Database &db, int64_t item_id, const std::string &reviewer,
                             int64_t now, bool expired_ok);
// Records the answer to a held golden item and ends the lease (never a
// decision).
Status AnswerGolden(Database &db, int64_t golden_id, int64_t item_id, const std::string &reviewer,
                    const std::string &answer, const std::string &reason, const std::string &now);
Status ReleaseGolden(Database &db, int64_t golden_id, const std::string &reviewer);

// --- Agreement (`vigil queue agreement`) ---

struct ReviewerAgreement {
  std::string reviewer;
  int64_t golden_answered = 0;
  int64_t golden_agreed = 0;
  int64_t second_reviews = 0;  // completed pairs (round 1 and round 2) they took part in
  int64_t second_agreed = 0;
};
StatusOr<std::vector<ReviewerAgreement>> ComputeAgreement(Database &db);

// --- QA ---

struct QaTask {
  int64_t id = 0;
  int64_t item_id = 0;
  std::string decision;
  std::string decided_by;
  std::string sampled_at;
  std::string verdict;  // "" while open
  std::string senior;
  std::string reason;
};
// Open tasks (`all`: every task, with its latest verdict).
StatusOr<std::vector<QaTask>> ListQa(Database &db, bool all);
// A senior's verdict ("agree" or "disagree", with a reason) on the latest QA
// task of the item. Errors: InvalidArgument (verdict, reason, own decision),
// NotFound (no task).
Status RecordQaVerdict(Database &db, int64_t item_id, const std::string &senior,
                       const std::string &verdict, const std::string &reason);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_REVIEW_ROUNDS_H_
