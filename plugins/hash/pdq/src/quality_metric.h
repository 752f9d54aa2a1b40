// PDQ's quality score: how much significant gradient the 64x64 downsample has.
#ifndef VIGIL_PDQ_SRC_QUALITY_METRIC_H_
#define VIGIL_PDQ_SRC_QUALITY_METRIC_H_

namespace vigil::pdq::internal {

// Sum over vertical and horizontal neighbours of |trunc((u - v) * 100 / 255)| (in
// float, truncated per pair so only significant steps count), divided by 90, capped
// at 100. Heuristic constants from the PDQ paper.
int QualityMetric(const float image[64][64]);

}  // namespace vigil::pdq::internal

#endif  // VIGIL_PDQ_SRC_QUALITY_METRIC_H_
