// ReviewQueue: the store's queue of items waiting for a person, with leases so that two
// reviewers never hold the same item, decisions, and the reviewer exposure ledger.
// Every change is one transaction with its audit entry.
#ifndef VIGIL_HOST_STORE_REVIEW_QUEUE_H_
#define VIGIL_HOST_STORE_REVIEW_QUEUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/review_rounds.h"
#include "store/store.h"

namespace vigil::host {

struct QueueEntry {
  int64_t item_id = 0;
  std::string sha256;
  std::string path;
  std::string url;
  std::string media_kind;
  std::string state;         // "pending", "claimed", "decided"
  std::string outcome;       // "review", "failed", "auto-action"
  int priority = 0;
  int severity = 0;
  int obscure_level = 0;
  std::string category;
  std::string reason;
  std::string lease_owner;
  std::string enqueued_at;
  std::string decision;      // the latest decision, when decided
  std::string decided_by;
  std::string queue;         // the named queue it is in
  int64_t lease_expires = 0;  // when claimed: the lease ends then (Unix seconds)
  int round = 1;  // 1, 2 (second review), 3 (a senior settles a disagreement): review_rounds.h
};

// Unix seconds as the store's ISO-8601 UTC text ("2026-11-29T16:32:00Z").
std::string UtcTime(int64_t unix_seconds);

enum class QueueOrder { kPriority, kOldestFirst };

struct ClaimOptions {
  QueueOrder order = QueueOrder::kPriority;
  int lease_seconds = 600;
  // Items above this severity are not served (the console's own exposure budget); the
  // team's budget in the store (store/exposure_budget.h) lowers it further for `reviewer`.
  int max_severity = 5;
  std::vector<int64_t> exclude_items;  // not served (items this reviewer skipped)
  int64_t only_item = 0;               // when set, claim this item or nothing (go back)
  std::vector<std::string> queues;     // claim only from these named queues (empty: any)
};

// The decisions a reviewer can make (single keys in the console).
bool IsValidDecision(const std::string& decision);

class ReviewQueue {
 public:
  explicit ReviewQueue(Store& store) : store_(store) {}

  // Items in `state` ("" for all), in the given order; only those of the named queue
  // `queue` when it is not empty.
  StatusOr<std::vector<QueueEntry>> List(const std::string& state, QueueOrder order,
                                         int limit, const std::string& queue = "") const;
  StatusOr<std::optional<QueueEntry>> Get(int64_t item_id) const;

  // Leases the next pending item (or one whose lease expired) to `reviewer`; nullopt
  // when nothing is left that the options and the team's exposure budget allow. On a team
  // store the database computes the budget's cap for the login and refuses a lease above it.
  StatusOr<std::optional<QueueEntry>> Claim(const std::string& reviewer,
                                            const ClaimOptions& options);
  // Gives a claimed item back (skip).
  Status Release(int64_t item_id, const std::string& reviewer);
  // Records a decision on an item `reviewer` holds under a lease that has not expired
  // (once it has, the item may be someone else's). The item's review round decides what
  // follows (store/review_rounds.h: second review, a senior, QA sampling); an answer to a
  // golden item is recorded as such and acts on nothing. `reason` is required for
  // "not-illegal" and "escalate" (policy: a reviewer explains clearing or passing on).
  // Errors: InvalidArgument (decision, reason), NotFound (no such item in the queue),
  // Unavailable (`reviewer` does not hold the item: pending, decided, another's lease,
  // or the lease expired).
  // Issue 13 item 6: the decision that settles the item also adds its hashes to the local
  // banks the store's bank rules name for it and to `add_to_banks`, in the same transaction
  // (store/local_banks.h; InvalidArgument for a bank that is not local-*, explicit banks on a
  // decision that is not confirmed, or on one that leaves the item for another round).
  // `result`, when given, receives what follows (for a golden item: "decided", as the
  // reviewer is to see it).
  Status Decide(int64_t item_id, const std::string& reviewer, const std::string& decision,
                const std::string& reason, const std::vector<std::string>& add_to_banks = {},
                RoundResult* result = nullptr);
  // A senior's appeal: a decided item goes back to pending with `reason` (required) in
  // front of its queue reason. The earlier decisions stay as they were (history is never
  // edited); the audit entry "queue.reopened" names who, why and what was reopened.
  // Returns the entry as it was before (its decision: the one reopened).
  // Errors: InvalidArgument (no reason, the item is not decided), NotFound.
  StatusOr<QueueEntry> Reopen(int64_t item_id, const std::string& senior,
                              const std::string& reason);

  // Exposure ledger: what a reviewer saw and for how long unobscured. For a video item
  // also the storyboard frames revealed and the seconds unobscured on it (the same
  // seconds are in `seconds_unobscured`); both 0 for images.
  Status RecordExposure(const std::string& reviewer, int64_t item_id, int severity,
                        double seconds_unobscured, int reveals, int video_frames_revealed = 0,
                        double video_seconds_unobscured = 0);
  Status RecordReveal(const std::string& reviewer, int64_t item_id, float x, float y, float w,
                      float h, int64_t duration_ms);

 private:
  // Ok when `reviewer` holds `item_id` (a lease that ends at or after `now`, or any lease
  // of theirs when `expired_ok`); else why not, as Decide documents.
  // REQUIRES: inside the write transaction that changes the item.
  Status CheckHeld(int64_t item_id, const std::string& reviewer, int64_t now, bool expired_ok);
  // Ends Claim with the golden item `item_id` leased to `reviewer` (review_rounds.h): the
  // entry looks like any claimed one, its decisions left out.
  StatusOr<std::optional<QueueEntry>> FinishGoldenClaim(Transaction& tx, int64_t item_id,
                                                        const std::string& reviewer);

  Store& store_;
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_REVIEW_QUEUE_H_
