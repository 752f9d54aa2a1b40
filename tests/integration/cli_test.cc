// The `vigil` and `vigil-plugin-check` commands as a user runs them.
#include <gtest/gtest.h>
#include <gmock/gmock.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using vigil::testing::RunResult;

class CliTest : public vigil::testing::CliFixture {};

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST_F(CliTest, PluginsListShowsFirstPartyAndSamplePlugins) {
  RunResult r = Run(Vigil() + " plugins list --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = nlohmann::json::parse(r.out);
  std::set<std::string> ids;
  for (const auto& plugin : json["plugins"]) {
    // The negotiated minor: 1.0 for plugins that need nothing newer, 1.1 (vigil.frames/1)
    // for those that speak the newest both sides know.
    EXPECT_TRUE(plugin["abi"] == "1.0" || plugin["abi"] == "1.1") << plugin["abi"];
    for (const auto& d : plugin["detectors"]) ids.insert(d["id"]);
  }
  EXPECT_TRUE(ids.count("vigil.exact"));
  EXPECT_TRUE(ids.count("sample.entropy"));
  EXPECT_TRUE(ids.count("sample.magic"));
  EXPECT_TRUE(json["errors"].empty()) << json["errors"].dump();

  RunResult text = Run(Vigil() + " plugins list");
  EXPECT_THAT(text.out, HasSubstr("vigil.exact"));
}

// Every file's md5/sha1/sha256 signals equal what coreutils computes.
TEST_F(CliTest, ScanDigestsMatchCoreutils) {
  const fs::path pdq = testdata_ / "pdq";
  RunResult r = Run(Vigil() + " --store " + Store() + " scan " + pdq.string() + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = JsonLines(r.out);
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(pdq)) files += entry.is_regular_file();
  ASSERT_EQ(lines.size(), files);

  std::map<std::string, std::map<std::string, std::string>> expected;  // tool -> path -> hex
  for (const char* tool : {"md5sum", "sha1sum", "sha256sum"}) {
    RunResult sums = Run("find " + pdq.string() + " -type f -print0 | xargs -0 " + tool);
    ASSERT_EQ(sums.exit_code, 0) << sums.err;
    std::istringstream in(sums.out);
    std::string hex, path;
    // coreutils prints "<hex>  <path>" (" *<path>" in binary mode)
    while (in >> hex && std::getline(in, path)) {
      // vigil prints real paths (issue 12): compare with find's paths made real.
      expected[tool][fs::weakly_canonical(path.substr(path.find_first_not_of(" *"))).string()] =
          hex;
    }
  }
  for (const auto& line : lines) {
    ASSERT_EQ(line["status"], "ok") << line.dump();
    std::map<std::string, std::string> got;
    for (const auto& s : line["signals"]) got[s["type"]] = s["value"];
    const std::string path = line["item"];
    EXPECT_EQ(got["md5"], expected["md5sum"][path]) << path;
    EXPECT_EQ(got["sha1"], expected["sha1sum"][path]) << path;
    EXPECT_EQ(got["sha256"], expected["sha256sum"][path]) << path;
  }
}

TEST_F(CliTest, RescanDoesNotDuplicateItems) {
  const std::string target = (testdata_ / "pdq" / "synthetic").string();
  ASSERT_EQ(Run(Vigil() + " --store " + Store() + " scan " + target).exit_code, 0);
  ASSERT_EQ(Run(Vigil() + " --store " + Store() + " scan " + target).exit_code, 0);
  RunResult count = Run("sqlite3 " + Store() + " 'SELECT count(*) FROM items'");
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(target)) files += entry.is_regular_file();
  EXPECT_EQ(std::stoul(count.out), files);
}

TEST_F(CliTest, MissingPathIsAFailedItemAndTheScanGoesOn) {
  std::ofstream(dir_ / "ok.txt") << "hello";
  RunResult r = Run(Vigil() + " --store " + Store() + " scan " + (dir_ / "nope.jpg").string() +
                    " " + (dir_ / "ok.txt").string() + " --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto lines = JsonLines(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["status"], "failed");
  EXPECT_THAT(lines[0]["error"].get<std::string>(), HasSubstr("no such file"));
  EXPECT_EQ(lines[1]["status"], "ok");
}

TEST_F(CliTest, ErrorsAreOneLineWithNonZeroExit) {
  RunResult bad_store = Run(Vigil() + " --store /proc/nope/store.db scan " + dir_.string());
  EXPECT_NE(bad_store.exit_code, 0);
  EXPECT_THAT(bad_store.err, HasSubstr("vigil: cannot"));
  EXPECT_EQ(std::count(bad_store.err.begin(), bad_store.err.end(), '\n'), 1) << bad_store.err;

  RunResult unknown = Run(Vigil() + " frobnicate");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_FALSE(unknown.err.empty());
}

TEST_F(CliTest, PluginCheckPassesGoodAndFailsBrokenPlugins) {
  const std::string check = std::string(VIGIL_BINARY_DIR) + "/bin/vigil-plugin-check ";
  RunResult good = Run(check + VIGIL_PLUGIN_DIR + "/vigil-exact.so");
  EXPECT_EQ(good.exit_code, 0) << good.out;
  EXPECT_THAT(good.out, HasSubstr("OK: 8 checks, 0 failed"));
  RunResult broken = Run(Vigil() + " plugins check " + VIGIL_TEST_PLUGIN_DIR + "/test-garbage.so");
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_THAT(broken.out, HasSubstr("FAIL  test.ok: survives"));
  EXPECT_THAT(broken.out, HasSubstr("not a vigil.v1.AnalysisResult"));
}

}  // namespace
