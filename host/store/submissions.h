// Submissions (issue 14): what platforms hand to `vigil serve`, recorded by the server's
// id so a platform can ask how it went and so that a submission delivered twice (a
// redelivery in the fleet, a restart of the one-box server) is recorded once.
//
// Life: AcceptSubmission (status accepted, before the server answers 2xx), then exactly
// one of: Store::RecordItems with ItemRecord::submission_id (done, in the item's own
// transaction, item_id set) or FailSubmission (failed, with the reason). Finishing is
// guarded in SQL (only an accepted or unknown submission finishes), so two processes
// finishing the same one on PostgreSQL cannot both win.
#ifndef VIGIL_HOST_STORE_SUBMISSIONS_H_
#define VIGIL_HOST_STORE_SUBMISSIONS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

struct SubmissionRecord {
  std::string id;
  std::string status;  // "accepted", "done", "failed"
  std::string reason;  // why it failed
  int64_t item_id = 0;  // the recorded item (done); 0 when none
  std::string sha256;
  int64_t size = 0;
  std::string name;
  std::string content_type;
  std::string url;
  std::string uploader_id;
  std::string source;
  std::string received_at;  // ISO-8601 UTC; NowUtc() when empty
  std::string finished_at;
};

// Records a submission as accepted. Idempotent: an id the store already has is left as
// it is (a retried accept of a finished submission does not reopen it).
Status AcceptSubmission(Database& db, const SubmissionRecord& submission);

// The submission with this id, or nullopt.
StatusOr<std::optional<SubmissionRecord>> FindSubmission(Database& db, const std::string& id);

// Marks a submission failed with `reason` unless it is already finished (then returns
// false and changes nothing). An id the store has never seen is recorded failed.
StatusOr<bool> FailSubmission(Database& db, const SubmissionRecord& submission,
                              const std::string& reason);

// Inside the caller's transaction (Store::RecordItems): claims the submission as done.
// Returns true when this caller finishes it (record the item's rows), false when it was
// finished before (record nothing for it). `submission` supplies the row when the store
// has never seen the id (a fleet worker may record before the accept is visible).
StatusOr<bool> ClaimSubmissionDone(Database& db, const SubmissionRecord& submission,
                                   const std::string& now);
// Inside the same transaction: the item recorded for a submission this caller claimed.
Status SetSubmissionItem(Database& db, const std::string& id, int64_t item_id);
// The item id a finished submission was recorded as (0 when none: failed, or not found).
StatusOr<int64_t> SubmissionItem(Database& db, const std::string& id);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_SUBMISSIONS_H_
