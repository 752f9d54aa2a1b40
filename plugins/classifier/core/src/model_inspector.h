// Checks a model file before any backend sees it: the ONNX checker (libonnx) for a
// well-formed graph, then the graph's input and output against the manifest.
#ifndef VIGIL_CLASSIFIER_MODEL_INSPECTOR_H_
#define VIGIL_CLASSIFIER_MODEL_INSPECTOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "vigil/classifier/manifest.h"
#include "vigil/classifier/status.h"

namespace vigil::classifier {

struct ModelIo {
  std::string input_name;
  std::string output_name;
  std::vector<int64_t> image_shape;  // per image, e.g. {3, 224, 224} for NCHW
  int num_outputs = 0;
  bool dynamic_batch = false;
};

// Largest model file the classifier reads (ONNX protobufs cannot exceed 2 GiB anyway).
inline constexpr uint64_t kMaxModelBytes = uint64_t{1} << 31;

// Reads the model file named by the manifest into `bytes`.
Status ReadModelFile(const std::string& path, std::string* bytes);

// Parses and checks `bytes`; `path` only appears in messages.
StatusOr<ModelIo> InspectModel(const std::string& bytes, const std::string& path,
                               const ModelManifest& manifest);

}  // namespace vigil::classifier

#endif  // VIGIL_CLASSIFIER_MODEL_INSPECTOR_H_
