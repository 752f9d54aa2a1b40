// The host config an install ships (packaging/host.toml, issue 12 item 8): it makes the
// five first-party plugins beside the installed binary first-party and nothing else, uses
// the per-user trust store, and the ONNX Runtime folder workers may read is found beside
// the binary, wherever the tree is installed (no build-tree path).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "isolation/isolation_runtime.h"

namespace vigil::isolation {
namespace {
namespace fs = std::filesystem;

class InstalledHostConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // An installed tree somewhere the build never was: <root>/usr/{bin,lib/vigil}.
    root_ = fs::temp_directory_path() / ("vigil-installed-cfg-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    prefix_ = root_ / "usr";
    fs::create_directories(prefix_ / "bin");
    fs::create_directories(prefix_ / "lib" / "vigil" / "plugins");
    fs::create_directories(prefix_ / "lib" / "vigil" / "onnxruntime");
    ASSERT_TRUE(fs::is_regular_file(VIGIL_PACKAGED_HOST_CONFIG)) << VIGIL_PACKAGED_HOST_CONFIG;
    fs::copy_file(VIGIL_PACKAGED_HOST_CONFIG, prefix_ / "lib" / "vigil" / "host.toml");
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_, prefix_;
};

TEST_F(InstalledHostConfigTest, TrustsExactlyTheFiveFirstPartyPluginsBesideTheBinary) {
  const fs::path bin = prefix_ / "bin";
  auto config = HostConfig::Load(HostConfig::DefaultFile(bin), bin);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->first_party,
            (std::set<std::string>{"vigil-classifier.so", "vigil-exact.so", "vigil-pdq.so",
                                   "vigil-url.so", "vigil-vpdq.so"}));  // vpdq: issue 16
  EXPECT_FALSE(config->developer_mode);
  // No [trust] keys: the same per-user store as with no host config at all.
  auto defaults = HostConfig::Load(root_ / "no-such-host.toml", bin);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(config->trust_dir, defaults->trust_dir);

  auto runtime = IsolationRuntime::Create(config.value(), RuntimeFlags());
  ASSERT_TRUE(runtime.ok()) << runtime.status().message();
  const fs::path plugins = fs::weakly_canonical(prefix_ / "lib" / "vigil" / "plugins");
  for (const char* name :
       {"vigil-exact.so", "vigil-pdq.so", "vigil-url.so", "vigil-classifier.so"}) {
    EXPECT_TRUE(runtime.value()->IsFirstParty(plugins / name)) << name;
  }
  // A sample or any other file there is not first-party, nor ours elsewhere.
  EXPECT_FALSE(runtime.value()->IsFirstParty(plugins / "sample-entropy-c.so"));
  EXPECT_FALSE(runtime.value()->IsFirstParty(plugins / "vigil-extra.so"));
  EXPECT_FALSE(runtime.value()->IsFirstParty(root_ / "vigil-exact.so"));
}

TEST_F(InstalledHostConfigTest, OnnxRuntimeFolderIsFoundBesideTheInstalledBinary) {
  const fs::path bin = prefix_ / "bin";
  auto config = HostConfig::Load(HostConfig::DefaultFile(bin), bin);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->onnxruntime_dir,
            fs::weakly_canonical(prefix_ / "lib" / "vigil" / "onnxruntime"));
  // Moving the tree moves the folder with it.
  fs::rename(prefix_, root_ / "moved");
  auto moved =
      HostConfig::Load(HostConfig::DefaultFile(root_ / "moved" / "bin"), root_ / "moved" / "bin");
  ASSERT_TRUE(moved.ok()) << moved.status().message();
  EXPECT_EQ(moved->onnxruntime_dir,
            fs::weakly_canonical(root_ / "moved" / "lib" / "vigil" / "onnxruntime"));
}

}  // namespace
}  // namespace vigil::isolation
