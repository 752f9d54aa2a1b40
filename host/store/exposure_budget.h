// The team's exposure budget (issue 13 item 7): per severity, how many items
// and how many seconds unobscured one reviewer may be served per UTC day. An
// admin sets it in the store
// (`vigil exposure budget`); every claim (the console's and `vigil queue
// claim`) is capped by it for the reviewer claiming. On a team store the cap is
// computed and enforced by PostgreSQL (vigil_max_servable(), the
// queue_exposure_cap trigger), from the login's own ledger; on SQLite the store
// computes the same rule with the same SQL.
//
// TeamExposure: the team's totals by day and severity, without any group of
// fewer than kTeamExposureMinReviewers reviewers (so no one's day can be read
// from it).
#ifndef VIGIL_HOST_STORE_EXPOSURE_BUDGET_H_
#define VIGIL_HOST_STORE_EXPOSURE_BUDGET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

inline constexpr int kTeamExposureMinReviewers = 3;

struct SeverityBudgetRow {
  int severity = 0;               // 0..5
  std::optional<int64_t> items;   // per reviewer per UTC day; nullopt: unlimited
  std::optional<double> seconds;  // seconds unobscured per reviewer per day; nullopt: unlimited
  std::string set_by;
  std::string set_at;
};

// The budgets that are set, by severity.
StatusOr<std::vector<SeverityBudgetRow>> ListExposureBudgets(Database &db);

// Sets (or, with neither limit, removes) the budget of `severity`; one audit
// entry "exposure.budget" by `actor`. On a team store only an admin may (the
// database refuses anyone else). Errors: InvalidArgument (severity outside
// 0..5, a negative limit).
Status SetExposureBudget(Database &db, int severity, std::optional<int64_t> items,
                         std::optional<double> seconds, const std::string &actor);

// The most severe item `reviewer` may be served now under the budgets: one
// below the lowest severity whose budget today's ledger (UTC) has reached, 5
// when none, -1 when even severity 0 is used up. On PostgreSQL the login's (the
// database computes it, `reviewer` is not used).
StatusOr<int> MaxServableSeverity(Database &db, const std::string &reviewer);

struct TeamExposureRow {
  std::string day;  // YYYY-MM-DD (UTC)
  int severity = 0;
  int64_t items = 0;
  double seconds_unobscured = 0;
  int64_t reveals = 0;
  int64_t reviewers = 0;  // at least kTeamExposureMinReviewers
};

// The team's exposure by day (newest first) and severity (most severe first),
// from `since` (YYYY-MM-DD) on. On PostgreSQL through vigil_team_exposure(),
// which any Vigil role may call though a reviewer cannot read others' ledger
// rows.
StatusOr<std::vector<TeamExposureRow>> TeamExposure(Database &db, const std::string &since);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_EXPOSURE_BUDGET_H_
