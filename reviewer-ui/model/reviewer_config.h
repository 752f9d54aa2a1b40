// ReviewerConfig: the org's defaults for the console and each reviewer's overrides.
//
// The org file has one [reviewer] table (see config/reviewer.toml and the reference in
// docs/reviewer-guide.md). A reviewer may only make their own settings more protective:
// a shorter reveal, stronger obscuring, smaller budgets, a shorter sitting, a longer
// break. Anything past the org's limit is clamped and reported, never an error, so a
// stale personal setting cannot lock a reviewer out.
#ifndef VIGIL_REVIEWER_UI_MODEL_REVIEWER_CONFIG_H_
#define VIGIL_REVIEWER_UI_MODEL_REVIEWER_CONFIG_H_

#include <array>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "obscure/obscure.h"
#include "store/review_queue.h"

namespace vigil::review {

inline constexpr int kMaxSeverity = 5;  // vigil.v1.Severity: CRITICAL

// "unspecified", "none", "low", "medium", "high", "critical" for 0..5.
const char* SeverityName(int severity);

// Per severity, per reviewer, per day (UTC). Negative: no limit.
struct SeverityBudget {
  double seconds_unobscured = -1;
  int items = -1;
};

struct ReviewerSettings {
  double reveal_timeout_seconds = 3.0;
  float reveal_region = 0.35f;       // fraction of each side shown by one reveal
  bool reveal_on_hover = false;      // hovering the image reveals (else hold Space or the mouse)
  int min_obscure_level = 2;         // floor under the policy's level for every item
  ObscureStyle obscure_style = ObscureStyle::kBlur;
  ColourMode colour = ColourMode::kGreyscale;
  double session_limit_minutes = 50;
  double break_minutes = 10;
  bool interleave = true;            // a lighter item between severe ones when there is one
  int severe_from = 4;               // severities from here count as severe for interleaving
  bool checkin = true;               // offer the private check-in at the start and after breaks
  host::QueueOrder order = host::QueueOrder::kPriority;
  int lease_seconds = 600;
  bool developer_mode = false;       // unsigned plugins are loaded: warn on every frame
  std::array<SeverityBudget, kMaxSeverity + 1> budgets{};
  std::vector<std::string> reasons;  // offered in the reason dialog
  // The local bank K adds the open item's hashes to with its decision (issue 13 item 6).
  std::string decision_bank = "local-confirmed";
};

struct ReviewerConfig {
  ReviewerSettings settings;          // effective for the chosen reviewer
  std::vector<std::string> clamped;   // overrides that were past the org's limits
};

// Built-in org defaults (what an absent config file means).
ReviewerSettings DefaultReviewerSettings();

// Parses the org config text and applies the overrides for `reviewer` ("" for none).
// kInvalidArgument with the key's name for unknown keys, wrong types or out-of-range
// values in the org table; `origin` names the file in messages.
StatusOr<ReviewerConfig> ParseReviewerConfig(const std::string& toml_text,
                                             const std::string& reviewer,
                                             const std::string& origin = "config");
StatusOr<ReviewerConfig> LoadReviewerConfig(const std::string& path, const std::string& reviewer);

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_MODEL_REVIEWER_CONFIG_H_
