#include "pipeline/detection_limits.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace vigil::host {
namespace {

// One detection's place and relevance.
struct Ranked {
  size_t run = 0;
  int index = 0;
  int severity = 0;
  double score = 0;
};

Ranked Rank(size_t run, int index, const vigil::v1::Detection& d) {
  const double score = d.score();
  return {run, index, static_cast<int>(d.severity()),
          std::isnan(score) ? -std::numeric_limits<double>::infinity() : score};
}

// Most relevant first; stable_sort keeps the detector's order among equals.
bool MoreRelevant(const Ranked& a, const Ranked& b) {
  if (a.severity != b.severity) return a.severity > b.severity;
  return a.score > b.score;
}

// Keeps the detections of `result` whose indexes are in `keep`, in their order.
void KeepOnly(vigil::v1::AnalysisResult& result, std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  auto* detections = result.mutable_detections();
  google::protobuf::RepeatedPtrField<vigil::v1::Detection> kept;
  kept.Reserve(static_cast<int>(keep.size()));
  for (int index : keep) kept.Add()->Swap(detections->Mutable(index));
  detections->Swap(&kept);
}

}  // namespace

Status DetectionLimits::Validate() const {
  if (per_detector < 1 || per_item < 1) {
    return Status::InvalidArgument("detection limits must be at least 1 (got " +
                                   std::to_string(per_detector) + " per detector, " +
                                   std::to_string(per_item) + " per item)");
  }
  if (per_detector > per_item) {
    return Status::InvalidArgument(
        "the per-detector detection limit (" + std::to_string(per_detector) +
        ") is larger than the per-item limit (" + std::to_string(per_item) + ")");
  }
  return Status::Ok();
}

void CapDetectorRun(DetectorRun& run, size_t max) {
  const int count = run.result.detections_size();
  run.detections_returned = count;
  if (static_cast<size_t>(count) <= max) return;
  std::vector<Ranked> ranked;
  ranked.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) ranked.push_back(Rank(0, i, run.result.detections(i)));
  std::stable_sort(ranked.begin(), ranked.end(), MoreRelevant);
  std::vector<int> keep;
  keep.reserve(max);
  for (size_t i = 0; i < max; ++i) keep.push_back(ranked[i].index);
  KeepOnly(run.result, std::move(keep));
}

void CapItemDetections(std::vector<DetectorRun>& runs, size_t max) {
  size_t total = 0;
  for (const DetectorRun& run : runs) total += static_cast<size_t>(run.result.detections_size());
  if (total <= max) return;
  std::vector<Ranked> ranked;
  ranked.reserve(total);
  for (size_t r = 0; r < runs.size(); ++r) {
    // Counted here too, for a run that skipped CapDetectorRun.
    runs[r].detections_returned =
        std::max<int64_t>(runs[r].detections_returned, runs[r].result.detections_size());
    for (int i = 0; i < runs[r].result.detections_size(); ++i) {
      ranked.push_back(Rank(r, i, runs[r].result.detections(i)));
    }
  }
  std::stable_sort(ranked.begin(), ranked.end(), MoreRelevant);
  std::vector<std::vector<int>> keep(runs.size());
  for (size_t i = 0; i < max; ++i) keep[ranked[i].run].push_back(ranked[i].index);
  for (size_t r = 0; r < runs.size(); ++r) KeepOnly(runs[r].result, std::move(keep[r]));
}

}  // namespace vigil::host
