// The nearest-rank summary of Hamming distances that both robustness studies (images:
// robustness.h, videos: video_robustness.h) report per transform and strength.
#ifndef VIGIL_HOST_EVAL_DISTANCE_SUMMARY_H_
#define VIGIL_HOST_EVAL_DISTANCE_SUMMARY_H_

#include <vector>

namespace vigil::eval {

struct DistanceSummary {
  int min = 0, p50 = 0, p90 = 0, max = 0;  // nearest rank
  double mean = 0;
};

// All zero for no distances.
DistanceSummary SummariseDistances(std::vector<int> distances);

}  // namespace vigil::eval

#endif  // VIGIL_HOST_EVAL_DISTANCE_SUMMARY_H_
