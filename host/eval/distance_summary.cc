#include "eval/distance_summary.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace vigil::eval {
namespace {

// Nearest rank: the smallest value with at least q of the values at or below it.
int Percentile(const std::vector<int>& sorted, double q) {
  size_t rank = static_cast<size_t>(std::ceil(q * sorted.size()));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

DistanceSummary SummariseDistances(std::vector<int> distances) {
  DistanceSummary out;
  if (distances.empty()) return out;
  std::sort(distances.begin(), distances.end());
  out.min = distances.front();
  out.max = distances.back();
  out.p50 = Percentile(distances, 0.5);
  out.p90 = Percentile(distances, 0.9);
  out.mean = std::accumulate(distances.begin(), distances.end(), 0.0) / distances.size();
  return out;
}

}  // namespace vigil::eval
