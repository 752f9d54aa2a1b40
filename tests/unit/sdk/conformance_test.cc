// The conformance kit passes well-formed plugins and fails each broken one on the right
// check, with a reason a vendor can act on.
#include "conformance.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "test_paths.h"

namespace vigil::testkit {
namespace {

using ::testing::HasSubstr;
using vigil::testing::FirstPartyPlugin;
using vigil::testing::TestPlugin;

ConformanceOptions FastOptions() {
  ConformanceOptions options;
  options.oversized_bytes = 4u << 20;  // the tool uses 32 MiB; 4 MiB proves the same here
  return options;
}

// The first failed check, or nullptr.
const CheckResult* FirstFailure(const std::vector<CheckResult>& results) {
  for (const auto& r : results) {
    if (!r.passed) return &r;
  }
  return nullptr;
}

std::string Describe(const std::vector<CheckResult>& results) {
  std::string text;
  for (const auto& r : results) {
    text += (r.passed ? "PASS " : "FAIL ") + r.name + ": " + r.detail + "\n";
  }
  return text;
}

TEST(ConformanceTest, BatchExtensionIsCheckedWhenOffered) {
  auto results = RunConformance(FirstPartyPlugin("vigil-url.so"), FastOptions());
  bool checked = false;
  for (const auto& r : results) {
    if (r.name.find("vigil.batch/1 matches single calls") != std::string::npos) {
      checked = true;
      EXPECT_TRUE(r.passed) << r.detail;
    }
  }
  EXPECT_TRUE(checked) << "vigil.url offers vigil.batch/1, so the kit must compare it\n"
                       << Describe(results);
}

TEST(ConformanceTest, WellFormedPluginsPassEveryCheck) {
  for (auto path : {FirstPartyPlugin("vigil-exact.so"), FirstPartyPlugin("vigil-pdq.so"),
                    FirstPartyPlugin("vigil-url.so"), FirstPartyPlugin("sample-entropy-c.so"),
                    FirstPartyPlugin("sample-magic-cpp.so"), FirstPartyPlugin("vigil-vpdq.so"),
                    TestPlugin("ok")}) {
    auto results = RunConformance(path, FastOptions());
    EXPECT_EQ(FirstFailure(results), nullptr) << path << "\n" << Describe(results);
    EXPECT_GE(results.size(), 8u) << path;
  }
}

// vigil.frames/1 (issue 16 item 1): the kit lends drawn videos to a detector that offers
// the extension; a good one passes, a refused frame request and a crash on a frame fail
// with the reason (tests/plugins/frames_plugin.c).
TEST(ConformanceTest, FramesStageChecksDetectorsThatTakeFrames) {
  auto results = RunConformance(TestPlugin("frames"), FastOptions());
  std::map<std::string, const CheckResult*> by_name;
  for (const auto& r : results) by_name[r.name] = &r;
  auto check = [&](const std::string& name) -> const CheckResult* {
    auto it = by_name.find(name);
    EXPECT_NE(it, by_name.end()) << name << "\n" << Describe(results);
    return it == by_name.end() ? nullptr : it->second;
  };
  const std::string videos = ": vigil.frames/1 videos (begin, frames, end)";
  for (const char* id :
       {"test.frames", "test.frames-every", "test.frames-half", "test.frames-fail"}) {
    const CheckResult* r = check(id + videos);
    if (r) {
      EXPECT_TRUE(r->passed) << id << ": " << r->detail;
    }
  }
  const CheckResult* badreq = check("test.frames-badreq: vigil.frames/1 frame request is usable");
  if (badreq) {
    EXPECT_FALSE(badreq->passed);
    EXPECT_THAT(badreq->detail, HasSubstr("frames per second"));
  }
  const CheckResult* crash = check("test.frames-crash" + videos);
  if (crash) {
    EXPECT_FALSE(crash->passed);
    EXPECT_THAT(crash->detail, HasSubstr("crashed"));
    EXPECT_THAT(crash->detail, HasSubstr("10 s 64x48 video"));
  }
}

// Under ASan the crash becomes a sanitizer report, then an abort or an exit status.
#if defined(__SANITIZE_ADDRESS__)
constexpr const char* kCrashReason = "crashed";  // a signal or an exit status, per ASAN_OPTIONS
#else
constexpr const char* kCrashReason = "crashed with signal 11";
#endif

struct BrokenCase {
  const char* plugin;
  const char* failing_check;  // substring of the first failed check's name
  const char* reason;         // substring of its detail
};

class BrokenPluginTest : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenPluginTest, FailsTheRightCheckWithAReason) {
  const BrokenCase& c = GetParam();
  auto results = RunConformance(TestPlugin(c.plugin), FastOptions());
  const CheckResult* failure = FirstFailure(results);
  ASSERT_NE(failure, nullptr) << c.plugin << " passed every check\n" << Describe(results);
  EXPECT_THAT(failure->name, HasSubstr(c.failing_check)) << Describe(results);
  EXPECT_THAT(failure->detail, HasSubstr(c.reason)) << Describe(results);
}

INSTANTIATE_TEST_SUITE_P(
    All, BrokenPluginTest,
    ::testing::Values(
        BrokenCase{"no-entry", "exports only vigil_entry_v1", "vigil_entry_v1 is not exported"},
        BrokenCase{"extra-export", "exports only vigil_entry_v1",
                   "also exports: test_helper_symbol"},
        BrokenCase{"major2-symbol", "exports", "not exported"},
        BrokenCase{"major2-field", "loads", "declares Vigil ABI 2.0"},
        BrokenCase{"needs-minor99", "loads", "needs ABI 1.99"},
        BrokenCase{"null-table", "loads", "get_detector() returned NULL"},
        BrokenCase{"small-struct", "loads", "struct_size 8"},
        BrokenCase{"accepts-bad-config", "refuses a malformed config", "accepted bytes"},
        BrokenCase{"garbage", "survives", "not a vigil.v1.AnalysisResult"},
        BrokenCase{"overflow", "survives", "tried to write more than"},
        BrokenCase{"no-reason", "survives", "gave no reason"},
        BrokenCase{"crash", "survives", kCrashReason},
        BrokenCase{"throws-raw", "survives", "threw a C++ exception"},
        BrokenCase{"nondeterministic", "deterministic", "differs on"}),
    [](const ::testing::TestParamInfo<BrokenCase>& info) {
      std::string name = info.param.plugin;
      for (char& ch : name)
        if (ch == '-') ch = '_';
      return name;
    });

}  // namespace
}  // namespace vigil::testkit

// vigil-plugin-check prints what the plugin said (its ids, its error texts): a plugin
// must not be able to drive the terminal or forge extra result lines through it.
TEST(ConformanceTest, ReportEscapesThePluginsWords) {
  testing::internal::CaptureStdout();
  const int failed = vigil::testkit::PrintConformance(
      {{"evil\x1b[2J: describe", false, "refused\nPASS  forged line"}});
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_THAT(out, testing::HasSubstr("evil\\x1b[2J: describe"));
  EXPECT_THAT(out, testing::HasSubstr("refused\\x0aPASS  forged line"));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;  // one result + the total
}
