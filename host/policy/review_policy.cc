#include "policy/review_policy.h"

#include <algorithm>

#include "policy/toml_reading.h"

namespace vigil::host {
namespace {

StatusOr<double> Rate(const toml::table &table, std::string_view key, double fallback,
                      const std::string &source) {
  const toml::node *node = table.get(key);
  if (node == nullptr) return fallback;
  std::optional<double> value;
  if (node->is_floating_point()) value = node->value<double>();
  if (node->is_integer()) value = static_cast<double>(*node->value<int64_t>());
  if (!value || !(*value >= 0.0 && *value <= 1.0)) {
    return Status::InvalidArgument(Where(*node, source) + ": '" + std::string(key) +
                                   "' must be a number from 0 to 1 (a share, e.g. 0.05)");
  }
  return *value;
}

}  // namespace

StatusOr<ReviewSettings> ParseReviewSettings(const toml::table &root,
                                             const std::vector<QueueSpec> &queues,
                                             const std::string &source) {
  ReviewSettings settings;
  const toml::node *node = root.get("review");
  if (node == nullptr) return settings;
  const toml::table *review = node->as_table();
  if (review == nullptr)
    return Status::InvalidArgument(Where(*node, source) + ": use a [review] table");
  if (Status s = CheckKeys(
          *review, {"second_review_categories", "qa_sample_rate", "golden_rate", "senior_queue"},
          source);
      !s.ok()) {
    return s;
  }
  auto categories = StringList(*review, "second_review_categories", source);
  if (!categories.ok()) return categories.status();
  for (const std::string &c : categories.value()) {
    if (c.empty() || c.find(',') != std::string::npos) {
      return Status::InvalidArgument(Where(*review->get("second_review_categories"), source) +
                                     ": a category is a non-empty name without ',' (e.g. \"A1\")");
    }
  }
  settings.second_review_categories = categories.value();
  auto qa = Rate(*review, "qa_sample_rate", 0.0, source);
  if (!qa.ok()) return qa.status();
  settings.qa_sample_rate = qa.value();
  auto golden = Rate(*review, "golden_rate", 0.0, source);
  if (!golden.ok()) return golden.status();
  settings.golden_rate = golden.value();
  if (const toml::node *senior = review->get("senior_queue")) {
    auto name = senior->value<std::string>();
    if (!senior->is_string() || !name || !IsValidQueueName(*name)) {
      return Status::InvalidArgument(Where(*senior, source) +
                                     ": 'senior_queue' must be a queue name in quotes");
    }
    settings.senior_queue = *name;
  }
  if (!settings.second_review_categories.empty()) {
    auto it = std::find_if(queues.begin(), queues.end(),
                           [&](const QueueSpec &q) { return q.name == settings.senior_queue; });
    if (it == queues.end()) {
      return Status::InvalidArgument(
          Where(*node, source) + ": second review sends disagreements to the queue '" +
          settings.senior_queue + "': define it in [[queues]] with roles = [\"senior\"]");
    }
    if (std::find(it->roles.begin(), it->roles.end(), "reviewer") != it->roles.end()) {
      return Status::InvalidArgument(
          Where(*node, source) + ": the queue '" + settings.senior_queue +
          "' settles disagreements, so reviewers may not work it: give it "
          "roles = [\"senior\"]");
    }
  }
  return settings;
}

}  // namespace vigil::host
