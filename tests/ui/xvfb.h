// An Xvfb of our own for the console tests that draw (render_test, team_consoles_test):
// -displayfd makes the server pick a free display and tell us, so tests run side by side.
// VIGIL_XVFB (the Xvfb binary) is a compile definition of each test that includes this.
#ifndef VIGIL_TESTS_UI_XVFB_H_
#define VIGIL_TESTS_UI_XVFB_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace vigil::review {

class Xvfb {
 public:
  bool Start(std::string* error) {
    if (!std::filesystem::exists(VIGIL_XVFB)) {
      *error = std::string("Xvfb not found (") + VIGIL_XVFB + "): install xvfb (scripts/install-deps.sh)";
      return false;
    }
    int fds[2];
    if (pipe(fds) != 0) {
      *error = "pipe failed";
      return false;
    }
    pid_ = fork();
    if (pid_ == 0) {
      close(fds[0]);
      const int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      const std::string fd = std::to_string(fds[1]);
      execl(VIGIL_XVFB, "Xvfb", "-displayfd", fd.c_str(), "-screen", "0", "1280x800x24",
            "-nolisten", "tcp", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    std::string number;
    char c;
    while (read(fds[0], &c, 1) == 1 && c != '\n') number.push_back(c);
    close(fds[0]);
    if (number.empty()) {
      *error = "Xvfb did not start (no display number)";
      return false;
    }
    display_ = ":" + number;
    return true;
  }
  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  const std::string& display() const { return display_; }

 private:
  pid_t pid_ = -1;
  std::string display_;
};

}  // namespace vigil::review

#endif  // VIGIL_TESTS_UI_XVFB_H_
