// Runs the real `vigil` binary for the serve process tests: a command to completion, and
// `vigil serve --listen 127.0.0.1:0` in the background with the port it printed.
#ifndef VIGIL_TESTS_SERVICE_SERVE_PROCESS_H_
#define VIGIL_TESTS_SERVICE_SERVE_PROCESS_H_

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vigil::service::testing {

inline const std::string kVigilBinary = std::string(VIGIL_BINARY_DIR) + "/bin/vigil";

// Runs `vigil --store STORE args...` as user "tester"; its standard output (and its
// standard error too when `with_stderr`, for tests that check an error message).
inline std::string RunVigil(const std::filesystem::path& store, const std::string& args, int* rc,
                            bool with_stderr = false) {
  std::string cmd = "USER=tester " + kVigilBinary + " --store " + store.string() + " " + args +
                    (with_stderr ? " 2>&1" : "");
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// `vigil tokens create` with the scopes (comma-separated); the new token, or "".
inline std::string CreateToken(const std::filesystem::path& store, const std::string& name,
                               const std::string& scopes) {
  int rc = 0;
  std::string out =
      RunVigil(store, "tokens create --json --name " + name + " --scope " + scopes, &rc);
  EXPECT_EQ(rc, 0) << out;
  return nlohmann::json::parse(out, nullptr, false).value("token", "");
}

struct ServeProcess {
  pid_t pid = -1;
  uint16_t port = 0;  // 0: the server did not say where it listens
};

// Starts `vigil serve --listen 127.0.0.1:0 --threads 2 extra...` and reads the port from
// its first line of output.
inline ServeProcess StartServe(const std::filesystem::path& store,
                               const std::vector<std::string>& extra = {}) {
  int out[2];
  EXPECT_EQ(::pipe(out), 0);
  ServeProcess p;
  p.pid = ::fork();
  if (p.pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<std::string> args = {kVigilBinary, "--store",     store.string(), "serve",
                                     "--listen",   "127.0.0.1:0", "--threads",    "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(kVigilBinary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(out[0]);
  size_t at = line.find("127.0.0.1:");
  EXPECT_NE(at, std::string::npos) << "vigil serve said: " << line;
  if (at != std::string::npos) p.port = static_cast<uint16_t>(std::atoi(line.c_str() + at + 10));
  return p;
}

// Waits for the process; its exit code, or 128 + the signal that ended it.
inline int WaitExit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

}  // namespace vigil::service::testing

#endif  // VIGIL_TESTS_SERVICE_SERVE_PROCESS_H_
