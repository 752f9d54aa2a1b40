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
  return vigil::testkit::PrintConformance(vigil::testkit::RunConformance(argv[1]));
}
