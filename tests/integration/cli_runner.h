// Running a command as a user would, in a scratch folder per test, for the CLI suites.
#ifndef VIGIL_TESTS_INTEGRATION_CLI_RUNNER_H_
#define VIGIL_TESTS_INTEGRATION_CLI_RUNNER_H_

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace vigil::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A fixture with a fresh scratch folder (dir_) and Run(): a shell command line with its
// stdout, stderr and exit status captured. Fails the test when the shared data is missing.
class CliFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(std::filesystem::exists(testdata_))
        << "shared test data is missing: " << testdata_;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  RunResult Run(const std::string& command) {
    RunResult r;
    std::string line = command + " >" + (dir_ / "out").string() + " 2>" + (dir_ / "err").string();
    int status = std::system(line.c_str());
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = Slurp(dir_ / "out");
    r.err = Slurp(dir_ / "err");
    return r;
  }
  std::string Vigil() const { return std::string(VIGIL_BINARY_DIR) + "/bin/vigil"; }
  std::string Store() const { return (dir_ / "store.db").string(); }

  std::filesystem::path dir_;
  std::filesystem::path testdata_ = std::filesystem::path(VIGIL_TESTDATA);
};

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_INTEGRATION_CLI_RUNNER_H_
