// The trust boundary through the `vigil` command (issue 18): signing never
// hands the key to the plugin being signed, a hostile version is refused, a
// plugin's output cannot pass for vigil's, and a prober finds nothing of the
// host's in any phase, with and without Landlock (then the non-dumpable host
// and the dropped capabilities still keep its memory and environment out of
// reach), as root and as an unprivileged user.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "integration/cli_runner.h"

namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using vigil::testing::CliFixture;
using vigil::testing::RunResult;
using vigil::testing::Slurp;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Unhex(const std::string& hex) {
  std::string raw;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return raw;
}

class Boundary : public CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    fs::create_directories(dir_ / "plugins");
    fs::create_directories(dir_ / "items");
    fs::create_directories(dir_ / "store");
    std::ofstream(dir_ / "host.toml") << "[trust]\nkeys = \"trusted\"\n";
    // Nothing is first-party here, so the shipped policy (which needs vigil.pdq,
    // vigil.exact and vigil.classifier) would refuse to scan; every finding is reviewed.
    std::ofstream(dir_ / "policy.toml") << "[[rules]]\nname = \"any\"\noutcome = \"review\"\n";
  }
  std::string Policy() const { return " --policy " + (dir_ / "policy.toml").string(); }
  // A hostile plugin copied into dir_/plugins (its own folder, which its worker may read).
  fs::path Plugin(const std::string& name) {
    const fs::path built =
        fs::path(VIGIL_TEST_PLUGIN_DIR) / "hostile" / ("hostile-" + name + ".so");
    EXPECT_TRUE(fs::exists(built)) << "missing " << built << ": build vigil_hostile_plugins";
    const fs::path copy = dir_ / "plugins" / ("hostile-" + name + ".so");
    fs::copy_file(built, copy, fs::copy_options::overwrite_existing);
    return copy;
  }
  // The same, signed by a key this test's trust store trusts: it runs in a worker as a
  // vendor's plugin would (no developer mode, which would also load the build tree's
  // unsigned plugins).
  fs::path SignedPlugin(const std::string& name) {
    const fs::path plugin = Plugin(name);
    const fs::path keys = dir_ / "signing";
    if (!fs::exists(keys / "vigil-signing.key")) {
      EXPECT_EQ(VigilRun("plugins keygen --out " + keys.string()).exit_code, 0);
      EXPECT_EQ(VigilRun("plugins trust " + (keys / "vigil-signing.pub").string() +
                         " --trust-dir " + (dir_ / "trusted").string())
                    .exit_code,
                0);
    }
    RunResult sign = VigilRun("plugins sign --key " + (keys / "vigil-signing.key").string() + " " +
                              plugin.string());
    EXPECT_EQ(sign.exit_code, 0) << sign.err;
    return plugin;
  }
  RunResult VigilRun(const std::string& args, const std::string& env = "") {
    return Run("env -u VIGIL_PLUGIN_PATH VIGIL_HOST_CONFIG=" + (dir_ / "host.toml").string() + " " +
               env + " " + Vigil() + " " + args);
  }
  // "PHASE TARGET" -> "RESULT" from the prober's "probe: ..." lines on stderr.
  static std::map<std::string, std::string> Probes(const std::string& err) {
    std::map<std::string, std::string> results;
    for (const std::string& line : Lines(err)) {
      const size_t at = line.find("probe: ");
      if (at == std::string::npos) continue;
      const std::string text = line.substr(at + 7);
      const size_t first = text.find(' ');
      const size_t second = text.find(' ', first + 1);
      results[text.substr(0, second)] = text.substr(second + 1);
    }
    return results;
  }
  RunResult ScanWithProber(const std::string& env = "", const std::string& prefix = "") {
    const fs::path plugin = SignedPlugin("prober");
    std::ofstream(dir_ / "items" / "one.bin") << "one item";
    std::ofstream(dir_ / "store" / "store.db") << "SQLite format 3 evidence";
    return Run(
        prefix + "env -u VIGIL_PLUGIN_PATH VIGIL_HOST_CONFIG=" + (dir_ / "host.toml").string() +
        " " + env + " " + Vigil() + " --plugin-dir " + plugin.string() + " --store " +
        (dir_ / "store" / "store.db").string() + " scan --no-store " + (dir_ / "items").string() + Policy());
  }
};

TEST_F(Boundary, SigningNeverHandsTheKeyToThePlugin) {
  const fs::path plugin = Plugin("key-thief");
  ASSERT_EQ(VigilRun("plugins keygen --out " + (dir_ / "key").string()).exit_code, 0);
  const fs::path key = dir_ / "key" / "vigil-signing.key";
  std::string hex = Slurp(key);
  hex.erase(hex.find_last_not_of("\r\n") + 1);
  ASSERT_EQ(hex.size(), 128u);
  const std::string raw = Unhex(hex);

  RunResult sign = VigilRun("plugins sign --key " + key.string() + " " + plugin.string());
  ASSERT_EQ(sign.exit_code, 0) << sign.err;
  const std::string manifest = Slurp(plugin.string() + ".manifest");
  const std::string signature = Slurp(plugin.string() + ".sig");
  ASSERT_THAT(manifest, HasSubstr("thief.a"));
  // The thief ran and found nothing (it says so in its versions).
  EXPECT_THAT(manifest, HasSubstr("0.0.1-nokey")) << manifest;
  for (const auto& [what, text] : std::map<std::string, std::string>{{"manifest", manifest},
                                                                     {"sig", signature},
                                                                     {"stdout", sign.out},
                                                                     {"stderr", sign.err}}) {
    EXPECT_EQ(text.find(hex), std::string::npos) << "the key (hex) is in the " << what;
    EXPECT_EQ(text.find(raw), std::string::npos) << "the key (raw) is in the " << what;
    // Nor any chunk of its secret half (the thief splits the key over three
    // versions; libsodium's secret key is seed + public key, and the public key
    // is the signer).
    EXPECT_EQ(text.find(raw.substr(0, 32)), std::string::npos) << "the seed is in the " << what;
    for (size_t at = 0; at + 16 <= 64; at += 16) {
      EXPECT_EQ(text.find(hex.substr(at, 16)), std::string::npos)
          << "part of the key is in the " << what;
    }
  }
}

TEST_F(Boundary, SigningRefusesAKeyThePluginCouldRead) {
  const fs::path plugin = Plugin("key-thief");
  ASSERT_EQ(VigilRun("plugins keygen --out " + (dir_ / "plugins" / "keys").string()).exit_code, 0);
  RunResult sign =
      VigilRun("plugins sign --key " + (dir_ / "plugins" / "keys" / "vigil-signing.key").string() +
               " " + plugin.string());
  EXPECT_NE(sign.exit_code, 0);
  EXPECT_THAT(sign.err, HasSubstr("keep the key elsewhere"));
  EXPECT_FALSE(fs::exists(plugin.string() + ".manifest"));
}

TEST_F(Boundary, AHostileVersionIsRefusedWhenSigningAndLoading) {
  const fs::path plugin = Plugin("bad-version");
  ASSERT_EQ(VigilRun("plugins keygen --out " + (dir_ / "key").string()).exit_code, 0);
  RunResult sign = VigilRun("plugins sign --key " + (dir_ / "key" / "vigil-signing.key").string() +
                            " " + plugin.string());
  EXPECT_NE(sign.exit_code, 0);
  EXPECT_THAT(sign.err, HasSubstr("version of detector hostile.bad-version"));
  EXPECT_EQ(sign.err.find('\x1b'), std::string::npos) << sign.err;
  EXPECT_FALSE(fs::exists(plugin.string() + ".manifest"));
  RunResult list =
      VigilRun("--developer-mode --plugin-dir " + plugin.string() + " plugins list --json");
  EXPECT_THAT(list.out, Not(HasSubstr("\"id\":\"hostile.bad-version\"")));
  EXPECT_THAT(list.out + list.err, HasSubstr("is refused"));
  EXPECT_EQ((list.out + list.err).find('\x1b'), std::string::npos);
}

TEST_F(Boundary, APluginCannotForgeVigilsOutput) {
  const fs::path plugin = SignedPlugin("chatty");
  std::ofstream(dir_ / "items" / "a.bin") << "attack";
  std::ofstream(dir_ / "items" / "b.bin") << "flood";
  RunResult scan = VigilRun("--plugin-dir " + plugin.string() + " --store " + Store() + " scan " +
                            (dir_ / "items").string() + Policy());
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  int summaries = 0, suppressed = 0;
  for (const std::string& line : Lines(scan.err)) {
    if (line.rfind("vigil: scanned", 0) == 0) ++summaries;
    if (line.find("further output suppressed") != std::string::npos) ++suppressed;
    if (line.find("hostile-chatty.so") != std::string::npos) {
      EXPECT_THAT(line, StartsWith("vigil: plugin hostile-chatty.so: ")) << line;
    }
  }
  EXPECT_EQ(summaries, 1) << "only vigil's own summary may start a line:\n" << scan.err;
  EXPECT_EQ(suppressed, 1) << scan.err;
  EXPECT_THAT(scan.err, HasSubstr("vigil: plugin hostile-chatty.so: vigil: scanned 2 items"));
  EXPECT_EQ(scan.err.find('\x1b'), std::string::npos);
  EXPECT_EQ(scan.err.find('\xff'), std::string::npos);
  EXPECT_EQ(scan.out.find("all clear"), std::string::npos) << "nothing reaches stdout";
  EXPECT_LT(scan.err.size(), 200000u);
}

const char* const kTargets[] = {"/etc/shadow",
                                "/proc/parent/cmdline",
                                "/proc/parent/environ",
                                "/proc/parent/maps",
                                "/proc/parent/mem",
                                "/proc/1/environ",
                                "store"};

TEST_F(Boundary, AProberFindsNothingAsRoot) {
  RunResult scan = ScanWithProber();
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  auto probes = Probes(scan.err);
  for (const char* phase : {"load", "create", "analyze"}) {
    for (const char* target : kTargets) {
      const std::string key = std::string(phase) + " " + target;
      ASSERT_TRUE(probes.count(key)) << key << " missing in\n" << scan.err;
      EXPECT_THAT(probes[key], StartsWith("denied")) << key << " as uid " << ::geteuid();
    }
  }
  for (const auto& [key, result] : probes) EXPECT_THAT(result, StartsWith("denied")) << key;
  EXPECT_THAT(scan.err, Not(HasSubstr("Landlock")));
}

TEST_F(Boundary, WithoutLandlockTheHostsMemoryIsStillOutOfReach) {
  RunResult scan = ScanWithProber("VIGIL_TEST_NO_LANDLOCK=1");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  // One warning line, naming what is missing, whatever the number of workers.
  int warnings = 0;
  for (const std::string& line : Lines(scan.err)) {
    if (line.find("no Landlock") != std::string::npos) {
      ++warnings;
      EXPECT_THAT(line, StartsWith("vigil: warning: "));
    }
  }
  EXPECT_EQ(warnings, 1) << scan.err;
  auto probes = Probes(scan.err);
  // Not dumpable + no capabilities: the host's memory, environment and maps.
  for (const char* phase : {"load", "create", "analyze"}) {
    for (const char* target : {"/proc/parent/environ", "/proc/parent/maps", "/proc/parent/mem"}) {
      const std::string key = std::string(phase) + " " + target;
      ASSERT_TRUE(probes.count(key)) << key << " missing in\n" << scan.err;
      EXPECT_THAT(probes[key], StartsWith("denied")) << key;
    }
  }
  // Analysis still opens nothing, and keeps nothing from loading.
  for (const auto& [key, result] : probes) {
    if (key.rfind("analyze", 0) == 0) {
      EXPECT_THAT(result, StartsWith("denied")) << key;
    }
  }
}

TEST_F(Boundary, AProberFindsNothingAsAnUnprivilegedUser) {
  if (::geteuid() != 0) {
    // Already unprivileged: this is the same run as AProberFindsNothingAsRoot.
    RunResult scan = ScanWithProber();
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
    for (const auto& [key, result] : Probes(scan.err)) {
      EXPECT_THAT(result, StartsWith("denied")) << key;
    }
    return;
  }
  // As nobody (65534): the test's folder must be theirs.
  fs::permissions(dir_, fs::perms::all);
  ASSERT_EQ(::system(("chown -R 65534:65534 " + dir_.string()).c_str()), 0);
  RunResult scan = ScanWithProber("HOME=" + dir_.string(),
                                  "setpriv --reuid=65534 --regid=65534 --clear-groups ");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  auto probes = Probes(scan.err);
  ASSERT_TRUE(probes.count("load store")) << scan.err;
  for (const auto& [key, result] : probes) EXPECT_THAT(result, StartsWith("denied")) << key;
  // The store is the user's own file: only the sandbox keeps it out of reach.
  EXPECT_THAT(probes["load store"], StartsWith("denied"));
}

}  // namespace
