// Policy: decides what happens to an item from its detections: clear it, act on it
// automatically (a known severe match needs no human view), or queue it for review with
// a priority and the obscuring level the console starts at.
//
// The policy is a TOML file (toml++), checked strictly: an unknown key or a bad value is
// an error with its line, never a silent default. policy/default.toml is the shipped,
// documented default.
#ifndef VIGIL_HOST_POLICY_POLICY_H_
#define VIGIL_HOST_POLICY_POLICY_H_

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "policy/queue_routing.h"
#include "store/local_banks.h"
#include "store/review_rounds.h"
#include "store/store.h"

namespace vigil::host {

// Obscuring levels the console understands: 0 none ... 7 strongest.
inline constexpr int kMaxObscureLevel = 7;

struct PolicyRule {
  std::string name;
  std::vector<std::string> detectors;     // empty: any
  std::vector<std::string> labels;        // empty: any
  std::vector<std::string> categories;    // empty: any
  std::vector<std::string> signal_types;  // empty: any
  int min_severity = 0;                   // vigil.v1.Severity value
  double min_score = 0.0;
  Disposition outcome = Disposition::kReview;
  int priority = 10;
  int obscure_level = 5;
};

class Policy {
 public:
  static StatusOr<Policy> Load(const std::filesystem::path& path);
  static StatusOr<Policy> Parse(const std::string& toml_text, const std::string& source_name);
  // The built-in policy (the same text as policy/default.toml).
  static Policy Default();

  // The outcome for one scanned item. Never kClear when a detector failed. Only
  // detections from `first_party` detectors can be auto-actioned; others are queued.
  Outcome Decide(const ItemRecord& record, const std::set<std::string>& first_party) const;

  // Every detector the policy names (a rule's `detectors`): a scan without one of
  // them loaded would silently decide differently, so the scan refuses to run.
  std::set<std::string> NamedDetectors() const;

  const std::vector<PolicyRule>& rules() const { return rules_; }
  // The named queues and the routes to them ([[queues]], [[routes]]).
  const QueueRouting& routing() const { return routing_; }
  // [[bank_rules]]: confirmed decisions to local banks (policy/bank_rules.h).
  const std::vector<BankRule>& bank_rules() const { return bank_rules_; }
  // Second review, QA sampling, golden items ([review]; store/review_rounds.h).
  const ReviewSettings& review() const { return review_; }

 private:
  std::vector<PolicyRule> rules_;
  QueueRouting routing_;
  std::vector<BankRule> bank_rules_;
  ReviewSettings review_;
  Disposition unmatched_ = Disposition::kReview;
  int unmatched_priority_ = 10;
  int unmatched_obscure_ = 5;
  int failed_priority_ = 50;
  int failed_obscure_ = 7;
  int failed_severity_ = 0;  // [defaults] failed_severity; the default policy: "medium"
};

// The text of policy/default.toml, compiled in.
extern const char kDefaultPolicyToml[];

}  // namespace vigil::host

#endif  // VIGIL_HOST_POLICY_POLICY_H_
