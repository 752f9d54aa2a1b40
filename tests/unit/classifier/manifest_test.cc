// Manifest parsing: every field, its defaults and every way it can be wrong.
#include "vigil/classifier/manifest.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace vigil::classifier {
namespace {

using nlohmann::json;
using testing::BaseManifest;
using testing::TempDir;

StatusOr<ModelManifest> Parse(const json& j) { return ParseManifest(j.dump(), "/models/acme"); }

TEST(ManifestTest, ParsesEveryField) {
  json j = {
      {"schema", "vigil.classifier.manifest/1"},
      {"id", "acme-v1"},
      {"description", "ADULT-CONTENT test"},
      {"model", "model.onnx"},
      {"input",
       {{"name", "x"}, {"width", 224}, {"height", 160}, {"layout", "NHWC"},
        {"color_order", "BGR"},
        {"normalization", {{"type", "scale_offset"}, {"scale", {1, 2, 3}}, {"offset", -1}}},
        {"resize", {{"mode", "letterbox"}, {"interpolation", "nearest"},
                    {"fill", {114, 115, 116}}}}}},
      {"output", {{"name", "y"}, {"kind", "logits"}}},
      {"labels", json::array({
          json{{"name", "a"}, {"threshold", 0.5}, {"severity", "high"}, {"priority", 900}},
          json{{"name", "b"}, {"threshold", nullptr}},
          "c"})}};
  auto m = Parse(j);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->id, "acme-v1");
  EXPECT_EQ(m->model_path, "/models/acme/model.onnx");
  EXPECT_EQ(m->input_name, "x");
  EXPECT_EQ(m->output_name, "y");
  EXPECT_EQ(m->width, 224);
  EXPECT_EQ(m->height, 160);
  EXPECT_EQ(m->layout, TensorLayout::kNhwc);
  EXPECT_EQ(m->color_order, ColorOrder::kBgr);
  EXPECT_EQ(m->scale, (std::array<float, 3>{1, 2, 3}));
  EXPECT_EQ(m->offset, (std::array<float, 3>{-1, -1, -1}));
  EXPECT_EQ(m->resize, ResizeMode::kLetterbox);
  EXPECT_EQ(m->interpolation, Interpolation::kNearest);
  EXPECT_EQ(m->fill, (std::array<float, 3>{114, 115, 116}));
  EXPECT_EQ(m->output_kind, OutputKind::kLogits);
  ASSERT_EQ(m->labels.size(), 3u);
  EXPECT_EQ(m->labels[0].name, "a");
  ASSERT_TRUE(m->labels[0].threshold.has_value());
  EXPECT_FLOAT_EQ(*m->labels[0].threshold, 0.5f);
  EXPECT_EQ(m->labels[0].severity, Severity::kHigh);
  EXPECT_EQ(m->labels[0].priority, 900);
  EXPECT_FALSE(m->labels[1].threshold.has_value());
  EXPECT_EQ(m->labels[2].name, "c");
  EXPECT_FALSE(m->labels[2].threshold.has_value());
  EXPECT_EQ(m->labels[2].severity, Severity::kNone);
}

TEST(ManifestTest, DefaultsAreDocumentedOnes) {
  auto m = Parse(BaseManifest("m.onnx", 8, 8, 2));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->layout, TensorLayout::kNchw);
  EXPECT_EQ(m->color_order, ColorOrder::kRgb);
  EXPECT_EQ(m->scale, (std::array<float, 3>{1, 1, 1}));
  EXPECT_EQ(m->offset, (std::array<float, 3>{0, 0, 0}));
  EXPECT_EQ(m->resize, ResizeMode::kStretch);
  EXPECT_EQ(m->interpolation, Interpolation::kBilinear);
  EXPECT_EQ(m->output_kind, OutputKind::kProbabilities);
  EXPECT_TRUE(m->input_name.empty());
}

TEST(ManifestTest, MeanStdFoldsIntoScaleAndOffset) {
  json j = BaseManifest("m.onnx", 8, 8, 2);
  j["input"]["normalization"] = {{"type", "mean_std"},
                                 {"mean", {0.485, 0.456, 0.406}},
                                 {"std", {0.229, 0.224, 0.225}}};
  auto m = Parse(j);
  ASSERT_TRUE(m.ok()) << m.status().message();
  // (pixel / 255 - mean) / std at pixel 0 and 255.
  const double mean[3] = {0.485, 0.456, 0.406}, std_dev[3] = {0.229, 0.224, 0.225};
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(m->offset[c], -mean[c] / std_dev[c], 1e-5);
    EXPECT_NEAR(255 * m->scale[c] + m->offset[c], (1 - mean[c]) / std_dev[c], 1e-5);
  }
}

TEST(ManifestTest, AbsoluteModelPathIsKept) {
  auto m = Parse(BaseManifest("/opt/models/m.onnx", 8, 8, 1));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->model_path, "/opt/models/m.onnx");
}

struct BadCase {
  const char* name;
  const char* pointer;  // JSON pointer to change ("" = replace the whole document)
  json value;
  const char* expect;   // substring of the message
};

class BadManifestTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadManifestTest, IsRefusedNamingTheField) {
  const BadCase& c = GetParam();
  json j = BaseManifest("m.onnx", 8, 8, 2);
  if (std::string(c.pointer).empty()) {
    j = c.value;
  } else if (c.value.is_discarded()) {
    j.erase(json::json_pointer(c.pointer).back());  // top-level removal only
  } else {
    j[json::json_pointer(c.pointer)] = c.value;
  }
  auto m = Parse(j);
  ASSERT_FALSE(m.ok()) << c.name;
  EXPECT_EQ(m.status().code(), Status::Code::kCorruption);
  EXPECT_NE(m.status().message().find(c.expect), std::string::npos)
      << c.name << ": " << m.status().message();
}

const json kRemove = json(json::value_t::discarded);

INSTANTIATE_TEST_SUITE_P(
    Fields, BadManifestTest,
    ::testing::Values(
        BadCase{"not_object", "", json::array({1, 2}), "must be a JSON object"},
        BadCase{"no_schema", "/schema", kRemove, "'schema'"},
        BadCase{"wrong_schema", "/schema", "vigil.classifier.manifest/2", "'schema'"},
        BadCase{"no_model", "/model", kRemove, "'model'"},
        BadCase{"empty_model", "/model", "", "'model'"},
        BadCase{"id_not_string", "/id", 3, "'id'"},
        BadCase{"no_input", "/input", kRemove, "'input'"},
        BadCase{"zero_width", "/input/width", 0, "'input.width'"},
        BadCase{"huge_height", "/input/height", 100000, "'input.height'"},
        BadCase{"float_width", "/input/width", 8.5, "'input.width'"},
        BadCase{"bad_layout", "/input/layout", "CHW", "'input.layout'"},
        BadCase{"bad_colour", "/input/color_order", "RGBA", "'input.color_order'"},
        BadCase{"norm_no_type", "/input/normalization", json{{"scale", 1}},
                "'input.normalization.type'"},
        BadCase{"norm_bad_type", "/input/normalization", json{{"type", "zscore"}},
                "'input.normalization.type'"},
        BadCase{"mean_std_missing_std", "/input/normalization",
                json{{"type", "mean_std"}, {"mean", 0.5}}, "needs 'mean' and 'std'"},
        BadCase{"zero_std", "/input/normalization",
                json{{"type", "mean_std"}, {"mean", 0.5}, {"std", {1, 0, 1}}},
                "'input.normalization.std'"},
        BadCase{"scale_two_values", "/input/normalization",
                json{{"type", "scale_offset"}, {"scale", {1, 2}}},
                "'input.normalization.scale'"},
        BadCase{"scale_overflow", "/input/normalization",
                json{{"type", "scale_offset"}, {"scale", 1e300}},
                "'input.normalization.scale'"},
        BadCase{"bad_resize_mode", "/input/resize", json{{"mode", "crop"}},
                "'input.resize.mode'"},
        BadCase{"bad_interpolation", "/input/resize", json{{"interpolation", "bicubic"}},
                "'input.resize.interpolation'"},
        BadCase{"fill_out_of_range", "/input/resize", json{{"fill", 300}},
                "'input.resize.fill'"},
        BadCase{"bad_output_kind", "/output/kind", "scores", "'output.kind'"},
        BadCase{"no_labels", "/labels", kRemove, "'labels'"},
        BadCase{"empty_labels", "/labels", json::array(), "'labels'"},
        BadCase{"duplicate_label", "/labels", json::array({"a", "a"}), "duplicates label 'a'"},
        BadCase{"empty_label", "/labels", json::array({""}), "'labels[0].name'"},
        BadCase{"label_number", "/labels", json::array({7}), "'labels[0]'"},
        BadCase{"threshold_string", "/labels", json::array({json{{"name", "a"},
                                                                 {"threshold", "0.5"}}}),
                "'labels[0].threshold'"},
        BadCase{"bad_severity", "/labels", json::array({json{{"name", "a"},
                                                             {"severity", "severe"}}}),
                "'labels[0].severity'"},
        BadCase{"negative_priority", "/labels", json::array({json{{"name", "a"},
                                                                  {"priority", -1}}}),
                "'labels[0].priority'"},
        BadCase{"priority_too_big", "/labels", json::array({json{{"name", "a"},
                                                                 {"priority", 1001}}}),
                "'labels[0].priority'"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(ManifestTest, NotJsonIsRefused) {
  for (const char* text : {"", "{", "schema = 1", "{\"schema\": }", "\xff\xfe{}"}) {
    auto m = ParseManifest(text, "/");
    ASSERT_FALSE(m.ok()) << text;
    EXPECT_EQ(m.status().code(), Status::Code::kCorruption);
  }
}

TEST(ManifestTest, OversizedManifestIsRefused) {
  std::string big = "{\"pad\": \"" + std::string(2 << 20, 'x') + "\"}";
  auto m = ParseManifest(big, "/");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("1 MiB"), std::string::npos);
}

TEST(ManifestTest, LoadResolvesModelNextToManifest) {
  TempDir dir;
  std::string path = dir.Write("manifest.json", BaseManifest("model.onnx", 8, 8, 1).dump());
  auto m = LoadManifest(path);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->model_path, dir.path() + "/model.onnx");
}

TEST(ManifestTest, LoadOfMissingFileIsNotFound) {
  auto m = LoadManifest("/nonexistent/vigil/manifest.json");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Status::Code::kNotFound);
  EXPECT_NE(m.status().message().find("/nonexistent/vigil/manifest.json"), std::string::npos);
}

TEST(ManifestTest, LoadErrorNamesTheFile) {
  TempDir dir;
  std::string path = dir.Write("manifest.json", "{\"schema\": \"nope\"}");
  auto m = LoadManifest(path);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find(path), std::string::npos) << m.status().message();
}

}  // namespace
}  // namespace vigil::classifier
