#include "model/exposure_ledger.h"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "store/db/database.h"

namespace vigil::review {

StatusOr<ExposureLedger::Totals> ExposureLedger::LoadFromStore(host::Store& store,
                                                                const std::string& reviewer,
                                                                const std::string& day) {
  host::Statement rows(store.db(),
                       "SELECT severity, count(*), "
                       "CAST(round(coalesce(sum(seconds_unobscured), 0) * 1000) AS BIGINT), "
                       "coalesce(sum(reveals), 0), coalesce(sum(video_frames_revealed), 0), "
                       "CAST(round(coalesce(sum(video_seconds_unobscured), 0) * 1000) AS BIGINT) "
                       "FROM exposure WHERE reviewer = ?1 AND "
                       "substr(recorded_at, 1, length(?2)) = ?2 GROUP BY severity");
  if (!rows.ok()) return rows.Error("reading the exposure ledger");
  rows.Bind(1, reviewer).Bind(2, day);
  Totals totals{};
  int rc;
  while ((rc = rows.Step()) == host::kRow) {
    const int severity = std::clamp(static_cast<int>(rows.ColumnInt(0)), 0, kMaxSeverity);
    totals[severity].items += static_cast<int>(rows.ColumnInt(1));
    totals[severity].seconds_unobscured += static_cast<double>(rows.ColumnInt(2)) / 1000.0;
    totals[severity].reveals += static_cast<int>(rows.ColumnInt(3));
    totals[severity].video_frames_revealed += static_cast<int>(rows.ColumnInt(4));
    totals[severity].video_seconds_unobscured += static_cast<double>(rows.ColumnInt(5)) / 1000.0;
  }
  if (rc != host::kDone) return rows.Error("reading the exposure ledger");
  return totals;
}

void ExposureLedger::Add(int severity, double seconds_unobscured, int reveals, bool is_video,
                         int video_frames_revealed) {
  SeverityExposure& e = totals_[static_cast<size_t>(std::clamp(severity, 0, kMaxSeverity))];
  e.items += 1;
  e.seconds_unobscured += std::max(0.0, seconds_unobscured);
  e.reveals += std::max(0, reveals);
  if (is_video) {
    e.video_frames_revealed += std::max(0, video_frames_revealed);
    e.video_seconds_unobscured += std::max(0.0, seconds_unobscured);
  }
}

const SeverityExposure& ExposureLedger::at(int severity) const {
  return totals_[static_cast<size_t>(std::clamp(severity, 0, kMaxSeverity))];
}

std::string TodayUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &utc);
  return buf;
}

void ExposureBudget::SetScale(double scale) {
  if (std::isfinite(scale)) scale_ = std::clamp(std::min(scale, scale_), 0.0, 1.0);
}

double ExposureBudget::SecondsLeft(const ExposureLedger& ledger, int severity) const {
  const SeverityBudget& b = budgets_[static_cast<size_t>(std::clamp(severity, 0, kMaxSeverity))];
  if (b.seconds_unobscured < 0) return -1;
  return std::max(0.0, b.seconds_unobscured * scale_ - ledger.at(severity).seconds_unobscured);
}

int ExposureBudget::ItemsLeft(const ExposureLedger& ledger, int severity) const {
  const SeverityBudget& b = budgets_[static_cast<size_t>(std::clamp(severity, 0, kMaxSeverity))];
  if (b.items < 0) return -1;
  const int limit = static_cast<int>(std::floor(b.items * scale_));
  return std::max(0, limit - ledger.at(severity).items);
}

bool ExposureBudget::Exhausted(const ExposureLedger& ledger, int severity) const {
  const SeverityBudget& b = budgets_[static_cast<size_t>(std::clamp(severity, 0, kMaxSeverity))];
  if (b.seconds_unobscured >= 0 && SecondsLeft(ledger, severity) <= 0) return true;
  if (b.items >= 0 && ItemsLeft(ledger, severity) <= 0) return true;
  return false;
}

int ExposureBudget::MaxServable(const ExposureLedger& ledger) const {
  for (int s = 0; s <= kMaxSeverity; ++s) {
    if (Exhausted(ledger, s)) return s - 1;
  }
  return kMaxSeverity;
}

}  // namespace vigil::review
