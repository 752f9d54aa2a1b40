// Exposure as a metric (issue 17 item 6): from the exposure ledger and the decisions, the
// seconds reviewers spent looking at unobscured media per decided item, grouped by the
// detector and bank that flagged the item, the item's category and the policy rule that
// queued it, so a team can see which detector or rule costs reviewers the most.
#ifndef VIGIL_HOST_STORE_EXPOSURE_METRICS_H_
#define VIGIL_HOST_STORE_EXPOSURE_METRICS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

// The decided items of one group (one detector, bank, category or rule).
struct ExposureGroup {
  std::string key;  // "(none)": items without one (no bank match, no category)
  int64_t decided_items = 0;
  int64_t reviewers = 0;   // distinct reviewers whose exposure is in the group
  int64_t items_seen = 0;  // decided items with any unobscured second or reveal
  double seconds = 0;      // unobscured, all reviewers, all rounds
  int64_t reveals = 0;
  double seconds_per_item = 0;  // seconds / decided_items
  double p50_seconds = 0;       // per item, nearest rank
  double p90_seconds = 0;
  double max_seconds = 0;
};

struct ExposureMetrics {
  int64_t decided_items = 0;
  double seconds = 0;
  int64_t reveals = 0;
  // Most seconds first. An item flagged by two detectors counts in both groups, so a
  // dimension's groups can add up to more than the total.
  std::vector<ExposureGroup> by_detector;
  std::vector<ExposureGroup> by_bank;
  std::vector<ExposureGroup> by_category;  // the category the queue showed the reviewer
  std::vector<ExposureGroup> by_rule;      // the policy rule that decided the outcome
  // Groups left out because their exposure came from fewer than `min_reviewers`
  // reviewers (so no one's exposure can be read off a small group), over all dimensions.
  int64_t withheld_groups = 0;
  // Fewer than `min_reviewers` reviewers in all: the totals are withheld too (seconds and
  // reveals 0, no groups but those nobody looked at).
  bool totals_withheld = false;
  int64_t reviewers = 0;  // distinct reviewers in all
};

// Items with at least one decision (the latest at or after `since`, a "YYYY-MM-DD" day,
// when not empty), with every exposure recorded for them. On a team store the rows are
// those the login may read (an auditor or admin sees the team's); give `min_reviewers`
// kTeamExposureMinReviewers there, as `vigil exposure --team` does. A group of decided
// items nobody looked at (0 reviewers) is always shown: it exposes no one.
StatusOr<ExposureMetrics> ComputeExposureMetrics(Database& db, const std::string& since = "",
                                                 int min_reviewers = 0);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_EXPOSURE_METRICS_H_
