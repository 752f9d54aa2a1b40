// ExposureLedger: what one reviewer has seen today, by severity: items opened, seconds
// unobscured, reveals. Starts from the store's exposure rows for today (UTC) so that a
// restart does not reset the budget, and adds this sitting's items as they are left.
//
// ExposureBudget (below) turns the ledger and the org's budgets into what the console
// may serve next.
#ifndef VIGIL_REVIEWER_UI_MODEL_EXPOSURE_LEDGER_H_
#define VIGIL_REVIEWER_UI_MODEL_EXPOSURE_LEDGER_H_

#include <array>
#include <string>

#include "core/status.h"
#include "model/reviewer_config.h"
#include "store/store.h"

namespace vigil::review {

struct SeverityExposure {
  int items = 0;
  double seconds_unobscured = 0;  // every item, videos included
  int reveals = 0;
  // Video items (the storyboard): frames whose pixels a reveal showed, and the seconds
  // unobscured on video items (a part of seconds_unobscured, which budgets count).
  int video_frames_revealed = 0;
  double video_seconds_unobscured = 0;
};

class ExposureLedger {
 public:
  using Totals = std::array<SeverityExposure, kMaxSeverity + 1>;

  // Today's rows for `reviewer`; `day` is the UTC date prefix ("2026-11-29"), empty
  // for every row ever recorded.
  static StatusOr<Totals> LoadFromStore(host::Store& store, const std::string& reviewer,
                                        const std::string& day);

  void Reset(const Totals& totals) { totals_ = totals; }
  // One item left (decided, skipped, or abandoned by panic/quit). For a video item,
  // `video_frames_revealed` and `is_video` (its seconds then count as video seconds too).
  void Add(int severity, double seconds_unobscured, int reveals, bool is_video = false,
           int video_frames_revealed = 0);

  const SeverityExposure& at(int severity) const;
  const Totals& totals() const { return totals_; }

 private:
  Totals totals_{};
};

// Today's date in UTC, "YYYY-MM-DD" (the prefix of the store's timestamps).
std::string TodayUtc();

// Budgets with the private check-in's scale applied.
class ExposureBudget {
 public:
  explicit ExposureBudget(const std::array<SeverityBudget, kMaxSeverity + 1>& budgets)
      : budgets_(budgets) {}

  // The private check-in: 1.0 unchanged; lower values shrink every limit for this
  // sitting. It can only ever lower (a reviewer cannot raise their budget here).
  void SetScale(double scale);
  double scale() const { return scale_; }

  // True when `severity` may not be served any more.
  bool Exhausted(const ExposureLedger& ledger, int severity) const;
  // The highest severity the console may serve: one below the lowest exhausted
  // severity (heavier material is never served once lighter is exhausted), or 5.
  // -1 when even "unspecified" is exhausted: serve nothing.
  int MaxServable(const ExposureLedger& ledger) const;
  // Seconds unobscured left for `severity`, negative when unlimited.
  double SecondsLeft(const ExposureLedger& ledger, int severity) const;
  int ItemsLeft(const ExposureLedger& ledger, int severity) const;  // negative: unlimited

 private:
  std::array<SeverityBudget, kMaxSeverity + 1> budgets_;
  double scale_ = 1.0;
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_MODEL_EXPOSURE_LEDGER_H_
