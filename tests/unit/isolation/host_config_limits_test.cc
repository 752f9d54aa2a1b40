// The host config refuses what it would otherwise misread (issue 18, item 8): a zero,
// negative or absurd limit (memory_mb = 0 turned the worker's address-space limit off),
// a number of the wrong type (silently replaced by the default), and unknown sections
// and keys (a misspelt limit fell back to the default), naming the key and the file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "isolation/isolation_runtime.h"

namespace vigil::isolation {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

class HostConfigLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("vigil-hostcfg-limits-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "bin");
    fs::create_directories(root_ / "lib" / "vigil" / "plugins");
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path File() const { return root_ / "lib" / "vigil" / "host.toml"; }
  StatusOr<HostConfig> LoadText(const std::string& text) {
    std::ofstream(File()) << text;
    return HostConfig::Load(File(), root_ / "bin");
  }
  fs::path root_;
};

TEST_F(HostConfigLimitsTest, EveryNumericKeyRefusesZeroNegativeAndAbsurdValues) {
  struct Key {
    const char* name;
    const char* range;   // as the message states it
    const char* absurd;  // just past the top
  } keys[] = {
      {"max_deadline_ms", "from 1 to 3600000", "3600001"},
      {"default_deadline_ms", "from 1 to 3600000", "3600001"},
      {"workers_per_detector", "from 1 to 64", "65"},
      {"memory_mb", "from 64 to 1048576", "1048577"},
      {"cpu_seconds", "from 1 to 2592000", "2592001"},
      {"quarantine_failures", "from 1 to 1000", "1001"},
      {"quarantine_minutes", "from 1 to 10080", "10081"},
  };
  for (const Key& key : keys) {
    for (const std::string& value :
         {std::string("0"), std::string("-1"), std::string("-9223372036854775808"),
          std::string(key.absurd), std::string("9223372036854775807"), std::string("1.5"),
          std::string("\"100\""), std::string("true"), std::string("nan")}) {
      auto config = LoadText("[isolation]\n" + std::string(key.name) + " = " + value + "\n");
      ASSERT_FALSE(config.ok()) << key.name << " = " << value << " was accepted";
      const std::string& message = config.status().message();
      EXPECT_THAT(message, HasSubstr(File().string() + ":2:")) << message;
      EXPECT_THAT(message, HasSubstr("'isolation." + std::string(key.name) + "'")) << message;
      EXPECT_THAT(message, HasSubstr(key.range)) << message;
    }
  }
}

TEST_F(HostConfigLimitsTest, MemoryLimitCannotBeTurnedOff) {
  auto zero = LoadText("[isolation]\nmemory_mb = 0\n");
  ASSERT_FALSE(zero.ok());
  EXPECT_THAT(zero.status().message(), HasSubstr("'isolation.memory_mb' must be a whole number "
                                                 "from 64 to 1048576"));
  // 2^44 MiB would shift past 64 bits into 0, which also means "no limit".
  EXPECT_FALSE(LoadText("[isolation]\nmemory_mb = 17592186044416\n").ok());
}

TEST_F(HostConfigLimitsTest, ValuesInRangeAreUsed) {
  auto config = LoadText(
      "[isolation]\nmax_deadline_ms = 3600000\ndefault_deadline_ms = 1\n"
      "workers_per_detector = 64\nmemory_mb = 64\ncpu_seconds = 1\nquarantine_failures = 1\n"
      "quarantine_minutes = 10080\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->supervision.max_deadline.count(), 3600000);
  EXPECT_EQ(config->supervision.default_deadline.count(), 1);
  EXPECT_EQ(config->supervision.max_workers, 64);
  EXPECT_EQ(config->supervision.worker.limits.address_space_bytes, uint64_t{64} << 20);
  EXPECT_EQ(config->supervision.worker.limits.cpu_seconds, 1u);
  EXPECT_EQ(config->quarantine.failures, 1);
  EXPECT_EQ(config->quarantine.window, std::chrono::minutes(10080));
}

TEST_F(HostConfigLimitsTest, UnknownSectionsAndKeysAreRefusedByName) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"[isolation]\nmemory_limit_mb = 512\n", "unknown key 'isolation.memory_limit_mb'"},
      {"[trust]\nkey = \"k\"\n", "unknown key 'trust.key'"},
      {"[plugins]\nfirstparty = [\"vigil-*.so\"]\n", "unknown key 'plugins.firstparty'"},
      {"[isolaton]\nmemory_mb = 512\n", "unknown section [isolaton]"},
      {"memory_mb = 512\n", "unknown section [memory_mb]"},
      {"isolation = 3\n", "'isolation' must be a [section]"},
      {"[trust]\ndeveloper_mode = \"no\"\n", "'trust.developer_mode' must be true or false"},
      {"[trust]\nkeys = 7\n", "'trust.keys' must be a path"},
      {"[plugins]\nfirst_party = \"vigil-*.so\"\n", "'plugins.first_party' must be a list"},
  };
  for (const auto& c : cases) {
    auto config = LoadText(c.text);
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_THAT(config.status().message(), HasSubstr(c.message)) << c.text;
    EXPECT_THAT(config.status().message(), HasSubstr(File().string())) << c.text;
  }
}

TEST_F(HostConfigLimitsTest, TheDocumentedExampleLoads) {
  // The example in docs/isolation.md, key for key.
  auto config = LoadText(
      "[plugins]\nfirst_party = [\"vigil-*.so\"]\n"
      "[trust]\nkeys = \"../../etc/vigil/trusted-keys\"\ndeveloper_mode = false\n"
      "[isolation]\nmax_deadline_ms = 60000\ndefault_deadline_ms = 10000\n"
      "workers_per_detector = 2\nmemory_mb = 4096\ncpu_seconds = 3600\n"
      "quarantine_failures = 3\nquarantine_minutes = 10\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->supervision.worker.limits.address_space_bytes, uint64_t{4096} << 20);
}

}  // namespace
}  // namespace vigil::isolation
