// The plugin trust boundary (issue 18): what a worker can read (Landlock), what
// it keeps from loading into analysis (descriptors, threads), its capabilities,
// what it may say about itself (describe checks) and what it may print (the
// output relay).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "isolation/confine.h"
#include "isolation/describe_check.h"
#include "isolation/output_relay.h"
#include "isolation/plugin_trust.h"
#include "isolation/worker_analyzer.h"

namespace vigil::isolation {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

fs::path HostilePlugin(const std::string& name) {
  fs::path path = fs::path(VIGIL_TEST_PLUGIN_DIR) / "hostile" / ("hostile-" + name + ".so");
  EXPECT_TRUE(fs::exists(path)) << "missing " << path << ": build vigil_hostile_plugins";
  return path;
}

vigil_item_view_t Item(const std::string& bytes) {
  vigil_item_view_t view{};
  view.struct_size = sizeof(view);
  view.media_kind = VIGIL_MEDIA_BINARY;
  view.bytes = reinterpret_cast<const uint8_t*>(bytes.data());
  view.bytes_size = bytes.size();
  return view;
}

std::unique_ptr<WorkerAnalyzer> StartAnalyzer(const fs::path& plugin_path, const std::string& id,
                                              const vigil::v1::DetectorConfig& config = {}) {
  auto plugin = OpenVerifiedPlugin(plugin_path, TrustStore(), {false, true});
  EXPECT_TRUE(plugin.ok()) << plugin.status().message();
  if (!plugin.ok()) return nullptr;
  vigil::v1::DetectorInfo info;
  info.set_id(id);
  info.mutable_cost()->set_max_ms(5000);
  SupervisionOptions options;
  options.worker.worker_exe = VIGIL_WORKER_PATH;
  options.worker.limits.address_space_bytes = 1ull << 30;
  options.max_deadline = std::chrono::milliseconds(5000);
  options.max_workers = 1;
  auto book =
      std::make_shared<QuarantineBook>(fs::path(), QuarantineRule{100, std::chrono::seconds(600)});
  auto analyzer = WorkerAnalyzer::Create(
      std::make_shared<VerifiedPlugin>(std::move(plugin).value()), info, config, options, book);
  EXPECT_TRUE(analyzer.ok()) << analyzer.status().message();
  return analyzer.ok() ? std::move(analyzer).value() : nullptr;
}

// ---- the prober: nothing of the host's is readable, in any phase ----

class Prober : public ::testing::Test {
 protected:
  void SetUp() override {
    // Where the prober looks for the store when it cannot read our cmdline (it
    // knows the path, as an attacker may know the default store location).
    dir_ = fs::path("/tmp") / ("vigil-prober-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "lists");
    std::ofstream(dir_ / "store.db") << "SQLite format 3 evidence";
    std::ofstream(dir_ / "lists" / "list.txt") << "a list the detector may read";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // "PHASE TARGET" -> "RESULT" for every probe the prober reported.
  std::map<std::string, std::string> Probe() {
    vigil::v1::DetectorConfig config;
    config.set_data_dir((dir_ / "lists").string());
    auto analyzer = StartAnalyzer(HostilePlugin("prober"), "hostile.prober", config);
    std::map<std::string, std::string> results;
    if (analyzer == nullptr) return results;
    host::AnalyzeOutcome outcome = analyzer->Analyze(Item("item"));
    EXPECT_TRUE(outcome.status.ok()) << outcome.status.message();
    for (const auto& signal : outcome.result.signals()) {
      if (signal.type() != "probe") continue;
      const std::string& text = signal.value();
      const size_t first = text.find(' ');
      const size_t second = text.find(' ', first + 1);
      results[text.substr(0, second)] = text.substr(second + 1);
    }
    return results;
  }

  fs::path dir_;
};

TEST_F(Prober, NothingOfTheHostIsReadableInAnyPhase) {
  std::map<std::string, std::string> results = Probe();
  for (const char* phase : {"load", "create", "analyze"}) {
    for (const char* target :
         {"/etc/shadow", "/proc/parent/cmdline", "/proc/parent/environ", "/proc/parent/maps",
          "/proc/parent/mem", "/proc/1/environ", "store"}) {
      const std::string key = std::string(phase) + " " + target;
      ASSERT_TRUE(results.count(key)) << "no probe result for " << key;
      EXPECT_THAT(results[key], StartsWith("denied")) << key << " (as uid " << ::geteuid() << ")";
    }
  }
  // The store was found in create() (from the data folder), not merely unknown.
  EXPECT_THAT(results["create store"], Not(HasSubstr("path unknown")));
  // Descriptors opened while loading (one also moved onto fd 0) are of no use
  // during analysis, and a thread started while loading cannot open files
  // either.
  EXPECT_THAT(results["analyze kept-fd(load:/etc/ld.so.cache)"], StartsWith("denied"));
  EXPECT_THAT(results["analyze kept-fd(load:fd0=/etc/ld.so.cache)"], StartsWith("denied"));
  EXPECT_THAT(results["analyze-thread /etc/ld.so.cache"], StartsWith("denied"));
  for (const auto& [key, result] : results) {
    EXPECT_THAT(result, StartsWith("denied")) << key;
  }
}

// The worker still works: the detector's data folder and its own folder are
// readable in create() (the prober's list is in dir_/lists), and evidence is
// analysed.
TEST_F(Prober, DataFolderIsReadableAtCreate) {
  ASSERT_TRUE(fs::exists(dir_ / "lists" / "list.txt"));
  std::vector<fs::path> paths = {dir_ / "lists"};
  EXPECT_TRUE(WorkerMayRead(dir_ / "lists" / "list.txt", paths));
  EXPECT_FALSE(WorkerMayRead(dir_ / "store.db", paths));
  EXPECT_FALSE(WorkerMayRead(dir_ / "listsX" / "a", paths));
  EXPECT_TRUE(WorkerMayRead("/usr/lib/x86_64-linux-gnu/libc.so.6", {}));
  EXPECT_FALSE(WorkerMayRead("/etc/shadow", {}));
  EXPECT_FALSE(WorkerMayRead("/usr/lib/../../etc/shadow", {}));
}

// ---- capabilities and process state of a worker started by this (root)
// process ----

std::map<std::string, std::string> ProcStatus(pid_t pid) {
  std::map<std::string, std::string> fields;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    fields[line.substr(0, colon)] = value;
  }
  return fields;
}

TEST(WorkerConfinement, WorkerHasNoCapabilities) {
  auto analyzer = StartAnalyzer(HostilePlugin("segfault"), "hostile.segfault");
  ASSERT_NE(analyzer, nullptr);
  ASSERT_TRUE(analyzer->Analyze(Item("benign")).status.ok());
  const pid_t pid = analyzer->any_worker_pid();
  ASSERT_GT(pid, 0);
  auto status = ProcStatus(pid);
  for (const char* set : {"CapInh", "CapPrm", "CapEff", "CapAmb"}) {
    EXPECT_EQ(status[set], "0000000000000000") << set;
  }
  // Dropping the bounding set needs CAP_SETPCAP: a root host's workers have it
  // empty; an unprivileged worker has no capability it could regain (no execve)
  // anyway.
  if (::geteuid() == 0) {
    EXPECT_EQ(status["CapBnd"], "0000000000000000");
  }
  EXPECT_EQ(status["NoNewPrivs"], "1");
  EXPECT_EQ(status["Seccomp"], "2");
}

TEST(WorkerConfinement, LandlockIsDetectedAndCanBeSimulatedAbsent) {
  // This kernel has Landlock; the tests of the boundary rely on it.
  EXPECT_GE(LandlockAbi(), 1) << "no Landlock on this kernel: the boundary tests need it";
  ::setenv("VIGIL_TEST_NO_LANDLOCK", "1", 1);
  EXPECT_EQ(LandlockAbi(), 0);
  ::unsetenv("VIGIL_TEST_NO_LANDLOCK");
  EXPECT_THAT(NoLandlockWarning(), HasSubstr("Landlock"));
}

// ---- describe checks ----

vigil::v1::DetectorInfo GoodInfo() {
  vigil::v1::DetectorInfo info;
  info.set_id("acme.nudity-2");
  info.set_version("1.2.3-rc.1+build.7~x_y");
  info.set_vendor("ACME Détection GmbH");
  info.set_description("Flags things, one line");
  info.add_signal_types("pdq");
  info.add_labels("Sexy content");
  return info;
}

TEST(DescribeCheck, AcceptsOrdinaryText) {
  EXPECT_TRUE(CheckDetectorInfo(GoodInfo(), "acme.so").ok());
}

TEST(DescribeCheck, RefusesBadVersions) {
  for (const std::string& bad :
       {std::string(""), std::string(65, '1'), std::string("1.0\n"), std::string("1.0\x1b[2J"),
        std::string("1.0 beta"), std::string("1/0"), std::string("1.0\xc3\xa9")}) {
    vigil::v1::DetectorInfo info = GoodInfo();
    info.set_version(bad);
    Status s = CheckDetectorInfo(info, "acme.so");
    EXPECT_FALSE(s.ok()) << TerminalText(bad);
    EXPECT_THAT(s.message(), HasSubstr("version"));
    EXPECT_EQ(s.message().find('\x1b'), std::string::npos) << "the refusal itself is escaped";
    EXPECT_EQ(s.message().find('\n'), std::string::npos);
  }
  vigil::v1::DetectorInfo info = GoodInfo();
  info.set_version(std::string(64, '7'));
  EXPECT_TRUE(CheckDetectorInfo(info, "acme.so").ok()) << "64 bytes is the limit, not over it";
}

TEST(DescribeCheck, RefusesBadIdsAndText) {
  for (const std::string& bad :
       {std::string(""), std::string(65, 'a'), std::string(".hidden"), std::string("a b"),
        std::string("evil\x1b[31m"), std::string("a/b")}) {
    EXPECT_FALSE(DetectorIdProblem(bad).empty()) << TerminalText(bad);
  }
  vigil::v1::DetectorInfo info = GoodInfo();
  info.set_description("fine\x1b[2K\rscanned 0 items");
  EXPECT_FALSE(CheckDetectorInfo(info, "acme.so").ok());
  info = GoodInfo();
  info.set_vendor("ACME \xe2\x80\xae");  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_FALSE(CheckDetectorInfo(info, "acme.so").ok());
  info = GoodInfo();
  info.set_description(std::string(513, 'd'));
  EXPECT_FALSE(CheckDetectorInfo(info, "acme.so").ok());
  info = GoodInfo();
  info.add_labels("bad\nlabel");
  EXPECT_FALSE(CheckDetectorInfo(info, "acme.so").ok());
  info = GoodInfo();
  info.add_signal_types("no spaces");
  EXPECT_FALSE(CheckDetectorInfo(info, "acme.so").ok());
}

TEST(DescribeCheck, SigningRefusesAHostileVersionBeforeReadingTheKey) {
  const fs::path dir = fs::temp_directory_path() / ("vigil-sign-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "p.so") << "bytes";
  // No key file at all: the refusal must come first, from the version.
  Status s = SignPlugin(dir / "p.so", dir / "missing.key", "1.0", {{"acme.x", "1\n\x1b[2J"}});
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("version"));
  EXPECT_FALSE(fs::exists(dir / "p.so.manifest"));
  fs::remove_all(dir);
}

// ---- what a plugin prints ----

TEST(RelayEscaping, EscapesControlsAndInvalidUtf8) {
  EXPECT_EQ(TerminalText("plain text, 100%"), "plain text, 100%");
  EXPECT_EQ(TerminalText("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93");
  EXPECT_EQ(TerminalText("a\nb\tc\rd"), "a\\x0ab\\x09c\\x0dd");
  EXPECT_EQ(TerminalText("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(TerminalText(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(TerminalText("\x7f"), "\\x7f");
  EXPECT_EQ(TerminalText("back\\slash"), "back\\\\slash");
  EXPECT_EQ(TerminalText("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(TerminalText("\xc3("), "\\xc3(");         // truncated sequence
  EXPECT_EQ(TerminalText("\xc0\xaf"), "\\xc0\\xaf");  // overlong '/'
  EXPECT_EQ(TerminalText("\xed\xa0\x80"),
            "\\xed\\xa0\\x80");                                     // a surrogate
  EXPECT_EQ(TerminalText("\xc2\x9b"), "\\xc2\\x9b");           // C1 CSI
  EXPECT_EQ(TerminalText("\xe2\x80\xae"), "\\xe2\\x80\\xae");  // RLO
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Relay(const std::string& input) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  std::FILE* out = std::tmpfile();
  {
    OutputRelay relay{UniqueFd(fds[0]), "acme\x1b.so", out};
    for (size_t at = 0; at < input.size();) {
      ssize_t n = ::write(fds[1], input.data() + at, std::min<size_t>(input.size() - at, 65536));
      if (n <= 0) break;
      at += static_cast<size_t>(n);
    }
    ::close(fds[1]);
  }
  std::rewind(out);
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), out)) > 0) text.append(buffer, n);
  std::fclose(out);
  return text;
}

TEST(OutputRelay, PrefixesEscapesAndCaps) {
  std::string text = Relay(
      "vigil: scanned 2 items with 1 detectors on 1 threads: 0 failed, 0 "
      "detections\n"
      "\x1b[2K\x1b[1Aall clear\n" +
      std::string(3000, 'L') + "\nlast line without newline");
  std::vector<std::string> lines = Lines(text);
  ASSERT_EQ(lines.size(), 4u) << text;
  const std::string prefix = "vigil: plugin acme\\x1b.so: ";
  for (const std::string& line : lines) EXPECT_THAT(line, StartsWith(prefix));
  EXPECT_EQ(lines[0], prefix +
                          "vigil: scanned 2 items with 1 detectors on 1 threads: 0 failed, "
                          "0 detections");
  EXPECT_EQ(lines[1], prefix + "\\x1b[2K\\x1b[1Aall clear");
  EXPECT_EQ(lines[2],
            prefix + std::string(OutputRelay::kMaxLineBytes, 'L') + " [line cut at 1024 bytes]");
  EXPECT_EQ(lines[3], prefix + "last line without newline");
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

TEST(OutputRelay, SuppressesPastTheByteCapAndKeepsDraining) {
  std::string flood;
  for (int i = 0; i < 40000; ++i) flood += "spam line " + std::to_string(i) + "\n";
  ASSERT_GT(flood.size(), 4 * OutputRelay::kMaxTotalBytes);
  std::string text = Relay(flood);  // returns only once the relay read everything
  std::vector<std::string> lines = Lines(text);
  ASSERT_FALSE(lines.empty());
  EXPECT_THAT(lines.back(), HasSubstr("further output suppressed"));
  // Prefixes count: at most one line (cut at 1024 bytes, escaped) over the cap.
  EXPECT_LT(text.size(), OutputRelay::kMaxTotalBytes + 8 * OutputRelay::kMaxLineBytes);
  EXPECT_THAT(text, Not(HasSubstr("spam line 39999")));
  int suppressed = 0;
  for (const std::string& line : lines) suppressed += line.find("suppressed") != std::string::npos;
  EXPECT_EQ(suppressed, 1);
}

TEST(OutputRelay, AWorkersOutputGoesThroughTheRelay) {
  ::testing::internal::CaptureStderr();
  {
    auto analyzer = StartAnalyzer(HostilePlugin("chatty"), "hostile.chatty");
    ASSERT_NE(analyzer, nullptr);
    EXPECT_TRUE(analyzer->Analyze(Item("attack")).status.ok());
    EXPECT_TRUE(analyzer->Analyze(Item("flood")).status.ok());
  }  // the worker is stopped: everything it printed has been relayed
  const std::string err = ::testing::internal::GetCapturedStderr();
  std::vector<std::string> lines = Lines(err);
  int fake = 0, suppressed = 0;
  for (const std::string& line : lines) {
    EXPECT_THAT(line, StartsWith("vigil: plugin hostile-chatty.so: ")) << line;
    fake += line.find("vigil: scanned 2 items") != std::string::npos;
    suppressed += line.find("further output suppressed") != std::string::npos;
  }
  EXPECT_EQ(fake, 2) << err;  // once from stdout, once from stderr: both prefixed
  EXPECT_EQ(suppressed, 1) << err;
  EXPECT_EQ(err.find('\x1b'), std::string::npos);
  EXPECT_EQ(err.find('\xff'), std::string::npos);
  EXPECT_THAT(err, HasSubstr("\\x1b[2K\\x1b[1A\\x1b[31mall clear\\x1b[0m"));
  EXPECT_THAT(err, HasSubstr("bad utf-8: \\xff\\xfe\\xc3( end"));
}

}  // namespace
}  // namespace vigil::isolation
