// The `vigil` command end to end: keygen, trust, sign, a signed vendor plugin running
// in a worker, revocation, and developer mode being announced.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class VigilCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigil-cli-iso-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "plugins");
    fs::create_directories(dir_ / "items");
    const fs::path hostile = fs::path(VIGIL_TEST_PLUGIN_DIR) / "hostile" / "hostile-segfault.so";
    ASSERT_TRUE(fs::exists(hostile)) << "missing " << hostile;
    plugin_ = dir_ / "plugins" / "vendor.so";
    fs::copy_file(hostile, plugin_);
    std::ofstream(dir_ / "host.toml") << "[trust]\nkeys = \"trusted\"\n";
    std::ofstream(dir_ / "items" / "a-attack.bin") << "attack";
    std::ofstream(dir_ / "items" / "b-benign.bin") << "benign";
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliRun Vigil(const std::string& args) {
    const fs::path vigil = fs::path(VIGIL_BINARY_DIR) / "bin" / "vigil";
    const std::string err_file = (dir_ / "stderr.txt").string();
    const std::string command =
        "env -u VIGIL_PLUGIN_PATH VIGIL_HOST_CONFIG=" + (dir_ / "host.toml").string() + " " +
        vigil.string() + " " + args + " 2>" + err_file;
    CliRun run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) run.out.append(buffer, n);
    int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(err_file);
    std::stringstream text;
    text << in.rdbuf();
    run.err = text.str();
    return run;
  }

  // The entry for our plugin in `plugins list --json`, or its error.
  nlohmann::json Listed(const std::string& flags = "") {
    CliRun run = Vigil(flags + " --plugin-dir " + plugin_.string() + " plugins list --json");
    EXPECT_EQ(run.exit_code, 0) << run.err;
    nlohmann::json json = nlohmann::json::parse(run.out, nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << run.out;
    if (json.is_discarded()) return {};
    for (const auto& p : json["plugins"]) {
      if (p["path"] == plugin_.string()) return p;
    }
    for (const auto& e : json["errors"]) {
      if (e["path"] == plugin_.string()) return {{"error", e["error"]}};
    }
    return {};
  }

  fs::path dir_;
  fs::path plugin_;
};

TEST_F(VigilCli, SignTrustScanRevoke) {
  // Unsigned: refused, with the way out in the message.
  nlohmann::json unsigned_entry = Listed();
  ASSERT_TRUE(unsigned_entry.contains("error")) << unsigned_entry.dump();
  EXPECT_THAT(unsigned_entry["error"].get<std::string>(), HasSubstr("unsigned"));

  ASSERT_EQ(Vigil("plugins keygen --out " + (dir_ / "key").string()).exit_code, 0);
  CliRun trusted = Vigil("plugins trust " + (dir_ / "key" / "vigil-signing.pub").string() +
                         " --trust-dir " + (dir_ / "trusted").string());
  ASSERT_EQ(trusted.exit_code, 0) << trusted.err;
  CliRun signed_run = Vigil("plugins sign --key " + (dir_ / "key" / "vigil-signing.key").string() +
                            " " + plugin_.string());
  ASSERT_EQ(signed_run.exit_code, 0) << signed_run.err;
  std::ifstream manifest(plugin_.string() + ".manifest");
  std::stringstream manifest_text;
  manifest_text << manifest.rdbuf();
  EXPECT_THAT(manifest_text.str(), HasSubstr("hostile.segfault"));

  nlohmann::json entry = Listed();
  ASSERT_FALSE(entry.contains("error")) << entry.dump();
  EXPECT_EQ(entry["isolation"], "worker");
  EXPECT_THAT(entry["trust"].get<std::string>(), HasSubstr("signed by"));
  EXPECT_EQ(entry["quarantined"], "no");
  EXPECT_EQ(entry["detectors"][0]["id"], "hostile.segfault");

  // The attack item fails for this detector; the scan goes on and the next item is ok.
  // Nothing is first-party here, so the shipped policy (which names vigil.pdq,
  // vigil.exact and vigil.classifier) would refuse to scan: use one that names none.
  std::ofstream(dir_ / "policy.toml") << "[[rules]]\nname = \"any\"\noutcome = \"review\"\n";
  CliRun scan =
      Vigil("--plugin-dir " + plugin_.string() + " --store " + (dir_ / "store.db").string() +
            " scan " + (dir_ / "items").string() + " --json --policy " +
            (dir_ / "policy.toml").string());
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  std::istringstream lines(scan.out);
  int seen = 0;
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json item = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(item.is_discarded()) << line;
    const std::string name = fs::path(item["item"].get<std::string>()).filename().string();
    if (name == "a-attack.bin") {
      EXPECT_EQ(item["status"], "failed");
      EXPECT_THAT(item["detector_errors"]["hostile.segfault"].get<std::string>(),
                  HasSubstr("SIGSEGV"));
      ++seen;
    } else if (name == "b-benign.bin") {
      EXPECT_EQ(item["status"], "ok") << line;
      ++seen;
    }
  }
  EXPECT_EQ(seen, 2) << scan.out;

  // Revoking the key stops the plugin from loading.
  ASSERT_EQ(Vigil("plugins trust --revoke " + (dir_ / "key" / "vigil-signing.pub").string() +
                  " --trust-dir " + (dir_ / "trusted").string())
                .exit_code,
            0);
  nlohmann::json revoked = Listed();
  ASSERT_TRUE(revoked.contains("error")) << revoked.dump();
  EXPECT_THAT(revoked["error"].get<std::string>(), HasSubstr("revoked"));
}

TEST_F(VigilCli, DeveloperModeIsAnnounced) {
  CliRun run = Vigil("--developer-mode --plugin-dir " + plugin_.string() + " plugins list --json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("DEVELOPER MODE"));
  nlohmann::json json = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded());
  EXPECT_EQ(json["developer_mode"], true);
  nlohmann::json entry = Listed("--developer-mode");
  ASSERT_FALSE(entry.contains("error")) << entry.dump();
  EXPECT_THAT(entry["trust"].get<std::string>(), HasSubstr("developer mode"));
}

TEST_F(VigilCli, SigningAMissingOrBrokenPluginFails) {
  ASSERT_EQ(Vigil("plugins keygen --out " + (dir_ / "key").string()).exit_code, 0);
  const std::string key = (dir_ / "key" / "vigil-signing.key").string();
  EXPECT_NE(Vigil("plugins sign --key " + key + " " + (dir_ / "nope.so").string()).exit_code, 0);
  std::ofstream(dir_ / "garbage.so") << "not an ELF file";
  CliRun garbage = Vigil("plugins sign --key " + key + " " + (dir_ / "garbage.so").string());
  EXPECT_NE(garbage.exit_code, 0);
  EXPECT_FALSE(fs::exists(dir_ / "garbage.so.manifest"));
  // A second keygen into the same folder must not destroy the key.
  EXPECT_NE(Vigil("plugins keygen --out " + (dir_ / "key").string()).exit_code, 0);
}

}  // namespace
