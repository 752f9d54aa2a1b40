// The `vigil` command on a team store (issue 13): --store postgresql://... works the queue
// headlessly, the reviewer in every record is the database login (a --reviewer that
// differs is refused), a reviewer login cannot claim in a seniors' queue, and `vigil
// queues` and `audit verify` read the same store. Real processes, the real server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "../unit/host/temp_store.h"
#include "pg_test_server.h"
#include "store/named_queues.h"
#include "store/review_queue.h"
#include "store/store.h"

namespace vigil::host::testing {
namespace {

using ::testing::HasSubstr;

struct Ran {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CliTeamStore : public PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    scratch_ = std::filesystem::temp_directory_path() /
               ("vigil-cli-team-" + std::to_string(getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(scratch_);
    // The superuser creates the store (migrations need one) and plays the scanner.
    auto store = Store::Open(url_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    ASSERT_TRUE(RecordQueueSpecs(store_->db(), {{"default", "", {"reviewer", "senior"}},
                                                {"seniors-only", "", {"senior"}}})
                    .ok());
    senior_item_ = Add("s1", "seniors-only", 5);
    first_ = Add("r1", "default", 4);
    second_ = Add("r2", "default", 3);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(scratch_);
    PgTestServer::TearDown();
    // Logins made through `vigil users` (cluster-wide), after their database is gone.
    for (const std::string& login : cli_logins_) {
      if (cluster_) {
        EXPECT_TRUE(cluster_->Exec("DROP ROLE IF EXISTS " + login).ok());
      }
    }
  }
  std::vector<std::string> cli_logins_;

  int64_t Add(const std::string& sha, const std::string& queue, int severity) {
    return AddQueuedItem(*store_, sha, Disposition::kReview, severity, 0, "", queue);
  }


  // `vigil ARGS --store <login's URL>` with the tests' pgpass (PGPASSFILE is set by the
  // fixture) and HOME in the scratch folder (the workstation's own files go there).
  Ran Vigil(const std::string& login, const std::string& args, const std::string& env = "") {
    const std::string command = env + " HOME=" + scratch_.string() + " " + VIGIL_BINARY_DIR +
                                "/bin/vigil " + args + " --store " + UrlFor(login, database_) +
                                " >" + (scratch_ / "out").string() + " 2>" +
                                (scratch_ / "err").string();
    const int status = std::system(command.c_str());
    Ran ran;
    ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream out(scratch_ / "out"), err(scratch_ / "err");
    ran.out.assign(std::istreambuf_iterator<char>(out), {});
    ran.err.assign(std::istreambuf_iterator<char>(err), {});
    return ran;
  }

  std::filesystem::path scratch_;
  std::unique_ptr<Store> store_;
  int64_t senior_item_ = 0, first_ = 0, second_ = 0;
};

TEST_F(CliTeamStore, AReviewerWorksTheQueueAsTheirLogin) {
  const std::string alice = MakeLogin("alice", {"vigil_reviewer"});
  // A reviewer login is served from the queues its roles may work: not the seniors' item.
  Ran claim = Vigil(alice, "queue claim --json");
  ASSERT_EQ(claim.exit_code, 0) << claim.err;
  const nlohmann::json item = nlohmann::json::parse(claim.out, nullptr, false);
  ASSERT_TRUE(item.is_object()) << claim.out;
  EXPECT_EQ(item.value("item", int64_t{0}), first_) << claim.out;

  // The reviewer is the login: naming someone else is refused before anything is done.
  Ran other = Vigil(alice, "queue decide " + std::to_string(first_) + " B1 --reviewer bob");
  EXPECT_NE(other.exit_code, 0);
  EXPECT_THAT(other.err, HasSubstr("your database login"));
  Ran decide = Vigil(alice, "queue decide " + std::to_string(first_) + " B1 --json");
  ASSERT_EQ(decide.exit_code, 0) << decide.err;
  EXPECT_EQ(Scalar(store_->db(), "SELECT reviewer FROM decisions WHERE item_id = " +
                                     std::to_string(first_)),
            alice);

  // The seniors' item is never served to this login, even asked for by id.
  Ran seniors = Vigil(alice, "queue claim --item " + std::to_string(senior_item_));
  EXPECT_NE(seniors.exit_code, 0) << seniors.out;
  Ran next = Vigil(alice, "queue claim --json");
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_THAT(next.out, HasSubstr("\"item\":" + std::to_string(second_)));
  Ran none = Vigil(alice, "queue claim");
  EXPECT_EQ(none.exit_code, 3) << none.out << none.err;

  // A senior works the seniors' queue.
  const std::string carol = MakeLogin("carol", {"vigil_senior"});
  Ran senior = Vigil(carol, "queue claim --json --queue seniors-only");
  ASSERT_EQ(senior.exit_code, 0) << senior.err;
  EXPECT_THAT(senior.out, HasSubstr("\"item\":" + std::to_string(senior_item_)));

  Ran queues = Vigil(carol, "queues");
  ASSERT_EQ(queues.exit_code, 0) << queues.err;
  EXPECT_THAT(queues.out, HasSubstr("seniors-only: 0 pending, 1 claimed, 0 decided; worked by senior"));
  EXPECT_THAT(queues.out, HasSubstr("default: 0 pending, 1 claimed, 1 decided"));

  const std::string audrey = MakeLogin("audrey", {"vigil_auditor"});
  Ran verify = Vigil(audrey, "audit verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  // An auditor decides nothing: the database refuses, and the command says so.
  Ran auditor = Vigil(audrey, "queue claim");
  EXPECT_NE(auditor.exit_code, 0);
}

TEST_F(CliTeamStore, AUrlWithAPasswordIsRefusedAndNothingIsPrinted) {
  const std::string command = std::string(VIGIL_BINARY_DIR) +
                              "/bin/vigil queues --store postgresql://someone:s3cret@127.0.0.1:1/x"
                              " >" + (scratch_ / "out").string() + " 2>" +
                              (scratch_ / "err").string();
  const int status = std::system(command.c_str());
  EXPECT_NE(WEXITSTATUS(status), 0);
  std::ifstream err(scratch_ / "err");
  const std::string text((std::istreambuf_iterator<char>(err)), {});
  EXPECT_THAT(text, HasSubstr("PGPASSFILE"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("s3cret")));
}

TEST_F(CliTeamStore, AnAdminManagesUsersAndTheDatabaseRefusesEveryoneElse) {
  const std::string dave = "t" + std::to_string(getpid()) + "_dave";
  const std::string eve = "t" + std::to_string(getpid()) + "_eve";
  cli_logins_ = {dave, eve};  // (frank below)
  const std::string password = "correct horse battery staple";
  {
    std::ofstream file(scratch_ / "password");
    file << password << "\n";
  }
  const std::string from_file = " --password-file " + (scratch_ / "password").string();
  // The superuser (the store's owner) adds a reviewer; the password is read from a file.
  Ran add = Vigil("postgres", "users add " + dave + " --role reviewer" + from_file);
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_THAT(add.out, HasSubstr("added as reviewer"));
  // The new login connects with that password (SCRAM) and works the queue as itself.
  const std::string with_password = "PGPASSWORD='" + password + "'";
  Ran claim = Vigil(dave, "queue claim --json", with_password);
  ASSERT_EQ(claim.exit_code, 0) << claim.err;
  // A reviewer cannot make users: the database refuses it.
  Ran sneaky = Vigil(dave, "users add " + eve + " --role admin" + from_file, with_password);
  EXPECT_NE(sneaky.exit_code, 0);
  EXPECT_THAT(sneaky.err, HasSubstr("42501"));
  Ran listed = Vigil("postgres", "users list --json");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const nlohmann::json users = nlohmann::json::parse(listed.out, nullptr, false);
  ASSERT_TRUE(users.is_array()) << listed.out;
  bool found = false;
  for (const auto& u : users) {
    if (u.value("login", "") == dave) {
      found = true;
      EXPECT_EQ(u["roles"], nlohmann::json::array({"reviewer"}));
      EXPECT_TRUE(u.value("can_login", false));
    }
    EXPECT_NE(u.value("login", ""), eve);
  }
  EXPECT_TRUE(found) << listed.out;
  Ran promoted = Vigil("postgres", "users role " + dave + " senior");
  ASSERT_EQ(promoted.exit_code, 0) << promoted.err;
  EXPECT_THAT(Vigil("postgres", "users list").out, HasSubstr(dave + ": senior\n"));
  Ran disabled = Vigil("postgres", "users disable " + dave);
  ASSERT_EQ(disabled.exit_code, 0) << disabled.err;
  EXPECT_THAT(Vigil("postgres", "users list").out, HasSubstr(dave + ": senior (disabled)"));
  Ran refused = Vigil(dave, "queues", with_password);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("not permitted to log in"));
  // An admin made by `users add --role admin` manages users in turn.
  const std::string frank = "t" + std::to_string(getpid()) + "_frank";
  cli_logins_.push_back(frank);
  ASSERT_EQ(Vigil("postgres", "users add " + eve + " --role admin" + from_file).exit_code, 0);
  Ran by_admin = Vigil(eve, "users add " + frank + " --role auditor" + from_file, with_password);
  EXPECT_EQ(by_admin.exit_code, 0) << by_admin.err;
  EXPECT_THAT(Vigil(eve, "users list", with_password).out, HasSubstr(frank + ": auditor\n"));
  ASSERT_EQ(Vigil("postgres", "users disable " + eve).exit_code, 0);
  // Bad input: a name Vigil does not create, a short password, an unknown role.
  EXPECT_THAT(Vigil("postgres", "users add Dave! --role reviewer" + from_file).err,
              HasSubstr("is not a login name"));
  EXPECT_THAT(Vigil("postgres", "users add " + eve + " --role janitor" + from_file).err,
              HasSubstr("unknown role"));
  {
    std::ofstream file(scratch_ / "short");
    file << "short\n";
  }
  EXPECT_THAT(Vigil("postgres", "users add " + eve + " --role reviewer --password-file " +
                                    (scratch_ / "short").string())
                  .err,
              HasSubstr("at least 12"));
}

TEST_F(CliTeamStore, UsersNeedATeamStore) {
  const std::string command = std::string(VIGIL_BINARY_DIR) + "/bin/vigil users list --store " +
                              (scratch_ / "store.db").string() + " >/dev/null 2>" +
                              (scratch_ / "err").string();
  // An embedded store first, so that the error is about users, not a missing store.
  ASSERT_TRUE(Store::Open(scratch_ / "store.db").ok());
  const int status = std::system(command.c_str());
  EXPECT_NE(WEXITSTATUS(status), 0);
  std::ifstream err(scratch_ / "err");
  const std::string text((std::istreambuf_iterator<char>(err)), {});
  EXPECT_THAT(text, HasSubstr("team store's logins"));
}

}  // namespace
}  // namespace vigil::host::testing
