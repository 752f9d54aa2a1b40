// vigil: the host runtime's command line. See `vigil --help` and DESIGN.md's CLI contract.
#include <CLI/CLI.hpp>

#include <sys/prctl.h>

#include <csignal>
#include <cstdio>

#include "cli/commands.h"
#include "loader/host_services.h"

namespace {

void OnInterrupt(int) { vigil::host::RequestCancel(); }

}  // namespace

int main(int argc, char** argv) {
  // Not dumpable: no process of this user without CAP_SYS_PTRACE (a plugin's worker has
  // no capabilities at all) may open our /proc/PID/mem, environ or maps, or ptrace us.
  // Workers are separate executables and stay debuggable (--wait-for-debugger).
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  CLI::App app{"vigil: run detector plugins over items and keep what they flag for review"};
  vigil::cli::GlobalOptions options;
  vigil::cli::BuildCli(app, options);

  std::signal(SIGINT, OnInterrupt);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return options.exit_code;
}
