#include "quality_metric.h"

#include <cstdlib>

namespace vigil::pdq::internal {
namespace {

int ScaledStep(float u, float v) {
  // Float arithmetic then truncation toward zero, as the reference's
  // `int d = ((u - v) * 100) / 255;`.
  const int d = static_cast<int>(((u - v) * 100.0f) / 255.0f);
  return std::abs(d);
}

}  // namespace

int QualityMetric(const float image[64][64]) {
  int gradient_sum = 0;
  for (int i = 0; i < 63; ++i) {
    for (int j = 0; j < 64; ++j) gradient_sum += ScaledStep(image[i][j], image[i + 1][j]);
  }
  for (int i = 0; i < 64; ++i) {
    for (int j = 0; j < 63; ++j) gradient_sum += ScaledStep(image[i][j], image[i][j + 1]);
  }
  const int quality = gradient_sum / 90;
  return quality > 100 ? 100 : quality;
}

}  // namespace vigil::pdq::internal
