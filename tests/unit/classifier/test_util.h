// Shared helpers for the classifier tests: temporary manifests, synthetic images and the
// list of backends every backend-parameterised test runs on.
#ifndef VIGIL_TESTS_UNIT_CLASSIFIER_TEST_UTIL_H_
#define VIGIL_TESTS_UNIT_CLASSIFIER_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vigil/classifier/classifier.h"

namespace vigil::classifier::testing {

// Path of a generated synthetic model (fails the test when it is missing).
std::string TestModel(const std::string& name);

// A fresh directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

// A manifest for `model` with an 8x8 NCHW RGB input, no normalisation, stretch, and
// labels c0..c{n-1} without thresholds; tests change fields before writing it.
nlohmann::json BaseManifest(const std::string& model, int width, int height, int labels);

// An owned RGB8 image and a view of it.
struct TestImage {
  int width = 0, height = 0, channels = 3;
  size_t stride = 0;
  std::vector<uint8_t> pixels;
  ImageView view() const;
};
TestImage SolidImage(int width, int height, uint8_t r, uint8_t g, uint8_t b);
// A deterministic colourful pattern (gradients plus a hash), different per `seed`.
TestImage PatternImage(int width, int height, uint32_t seed);

// ONNX Runtime and OpenCV DNN when ORT is usable; OpenCV alone only when
// VIGIL_ALLOW_NO_ORT=1 (otherwise the caller fails the test with the reason).
std::vector<BackendKind> BackendsUnderTest();
// Empty when ORT is usable here; else why not (library missing, not compiled in).
std::string OrtUnavailableReason();
bool AllowNoOrt();

const char* BackendLabel(BackendKind kind);

}  // namespace vigil::classifier::testing

#endif  // VIGIL_TESTS_UNIT_CLASSIFIER_TEST_UTIL_H_
