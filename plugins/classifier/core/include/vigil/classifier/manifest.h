// The model manifest: a small JSON file next to a vendor's .onnx that says how to feed
// the model and how to read its output. Reference: docs/classifier.md.
#ifndef VIGIL_CLASSIFIER_MANIFEST_H_
#define VIGIL_CLASSIFIER_MANIFEST_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/classifier/status.h"

namespace vigil::classifier {

// The manifest schema this library reads ("schema" field).
inline constexpr std::string_view kManifestSchema = "vigil.classifier.manifest/1";

enum class TensorLayout { kNchw, kNhwc };
enum class ColorOrder { kRgb, kBgr };
enum class ResizeMode {
  kStretch,    // scale each axis to the input size; aspect ratio is not kept
  kLetterbox,  // keep aspect ratio, centre, pad with the fill colour
};
enum class Interpolation {
  kBilinear,              // half-pixel centres (OpenCV INTER_LINEAR, PyTorch default)
  kBilinearAlignCorners,  // corner pixels map to corner pixels (tf align_corners=true)
  kNearest,               // nearest pixel centre
};
enum class OutputKind {
  kProbabilities,  // scores are used as they are
  kLogits,         // softmax over the labels first
};

// Same numbers as vigil.v1.Severity (sdk/proto/vigil/v1/common.proto).
enum class Severity { kNone = 1, kLow = 2, kMedium = 3, kHigh = 4, kCritical = 5 };

struct LabelSpec {
  std::string name;
  // A detection is emitted when score >= threshold; no threshold: never a detection,
  // the score is still reported.
  std::optional<float> threshold;
  Severity severity = Severity::kNone;
  // Review-queue priority a detection of this label maps to (0..1000, higher first).
  int priority = 0;
};

struct ModelManifest {
  std::string id;
  std::string description;
  std::string model_path;   // resolved: relative paths are relative to the manifest
  std::string input_name;   // empty: the model's only input
  std::string output_name;  // empty: the model's only output
  int width = 0;
  int height = 0;
  TensorLayout layout = TensorLayout::kNchw;
  ColorOrder color_order = ColorOrder::kRgb;
  // Per tensor channel (in the model's channel order): value = pixel * scale + offset,
  // pixel in 0..255. Mean/std manifests are folded into this form at parse time.
  std::array<float, 3> scale = {1.0f, 1.0f, 1.0f};
  std::array<float, 3> offset = {0.0f, 0.0f, 0.0f};
  ResizeMode resize = ResizeMode::kStretch;
  Interpolation interpolation = Interpolation::kBilinear;
  std::array<float, 3> fill = {0.0f, 0.0f, 0.0f};  // letterbox fill, RGB, 0..255
  OutputKind output_kind = OutputKind::kProbabilities;
  std::vector<LabelSpec> labels;
};

// Parses and validates manifest JSON. `base_dir` resolves a relative "model" path.
StatusOr<ModelManifest> ParseManifest(std::string_view json_text, const std::string& base_dir);

// Reads and parses the manifest file at `path` (at most 1 MiB).
StatusOr<ModelManifest> LoadManifest(const std::string& path);

std::string_view SeverityName(Severity severity);
std::string_view LayoutName(TensorLayout layout);

}  // namespace vigil::classifier

#endif  // VIGIL_CLASSIFIER_MANIFEST_H_
