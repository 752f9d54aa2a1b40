// The plugin conformance kit: the checks `vigil-plugin-check` runs on a plugin .so.
//
// Each check prints one pass/fail line with a reason. Checks that feed hostile input
// run in a forked child, so a plugin that crashes or hangs fails that check instead of
// taking the checker down.
#ifndef VIGIL_TESTKIT_CONFORMANCE_H_
#define VIGIL_TESTKIT_CONFORMANCE_H_

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace vigil::testkit {

struct CheckResult {
  std::string name;    // e.g. "exports", "vigil.exact: bad config refused"
  bool passed = false;
  std::string detail;  // why it failed, or a short note when it passed
};

struct ConformanceOptions {
  int threads = 8;                                      // concurrent analyze callers
  std::chrono::seconds hostile_timeout{60};             // per detector, for the forked check
  size_t oversized_bytes = 32u << 20;                   // the "oversized input" case
};

std::vector<CheckResult> RunConformance(const std::filesystem::path& plugin,
                                        const ConformanceOptions& options = {});

// Prints one "PASS|FAIL  name: detail" line per check and a summary line on stdout;
// returns the exit status the tools use: 0 when every check passed, else 1.
int PrintConformance(const std::vector<CheckResult>& results);

}  // namespace vigil::testkit

#endif  // VIGIL_TESTKIT_CONFORMANCE_H_
