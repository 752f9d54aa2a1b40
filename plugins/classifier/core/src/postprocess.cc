#include "postprocess.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace vigil::classifier {

StatusOr<Classification> Postprocess(const float* raw, const ModelManifest& m) {
  const size_t n = m.labels.size();
  std::vector<float> scores(raw, raw + n);
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(scores[i])) {
      return Status::Internal("model produced a non-finite score for label '" +
                              m.labels[i].name + "'");
    }
  }
  if (m.output_kind == OutputKind::kLogits) {
    // Subtract the maximum so exp never overflows; accumulate in double.
    const float max = *std::max_element(scores.begin(), scores.end());
    double sum = 0.0;
    for (float& s : scores) {
      s = std::exp(s - max);
      sum += s;
    }
    for (float& s : scores) s = static_cast<float>(s / sum);
  }

  Classification result;
  result.scores.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const LabelSpec& label = m.labels[i];
    result.scores.push_back({label.name, scores[i]});
    if (label.threshold && scores[i] >= *label.threshold) {
      result.detections.push_back(
          {label.name, scores[i], *label.threshold, label.severity, label.priority});
    }
  }
  // The queue reads the first detection first: highest priority, then highest score.
  std::stable_sort(result.detections.begin(), result.detections.end(),
                   [](const Detection& a, const Detection& b) {
                     if (a.priority != b.priority) return a.priority > b.priority;
                     return a.score > b.score;
                   });
  return result;
}

}  // namespace vigil::classifier
