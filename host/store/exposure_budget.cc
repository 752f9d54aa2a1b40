#include "store/exposure_budget.h"

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "scan/scan_json.h"
#include "store/audit_log.h"
#include "store/store.h"

namespace vigil::host {
namespace {

std::string TodayUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", &utc);
  return day;
}

}  // namespace

StatusOr<std::vector<SeverityBudgetRow>> ListExposureBudgets(Database &db) {
  Statement rows(db,
                 "SELECT severity, coalesce(items, 0), "
                 "coalesce(seconds_unobscured, 0), set_by, "
                 "set_at, CASE WHEN items IS NULL THEN 1 ELSE 0 END, "
                 "CASE WHEN seconds_unobscured IS NULL THEN 1 ELSE 0 END "
                 "FROM exposure_budgets ORDER BY severity");
  if (!rows.ok()) return rows.Error("reading the exposure budgets");
  std::vector<SeverityBudgetRow> out;
  int rc;
  while ((rc = rows.Step()) == kRow) {
    SeverityBudgetRow row;
    row.severity = static_cast<int>(rows.ColumnInt(0));
    if (rows.ColumnInt(5) == 0) row.items = rows.ColumnInt(1);
    if (rows.ColumnInt(6) == 0) row.seconds = rows.ColumnDouble(2);
    row.set_by = rows.ColumnText(3);
    row.set_at = rows.ColumnText(4);
    out.push_back(std::move(row));
  }
  if (rc != kDone) return rows.Error("reading the exposure budgets");
  return out;
}

Status SetExposureBudget(Database &db, int severity, std::optional<int64_t> items,
                         std::optional<double> seconds, const std::string &actor) {
  if (severity < 0 || severity > 5) {
    return Status::InvalidArgument("severity " + std::to_string(severity) + " is outside 0..5");
  }
  if (items && *items < 0) return Status::InvalidArgument("an items budget cannot be negative");
  if (seconds && !(std::isfinite(*seconds) && *seconds >= 0)) {
    return Status::InvalidArgument("a seconds budget must be a number of seconds, 0 or more");
  }
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  const std::string now = NowUtc();
  {
    Statement remove(db, "DELETE FROM exposure_budgets WHERE severity = ?1");
    remove.Bind(1, static_cast<int64_t>(severity));
    if (remove.Step() != kDone) return remove.Error("setting an exposure budget");
  }
  if (items || seconds) {
    Statement insert(db,
                     "INSERT INTO exposure_budgets (severity, items, "
                     "seconds_unobscured, set_by, "
                     "set_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.Bind(1, static_cast<int64_t>(severity));
    if (items) {
      insert.Bind(2, *items);
    } else {
      insert.BindNull(2);
    }
    if (seconds) {
      insert.Bind(3, *seconds);
    } else {
      insert.BindNull(3);
    }
    insert.Bind(4, actor).Bind(5, now);
    if (insert.Step() != kDone) return insert.Error("setting an exposure budget");
  }
  nlohmann::json details = {
      {"severity", severity},
      {"items", items ? nlohmann::json(*items) : nlohmann::json()},
      {"seconds_unobscured", seconds ? nlohmann::json(*seconds) : nlohmann::json()}};
  if (Status s = AppendAudit(db, {actor, "exposure.budget", 0, JsonText(details)}, now); !s.ok()) {
    return s;
  }
  return tx.Commit();
}

StatusOr<int> MaxServableSeverity(Database &db, const std::string &reviewer) {
  // The same rule as vigil_max_servable() (store/postgres_schema.h, migration
  // 7).
  const bool team = db.dialect() == Dialect::kPostgres;
  Statement cap(db, team ? "SELECT vigil_max_servable()"
                         : "SELECT coalesce(min(b.severity) - 1, 5) FROM exposure_budgets b "
                           "LEFT JOIN (SELECT e.severity, count(*) AS n, "
                           "sum(e.seconds_unobscured) AS s FROM exposure e "
                           "WHERE e.reviewer = ?1 AND e.recorded_at >= ?2 "
                           "GROUP BY e.severity) t ON t.severity = b.severity "
                           "WHERE (b.items IS NOT NULL AND coalesce(t.n, 0) >= b.items) "
                           "OR (b.seconds_unobscured IS NOT NULL AND "
                           "coalesce(t.s, 0) >= b.seconds_unobscured)");
  if (!cap.ok()) return cap.Error("reading the exposure budget");
  if (!team) cap.Bind(1, reviewer).Bind(2, TodayUtc());
  if (cap.Step() != kRow) return cap.Error("reading the exposure budget");
  return static_cast<int>(cap.ColumnInt(0));
}

StatusOr<std::vector<TeamExposureRow>> TeamExposure(Database &db, const std::string &since) {
  const bool team = db.dialect() == Dialect::kPostgres;
  // The same query as vigil_team_exposure() (store/postgres_schema.h, migration
  // 7).
  Statement rows(db, team ? "SELECT day, severity, items, seconds_unobscured, reveals, "
                            "reviewers "
                            "FROM vigil_team_exposure(?1)"
                          : "SELECT substr(recorded_at, 1, 10), severity, count(*), "
                            "coalesce(sum(seconds_unobscured), 0), coalesce(sum(reveals), 0), "
                            "count(DISTINCT reviewer) FROM exposure WHERE recorded_at >= ?1 "
                            "GROUP BY 1, 2 HAVING count(DISTINCT reviewer) >= 3 "
                            "ORDER BY 1 DESC, 2 DESC");
  if (!rows.ok()) return rows.Error("reading the team's exposure");
  rows.Bind(1, since);
  std::vector<TeamExposureRow> out;
  int rc;
  while ((rc = rows.Step()) == kRow) {
    TeamExposureRow row;
    row.day = rows.ColumnText(0);
    row.severity = static_cast<int>(rows.ColumnInt(1));
    row.items = rows.ColumnInt(2);
    row.seconds_unobscured = rows.ColumnDouble(3);
    row.reveals = rows.ColumnInt(4);
    row.reviewers = rows.ColumnInt(5);
    out.push_back(std::move(row));
  }
  if (rc != kDone) return rows.Error("reading the team's exposure");
  return out;
}

}  // namespace vigil::host
