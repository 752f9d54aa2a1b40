// Retention of the media kept in the store (issue 13 item 3;
// store/media_vault.h): media of an item decided more than `retention_days` ago
// is deleted unless a preservation hold keeps it. Deleting media never touches
// the item, its signals, its decisions or the audit log; an item that was
// reopened (its queue entry is no longer decided) is not deleted. Every
// deletion, hold and release appends an audit entry. On a team store an admin
// runs retention and seniors and admins place and release holds: the database
// refuses others.
#ifndef VIGIL_HOST_STORE_RETENTION_H_
#define VIGIL_HOST_STORE_RETENTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

struct RetainedMedia {
  int64_t item_id = 0;
  std::string sha256;
  int64_t size = 0;
  std::string decided_at;  // the item's latest decision
};

struct RetentionReport {
  std::string cutoff;                  // decided before this: expired
  std::vector<RetainedMedia> deleted;  // or, for a dry run, what would be
  std::vector<RetainedMedia> held;     // expired but kept by a hold
  int64_t kept = 0;                    // media not yet expired (or of items not decided)
};

// `now`: ISO-8601 UTC (NowUtc()). A dry run changes nothing. `actor` names who
// runs it in the audit entries of a workstation store (a team store records the
// login).
StatusOr<RetentionReport> RunRetention(Database &db, int retention_days, bool dry_run,
                                       const std::string &actor, const std::string &now);

struct PreservationHold {
  int64_t id = 0;
  int64_t item_id = 0;
  std::string until;  // ISO-8601 UTC: the end of the day given
  std::string reason;
  std::string held_by;
  std::string held_at;
};

// Keeps the item's media until the end of `until_date` (YYYY-MM-DD, UTC, not in
// the past).
Status PlaceHold(Database &db, int64_t item_id, const std::string &until_date,
                 const std::string &reason, const std::string &actor, const std::string &now);
// Ends the item's holds that are not released yet; NotFound when there is none.
Status ReleaseHolds(Database &db, int64_t item_id, const std::string &actor,
                    const std::string &now);
// The holds not released, oldest first (a hold past its date no longer keeps
// anything).
StatusOr<std::vector<PreservationHold>> ListHolds(Database &db);

// `now` minus `days`, ISO-8601 UTC; or InvalidArgument for a malformed `now`.
StatusOr<std::string> DaysBefore(const std::string &now, int days);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_RETENTION_H_
