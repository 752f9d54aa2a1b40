// The seam between the classifier and an inference engine: a backend runs an already
// checked model on an already preprocessed input tensor. Two implementations:
// ort_backend.cc (ONNX Runtime C API) and opencv_backend.cc (OpenCV DNN).
#ifndef VIGIL_CLASSIFIER_INFERENCE_BACKEND_H_
#define VIGIL_CLASSIFIER_INFERENCE_BACKEND_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/classifier/classifier.h"
#include "vigil/classifier/status.h"

namespace vigil::classifier {

struct BackendConfig {
  const std::string* model_bytes = nullptr;  // borrowed for the duration of Create only
  std::string input_name;                    // resolved by the model inspector
  std::string output_name;
  std::vector<int64_t> image_shape;  // input tensor shape of one image, without batch
  int num_outputs = 0;               // floats the model returns per image
  bool dynamic_batch = false;        // the model's batch dimension is symbolic
  int threads = 1;                   // 0: backend default
  std::string onnxruntime_library;   // ORT only; see ClassifierOptions
};

class InferenceBackend {
 public:
  virtual ~InferenceBackend() = default;
  virtual BackendKind kind() const = 0;
  virtual std::string_view name() const = 0;
  // Runs `batch` images stored back to back in `input`; fills `output` with
  // batch * num_outputs floats. [thread-safe]
  // REQUIRES: batch == 1 unless the model's batch dimension is dynamic.
  virtual Status Run(const float* input, int batch, std::vector<float>* output) const = 0;
};

StatusOr<std::unique_ptr<InferenceBackend>> CreateOrtBackend(const BackendConfig& config);
StatusOr<std::unique_ptr<InferenceBackend>> CreateOpenCvBackend(const BackendConfig& config);

}  // namespace vigil::classifier

#endif  // VIGIL_CLASSIFIER_INFERENCE_BACKEND_H_
