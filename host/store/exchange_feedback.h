// Feedback to hash exchanges (issue 15 item 2; docs/exchanges.md "Feedback"): the outbox.
//
// When a reviewer's decision settles an item, QueueExchangeFeedback (called by
// ReviewQueue::Decide in the decision's transaction: the rows exist if and only if the
// decision committed) writes one row per detection of the item that names an entry of a
// bank fed by an exchange with feedback on: the exchange, the entry's id (the detection's
// entry_id, the exchange's own id for the record), the fingerprint type that matched, and
// the vote (A1, A2, B1, B2: affirmative; not-illegal: negative, for NCMEC only when the
// exchange has a negative reason configured; escalate and decisions that leave the item for
// another round: nothing). One row per (exchange, entry, type, decision): a decision never
// votes twice. NCMEC entries' ids are "<member id>-<id>"; StopNCII entries' ids are their hash
// values, and the sender sends affirmative as "Blocked", negative as "NotBlocked".
//
// The sender (exchange/exchange_feedback_sender.h) leases due rows (state 'sending', with an
// owner and an expiry) BEFORE the call and records the outcome after it: delivered, or pending
// again at next_at_ms (exponential backoff), or dead. A sender that dies mid-call leaves the
// row leased; when the lease expires the row is due again and the same vote is sent again
// (the NCMEC feedback call is a PUT of the member's vote on the entry: sending it twice
// leaves the same vote). A row recorded delivered is never sent again.
#ifndef VIGIL_HOST_STORE_EXCHANGE_FEEDBACK_H_
#define VIGIL_HOST_STORE_EXCHANGE_FEEDBACK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

// The vote a decision gives ("" for none).
std::string FeedbackVoteFor(const std::string& decision);

// Queues the feedback of the item's latest decision (see above); the number of rows written.
// REQUIRES: inside the transaction that recorded the decision.
StatusOr<int64_t> QueueExchangeFeedback(Database& db, int64_t item_id, const std::string& decision);

struct ExchangeFeedback {
  int64_t id = 0;
  std::string exchange;
  int64_t item_id = 0;
  int64_t decision_id = 0;
  std::string entry_id;
  std::string signal_type;  // as the detection names it: md5, sha1, pdq, ...
  std::string vote;         // affirmative | negative
  std::string reason_id;    // the negative vote's reason GUID
  std::string state;        // pending | sending | delivered | dead
  int64_t attempts = 0;
  int64_t next_at_ms = 0;
  int http_status = 0;
  std::string last_error;
  std::string created_at;
  std::string delivered_at;
};

// Every row, oldest first (for status and tests).
StatusOr<std::vector<ExchangeFeedback>> ListExchangeFeedback(Database& db);

// Leases up to `limit` rows that are due at `now_ms` (pending with next_at_ms passed, or
// sending with an expired lease) to `owner` until now_ms + lease_ms, oldest first.
StatusOr<std::vector<ExchangeFeedback>> LeaseDueFeedback(Database& db, const std::string& owner,
                                                         int64_t now_ms, int64_t lease_ms,
                                                         int limit);

struct FeedbackAttempt {
  bool delivered = false;
  bool dead = false;  // given up (not retried)
  int http_status = 0;
  std::string error;
  int64_t next_at_ms = 0;  // when not delivered and not dead
};
// Records the outcome, only while `owner` still holds the lease (Unavailable otherwise: the
// lease expired and another sender took the row).
Status RecordFeedbackAttempt(Database& db, int64_t id, const std::string& owner,
                             const FeedbackAttempt& attempt);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_EXCHANGE_FEEDBACK_H_
