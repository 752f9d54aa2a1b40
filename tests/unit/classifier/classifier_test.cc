// End to end through each backend with the synthetic models of make_test_models.py:
// every manifest option changes the numbers the model sees in a predictable way, bad
// models are refused with a message that names the problem, and the two backends agree.
#include "vigil/classifier/classifier.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core/version.hpp>

#include "test_util.h"

namespace vigil::classifier {
namespace {

using nlohmann::json;
using testing::BaseManifest;
using testing::SolidImage;
using testing::TempDir;
using testing::TestModel;

StatusOr<Classifier> LoadJson(const TempDir& dir, const json& manifest,
                              BackendKind backend = BackendKind::kAuto, int threads = 1) {
  ClassifierOptions options;
  options.backend = backend;
  options.threads = threads;
  return Classifier::Load(dir.Write("manifest.json", manifest.dump()), options);
}

std::vector<float> Scores(const Classification& c) {
  std::vector<float> s;
  for (const auto& l : c.scores) s.push_back(l.score);
  return s;
}

// [SECTION] ONNX Runtime presence: loud, and a failure unless explicitly allowed ---------

TEST(ClassifierBackendTest, OnnxRuntimeIsAvailable) {
  std::string reason = testing::OrtUnavailableReason();
  if (reason.empty()) return;
  std::string banner =
      "\n*****************************************************************\n"
      "*** ONNX Runtime backend NOT AVAILABLE: " + reason +
      "\n*** Only OpenCV DNN was tested. Run scripts/fetch-onnxruntime.sh.\n"
      "*****************************************************************\n";
  if (testing::AllowNoOrt()) {
    std::fprintf(stderr, "%s(VIGIL_ALLOW_NO_ORT=1 set: not failing)\n", banner.c_str());
    return;
  }
  FAIL() << banner << "Set VIGIL_ALLOW_NO_ORT=1 to accept an OpenCV-only run.";
}

TEST(ClassifierBackendTest, AutoPrefersOnnxRuntimeAndReportsIt) {
  TempDir dir;
  auto c = LoadJson(dir, BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3));
  ASSERT_TRUE(c.ok()) << c.status().message();
  if (testing::OrtUnavailableReason().empty()) {
    EXPECT_EQ(c->backend(), BackendKind::kOnnxRuntime);
    EXPECT_EQ(c->backend_name().rfind("onnxruntime ", 0), 0u) << c->backend_name();
    EXPECT_TRUE(c->backend_note().empty());
  } else {
    EXPECT_EQ(c->backend(), BackendKind::kOpenCvDnn);
    EXPECT_FALSE(c->backend_note().empty());
  }
}

TEST(ClassifierBackendTest, OpenCvNameCarriesVersion) {
  TempDir dir;
  auto c = LoadJson(dir, BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3),
                    BackendKind::kOpenCvDnn);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->backend_name(), std::string("opencv-dnn ") + CV_VERSION);
}

TEST(ClassifierBackendTest, ExplicitOnnxRuntimeRequestLoadsOrSaysWhyNot) {
  TempDir dir;
  auto c = LoadJson(dir, BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3),
                    BackendKind::kOnnxRuntime);
  if (testing::OrtUnavailableReason().empty()) {
    ASSERT_TRUE(c.ok()) << c.status().message();
    EXPECT_EQ(c->backend(), BackendKind::kOnnxRuntime);
  } else {
    ASSERT_FALSE(c.ok());  // never a silent fallback when ORT was asked for
    EXPECT_EQ(c.status().code(), Status::Code::kUnavailable);
  }
}

TEST(ClassifierBackendTest, UnloadableOrtLibraryFallsBackOrFails) {
  if (!OnnxRuntimeCompiledIn()) return;  // compiled-out case: ExplicitOnnxRuntimeRequest...
  // Whether or not another ORT is already loaded in this process, a library path that
  // cannot be opened must never yield an ORT classifier.
  TempDir dir;
  const std::string manifest =
      dir.Write("m.json", BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3).dump());
  ClassifierOptions options;
  options.onnxruntime_library = "/nonexistent/libonnxruntime.so.1";
  options.backend = BackendKind::kOnnxRuntime;
  auto explicit_ort = Classifier::Load(manifest, options);
  ASSERT_FALSE(explicit_ort.ok());
  EXPECT_EQ(explicit_ort.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(explicit_ort.status().message().find("/nonexistent/libonnxruntime.so.1"),
            std::string::npos)
      << explicit_ort.status().message();
  options.backend = BackendKind::kAuto;
  auto fallback = Classifier::Load(manifest, options);
  ASSERT_TRUE(fallback.ok()) << fallback.status().message();
  EXPECT_EQ(fallback->backend(), BackendKind::kOpenCvDnn);
  EXPECT_NE(fallback->backend_note().find("/nonexistent/libonnxruntime.so.1"), std::string::npos)
      << fallback->backend_note();
  auto scores = fallback->Classify(SolidImage(3, 3, 1, 2, 3).view());
  ASSERT_TRUE(scores.ok());
  EXPECT_NEAR(scores->scores[2].score, 3, 1e-4);
}

// [SECTION] manifest options through each backend -----------------------------------------

class ClassifierOptionsTest : public ::testing::TestWithParam<BackendKind> {
 protected:
  // Loads `manifest` on the backend under test and classifies `image`.
  std::vector<float> Classify(const json& manifest, const testing::TestImage& image) {
    auto c = LoadJson(dir_, manifest, GetParam());
    EXPECT_TRUE(c.ok()) << c.status().message();
    if (!c.ok()) return {};
    auto r = c->Classify(image.view());
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? Scores(r.value()) : std::vector<float>{};
  }
  TempDir dir_;
};

void ExpectNear(const std::vector<float>& got, const std::vector<float>& want, float tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "index " << i;
}

TEST_P(ClassifierOptionsTest, RawPixelsNchwRgb) {
  auto s = Classify(BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3), SolidImage(5, 7, 10, 100, 200));
  ExpectNear(s, {10, 100, 200}, 1e-3f);
}

TEST_P(ClassifierOptionsTest, NhwcLayout) {
  json m = BaseManifest(TestModel("mean_nhwc.onnx"), 8, 8, 3);
  m["input"]["layout"] = "NHWC";
  ExpectNear(Classify(m, SolidImage(20, 3, 10, 100, 200)), {10, 100, 200}, 1e-3f);
}

TEST_P(ClassifierOptionsTest, BgrColourOrder) {
  json m = BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3);
  m["input"]["color_order"] = "BGR";
  ExpectNear(Classify(m, SolidImage(5, 7, 10, 100, 200)), {200, 100, 10}, 1e-3f);
}

TEST_P(ClassifierOptionsTest, ScaleOffsetNormalisation) {
  json m = BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3);
  m["input"]["normalization"] = {{"type", "scale_offset"}, {"scale", {0.5, 1, 2}},
                                 {"offset", {1, 2, 3}}};
  ExpectNear(Classify(m, SolidImage(5, 7, 10, 100, 200)), {6, 102, 403}, 1e-3f);
}

TEST_P(ClassifierOptionsTest, MeanStdNormalisation) {
  json m = BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3);
  m["input"]["normalization"] = {{"type", "mean_std"}, {"mean", 0.5}, {"std", {0.25, 0.5, 1}}};
  ExpectNear(Classify(m, SolidImage(5, 7, 10, 100, 200)),
             {(10 / 255.f - 0.5f) / 0.25f, (100 / 255.f - 0.5f) / 0.5f, 200 / 255.f - 0.5f},
             1e-5f);
}

TEST_P(ClassifierOptionsTest, LetterboxFillCountsInTheMean) {
  // 16x8 into 8x8: the image covers rows 2..5, half the tensor; the rest is fill.
  json m = BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3);
  m["input"]["resize"] = {{"mode", "letterbox"}, {"fill", {255, 0, 128}}};
  ExpectNear(Classify(m, SolidImage(16, 8, 10, 100, 200)),
             {(10 + 255) / 2.f, 100 / 2.f, (200 + 128) / 2.f}, 1e-3f);
}

TEST_P(ClassifierOptionsTest, StretchIgnoresAspect) {
  json m = BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3);
  m["input"]["resize"] = {{"mode", "stretch"}, {"fill", {255, 0, 128}}};
  ExpectNear(Classify(m, SolidImage(16, 8, 10, 100, 200)), {10, 100, 200}, 1e-3f);
}

TEST_P(ClassifierOptionsTest, ProbeSeesTheExactTensorPerInterpolation) {
  // 2x2 image, red = 30x + 60y; the probe model returns the NCHW tensor as 48 scores.
  testing::TestImage img = SolidImage(2, 2, 0, 200, 7);
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 2; ++x) img.pixels[y * img.stride + x * 3] = 30 * x + 60 * y;
  }
  struct Case {
    const char* interpolation;
    float pos[4];
  } cases[] = {{"bilinear_align_corners", {0, 1 / 3.f, 2 / 3.f, 1}},
               {"bilinear", {0, 0.25f, 0.75f, 1}},
               {"nearest", {0, 0, 1, 1}}};
  for (const auto& c : cases) {
    json m = BaseManifest(TestModel("probe_4x4.onnx"), 4, 4, 48);
    m["input"]["resize"] = {{"interpolation", c.interpolation}};
    auto s = Classify(m, img);
    ASSERT_EQ(s.size(), 48u) << c.interpolation;
    for (int y = 0; y < 4; ++y) {
      for (int x = 0; x < 4; ++x) {
        EXPECT_NEAR(s[y * 4 + x], 30 * c.pos[x] + 60 * c.pos[y], 1e-3f)
            << c.interpolation << " at " << x << "," << y;
        EXPECT_NEAR(s[16 + y * 4 + x], 200, 1e-3f);
        EXPECT_NEAR(s[32 + y * 4 + x], 7, 1e-3f);
      }
    }
  }
}

TEST_P(ClassifierOptionsTest, LogitsGetSoftmax) {
  json m = BaseManifest(TestModel("logits_nchw.onnx"), 8, 8, 4);
  m["output"]["kind"] = "logits";
  m["input"]["normalization"] = {{"type", "scale_offset"}, {"scale", 1 / 255.0}};
  auto s = Classify(m, SolidImage(3, 3, 51, 102, 255));
  const double mean[3] = {0.2, 0.4, 1.0};
  const double logits[4] = {mean[0], mean[1], mean[2], mean[0] + mean[1] + mean[2] - 1};
  double z = 0;
  for (double l : logits) z += std::exp(l);
  ASSERT_EQ(s.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(s[i], std::exp(logits[i]) / z, 1e-5) << i;
}

TEST_P(ClassifierOptionsTest, EachThresholdPath) {
  // Channel means 0.2, 0.4, 0.8 (scale 1/255): label c0 has no threshold, c1 is over its
  // threshold, c2 under its own. (Inclusiveness at equality: postprocess_test.cc.)
  json m = BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3);
  m["input"]["normalization"] = {{"type", "scale_offset"}, {"scale", 1 / 255.0}};
  m["labels"] = json::array(
      {json{{"name", "none"}},
       json{{"name", "at"}, {"threshold", 0.39}, {"severity", "medium"}, {"priority", 300}},
       json{{"name", "under"}, {"threshold", 0.9}, {"severity", "critical"}, {"priority", 999}}});
  auto c = LoadJson(dir_, m, GetParam());
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto r = c->Classify(SolidImage(4, 4, 51, 102, 204).view());
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->scores.size(), 3u);
  EXPECT_EQ(r->scores[0].label, "none");
  EXPECT_NEAR(r->scores[1].score, 0.4, 1e-5);
  ASSERT_EQ(r->detections.size(), 1u);
  EXPECT_EQ(r->detections[0].label, "at");
  EXPECT_EQ(r->detections[0].severity, Severity::kMedium);
  EXPECT_EQ(r->detections[0].priority, 300);
  // Brighter blue crosses the 0.9 threshold too: the critical label comes first.
  auto r2 = c->Classify(SolidImage(4, 4, 51, 102, 250).view());
  ASSERT_TRUE(r2.ok());
  ASSERT_EQ(r2->detections.size(), 2u);
  EXPECT_EQ(r2->detections[0].label, "under");
  EXPECT_EQ(r2->detections[0].severity, Severity::kCritical);
}

TEST_P(ClassifierOptionsTest, NonFiniteModelOutputIsAnError) {
  json m = BaseManifest(TestModel("nan_output.onnx"), 8, 8, 3);
  m["input"]["normalization"] = {{"type", "scale_offset"}, {"scale", 1}, {"offset", -1000}};
  auto c = LoadJson(dir_, m, GetParam());
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto r = c->Classify(SolidImage(4, 4, 1, 2, 3).view());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("non-finite"), std::string::npos) << r.status().message();
}

TEST_P(ClassifierOptionsTest, BatchEqualsOneByOne) {
  json m = BaseManifest(TestModel("small_cnn.onnx"), 32, 32, 5);
  m["input"]["normalization"] = {{"type", "mean_std"}, {"mean", 0.5}, {"std", 0.25}};
  auto c = LoadJson(dir_, m, GetParam());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->batches_natively());
  std::vector<testing::TestImage> images;
  std::vector<ImageView> views;
  for (int i = 0; i < 37; ++i) images.push_back(testing::PatternImage(20 + i, 50 - i, i));
  for (const auto& img : images) views.push_back(img.view());
  auto batch = c->ClassifyBatch(views.data(), views.size());  // 37: two model calls
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  ASSERT_EQ(batch->size(), views.size());
  for (size_t i = 0; i < views.size(); ++i) {
    auto one = c->Classify(views[i]);
    ASSERT_TRUE(one.ok());
    ExpectNear(Scores(batch.value()[i]), Scores(one.value()), 1e-5f);
  }
  auto empty = c->ClassifyBatch(nullptr, 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_P(ClassifierOptionsTest, FixedBatchModelLoopsOverImages) {
  auto c = LoadJson(dir_, BaseManifest(TestModel("probe_4x4.onnx"), 4, 4, 48), GetParam());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c->batches_natively());
  auto a = SolidImage(3, 3, 1, 2, 3), b = SolidImage(3, 3, 4, 5, 6);
  ImageView views[] = {a.view(), b.view()};
  auto r = c->ClassifyBatch(views, 2);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_NEAR(r.value()[0].scores[0].score, 1, 1e-4);
  EXPECT_NEAR(r.value()[1].scores[0].score, 4, 1e-4);
}

TEST_P(ClassifierOptionsTest, BadViewInBatchFailsBeforeRunning) {
  auto c = LoadJson(dir_, BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3), GetParam());
  ASSERT_TRUE(c.ok());
  auto good = SolidImage(3, 3, 1, 2, 3);
  ImageView bad = good.view();
  bad.stride = 2;
  ImageView views[] = {good.view(), bad};
  auto r = c->ClassifyBatch(views, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("image 1"), std::string::npos) << r.status().message();
}

TEST_P(ClassifierOptionsTest, ConcurrentCallsGiveTheSameAnswers) {
  json m = BaseManifest(TestModel("small_cnn.onnx"), 32, 32, 5);
  auto c = LoadJson(dir_, m, GetParam(), /*threads=*/2);
  ASSERT_TRUE(c.ok()) << c.status().message();
  std::vector<testing::TestImage> images;
  std::vector<std::vector<float>> want;
  for (int i = 0; i < 8; ++i) {
    images.push_back(testing::PatternImage(40, 30, 100 + i));
    auto r = c->Classify(images.back().view());
    ASSERT_TRUE(r.ok());
    want.push_back(Scores(r.value()));
  }
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 10; ++round) {
        for (size_t i = 0; i < images.size(); ++i) {
          auto r = c->Classify(images[i].view());
          if (!r.ok() || Scores(r.value()) != want[i]) ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

INSTANTIATE_TEST_SUITE_P(Backends, ClassifierOptionsTest,
                         ::testing::ValuesIn(testing::BackendsUnderTest()),
                         [](const ::testing::TestParamInfo<BackendKind>& info) {
                           return std::string(testing::BackendLabel(info.param));
                         });

// [SECTION] both backends agree -----------------------------------------------------------

TEST(ClassifierAgreementTest, OnnxRuntimeAndOpenCvGiveTheSameScores) {
  std::string reason = testing::OrtUnavailableReason();
  if (!reason.empty()) {
    if (testing::AllowNoOrt()) GTEST_SKIP() << "ONNX Runtime NOT AVAILABLE: " << reason;
    FAIL() << "ONNX Runtime NOT AVAILABLE (" << reason
           << "); set VIGIL_ALLOW_NO_ORT=1 to accept an OpenCV-only run";
  }
  TempDir dir;
  json m = BaseManifest(TestModel("small_cnn.onnx"), 32, 32, 5);
  m["input"]["normalization"] = {{"type", "mean_std"}, {"mean", {0.485, 0.456, 0.406}},
                                 {"std", {0.229, 0.224, 0.225}}};
  auto ort = LoadJson(dir, m, BackendKind::kOnnxRuntime);
  auto cv = LoadJson(dir, m, BackendKind::kOpenCvDnn);
  ASSERT_TRUE(ort.ok()) << ort.status().message();
  ASSERT_TRUE(cv.ok()) << cv.status().message();
  float max_diff = 0;
  for (int i = 0; i < 20; ++i) {
    auto img = testing::PatternImage(17 + 13 * i, 90 - 3 * i, 1000 + i);
    auto a = ort->Classify(img.view());
    auto b = cv->Classify(img.view());
    ASSERT_TRUE(a.ok() && b.ok());
    auto sa = Scores(a.value()), sb = Scores(b.value());
    for (size_t k = 0; k < sa.size(); ++k) max_diff = std::max(max_diff, std::fabs(sa[k] - sb[k]));
    ExpectNear(sa, sb, 1e-4f);
  }
  RecordProperty("max_abs_diff", std::to_string(max_diff));
}

// [SECTION] models that must be refused ---------------------------------------------------

struct RefusedCase {
  const char* name;
  const char* model;
  int width, height, labels;
  const char* layout;
  Status::Code code;
  const char* expect;
};

class RefusedModelTest : public ::testing::TestWithParam<RefusedCase> {};

TEST_P(RefusedModelTest, IsRefusedWithAReason) {
  const RefusedCase& c = GetParam();
  TempDir dir;
  std::string model = std::string(c.model).rfind("/", 0) == 0 ? c.model : TestModel(c.model);
  json m = BaseManifest(model, c.width, c.height, c.labels);
  m["input"]["layout"] = c.layout;
  auto loaded = LoadJson(dir, m);
  ASSERT_FALSE(loaded.ok()) << c.name;
  EXPECT_EQ(loaded.status().code(), c.code) << loaded.status().message();
  EXPECT_NE(loaded.status().message().find(c.expect), std::string::npos)
      << c.name << ": " << loaded.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Models, RefusedModelTest,
    ::testing::Values(
        RefusedCase{"wrong_input_shape", "wrong_shape.onnx", 224, 224, 3, "NHWC",
                    Status::Code::kCorruption,
                    "input 'pixels' has shape [1,3,128,128], manifest says 224x224 NHWC"},
        RefusedCase{"wrong_layout", "mean_nchw.onnx", 8, 8, 3, "NHWC",
                    Status::Code::kCorruption, "expected [N,8,8,3]"},
        RefusedCase{"wrong_label_count", "mean_nchw.onnx", 8, 8, 5, "NCHW",
                    Status::Code::kCorruption, "manifest lists 5 labels"},
        RefusedCase{"truncated", "truncated.onnx", 32, 32, 5, "NCHW",
                    Status::Code::kCorruption, "truncated.onnx"},
        RefusedCase{"not_onnx", "not_onnx.onnx", 8, 8, 3, "NCHW", Status::Code::kCorruption,
                    "is not an ONNX model"},
        RefusedCase{"fails_checker", "bad_graph.onnx", 8, 8, 3, "NCHW",
                    Status::Code::kCorruption, "fails the ONNX checker"},
        RefusedCase{"newer_ir_than_checker", "ir10.onnx", 8, 8, 3, "NCHW",
                    Status::Code::kCorruption, "IR version 10 is newer than this ONNX checker"},
        RefusedCase{"two_inputs_unnamed", "two_inputs.onnx", 8, 8, 3, "NCHW",
                    Status::Code::kCorruption, "has 2 inputs ('image', 'aux')"},
        RefusedCase{"missing_file", "/nonexistent/vigil/model.onnx", 8, 8, 3, "NCHW",
                    Status::Code::kNotFound, "/nonexistent/vigil/model.onnx"}),
    [](const ::testing::TestParamInfo<RefusedCase>& info) { return info.param.name; });

TEST(RefusedModelTest, NamedInputOrOutputThatDoesNotExist) {
  TempDir dir;
  json m = BaseManifest(TestModel("two_inputs.onnx"), 8, 8, 3);
  m["input"]["name"] = "images";
  auto a = LoadJson(dir, m);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("manifest names input 'images' but the model's inputs "
                                      "are 'image', 'aux'"),
            std::string::npos)
      << a.status().message();
  json o = BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3);
  o["output"]["name"] = "probs";
  auto b = LoadJson(dir, o);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("output 'probs'"), std::string::npos);
}

TEST(RefusedModelTest, EmptyModelFile) {
  TempDir dir;
  std::string empty = dir.Write("empty.onnx", "");
  auto c = LoadJson(dir, BaseManifest(empty, 8, 8, 3));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("is not an ONNX model"), std::string::npos);
}

TEST(RefusedModelTest, EveryTruncationOfAValidModelIsRefused) {
  // Cut the small CNN at many lengths: each load must fail cleanly (never crash, never
  // hand back a classifier whose model differs from the manifest).
  std::ifstream in(TestModel("small_cnn.onnx"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 1000u);
  TempDir dir;
  json m = BaseManifest(dir.path() + "/cut.onnx", 32, 32, 5);
  int refused = 0;
  for (size_t len = 0; len < bytes.size(); len += 97) {
    dir.Write("cut.onnx", bytes.substr(0, len));
    auto c = LoadJson(dir, m, BackendKind::kOpenCvDnn);
    if (!c.ok()) ++refused;
  }
  EXPECT_EQ(refused, static_cast<int>((bytes.size() + 96) / 97));
}

TEST(ClassifierLoadTest, BadThreadCountIsInvalidArgument) {
  TempDir dir;
  auto c = LoadJson(dir, BaseManifest(TestModel("mean_nchw.onnx"), 8, 8, 3), BackendKind::kAuto,
                    -1);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::classifier
