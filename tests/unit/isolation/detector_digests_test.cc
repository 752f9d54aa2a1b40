// Issue 12, item 6 (last gap): the isolation runtime gives the scan key the SHA-256 of
// each plugin file and model file, hashed once per run: a first-party plugin's file, a
// shipped model's manifest and model, and a vendor model's digests as verified (what the
// detector loads, not what the file holds later).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "isolation/isolation_runtime.h"
#include "isolation/plugin_trust.h"
#include "loader/plugin_registry.h"
#include "scan/sha256.h"

namespace vigil::isolation {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string FileSha256(const fs::path& path) { return host::Sha256Hex(Slurp(path)); }

void Write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

class DetectorDigestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-digests-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    const fs::path exact = fs::path(VIGIL_PLUGIN_DIR) / "vigil-exact.so";
    ASSERT_TRUE(fs::exists(exact)) << "missing " << exact;
    fs::create_directories(dir_ / "lib" / "vigil" / "plugins");
    fs::copy_file(exact, Plugin());
    Write(dir_ / "lib" / "vigil" / "models" / "demo" / "manifest.json",
          R"({"schema": "vigil.classifier.manifest/1", "model": "model.onnx"})");
    Write(dir_ / "lib" / "vigil" / "models" / "demo" / "model.onnx", "shipped model bytes");
    ASSERT_TRUE(GenerateSigningKey(dir_ / "key").ok());
    ASSERT_TRUE(TrustStore::AddKey(dir_ / "trust", dir_ / "key" / "vigil-signing.pub", false).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Plugin() const { return dir_ / "lib" / "vigil" / "plugins" / "vigil-exact.so"; }
  fs::path Shipped() const { return dir_ / "lib" / "vigil" / "models" / "demo" / "manifest.json"; }

  // A runtime as the CLI makes one per run: this tree's plugins are first-party.
  std::shared_ptr<IsolationRuntime> Runtime() {
    HostConfig config;
    config.plugins_dir = fs::weakly_canonical(dir_ / "lib" / "vigil" / "plugins");
    config.models_dir = fs::weakly_canonical(dir_ / "lib" / "vigil" / "models");
    config.first_party = {"vigil-*.so"};
    config.trust_dir = dir_ / "trust";
    auto runtime = IsolationRuntime::Create(config, RuntimeFlags{});
    EXPECT_TRUE(runtime.ok()) << runtime.status().message();
    return runtime.ok() ? runtime.value() : nullptr;
  }

  // The digest of vigil.exact's plugin file, loaded through `runtime`.
  std::string ExactDigest(IsolationRuntime& runtime, host::PluginRegistry& registry) {
    registry.SetFileLoader(runtime.FileLoader());
    registry.Load(Plugin());
    const host::Detector* exact = registry.Find("vigil.exact");
    EXPECT_NE(exact, nullptr);
    if (exact == nullptr) return "";
    EXPECT_TRUE(exact->in_process());  // first-party: loaded from its file, not verified
    auto digest = runtime.PluginDigest(exact->plugin_path());
    EXPECT_TRUE(digest.ok()) << digest.status().message();
    return digest.ok() ? digest.value() : "";
  }

  fs::path dir_;
};

TEST_F(DetectorDigestsTest, AFirstPartyPluginFileIsHashedOncePerRun) {
  const std::string before = FileSha256(Plugin());
  auto runtime = Runtime();
  ASSERT_NE(runtime, nullptr);
  host::PluginRegistry registry;
  EXPECT_EQ(ExactDigest(*runtime, registry), before);

  // The same build rewritten in place (same id, same version): this run keeps the
  // digest it took, the next run sees the new bytes.
  std::ofstream(Plugin(), std::ios::binary | std::ios::app) << "rebuilt";
  const std::string after = FileSha256(Plugin());
  ASSERT_NE(after, before);
  auto same_run = runtime->PluginDigest(registry.Find("vigil.exact")->plugin_path());
  ASSERT_TRUE(same_run.ok());
  EXPECT_EQ(same_run.value(), before);
  auto next_run = Runtime();
  ASSERT_NE(next_run, nullptr);
  host::PluginRegistry next_registry;
  EXPECT_EQ(ExactDigest(*next_run, next_registry), after);

  // A plugin file that is gone cannot be vouched for: an error, not an empty digest.
  auto missing = next_run->PluginDigest(dir_ / "no-such-plugin.so");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("no-such-plugin.so"));
}

TEST_F(DetectorDigestsTest, AShippedModelsManifestAndModelAreHashed) {
  auto runtime = Runtime();
  ASSERT_NE(runtime, nullptr);
  ASSERT_TRUE(runtime->UseModel("vigil.classifier", Shipped()).ok());
  EXPECT_EQ(runtime->VerifiedModel("vigil.classifier"), fs::path());  // loaded as it is
  auto digests = runtime->ModelDigests("vigil.classifier");
  ASSERT_TRUE(digests.ok()) << digests.status().message();
  const std::map<std::string, std::string> expected = {
      {"manifest.json", FileSha256(Shipped())},
      {"model.onnx", FileSha256(Shipped().parent_path() / "model.onnx")}};
  EXPECT_EQ(digests.value(), expected);
  // A detector given no model has none.
  auto none = runtime->ModelDigests("vigil.exact");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none.value().empty());

  // The model replaced under the same manifest: a new run has a new digest.
  Write(Shipped().parent_path() / "model.onnx", "retrained model bytes");
  auto next_run = Runtime();
  ASSERT_TRUE(next_run->UseModel("vigil.classifier", Shipped()).ok());
  auto changed = next_run->ModelDigests("vigil.classifier");
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed.value().at("manifest.json"), expected.at("manifest.json"));
  EXPECT_NE(changed.value().at("model.onnx"), expected.at("model.onnx"));

  // A shipped manifest whose model is missing is an error naming the file.
  fs::remove(Shipped().parent_path() / "model.onnx");
  auto broken_run = Runtime();
  ASSERT_TRUE(broken_run->UseModel("vigil.classifier", Shipped()).ok());
  auto broken = broken_run->ModelDigests("vigil.classifier");
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.status().message(), HasSubstr("model.onnx"));
}

TEST_F(DetectorDigestsTest, AVendorModelsDigestsAreThoseItWasVerifiedWith) {
  const fs::path vendor = dir_ / "vendor" / "manifest.json";
  Write(vendor, R"({"schema": "vigil.classifier.manifest/1", "model": "model.onnx"})");
  Write(vendor.parent_path() / "model.onnx", "vendor model bytes");
  const fs::path key = dir_ / "key" / "vigil-signing.key";
  ASSERT_TRUE(SignModelFile(vendor, key).ok());
  ASSERT_TRUE(SignModelFile(vendor.parent_path() / "model.onnx", key).ok());
  const std::map<std::string, std::string> expected = {
      {"manifest.json", FileSha256(vendor)},
      {"model.onnx", FileSha256(vendor.parent_path() / "model.onnx")}};

  auto runtime = Runtime();
  ASSERT_NE(runtime, nullptr);
  ASSERT_TRUE(runtime->UseModel("vigil.classifier", vendor).ok());
  ASSERT_NE(runtime->VerifiedModel("vigil.classifier"), fs::path());
  // Changed after the check: the detector loads the verified copy, and the digest is
  // the copy's (taken while it was made, not read again).
  Write(vendor.parent_path() / "model.onnx", "swapped after the check");
  auto digests = runtime->ModelDigests("vigil.classifier");
  ASSERT_TRUE(digests.ok()) << digests.status().message();
  EXPECT_EQ(digests.value(), expected);

  // A refused model has no digests to give: the reason instead.
  auto next_run = Runtime();
  ASSERT_FALSE(next_run->UseModel("vigil.classifier", vendor).ok());
  auto refused = next_run->ModelDigests("vigil.classifier");
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("refused"));
}

}  // namespace
}  // namespace vigil::isolation
