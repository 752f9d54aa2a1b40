// MobileNetV2 224x224 (the converted nsfwjs demo model) per-image latency and images/s:
//   Classify/<backend>/intra:N        Classifier::Classify on a 640x480 RGB view, N
//                                     inference threads (includes preprocessing)
//   Classify/<backend>/callers:2      two threads calling Classify at once, 1 thread each
//   BareRun/<backend>/intra:N         the backend's Run on a ready tensor: the floor the
//                                     library adds its overhead to
//   Preprocess/640x480                resize + normalise + layout alone
// The model is found like the nsfwjs test finds it ($VIGIL_NSFWJS_MODEL_DIR, then
// <repo>/build/models/nsfwjs-mobilenetv2); without it the benchmark exits non-zero.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/utility.hpp>

#include "inference_backend.h"
#include "model_inspector.h"
#include "preprocess.h"
#include "vigil/classifier/classifier.h"

namespace vigil::classifier {
namespace {

std::string ModelDir() {
  if (const char* env = std::getenv("VIGIL_NSFWJS_MODEL_DIR"); env && *env) return env;
  return std::string(VIGIL_CLASSIFIER_SOURCE_ROOT) + "/build/models/nsfwjs-mobilenetv2";
}

// A deterministic 640x480 photo-like pattern (the bench never needs real content).
std::vector<uint8_t> MakeImage(int w, int h) {
  std::vector<uint8_t> px(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &px[(static_cast<size_t>(y) * w + x) * 3];
      p[0] = static_cast<uint8_t>(x * 255 / (w - 1));
      p[1] = static_cast<uint8_t>(y * 255 / (h - 1));
      p[2] = static_cast<uint8_t>((x * 7 + y * 13) & 0xff);
    }
  }
  return px;
}

constexpr int kWidth = 640, kHeight = 480;

struct Fixture {
  std::vector<uint8_t> pixels = MakeImage(kWidth, kHeight);
  ImageView view{kWidth, kHeight, kWidth * 3, PixelFormat::kRgb8, pixels.data()};
};

Fixture& Shared() {
  static Fixture f;
  return f;
}

void Abort(const std::string& what) {
  std::fprintf(stderr, "classifier_bench: %s\n", what.c_str());
  std::exit(1);
}

// OpenCV's thread count is process-wide and the last Load sets it: put back the count
// this benchmark was registered with before timing it.
void SetOpenCvThreads(BackendKind kind, int intra) {
  if (kind == BackendKind::kOpenCvDnn) cv::setNumThreads(intra);
}

void ReportPerImage(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations());
}

void RegisterClassify(BackendKind kind, const char* label, int intra, int callers) {
  std::string name = std::string("Classify/") + label +
                     (callers > 1 ? "/callers:" + std::to_string(callers)
                                  : "/intra:" + std::to_string(intra));
  ClassifierOptions options;
  options.backend = kind;
  options.threads = intra;
  auto loaded = Classifier::Load(ModelDir() + "/manifest.json", options);
  if (!loaded.ok()) Abort(name + ": " + loaded.status().message());
  auto classifier = std::make_shared<Classifier>(std::move(loaded.value()));
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [classifier, kind, intra](
                                                          benchmark::State& state) {
    if (state.thread_index() == 0) SetOpenCvThreads(kind, intra);
    for (auto _ : state) {
      auto r = classifier->Classify(Shared().view);
      if (!r.ok()) state.SkipWithError(r.status().message().c_str());
      benchmark::DoNotOptimize(r);
    }
    ReportPerImage(state);
  });
  b->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
  if (callers > 1) b->Threads(callers);
}

void RegisterBareRun(BackendKind kind, const char* label, int intra) {
  std::string name = std::string("BareRun/") + label + "/intra:" + std::to_string(intra);
  auto manifest = LoadManifest(ModelDir() + "/manifest.json");
  if (!manifest.ok()) Abort(manifest.status().message());
  std::string bytes;
  Status st = ReadModelFile(manifest->model_path, &bytes);
  if (!st.ok()) Abort(st.message());
  auto io = InspectModel(bytes, manifest->model_path, manifest.value());
  if (!io.ok()) Abort(io.status().message());
  BackendConfig config;
  config.model_bytes = &bytes;
  config.input_name = io->input_name;
  config.output_name = io->output_name;
  config.image_shape = io->image_shape;
  config.num_outputs = io->num_outputs;
  config.dynamic_batch = io->dynamic_batch;
  config.threads = intra;
  auto backend = kind == BackendKind::kOnnxRuntime ? CreateOrtBackend(config)
                                                   : CreateOpenCvBackend(config);
  if (!backend.ok()) Abort(name + ": " + backend.status().message());
  std::shared_ptr<InferenceBackend> shared = std::move(backend.value());
  auto tensor = std::make_shared<std::vector<float>>(InputTensorSize(manifest.value()));
  Preprocess(Shared().view, manifest.value(), tensor->data());
  benchmark::RegisterBenchmark(name.c_str(), [shared, tensor, kind, intra](
                                                  benchmark::State& state) {
    SetOpenCvThreads(kind, intra);
    std::vector<float> out;
    for (auto _ : state) {
      Status s = shared->Run(tensor->data(), 1, &out);
      if (!s.ok()) state.SkipWithError(s.message().c_str());
      benchmark::DoNotOptimize(out.data());
    }
    ReportPerImage(state);
  })->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
}

void RegisterPreprocess() {
  auto manifest = LoadManifest(ModelDir() + "/manifest.json");
  if (!manifest.ok()) Abort(manifest.status().message());
  auto m = std::make_shared<ModelManifest>(manifest.value());
  benchmark::RegisterBenchmark("Preprocess/640x480", [m](benchmark::State& state) {
    std::vector<float> tensor(InputTensorSize(*m));
    for (auto _ : state) {
      Preprocess(Shared().view, *m, tensor.data());
      benchmark::DoNotOptimize(tensor.data());
    }
    ReportPerImage(state);
  })->Unit(benchmark::kMicrosecond);
}

}  // namespace
}  // namespace vigil::classifier

int main(int argc, char** argv) {
  using vigil::classifier::BackendKind;
  namespace vc = vigil::classifier;
  if (!std::filesystem::exists(vc::ModelDir() + "/manifest.json")) {
    vc::Abort("no model at " + vc::ModelDir() + ": run scripts/prepare-models.sh (or set "
              "VIGIL_NSFWJS_MODEL_DIR)");
  }
  benchmark::Initialize(&argc, argv);
  vc::RegisterPreprocess();
  std::vector<std::pair<BackendKind, const char*>> backends = {{BackendKind::kOpenCvDnn, "opencv"}};
  if (vc::OnnxRuntimeCompiledIn()) {
    backends.insert(backends.begin(), {BackendKind::kOnnxRuntime, "onnxruntime"});
  } else {
    std::fprintf(stderr, "classifier_bench: ONNX Runtime NOT built in; OpenCV DNN only\n");
  }
  for (const auto& [kind, label] : backends) {
    for (int intra : {1, 2}) {
      vc::RegisterBareRun(kind, label, intra);
      vc::RegisterClassify(kind, label, intra, 1);
    }
    vc::RegisterClassify(kind, label, 1, 2);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
