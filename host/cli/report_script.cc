#include "cli/report_script.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "loader/plugin_registry.h"

namespace fs = std::filesystem;

namespace vigil::cli {
namespace {

// The interpreter for report scripts.
std::string PythonInterpreter() {
  if (const char* env = std::getenv("VIGIL_PYTHON"); env && *env) return env;
  if (::access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";
  return "python3";
}

}  // namespace

std::string RunReportScript(const std::string& script_name, const fs::path& json,
                            const fs::path& dir) {
  const fs::path script = host::ExecutableDir().parent_path() / "share" / "vigil" / script_name;
  std::error_code ec;
  if (!fs::exists(script, ec)) return "the report script is missing: " + script.string();
  const std::string python = PythonInterpreter();
  int err_pipe[2];
  if (::pipe(err_pipe) != 0) return std::string("pipe: ") + std::strerror(errno);
  const pid_t pid = ::fork();
  if (pid < 0) return std::string("fork: ") + std::strerror(errno);
  if (pid == 0) {
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::dup2(err_pipe[1], STDOUT_FILENO);
    ::close(err_pipe[0]);
    ::close(err_pipe[1]);
    const std::string s = script.string(), j = json.string(), d = dir.string();
    const char* argv[] = {python.c_str(), s.c_str(), j.c_str(), d.c_str(), nullptr};
    ::execvp(argv[0], const_cast<char* const*>(argv));
    std::fprintf(stderr, "cannot run %s: %s\n", python.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  ::close(err_pipe[1]);
  std::string output;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(err_pipe[0], buffer, sizeof buffer);
    if (n > 0) {
      if (output.size() < (1 << 20)) output.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  ::close(err_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  // The script's own last line says what is missing (matplotlib, ...).
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  const size_t last = output.rfind('\n');
  std::string why = last == std::string::npos ? output : output.substr(last + 1);
  if (why.empty())
    why = "exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return python + " " + script.string() + " failed: " + why;
}

bool WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

}  // namespace vigil::cli
