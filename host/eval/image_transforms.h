// The edits a robustness study applies to benign images (issue 17 item 4): resize, crop,
// JPEG re-encoding, rotation, mirroring, a watermark and letterboxing, each at named
// strengths. Pixels are packed RGB, 8 bits per channel (what the decoder lends detectors).
#ifndef VIGIL_HOST_EVAL_IMAGE_TRANSFORMS_H_
#define VIGIL_HOST_EVAL_IMAGE_TRANSFORMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::eval {

struct RgbImage {
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<uint8_t> pixels;  // rows of 3 * width bytes, no padding
};

// One setting of a transform: what the report prints, and the number it means (a scale
// factor, a fraction, a JPEG quality, degrees; for flip 0 = left-right, 1 = top-bottom).
struct TransformStrength {
  std::string label;
  double value = 0;
};

struct TransformSpec {
  std::string name;     // "resize", "crop", "jpeg", "rotate", "flip", "watermark", "letterbox"
  std::string meaning;  // what a strength measures, for reports and --help
  std::vector<TransformStrength> full;   // the study's default strengths
  std::vector<TransformStrength> small;  // a quick study (--small; the test suite)
};

// Every transform, in report order.
const std::vector<TransformSpec>& Transforms();

// The spec named `name`, or nullptr.
const TransformSpec* FindTransform(const std::string& name);

// Applies `name` at `strength` to `in`. Errors: an unknown transform, a strength out of its
// range, an image of zero size, or a JPEG the decoder refuses. The JPEG transform encodes
// with libjpeg (through OpenCV) and decodes with Vigil's own decoder, as a scan would read it.
StatusOr<RgbImage> ApplyTransform(const RgbImage& in, const std::string& name, double strength);

}  // namespace vigil::eval

#endif  // VIGIL_HOST_EVAL_IMAGE_TRANSFORMS_H_
