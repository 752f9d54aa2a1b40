// `vigil serve` as a process with hash banks (issue 14 item 1): a bank imported by `vigil
// lists import` while the server runs is matched without a restart (the watcher), an entry
// disabled by `vigil lists disable` stops matching, and the API's own import lands in the
// same folder the CLI reads.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/service/http_client.h"
#include "tests/service/serve_process.h"

namespace vigil::service {
namespace {

using testing::Fetch;

constexpr char kPdq[] = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
constexpr char kNear[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9bdd";  // 8 bits off

using testing::kVigilBinary;
using testing::RunVigil;

class ServeBanksProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kVigilBinary)) << kVigilBinary;
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil-serve-banks-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = dir_ / "store.db";
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }
  std::string MakeToken(const std::string& name, const std::string& scopes) {
    return testing::CreateToken(store_, name, scopes);
  }
  void StartServe() {
    testing::ServeProcess serve = testing::StartServe(store_);
    pid_ = serve.pid;
    port_ = serve.port;
  }
  // The number of matches of kNear, through a real HTTP request.
  int Matches(const std::string& token) {
    const std::string body =
        std::string(R"({"signals":[{"type":"pdq","value":")") + kNear + R"("}]})";
    testing::Reply r = Fetch(port_, "POST", "/v1/match", body, token);
    EXPECT_EQ(r.status, 200) << r.body << r.error;
    if (r.status != 200) return -1;
    return static_cast<int>(nlohmann::json::parse(r.body)["results"][0]["matches"].size());
  }
  // Waits (up to 30 s; the watcher polls every second) until Matches() == want.
  bool WaitForMatches(const std::string& token, int want) {
    for (int i = 0; i < 300; ++i) {
      if (Matches(token) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  std::filesystem::path dir_;
  std::filesystem::path store_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

TEST_F(ServeBanksProcessTest, CliChangesToTheBanksAreMatchedWithoutARestart) {
  const std::string match = MakeToken("matcher", "match");
  const std::string admin = MakeToken("banker", "admin");
  StartServe();
  ASSERT_GT(port_, 0);
  EXPECT_EQ(Matches(match), 0);

  // `vigil lists import` while the server runs: matched without a restart.
  const auto list = dir_ / "list.txt";
  std::ofstream(list) << kPdq << "\n";
  int rc = 0;
  std::string out = RunVigil(
      store_, "lists import --format plain --type pdq --bank cli-bank " + list.string(), &rc);
  ASSERT_EQ(rc, 0) << out;
  ASSERT_TRUE(WaitForMatches(match, 1)) << "the server did not pick up the new bank";

  // `vigil lists disable`: the hold reaches the server through the folder.
  out = RunVigil(store_,
                 std::string("lists disable cli-bank ") + kPdq +
                     " --until 2099-01-01 --reason test --reviewer tester",
                 &rc);
  ASSERT_EQ(rc, 0) << out;
  ASSERT_TRUE(WaitForMatches(match, 0)) << "the server still matches a disabled entry";

  // The API's import lands where the CLI looks, and is matched by the next request.
  testing::Reply imported =
      Fetch(port_, "POST", "/v1/banks/import?bank=api-bank&format=plain&type=pdq",
            std::string(kPdq) + "\n", admin);
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(Matches(match), 1);
  out = RunVigil(store_, std::string("match --type pdq --json ") + kNear, &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"api-bank\""), std::string::npos) << out;
  EXPECT_EQ(out.find("\"cli-bank\""), std::string::npos) << out;  // still disabled
  testing::Reply banks = Fetch(port_, "GET", "/v1/banks", "", admin);
  ASSERT_EQ(banks.status, 200) << banks.body;
  auto list_json = nlohmann::json::parse(banks.body)["banks"];
  ASSERT_EQ(list_json.size(), 2u) << banks.body;
  EXPECT_EQ(list_json[1]["name"], "cli-bank");
  EXPECT_EQ(list_json[1]["disabled"], 1);
  EXPECT_EQ(Fetch(port_, "GET", "/v1/banks", "", match).status, 403);

  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(ServeBanksProcessTest, ADamagedBankAtStartStopsTheServerWithItsName) {
  MakeToken("matcher", "match");
  std::filesystem::create_directories(dir_ / "lists" / "hash-banks");
  std::ofstream(dir_ / "lists" / "hash-banks" / "bad.bank") << "not a bank";
  int rc = 0;
  std::string out = RunVigil(store_, "serve --listen 127.0.0.1:0", &rc, /*with_stderr=*/true);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("bad.bank"), std::string::npos) << out;
}

}  // namespace
}  // namespace vigil::service
