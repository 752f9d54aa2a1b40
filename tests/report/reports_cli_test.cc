// Issue 15 item 3: `vigil reports` as a real process against the loopback NCMEC mock: build,
// show, submit (credentials from a file or the environment, never the command line),
// retract, and the one-line refusals.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/report/cybertip_test_util.h"
#include "tests/report/mock_cybertip_server.h"
#include "tests/unit/host/temp_store.h"

namespace vigil::report {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kVigil = std::string(VIGIL_BINARY_DIR) + "/bin/vigil";

struct Ran {
  int code = -1;
  std::string out;
};

class ReportsCliTest : public host::TempStoreTest {
 protected:
  Ran Vigil(const std::string& args) {
    const std::string cmd = "USER=tester VIGIL_TEST_CT=esp-user:pw " + kVigil + " --store " +
                            (dir_ / "store.db").string() + " " + args + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    Ran ran;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) ran.out.append(buf, n);
    const int status = ::pclose(p);
    ran.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return ran;
  }
  static constexpr const char* kReporter =
      " --reporter-first Sam --reporter-last Lee --reporter-email sam@example.org";
  testing::MockCybertipServer mock_{"esp-user", "pw"};
};

TEST_F(ReportsCliTest, BuildSubmitShowAndRetract) {
  testing::AddDecidedItem(*store_, dir_, "a.jpg", "benign a", "user-1", "A1", false);
  testing::AddDecidedItem(*store_, dir_, "b.jpg", "benign b", "user-1", "B1", true);
  testing::AddDecidedItem(*store_, dir_, "c.jpg", "benign c", "user-2", "A2", false);
  store_.reset();  // the command opens the store itself

  Ran built = Vigil(std::string("reports build --json") + kReporter);
  ASSERT_EQ(built.code, 0) << built.out;
  auto ids = nlohmann::json::parse(built.out)["built"];
  ASSERT_EQ(ids.size(), 2u) << built.out;
  const std::string first = std::to_string(ids[0].get<int64_t>());
  const std::string second = std::to_string(ids[1].get<int64_t>());

  Ran shown = Vigil("reports show " + first + " --json");
  ASSERT_EQ(shown.code, 0) << shown.out;
  auto report = nlohmann::json::parse(shown.out);
  EXPECT_EQ(report["state"], "draft");
  ASSERT_EQ(report["files"].size(), 2u);
  EXPECT_EQ(report["files"][0]["fileViewedByEsp"], false);
  EXPECT_EQ(report["files"][1]["fileViewedByEsp"], true);
  Ran xml = Vigil("reports show " + first + " --xml");
  EXPECT_THAT(xml.out, HasSubstr("<espIdentifier>user-1</espIdentifier>"));

  // Credentials never on the command line: a file or an environment variable, exactly one.
  Ran none = Vigil("reports submit " + first + " --endpoint " + mock_.base_url());
  EXPECT_EQ(none.code, 2);
  EXPECT_THAT(none.out, HasSubstr("--credentials-file PATH or --credentials-env NAME"));
  Ran plain = Vigil("reports submit " + first +
                    " --endpoint http://report.example/ispws --credentials-env VIGIL_TEST_CT");
  EXPECT_EQ(plain.code, 2);
  EXPECT_THAT(plain.out, HasSubstr("not an https:// URL"));
  EXPECT_TRUE(mock_.calls().empty());

  const std::string cred = (dir_ / "cybertip.cred").string();
  std::ofstream(cred) << "esp-user:pw\n";
  Ran sent = Vigil("reports submit " + first + " --endpoint " + mock_.base_url() +
                   " --credentials-file " + cred + " --json");
  ASSERT_EQ(sent.code, 0) << sent.out;
  EXPECT_THAT(mock_.sequence(),
              ElementsAre("submit", "upload", "upload", "fileinfo", "fileinfo", "finish"));
  Ran after = Vigil("reports show " + first + " --json");
  auto done = nlohmann::json::parse(after.out);
  EXPECT_EQ(done["state"], "submitted");
  EXPECT_EQ(done["ncmec_report_id"], mock_.reports().begin()->first);

  // The second report, never sent, is retracted without a call; the first is finished and
  // cannot be.
  Ran retracted = Vigil("reports retract " + second);
  ASSERT_EQ(retracted.code, 0) << retracted.out;
  EXPECT_THAT(retracted.out, HasSubstr("retracted"));
  Ran finished = Vigil("reports retract " + first);
  EXPECT_EQ(finished.code, 2);
  EXPECT_THAT(finished.out, HasSubstr("finished at NCMEC"));
  Ran listed = Vigil("reports list");
  EXPECT_THAT(listed.out, HasSubstr("report " + second + ": retracted"));
  EXPECT_THAT(listed.out, HasSubstr("report " + first + ": submitted"));
  Ran help = Vigil("reports submit --help");
  EXPECT_THAT(help.out, HasSubstr("--credentials-file"));
  EXPECT_THAT(help.out, ::testing::Not(HasSubstr("--password")));
}

}  // namespace
}  // namespace vigil::report
