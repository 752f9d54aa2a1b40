// Classifier: manifest + checked model + one backend. Load does every check once so that
// Classify only resizes, runs and thresholds.
#include "vigil/classifier/classifier.h"

#include <algorithm>

#include "inference_backend.h"
#include "model_inspector.h"
#include "postprocess.h"
#include "preprocess.h"

namespace vigil::classifier {

// Batches larger than this are split into several model calls (bounds tensor memory:
// 32 images of 224x224 are 19 MB of floats).
constexpr size_t kMaxBatchPerCall = 32;

struct Classifier::State {
  ModelManifest manifest;
  std::unique_ptr<InferenceBackend> backend;
  std::string backend_note;
  bool dynamic_batch = false;
};

Classifier::Classifier(std::unique_ptr<State> state) : state_(std::move(state)) {}
Classifier::Classifier(Classifier&&) noexcept = default;
Classifier& Classifier::operator=(Classifier&&) noexcept = default;
Classifier::~Classifier() = default;

StatusOr<Classifier> Classifier::Load(const std::string& manifest_path,
                                      const ClassifierOptions& options) {
  if (options.threads < 0 || options.threads > 256) {
    return Status::InvalidArgument("threads must be 0 (backend default) .. 256, got " +
                                   std::to_string(options.threads));
  }
  auto manifest = LoadManifest(manifest_path);
  if (!manifest.ok()) return manifest.status();
  std::string bytes;
  Status read = ReadModelFile(manifest->model_path, &bytes);
  if (!read.ok()) return read;
  auto io = InspectModel(bytes, manifest->model_path, manifest.value());
  if (!io.ok()) return io.status();

  BackendConfig config;
  config.model_bytes = &bytes;
  config.input_name = io->input_name;
  config.output_name = io->output_name;
  config.image_shape = io->image_shape;
  config.num_outputs = io->num_outputs;
  config.dynamic_batch = io->dynamic_batch;
  config.threads = options.threads;
  config.onnxruntime_library = options.onnxruntime_library;

  auto state = std::make_unique<State>();
  state->manifest = std::move(manifest.value());
  state->dynamic_batch = io->dynamic_batch;
  switch (options.backend) {
    case BackendKind::kOnnxRuntime: {
      auto b = CreateOrtBackend(config);
      if (!b.ok()) return b.status();
      state->backend = std::move(b.value());
      break;
    }
    case BackendKind::kOpenCvDnn: {
      auto b = CreateOpenCvBackend(config);
      if (!b.ok()) return b.status();
      state->backend = std::move(b.value());
      break;
    }
    case BackendKind::kAuto: {
      auto ort = CreateOrtBackend(config);
      if (ort.ok()) {
        state->backend = std::move(ort.value());
        break;
      }
      // ORT missing is expected on some machines; a model ORT refuses is worth saying.
      state->backend_note = "ONNX Runtime not used: " + ort.status().message();
      auto cv = CreateOpenCvBackend(config);
      if (!cv.ok()) {
        return Status(cv.status().code() == Status::Code::kUnavailable
                          ? Status::Unavailable(cv.status().message() + "; " +
                                                state->backend_note)
                          : cv.status());
      }
      state->backend = std::move(cv.value());
      break;
    }
  }
  return Classifier(std::move(state));
}

StatusOr<Classification> Classifier::Classify(const ImageView& image) const {
  auto batch = ClassifyBatch(&image, 1);
  if (!batch.ok()) return batch.status();
  return std::move(batch.value().front());
}

StatusOr<std::vector<Classification>> Classifier::ClassifyBatch(const ImageView* images,
                                                                size_t count) const {
  if (count > 0 && images == nullptr) return Status::InvalidArgument("images is null");
  for (size_t i = 0; i < count; ++i) {
    Status st = ValidateImageView(images[i]);
    if (!st.ok()) {
      return Status::InvalidArgument("image " + std::to_string(i) + ": " + st.message());
    }
  }
  const ModelManifest& m = state_->manifest;
  const size_t per_image = InputTensorSize(m);
  const size_t per_call = state_->dynamic_batch ? kMaxBatchPerCall : 1;
  std::vector<Classification> results;
  results.reserve(std::min(count, size_t{1024}));  // a hostile count must not over-allocate
  // Reused per thread: a 224x224 tensor is 600 KB, which malloc would mmap and the
  // kernel zero-fill on every call (measurable against a 7 ms inference).
  thread_local std::vector<float> input;
  thread_local std::vector<float> output;
  for (size_t start = 0; start < count; start += per_call) {
    const size_t n = std::min(per_call, count - start);
    input.resize(n * per_image);
    for (size_t i = 0; i < n; ++i) Preprocess(images[start + i], m, input.data() + i * per_image);
    Status st = state_->backend->Run(input.data(), static_cast<int>(n), &output);
    if (!st.ok()) return st;
    for (size_t i = 0; i < n; ++i) {
      auto r = Postprocess(output.data() + i * m.labels.size(), m);
      if (!r.ok()) return r.status();
      results.push_back(std::move(r.value()));
    }
  }
  return results;
}

BackendKind Classifier::backend() const { return state_->backend->kind(); }
std::string_view Classifier::backend_name() const { return state_->backend->name(); }
const std::string& Classifier::backend_note() const { return state_->backend_note; }
const ModelManifest& Classifier::manifest() const { return state_->manifest; }
bool Classifier::batches_natively() const { return state_->dynamic_batch; }

bool OnnxRuntimeCompiledIn() { return VIGIL_CLASSIFIER_HAVE_ORT != 0; }

}  // namespace vigil::classifier
