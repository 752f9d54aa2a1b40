// vigil::classifier::Classifier: runs a vendor's ONNX image classifier described by a
// model manifest, on ONNX Runtime when it is present, else on OpenCV DNN.
//
//   ClassifierOptions options;
//   options.threads = 1;
//   auto loaded = Classifier::Load("models/acme/manifest.json", options);
//   if (!loaded.ok()) { report(loaded.status().message()); return; }
//   auto result = loaded->Classify(view);  // scores per label + detections
//
// Thread safety: Load is thread-safe; Classify and ClassifyBatch are [thread-safe] on one
// Classifier (the OpenCV backend serialises them internally, ONNX Runtime runs them
// concurrently). Each calling thread keeps its input tensor buffer between calls
// (thread_local; 600 KB for a 224x224 model) so that a call does not map fresh pages.
#ifndef VIGIL_CLASSIFIER_CLASSIFIER_H_
#define VIGIL_CLASSIFIER_CLASSIFIER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/classifier/image_view.h"
#include "vigil/classifier/manifest.h"
#include "vigil/classifier/status.h"

namespace vigil::classifier {

enum class BackendKind {
  kAuto,         // ONNX Runtime if it loads, else OpenCV DNN (only valid in options)
  kOnnxRuntime,  // fails to load when ONNX Runtime is not built in or not found
  kOpenCvDnn,
};

struct ClassifierOptions {
  BackendKind backend = BackendKind::kAuto;
  // Threads one inference may use; 0 = the backend's default (all cores).
  // Rationale: the host parallelises across items, so the default is one per call.
  // OpenCV DNN's thread count is process-wide (cv::setNumThreads); the last Load wins.
  int threads = 1;
  // Path of libonnxruntime.so.1; empty: $VIGIL_ONNXRUNTIME_LIBRARY, then
  // libonnxruntime.so.1 beside the module holding this library (e.g. the plugin .so),
  // then Vigil's private lib dir <bin>/../lib/vigil/onnxruntime beside the running
  // program (build tree and install alike), then the soname (RUNPATH, system search).
  // ORT is loaded once per process; a different explicit path after that is Unavailable.
  std::string onnxruntime_library;
};

struct LabelScore {
  std::string label;
  float score = 0.0f;
};

struct Detection {
  std::string label;
  float score = 0.0f;
  float threshold = 0.0f;
  Severity severity = Severity::kNone;
  int priority = 0;
};

struct Classification {
  std::vector<LabelScore> scores;     // one per manifest label, manifest order
  std::vector<Detection> detections;  // labels at or over their threshold, by priority
};

class Classifier {
 public:
  // Reads the manifest, checks the model with the ONNX checker, checks the model's input
  // and output against the manifest and starts the backend. Errors say which file and
  // which field is wrong.
  static StatusOr<Classifier> Load(const std::string& manifest_path,
                                   const ClassifierOptions& options = {});

  // Move-only. REQUIRES: no member is called on a moved-from Classifier.
  Classifier(Classifier&&) noexcept;
  Classifier& operator=(Classifier&&) noexcept;
  ~Classifier();

  // Resizes and normalises the image per manifest, runs the model, applies thresholds.
  StatusOr<Classification> Classify(const ImageView& image) const;

  // Same as Classify for each image, in order; one model call per batch when the model's
  // batch dimension is dynamic, else one call per image. All views are checked first.
  StatusOr<std::vector<Classification>> ClassifyBatch(const ImageView* images,
                                                      size_t count) const;

  BackendKind backend() const;
  std::string_view backend_name() const;  // "onnxruntime 1.30.0" or "opencv-dnn 4.6.0"
  // Why ONNX Runtime is not the active backend when kAuto chose OpenCV; else empty.
  const std::string& backend_note() const;
  const ModelManifest& manifest() const;
  bool batches_natively() const;

 private:
  struct State;
  explicit Classifier(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// True when this build compiled the ONNX Runtime backend (headers were found).
bool OnnxRuntimeCompiledIn();

}  // namespace vigil::classifier

#endif  // VIGIL_CLASSIFIER_CLASSIFIER_H_
