#include "test_util.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

// LeakSanitizer: ONNX Runtime 1.30 leaks one small allocation of its own for the life of
// the process (not reachable from our code, not fixable here). Only read under ASan.
extern "C" const char* __lsan_default_suppressions() {  // NOLINT: sanitizer hook name
  return "leak:libonnxruntime.so\n";
}

namespace vigil::classifier::testing {

std::string TestModel(const std::string& name) {
  std::string path = std::string(VIGIL_CLASSIFIER_TEST_MODELS) + "/" + name;
  EXPECT_TRUE(std::filesystem::exists(path))
      << "synthetic model " << path << " is missing: build the vigil_classifier_test_models "
      << "target (samples/models/make_test_models.py)";
  return path;
}

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "vigil-classifier-test-XXXXXX").string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
  }
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& contents) const {
  std::string p = path_ + "/" + name;
  std::ofstream out(p, std::ios::binary);
  out << contents;
  EXPECT_TRUE(out.good()) << "cannot write " << p;
  return p;
}

nlohmann::json BaseManifest(const std::string& model, int width, int height, int labels) {
  nlohmann::json label_list = nlohmann::json::array();
  for (int i = 0; i < labels; ++i) label_list.push_back("c" + std::to_string(i));
  return {{"schema", "vigil.classifier.manifest/1"},
          {"id", "test"},
          {"description", "synthetic test model"},
          {"model", model},
          {"input", {{"width", width}, {"height", height}, {"layout", "NCHW"},
                     {"color_order", "RGB"}}},
          {"output", {{"kind", "probabilities"}}},
          {"labels", label_list}};
}

ImageView TestImage::view() const {
  ImageView v;
  v.width = width;
  v.height = height;
  v.stride = stride;
  v.format = channels == 1 ? PixelFormat::kGray8
             : channels == 4 ? PixelFormat::kRgba8 : PixelFormat::kRgb8;
  v.pixels = pixels.data();
  return v;
}

TestImage SolidImage(int width, int height, uint8_t r, uint8_t g, uint8_t b) {
  TestImage img;
  img.width = width;
  img.height = height;
  img.stride = static_cast<size_t>(width) * 3;
  img.pixels.resize(img.stride * height);
  for (size_t i = 0; i < img.pixels.size(); i += 3) {
    img.pixels[i] = r;
    img.pixels[i + 1] = g;
    img.pixels[i + 2] = b;
  }
  return img;
}

TestImage PatternImage(int width, int height, uint32_t seed) {
  TestImage img;
  img.width = width;
  img.height = height;
  img.stride = static_cast<size_t>(width) * 3;
  img.pixels.resize(img.stride * height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      uint32_t h = (static_cast<uint32_t>(x) * 73856093u) ^ (static_cast<uint32_t>(y) * 19349663u) ^
                   (seed * 83492791u);
      h ^= h >> 13;
      h *= 0x5bd1e995u;
      h ^= h >> 15;
      uint8_t* p = &img.pixels[static_cast<size_t>(y) * img.stride + static_cast<size_t>(x) * 3];
      p[0] = static_cast<uint8_t>((x * 255) / std::max(1, width - 1));
      p[1] = static_cast<uint8_t>((y * 255) / std::max(1, height - 1));
      p[2] = static_cast<uint8_t>(h & 0xff);
    }
  }
  return img;
}

bool AllowNoOrt() {
  const char* v = std::getenv("VIGIL_ALLOW_NO_ORT");
  return v != nullptr && std::string(v) == "1";
}

std::string OrtUnavailableReason() {
  if (!OnnxRuntimeCompiledIn()) {
    return "the ONNX Runtime backend is not compiled in (run scripts/fetch-onnxruntime.sh "
           "and re-run cmake)";
  }
  TempDir dir;
  auto manifest = BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3);
  ClassifierOptions options;
  options.backend = BackendKind::kOnnxRuntime;
  auto c = Classifier::Load(dir.Write("m.json", manifest.dump()), options);
  return c.ok() ? std::string() : c.status().message();
}

std::vector<BackendKind> BackendsUnderTest() {
  if (OrtUnavailableReason().empty()) return {BackendKind::kOnnxRuntime, BackendKind::kOpenCvDnn};
  return {BackendKind::kOpenCvDnn};
}

const char* BackendLabel(BackendKind kind) {
  switch (kind) {
    case BackendKind::kAuto: return "auto";
    case BackendKind::kOnnxRuntime: return "onnxruntime";
    case BackendKind::kOpenCvDnn: return "opencv";
  }
  return "?";
}

}  // namespace vigil::classifier::testing
