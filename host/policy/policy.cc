#include "policy/policy.h"

#include "policy/bank_rules.h"
#include "policy/review_policy.h"
#include "policy/toml_reading.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

namespace vigil::host {
namespace {

int Rank(Disposition d) {
  switch (d) {
    case Disposition::kClear: return 0;
    case Disposition::kReview: return 1;
    case Disposition::kFailed: return 2;
    case Disposition::kAutoAction: return 3;
  }
  return 0;
}

StatusOr<Disposition> DispositionFromName(const std::string& name) {
  if (name == "clear") return Disposition::kClear;
  if (name == "review") return Disposition::kReview;
  if (name == "auto-action") return Disposition::kAutoAction;
  return Status::InvalidArgument("unknown outcome '" + name +
                                 "' (use clear, review or auto-action)");
}

bool Matches(const std::vector<std::string>& allowed, const std::string& value) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

}  // namespace

StatusOr<Policy> Policy::Load(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot read the policy file " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path.string());
}

Policy Policy::Default() {
  auto policy = Parse(kDefaultPolicyToml, "built-in default policy");
  // The built-in text is tested; failing here is a build defect, not a user error.
  return policy.ok() ? policy.value() : Policy();
}

StatusOr<Policy> Policy::Parse(const std::string& toml_text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return Status::InvalidArgument(source + ":" + std::to_string(at.line) + ":" +
                                   std::to_string(at.column) + ": " +
                                   std::string(e.description()));
  }
  if (Status s = CheckKeys(root, {"defaults", "rules", "queues", "routes", "bank_rules", "review"},
                             source);
      !s.ok()) {
    return s;
  }
  Policy policy;
  auto bank_rules = ParseBankRules(root, source);  // issue 13 item 6
  if (!bank_rules.ok()) return bank_rules.status();
  policy.bank_rules_ = std::move(bank_rules).value();
  auto routing = QueueRouting::Parse(root, source);
  if (!routing.ok()) return routing.status();
  policy.routing_ = std::move(routing.value());
  auto review = ParseReviewSettings(root, policy.routing_.queues(), source);
  if (!review.ok()) return review.status();
  policy.review_ = std::move(review.value());
  if (const toml::node* node = root.get("defaults"); node && !node->is_table()) {
    return Status::InvalidArgument(Where(*node, source) + ": use a [defaults] table");
  }
  if (const toml::table* defaults = root["defaults"].as_table()) {
    if (Status s = CheckKeys(*defaults,
                             {"unmatched", "unmatched_priority", "unmatched_obscure_level",
                              "failed_priority", "failed_obscure_level", "failed_severity"},
                             source);
        !s.ok()) {
      return s;
    }
    if (const toml::node* node = defaults->get("unmatched"); node && !node->is_string()) {
      return Status::InvalidArgument(
          Where(*node, source) + ": 'unmatched' must be \"clear\", \"review\" or \"auto-action\"");
    }
    if (auto unmatched = (*defaults)["unmatched"].value<std::string>()) {
      auto d = DispositionFromName(*unmatched);
      if (!d.ok()) return Status::InvalidArgument(source + ": defaults.unmatched: " + d.status().message());
      if (d.value() == Disposition::kAutoAction) {
        return Status::InvalidArgument(
            source +
            ": defaults.unmatched cannot be 'auto-action': acting without a person "
            "needs a rule that names the detectors it trusts");
      }
      policy.unmatched_ = d.value();
    }
    if (const toml::node* node = defaults->get("failed_severity")) {
      auto name = node->value<std::string>();
      auto level = name && node->is_string() ? SeverityFromName(*name)
                                             : StatusOr<int>(Status::InvalidArgument(""));
      if (!level.ok()) {
        return Status::InvalidArgument(Where(*node, source) +
                                       ": 'failed_severity' must be none, low, medium, high or "
                                       "critical (in quotes)");
      }
      policy.failed_severity_ = level.value();
    }
    auto up = IntIn(*defaults, "unmatched_priority", 0, 1000, 10, source);
    auto uo = IntIn(*defaults, "unmatched_obscure_level", 0, kMaxObscureLevel, 5, source);
    auto fp = IntIn(*defaults, "failed_priority", 0, 1000, 50, source);
    auto fo = IntIn(*defaults, "failed_obscure_level", 0, kMaxObscureLevel, 7, source);
    for (const auto* v : {&up, &uo, &fp, &fo}) {
      if (!v->ok()) return v->status();
    }
    policy.unmatched_priority_ = up.value();
    policy.unmatched_obscure_ = uo.value();
    policy.failed_priority_ = fp.value();
    policy.failed_obscure_ = fo.value();
  }
  if (const toml::node* rules_node = root.get("rules")) {
    const toml::array* rules = rules_node->as_array();
    if (!rules) return Status::InvalidArgument(Where(*rules_node, source) + ": use [[rules]] tables");
    for (const auto& node : *rules) {
      const toml::table* table = node.as_table();
      if (!table) return Status::InvalidArgument(Where(node, source) + ": a rule must be a table");
      if (Status s = CheckKeys(*table, {"name", "detectors", "labels", "categories",
                                        "signal_types", "min_severity", "min_score", "outcome",
                                        "priority", "obscure_level"}, source);
          !s.ok()) {
        return s;
      }
      PolicyRule rule;
      const toml::node* severity_node = table->get("min_severity");
      if (severity_node && !severity_node->is_string()) {
        return Status::InvalidArgument(Where(*severity_node, source) +
                                       ": 'min_severity' must be none, low, medium, high or "
                                       "critical (in quotes)");
      }
      auto name = (*table)["name"].value<std::string>();
      auto outcome = (*table)["outcome"].value<std::string>();
      if (!name || !outcome) {
        return Status::InvalidArgument(Where(node, source) + ": a rule needs 'name' and 'outcome'");
      }
      rule.name = *name;
      auto d = DispositionFromName(*outcome);
      if (!d.ok()) return Status::InvalidArgument(Where(node, source) + ": " + d.status().message());
      rule.outcome = d.value();
      for (auto [key, target] : {std::pair{"detectors", &rule.detectors},
                                 std::pair{"labels", &rule.labels},
                                 std::pair{"categories", &rule.categories},
                                 std::pair{"signal_types", &rule.signal_types}}) {
        auto list = StringList(*table, key, source);
        if (!list.ok()) return list.status();
        *target = list.value();
      }
      if (auto severity = (*table)["min_severity"].value<std::string>()) {
        auto level = SeverityFromName(*severity);
        if (!level.ok()) return Status::InvalidArgument(Where(node, source) + ": " + level.status().message());
        rule.min_severity = level.value();
      }
      if (const toml::node* score = table->get("min_score")) {
        auto value = score->value<double>();
        if (!value || !(*value >= 0 && *value <= 1)) {  // NaN too: it would never match
          return Status::InvalidArgument(Where(*score, source) + ": 'min_score' must be from 0 to 1");
        }
        rule.min_score = *value;
      }
      auto priority = IntIn(*table, "priority", 0, 1000, 10, source);
      auto obscure = IntIn(*table, "obscure_level", 0, kMaxObscureLevel, 5, source);
      if (!priority.ok()) return priority.status();
      if (!obscure.ok()) return obscure.status();
      rule.priority = priority.value();
      rule.obscure_level = obscure.value();
      if ((rule.outcome == Disposition::kAutoAction || rule.outcome == Disposition::kClear) &&
          rule.detectors.empty()) {
        return Status::InvalidArgument(
            Where(node, source) + ": rule '" + rule.name + "' has outcome '" + *outcome +
            "', which skips human review, so it must name the detectors it trusts, e.g. "
            "detectors = [\"vigil.pdq\", \"vigil.exact\"]");
      }
      policy.rules_.push_back(std::move(rule));
    }
  }
  return policy;
}

std::set<std::string> Policy::NamedDetectors() const {
  std::set<std::string> ids;
  for (const PolicyRule& rule : rules_) ids.insert(rule.detectors.begin(), rule.detectors.end());
  return ids;
}

Outcome Policy::Decide(const ItemRecord& record, const std::set<std::string>& first_party) const {
  Outcome outcome;  // kClear
  std::string failures = record.status.message();
  for (const DetectorRun& run : record.runs) {
    if (!run.status.ok()) failures += (failures.empty() ? "" : "; ") + run.status.message();
  }
  for (const DetectorRun& run : record.runs) {
    for (const auto& d : run.result.detections()) {
      // Queue order (docs/operations.md): severity, then the confidence of the most
      // severe detections, then the rule's priority, then age.
      const int severity = static_cast<int>(d.severity());
      if (severity > outcome.severity) {
        outcome.severity = severity;
        outcome.confidence = d.score();
      } else if (severity == outcome.severity) {
        outcome.confidence = std::max(outcome.confidence, static_cast<double>(d.score()));
      }
      const std::string category = d.has_match() ? d.match().category() : "";
      const PolicyRule* matched = nullptr;
      for (const PolicyRule& rule : rules_) {
        if (Matches(rule.detectors, run.detector) && Matches(rule.labels, d.label()) &&
            Matches(rule.categories, category) && Matches(rule.signal_types, d.signal_type()) &&
            static_cast<int>(d.severity()) >= rule.min_severity && d.score() >= rule.min_score) {
          matched = &rule;
          break;
        }
      }
      Disposition disposition = matched ? matched->outcome : unmatched_;
      int priority = matched ? matched->priority : unmatched_priority_;
      int obscure = matched ? matched->obscure_level : unmatched_obscure_;
      std::string rule_name = matched ? matched->name : "unmatched detection";
      if (disposition == Disposition::kAutoAction && first_party.count(run.detector) == 0) {
        // Only first-party detectors are trusted to act without a person.
        disposition = Disposition::kReview;
        rule_name += " (" + run.detector + " is not first-party: queued for review)";
      }
      if (Rank(disposition) > Rank(outcome.disposition) ||
          (disposition == outcome.disposition && priority > outcome.priority)) {
        outcome.disposition = disposition;
        outcome.priority = priority;
        outcome.rule = rule_name;
        outcome.reason = run.detector + ": " + d.label() +
                         (category.empty() ? "" : " (" + category + ")") +
                         (d.reason().empty() ? "" : ": " + d.reason());
        if (!category.empty()) outcome.category = category;
      }
      outcome.obscure_level = std::max(outcome.obscure_level, obscure);
    }
  }
  // Detections dropped by the pipeline's caps: never a silent "clear", and the reason
  // says so whatever the outcome.
  std::string truncated;
  for (const DetectorRun& run : record.runs) {
    if (run.truncated()) truncated += (truncated.empty() ? "" : "; ") + run.TruncationNote();
  }
  if (!truncated.empty()) {
    if (outcome.disposition == Disposition::kClear) {
      outcome.disposition = Disposition::kReview;
      outcome.priority = unmatched_priority_;
      outcome.obscure_level = std::max(outcome.obscure_level, unmatched_obscure_);
      outcome.rule = "detections truncated";
      outcome.reason = truncated;
    } else {
      outcome.reason += (outcome.reason.empty() ? "" : "; ") + truncated;
    }
  }
  if (!failures.empty() && outcome.disposition != Disposition::kAutoAction) {
    // What could not be looked at is not presumed harmless: it is queued at least at
    // `failed_severity`, so it does not sink below every low-severity finding.
    if (outcome.severity < failed_severity_) {
      outcome.severity = failed_severity_;
      outcome.confidence = 0;
    }
    outcome.disposition = Disposition::kFailed;
    outcome.priority = std::max(outcome.priority, failed_priority_);
    outcome.obscure_level = std::max(outcome.obscure_level, failed_obscure_);
    outcome.rule = "detector failed";
    outcome.reason = failures;
  }
  if (outcome.disposition != Disposition::kClear) outcome.queue = routing_.Route(record, outcome);
  return outcome;
}

}  // namespace vigil::host
