// OpenCV DNN backend: always available (Debian libopencv-dev), slower than ONNX Runtime.
// cv::dnn::Net::forward mutates the net, so calls on one backend are serialised.
#include <mutex>

#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>

#include "inference_backend.h"

namespace vigil::classifier {
namespace {

class OpenCvBackend final : public InferenceBackend {
 public:
  OpenCvBackend(cv::dnn::Net net, const BackendConfig& config)
      : net_(std::move(net)),
        input_name_(config.input_name),
        output_name_(config.output_name),
        image_shape_(config.image_shape),
        num_outputs_(config.num_outputs),
        name_(std::string("opencv-dnn ") + CV_VERSION) {}

  BackendKind kind() const override { return BackendKind::kOpenCvDnn; }
  std::string_view name() const override { return name_; }

  Status Run(const float* input, int batch, std::vector<float>* output) const override {
    std::vector<int> dims = {batch};
    for (int64_t d : image_shape_) dims.push_back(static_cast<int>(d));
    // A header over the caller's buffer: no copy; setInput copies it into the net.
    const cv::Mat blob(static_cast<int>(dims.size()), dims.data(), CV_32F,
                       const_cast<float*>(input));
    const size_t expected = static_cast<size_t>(batch) * static_cast<size_t>(num_outputs_);
    std::lock_guard<std::mutex> lock(mutex_);
    cv::Mat out;  // shares the net's output blob: copy it out before unlocking
    try {
      net_.setInput(blob, input_name_);
      out = net_.forward(output_name_);
    } catch (const cv::Exception& e) {
      return Status::Internal(std::string("opencv-dnn forward failed: ") + e.what());
    }
    if (out.type() != CV_32F || out.total() != expected || !out.isContinuous()) {
      return Status::Internal("opencv-dnn returned " + std::to_string(out.total()) +
                              " values for output '" + output_name_ + "', expected " +
                              std::to_string(expected));
    }
    const float* data = out.ptr<float>();
    output->assign(data, data + expected);
    return Status::Ok();
  }

 private:
  mutable std::mutex mutex_;
  mutable cv::dnn::Net net_;  // guarded by mutex_
  std::string input_name_, output_name_;
  std::vector<int64_t> image_shape_;
  int num_outputs_;
  std::string name_;
};

}  // namespace

StatusOr<std::unique_ptr<InferenceBackend>> CreateOpenCvBackend(const BackendConfig& config) {
  cv::dnn::Net net;
  try {
    net = cv::dnn::readNetFromONNX(config.model_bytes->data(), config.model_bytes->size());
  } catch (const cv::Exception& e) {
    return Status::Unavailable(std::string("opencv-dnn cannot import the model: ") + e.what());
  }
  if (net.empty()) return Status::Unavailable("opencv-dnn imported an empty network");
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  if (config.threads > 0) cv::setNumThreads(config.threads);  // process-wide in OpenCV
  return std::unique_ptr<InferenceBackend>(std::make_unique<OpenCvBackend>(std::move(net), config));
}

}  // namespace vigil::classifier
