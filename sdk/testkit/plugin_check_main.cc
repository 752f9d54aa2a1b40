// vigil-plugin-check PATH.so: runs the conformance kit and prints a line per check.
// Exit status: 0 when every check passed, 1 when any failed, 2 on usage errors.
#include <cstdio>
#include <string>

#include "conformance.h"

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::fprintf(argc == 2 ? stdout : stderr,
                 "usage: vigil-plugin-check PATH.so\n"
                 "Checks a Vigil detector plugin: its export table, entry and detector tables,\n"
                 "describe() output, that malformed config is refused, that analyze() survives\n"
                 "empty, truncated, garbage and oversized input, determinism, and that 8\n"
                 "concurrent callers get the serial results. Exits 1 if any check fails.\n");
    return argc == 2 ? 0 : 2;
  }
  auto results = vigil::testkit::RunConformance(argv[1]);
  int failed = 0;
  for (const auto& r : results) {
    std::printf("%s  %s%s%s\n", r.passed ? "PASS" : "FAIL", r.name.c_str(),
                r.detail.empty() ? "" : ": ", r.detail.c_str());
    failed += r.passed ? 0 : 1;
  }
  std::printf("%s: %zu checks, %d failed\n", failed ? "FAILED" : "OK", results.size(), failed);
  return failed ? 1 : 0;
}
