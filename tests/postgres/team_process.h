// Real `vigil` processes against this test's team store, as one login each:
// started without a shell (argv as given, stdout and stderr to files), waited
// for, killed. For the team-queue-at-scale tests (issue 13 items 7 and the
// Done-when).
#ifndef VIGIL_TESTS_POSTGRES_TEAM_PROCESS_H_
#define VIGIL_TESTS_POSTGRES_TEAM_PROCESS_H_

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "pg_test_server.h"

extern char **environ;

namespace vigil::host::testing {

struct Spawned {
  pid_t pid = -1;
  std::filesystem::path out, err;
};

struct Ran {
  int exit_code = -1000;  // -signal when a signal ended it
  std::string out;
  std::string err;
};

inline std::string SlurpFile(const std::filesystem::path &path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline Spawned SpawnArgs(const std::vector<std::string> &args, const std::filesystem::path &out,
                         const std::filesystem::path &err) {
  Spawned p{-1, out, err};
  std::vector<char *> argv;
  for (const std::string &a : args) argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (posix_spawn(&p.pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) p.pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return p;
}

inline Ran WaitFor(const Spawned &p) {
  Ran ran;
  int status = 0;
  if (p.pid > 0 && ::waitpid(p.pid, &status, 0) == p.pid) {
    if (WIFSIGNALED(status)) ran.exit_code = -WTERMSIG(status);
    if (WIFEXITED(status)) ran.exit_code = WEXITSTATUS(status);
  }
  ran.out = SlurpFile(p.out);
  ran.err = SlurpFile(p.err);
  return ran;
}

// A PgTestServer whose tests run `vigil ... --store <login's URL>` with a
// scratch HOME (the workstation's own files) and the fixture's pgpass.
class TeamProcessTest : public PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    const auto *test = ::testing::UnitTest::GetInstance()->current_test_info();
    scratch_ = std::filesystem::temp_directory_path() /
               ("vigil-" + std::string(test->test_suite_name()) + "-" + std::to_string(getpid()) +
                "-" + test->name());
    std::filesystem::remove_all(scratch_);
    std::filesystem::create_directories(scratch_);
    const char *home = std::getenv("HOME");
    if (home != nullptr) old_home_ = home;
    setenv("HOME", scratch_.c_str(), 1);
  }
  void TearDown() override {
    if (!old_home_.empty()) setenv("HOME", old_home_.c_str(), 1);
    std::error_code ignored;
    std::filesystem::remove_all(scratch_, ignored);
    PgTestServer::TearDown();
  }

  std::vector<std::string> VigilArgs(const std::string &login, std::vector<std::string> args) {
    args.insert(args.begin(), VIGIL_BINARY_DIR "/bin/vigil");
    args.push_back("--store");
    args.push_back(UrlFor(login, database_));
    return args;
  }
  // Runs `vigil ARGS` as `login`; `tag` names its output files in the scratch
  // folder.
  Ran Vigil(const std::string &login, std::vector<std::string> args,
            const std::string &tag = "run") {
    return WaitFor(SpawnArgs(VigilArgs(login, std::move(args)), scratch_ / (tag + ".out"),
                             scratch_ / (tag + ".err")));
  }

  std::filesystem::path scratch_;

 private:
  std::string old_home_;
};

}  // namespace vigil::host::testing

#endif  // VIGIL_TESTS_POSTGRES_TEAM_PROCESS_H_
