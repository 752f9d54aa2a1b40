// convert_tfjs_to_onnx.py against an independent numpy implementation of the Keras layers
// (samples/models/make_converter_test.py): two small tfjs models using every supported
// layer kind, converted at build time, run here through each backend.
#include <fstream>
#include <ostream>
#include <iterator>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_util.h"
#include "vigil/classifier/classifier.h"

namespace vigil::classifier {
namespace {

struct Case {
  std::string name;
  BackendKind backend;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name << " on " << testing::BackendLabel(c.backend);
}

class ConverterTest : public ::testing::TestWithParam<Case> {};

TEST_P(ConverterTest, ConvertedModelMatchesKerasReference) {
  const std::string dir = std::string(VIGIL_CLASSIFIER_CONVERTER_CASES) + "/" + GetParam().name;
  std::ifstream expected_file(dir + "/expected.json");
  ASSERT_TRUE(expected_file) << dir << "/expected.json is missing: build the "
                             << "vigil_classifier_test_models target";
  nlohmann::json expected = nlohmann::json::parse(expected_file);
  std::ifstream rgb_file(dir + "/input.rgb", std::ios::binary);
  std::vector<uint8_t> rgb((std::istreambuf_iterator<char>(rgb_file)),
                           std::istreambuf_iterator<char>());
  const int w = expected.at("width"), h = expected.at("height");
  ASSERT_EQ(rgb.size(), static_cast<size_t>(w) * h * 3);

  ClassifierOptions options;
  options.backend = GetParam().backend;
  auto c = Classifier::Load(dir + "/manifest.json", options);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ImageView view{w, h, static_cast<size_t>(w) * 3, PixelFormat::kRgb8, rgb.data()};
  auto r = c->Classify(view);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& want = expected.at("scores");
  ASSERT_EQ(r->scores.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(r->scores[i].score, want[i].get<double>(), 1e-5) << "class " << i;
  }
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (const char* name : {"functional", "sequential", "functional_nchw"}) {
    for (BackendKind b : testing::BackendsUnderTest()) cases.push_back({name, b});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Models, ConverterTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name + "_" + testing::BackendLabel(info.param.backend);
                         });

}  // namespace
}  // namespace vigil::classifier
