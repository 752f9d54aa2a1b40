// The host config: defaults, first-party matching, and malformed files refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "isolation/isolation_runtime.h"

namespace vigil::isolation {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

class HostConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("vigil-hostcfg-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "bin");
    fs::create_directories(root_ / "lib" / "vigil" / "plugins");
  }
  void TearDown() override { fs::remove_all(root_); }
  StatusOr<HostConfig> LoadText(const std::string& text) {
    const fs::path file = root_ / "lib" / "vigil" / "host.toml";
    std::ofstream(file) << text;
    return HostConfig::Load(file, root_ / "bin");
  }
  fs::path root_;
};

TEST_F(HostConfigTest, MissingFileGivesSafeDefaults) {
  auto config = HostConfig::Load(root_ / "nope.toml", root_ / "bin");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->first_party.empty());
  EXPECT_FALSE(config->developer_mode);
  EXPECT_EQ(config->quarantine.failures, 3);
}

TEST_F(HostConfigTest, FirstPartyOnlyBesideTheBinary) {
  auto config = LoadText(
      "[plugins]\nfirst_party = [\"vigil-*.so\"]\n[trust]\nkeys = \"keys\"\n"
      "[isolation]\nmax_deadline_ms = 500\nquarantine_failures = 5\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->trust_dir, root_ / "lib" / "vigil" / "keys");
  EXPECT_EQ(config->supervision.max_deadline.count(), 500);
  EXPECT_EQ(config->quarantine.failures, 5);
  auto runtime = IsolationRuntime::Create(config.value(), RuntimeFlags());
  ASSERT_TRUE(runtime.ok());
  const fs::path plugins = fs::weakly_canonical(root_ / "lib" / "vigil" / "plugins");
  EXPECT_TRUE(runtime.value()->IsFirstParty(plugins / "vigil-exact.so"));
  EXPECT_FALSE(runtime.value()->IsFirstParty(plugins / "acme-nudity.so"));
  // The same name elsewhere is a vendor's plugin, not ours.
  EXPECT_FALSE(runtime.value()->IsFirstParty(root_ / "vigil-exact.so"));
}

TEST_F(HostConfigTest, MalformedFilesAreRefused) {
  EXPECT_FALSE(LoadText("[plugins\nfirst_party = 1").ok());
  auto with_path = LoadText("[plugins]\nfirst_party = [\"../evil/vigil-x.so\"]\n");
  ASSERT_FALSE(with_path.ok());
  EXPECT_THAT(with_path.status().message(), HasSubstr("file names only"));
  EXPECT_FALSE(LoadText("[plugins]\nfirst_party = [1]\n").ok());
  EXPECT_FALSE(LoadText("[isolation]\nmax_deadline_ms = 0\n").ok());
  EXPECT_FALSE(LoadText("[isolation]\nquarantine_failures = -1\n").ok());
}

TEST_F(HostConfigTest, DeveloperModeFromTheConfigIsReported) {
  auto config = LoadText("[trust]\ndeveloper_mode = true\n");
  ASSERT_TRUE(config.ok());
  auto runtime = IsolationRuntime::Create(config.value(), RuntimeFlags());
  ASSERT_TRUE(runtime.ok());
  EXPECT_TRUE(runtime.value()->developer_mode());
}

}  // namespace
}  // namespace vigil::isolation
