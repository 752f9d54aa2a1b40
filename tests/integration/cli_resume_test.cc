// Issue 12, item 6 (last gap), through the command: `vigil scan` run again notices that a
// vendor replaced its model file or its plugin binary without a new detector version,
// and analyses the items again instead of quietly skipping them; the summary says how
// many and why, and the store records what the scan key covered. The same scan twice
// still skips.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using vigil::testing::RunResult;
using vigil::testing::Slurp;

class CliResumeTest : public vigil::testing::CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    // The build's plugins are first-party (as installed); the trust store is this test's.
    std::ofstream(dir_ / "host.toml") << "[plugins]\nfirst_party = [\"vigil-*.so\"]\n"
                                      << "[trust]\nkeys = \"trusted\"\n";
    ASSERT_EQ(Vigil("plugins keygen --out " + (dir_ / "key").string()).exit_code, 0);
    RunResult trusted = Vigil("plugins trust " + (dir_ / "key" / "vigil-signing.pub").string() +
                              " --trust-dir " + (dir_ / "trusted").string());
    ASSERT_EQ(trusted.exit_code, 0) << trusted.err;
    // Two benign images from the shared data, one of them twice.
    const fs::path images = testdata_ / "pdq" / "images-and-lists";
    fs::create_directories(dir_ / "items");
    for (const fs::path& image :
         {images / "bridge-mods" / "aaa-orig.jpg", images / "misc-images" / "small.jpg"}) {
      ASSERT_TRUE(fs::exists(image)) << "shared test data is missing: " << image;
      fs::copy_file(image, dir_ / "items" / image.filename());
    }
    // The same bytes twice in the tree: one item in the store, analysed (or skipped) twice.
    fs::copy_file(images / "misc-images" / "small.jpg", dir_ / "items" / "copy-of-small.jpg");
  }

  RunResult Vigil(const std::string& args) {
    return Run("env -u VIGIL_PLUGIN_PATH -u VIGIL_CLASSIFIER_MODEL VIGIL_HOST_CONFIG=" +
               (dir_ / "host.toml").string() + " " + CliFixture::Vigil() + " --store " + Store() +
               " " + args);
  }
  void Sign(const fs::path& file) {
    RunResult run = Vigil("plugins sign --key " + (dir_ / "key" / "vigil-signing.key").string() +
                          " " + file.string());
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  // The SHA-256 a signed file's manifest vouches for (computed by `plugins sign`).
  std::string SignedSha256(const fs::path& file) {
    nlohmann::json manifest = nlohmann::json::parse(Slurp(file.string() + ".manifest"));
    return manifest["sha256"].get<std::string>();
  }
  static nlohmann::json Summary(const std::string& err) {
    std::istringstream in(err);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("{\"summary\"", 0) == 0) return nlohmann::json::parse(line)["summary"];
    }
    ADD_FAILURE() << "no JSON summary on stderr:\n" << err;
    return nlohmann::json::object();
  }
  static std::vector<nlohmann::json> JsonLines(const std::string& text) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }
  // What the store recorded each item was scanned with, parsed.
  std::vector<nlohmann::json> ScannedWith() {
    RunResult run = Run("sqlite3 " + Store() + " 'SELECT scanned_with FROM item_scans'");
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return JsonLines(run.out);
  }
};

TEST_F(CliResumeTest, AVendorModelReplacedWithTheSameVersionIsScannedAgain) {
  const fs::path shipped =
      fs::path(VIGIL_BINARY_DIR) / "lib" / "vigil" / "models" / "nsfwjs-mobilenetv2";
  ASSERT_TRUE(fs::exists(shipped / "manifest.json"))
      << "the demo model is missing (scripts/prepare-models.sh): " << shipped;
  const fs::path model = dir_ / "acme-model";
  fs::create_directories(model);
  fs::copy_file(shipped / "manifest.json", model / "manifest.json");
  fs::copy_file(shipped / "model.onnx", model / "model.onnx");
  Sign(model / "manifest.json");
  Sign(model / "model.onnx");
  const std::string scan = "--set vigil.classifier.model=" + (model / "manifest.json").string() +
                           " scan " + (dir_ / "items").string();

  RunResult first = Vigil(scan);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.err, HasSubstr("scanned 3 items"));
  EXPECT_THAT(first.err, HasSubstr("0 already scanned, 0 rescanned"));
  // The same scan twice still skips.
  RunResult second = Vigil(scan);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("3 already scanned, 0 rescanned"));
  EXPECT_THAT(second.err, Not(HasSubstr("rescanned:")));

  // The vendor ships new model bytes under the same manifest and detector version (a
  // doc_string appended: ModelProto field 6, still a valid ONNX model), signed again.
  std::ofstream(model / "model.onnx", std::ios::binary | std::ios::app)
      << std::string("\x32\x0bretrained-2", 13);
  Sign(model / "model.onnx");
  RunResult retrained = Vigil(scan + " --json");
  ASSERT_EQ(retrained.exit_code, 0) << retrained.err;
  const std::vector<nlohmann::json> lines = JsonLines(retrained.out);
  ASSERT_EQ(lines.size(), 3u) << retrained.out;
  for (const auto& line : lines) {
    EXPECT_EQ(line["status"], "ok") << line.dump();  // analysed, not "already-scanned"
    int classifier_signals = 0;
    for (const auto& signal : line["signals"]) {
      classifier_signals += signal["detector"] == "vigil.classifier";
    }
    EXPECT_GE(classifier_signals, 5) << line.dump();  // the new model ran
  }
  nlohmann::json summary = Summary(retrained.err);
  EXPECT_EQ(summary["already_scanned"], 0) << retrained.err;
  EXPECT_EQ(summary["rescanned"], 3);
  EXPECT_EQ(summary["rescanned_because"],
            nlohmann::json({{"model changed (vigil.classifier)", 3}}));
  // The record says what the key covered, with the new model's digest, and why.
  const std::vector<nlohmann::json> records = ScannedWith();
  ASSERT_EQ(records.size(), 2u);
  for (const auto& with : records) {
    const nlohmann::json& classifier = with["detectors"]["vigil.classifier"];
    EXPECT_EQ(classifier["model"]["model.onnx"], SignedSha256(model / "model.onnx"));
    EXPECT_EQ(classifier["model"]["manifest.json"], SignedSha256(model / "manifest.json"));
    EXPECT_EQ(classifier["plugin"].get<std::string>().size(), 64u) << with.dump();
    EXPECT_EQ(with["rescanned"], "model changed (vigil.classifier)") << with.dump();
  }
  // `vigil queue show --item` explains it, as text and as JSON.
  RunResult id = Run("sqlite3 " + Store() + " 'SELECT min(id) FROM items'");
  ASSERT_EQ(id.exit_code, 0) << id.err;
  const std::string item = id.out.substr(0, id.out.find('\n'));
  RunResult shown = Vigil("queue show --item " + item);
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("(rescanned: model changed (vigil.classifier)) with:\n"));
  EXPECT_THAT(shown.out, HasSubstr("  vigil.classifier 1.0.0, plugin SHA-256 "));
  EXPECT_THAT(shown.out, HasSubstr(", model model.onnx SHA-256 " +
                                   SignedSha256(model / "model.onnx") + ".\n"));
  RunResult shown_json = Vigil("queue show --item " + item + " --json");
  ASSERT_EQ(shown_json.exit_code, 0) << shown_json.err;
  const nlohmann::json evidence = nlohmann::json::parse(shown_json.out);
  EXPECT_EQ(evidence["scanned_with"]["with"]["rescanned"], "model changed (vigil.classifier)");
  EXPECT_EQ(
      evidence["scanned_with"]["with"]["detectors"]["vigil.classifier"]["model"]["model.onnx"],
      SignedSha256(model / "model.onnx"));

  RunResult again = Vigil(scan);
  EXPECT_THAT(again.err, HasSubstr("3 already scanned, 0 rescanned"));

  // The manifest changed (a threshold), the model file and the version as they were.
  nlohmann::json manifest = nlohmann::json::parse(Slurp(model / "manifest.json"));
  for (auto& label : manifest["labels"]) {
    if (label["name"] == "Sexy") label["threshold"] = 0.5;
  }
  std::ofstream(model / "manifest.json", std::ios::trunc) << manifest.dump(2);
  Sign(model / "manifest.json");
  RunResult rethresholded = Vigil(scan);
  ASSERT_EQ(rethresholded.exit_code, 0) << rethresholded.err;
  EXPECT_THAT(rethresholded.err, HasSubstr("0 already scanned, 3 rescanned"));
  EXPECT_THAT(rethresholded.err, HasSubstr("vigil: 3 rescanned: model changed (vigil.classifier)"));
  EXPECT_THAT(Vigil(scan).err, HasSubstr("3 already scanned, 0 rescanned"));
}

TEST_F(CliResumeTest, AVendorPluginRebuiltWithTheSameVersionIsScannedAgain) {
  const fs::path sample = fs::path(VIGIL_PLUGIN_DIR) / "sample-entropy-c.so";
  ASSERT_TRUE(fs::exists(sample)) << "missing " << sample;
  const fs::path plugin = dir_ / "vendor" / "sample-entropy-c.so";
  fs::create_directories(plugin.parent_path());
  fs::copy_file(sample, plugin);
  Sign(plugin);
  const std::string scan =
      "--plugin-dir " + plugin.parent_path().string() + " scan " + (dir_ / "items").string();

  RunResult first = Vigil(scan);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.err, HasSubstr("0 already scanned, 0 rescanned"));
  RunResult second = Vigil(scan);
  EXPECT_THAT(second.err, HasSubstr("3 already scanned, 0 rescanned"));

  // Rebuilt: other bytes, the same detector id and version, signed again.
  std::ofstream(plugin, std::ios::binary | std::ios::app) << "rebuilt by the vendor";
  Sign(plugin);
  RunResult rebuilt = Vigil(scan);
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  EXPECT_THAT(rebuilt.err, HasSubstr("0 already scanned, 3 rescanned"));
  EXPECT_THAT(rebuilt.err, HasSubstr("vigil: 3 rescanned: plugin changed (sample.entropy)"));
  for (const auto& with : ScannedWith()) {
    EXPECT_EQ(with["detectors"]["sample.entropy"]["plugin"], SignedSha256(plugin)) << with.dump();
  }
  EXPECT_THAT(Vigil(scan).err, HasSubstr("3 already scanned, 0 rescanned"));

  // --rescan analyses everything and says so.
  RunResult forced = Vigil(scan + " --rescan");
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_THAT(forced.err, HasSubstr("0 already scanned, 3 rescanned"));
  EXPECT_THAT(forced.err, HasSubstr("vigil: 3 rescanned: --rescan"));
}

}  // namespace
