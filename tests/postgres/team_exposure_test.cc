// Issue 13 item 7 on the team store, with real logins and real `vigil`
// processes: the team's exposure budget is enforced by PostgreSQL (a login over
// budget is not served a severe item, one with budget is; a modified client's
// own UPDATE is refused; the ledger's time is the database's), and `vigil
// exposure --team` gives everyone the team's totals without groups of fewer
// than 3 reviewers while a reviewer still reads only their own ledger rows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../unit/host/temp_store.h"
#include "store/exposure_budget.h"
#include "store/review_queue.h"
#include "store/store.h"
#include "team_process.h"

namespace vigil::host::testing {
namespace {

using ::testing::HasSubstr;

std::string UtcDay(int days_back) {
  const std::time_t t = std::time(nullptr) - static_cast<std::time_t>(days_back) * 86400;
  std::tm utc{};
  gmtime_r(&t, &utc);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", &utc);
  return day;
}

std::vector<nlohmann::json> JsonLines(const std::string &text) {
  std::vector<nlohmann::json> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    out.push_back(nlohmann::json::parse(line, nullptr, false));
  }
  return out;
}

class TeamExposureTest : public TeamProcessTest {
 protected:
  void SetUp() override {
    TeamProcessTest::SetUp();
    if (HasFatalFailure()) return;
    auto store = Store::Open(url_);  // the superuser migrates and plays the scanner
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    critical_ = AddQueuedItem(*store_, "critical", Disposition::kReview, 5);
    high_ = AddQueuedItem(*store_, "high", Disposition::kReview, 4);
    medium_ = AddQueuedItem(*store_, "medium", Disposition::kReview, 3);
  }
  void TearDown() override {
    store_.reset();
    TeamProcessTest::TearDown();
  }
  // What the console records when `login` leaves an item, through the login's
  // own store.
  void Saw(const std::string &login, int severity, double seconds, int reveals) {
    auto store = Store::Open(UrlFor(login, database_));
    ASSERT_TRUE(store.ok()) << store.status().message();
    ReviewQueue queue(*store.value());
    Status s = queue.RecordExposure(login, medium_, severity, seconds, reveals);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  int64_t ClaimedItem(const Ran &claim) {
    auto json = nlohmann::json::parse(claim.out, nullptr, false);
    return json.is_object() ? json.value("item", int64_t{0}) : 0;
  }

  std::unique_ptr<Store> store_;
  int64_t critical_ = 0, high_ = 0, medium_ = 0;
};

TEST_F(TeamExposureTest, TheDatabaseServesSevereItemsOnlyToReviewersWithBudgetLeft) {
  const std::string admin = MakeLogin("admin", {"vigil_admin"});
  const std::string alice = MakeLogin("alice", {"vigil_reviewer"});
  const std::string bob = MakeLogin("bob", {"vigil_reviewer"});

  // Only an admin sets the team's budget: the database refuses a reviewer.
  Ran refused = Vigil(alice, {"exposure", "budget", "high", "--items", "100"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("exposure budget"));
  Ran set = Vigil(admin, {"exposure", "budget", "high", "--items", "1"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  Ran list = Vigil(alice, {"exposure", "budget", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto budgets = JsonLines(list.out);
  ASSERT_EQ(budgets.size(), 1u) << list.out;
  EXPECT_EQ(budgets[0]["severity"], "high");
  EXPECT_EQ(budgets[0]["items"], 1);
  EXPECT_EQ(budgets[0]["set_by"], admin);

  // alice has seen one high item today: her budget for high is used up, so the
  // database serves her nothing above medium (heavier material neither); bob
  // has his.
  Saw(alice, 4, 3.0, 1);
  auto alice_db = Connect(alice);
  auto bob_db = Connect(bob);
  ASSERT_TRUE(alice_db && bob_db);
  EXPECT_EQ(Scalar(*alice_db, "SELECT vigil_max_servable()"), "3");
  EXPECT_EQ(Scalar(*bob_db, "SELECT vigil_max_servable()"), "5");
  Ran first = Vigil(alice, {"queue", "claim", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(ClaimedItem(first), medium_) << first.out;
  Ran none = Vigil(alice, {"queue", "claim"});
  EXPECT_EQ(none.exit_code, 3) << none.out << none.err;
  EXPECT_THAT(none.err, HasSubstr("exposure budget serves you nothing above severity medium"));
  Ran asked = Vigil(alice, {"queue", "claim", "--item", std::to_string(critical_)});
  EXPECT_EQ(asked.exit_code, 3);
  EXPECT_THAT(asked.err, HasSubstr("has severity critical (the team's exposure budget"));
  Ran bobs = Vigil(bob, {"queue", "claim", "--json"});
  ASSERT_EQ(bobs.exit_code, 0) << bobs.err;
  EXPECT_EQ(ClaimedItem(bobs), critical_) << bobs.out;

  // A modified client that leases the high item itself is refused by the
  // database.
  const std::string lease_high =
      "UPDATE queue SET state = 'claimed', lease_owner = session_user, "
      "lease_expires = extract(epoch FROM now())::bigint + 600, updated_at = "
      "'x' "
      "WHERE item_id = " +
      std::to_string(high_);
  EXPECT_THAT(RunSql(*alice_db, lease_high), HasSubstr("exposure budget is used up"));
  EXPECT_EQ(
      Scalar(store_->db(), "SELECT state FROM queue WHERE item_id = " + std::to_string(high_)),
      "pending");
  // Nor does back-dating its ledger help: the database stamps the row with its
  // own time. (With its audit entry, as the console writes it, so that the
  // chain still accounts.)
  Status backdated = alice_db->Exec(
      "BEGIN; INSERT INTO exposure (reviewer, item_id, "
      "severity, seconds_unobscured, reveals, "
      "recorded_at) VALUES (session_user, " +
      std::to_string(medium_) +
      ", 3, 1, 0, '2000-01-01T00:00:00Z'); INSERT INTO "
      "audit_log (seq, at, actor, action, "
      "item_id, details, prev_hash, hash) VALUES (0, '', "
      "session_user, 'exposure', " +
      std::to_string(medium_) + ", '{}', '', ''); COMMIT");
  EXPECT_TRUE(backdated.ok()) << backdated.message();
  EXPECT_EQ(Scalar(*alice_db, "SELECT substr(max(recorded_at), 1, 10) FROM exposure"), UtcDay(0));
  // bob, with budget, may lease it the same way.
  EXPECT_EQ(RunSql(*bob_db, lease_high), "");

  // The budget lifted: alice is served again.
  ASSERT_EQ(Vigil(admin, {"exposure", "budget", "high", "--unlimited"}).exit_code, 0);
  EXPECT_EQ(Scalar(*alice_db, "SELECT vigil_max_servable()"), "5");
  Ran verify = Vigil(admin, {"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(TeamExposureTest, TeamTotalsHideSmallGroupsAndNoOnesRows) {
  const std::string alice = MakeLogin("alice", {"vigil_reviewer"});
  const std::string bob = MakeLogin("bob", {"vigil_reviewer"});
  const std::string carol = MakeLogin("carol", {"vigil_reviewer"});
  const std::string audrey = MakeLogin("audrey", {"vigil_auditor"});
  const std::string scanner = MakeLogin("scanner", {"vigil_scanner"});
  // Today, critical: three reviewers; high: two (left out).
  Saw(alice, 5, 10.0, 1);
  Saw(alice, 5, 2.5, 0);
  Saw(bob, 5, 4.0, 3);
  Saw(carol, 5, 1.5, 0);
  Saw(alice, 4, 100.0, 9);
  Saw(bob, 4, 100.0, 9);
  // Yesterday (copied in by the superuser, as `store migrate` would): three at
  // medium.
  for (const std::string &who : {alice, bob, carol}) {
    ASSERT_EQ(RunSql(store_->db(),
                     "INSERT INTO exposure (reviewer, item_id, "
                     "severity, seconds_unobscured, "
                     "reveals, recorded_at) VALUES ('" +
                         who + "', " + std::to_string(medium_) + ", 3, 2.0, 1, '" + UtcDay(1) +
                         "T12:00:00Z')"),
              "");
  }

  // A reviewer reads only their own ledger rows...
  auto alice_db = Connect(alice);
  ASSERT_TRUE(alice_db);
  EXPECT_EQ(Scalar(*alice_db, "SELECT count(*) FROM exposure"), "4");
  EXPECT_EQ(Scalar(*alice_db, "SELECT count(*) FROM exposure WHERE reviewer <> session_user"), "0");
  Ran own = Vigil(alice, {"exposure", "--json"});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  auto own_rows = JsonLines(own.out);
  ASSERT_EQ(own_rows.size(), 1u) << own.out;
  EXPECT_EQ(own_rows[0]["reviewer"], alice);
  // ...and the team's totals, hand-checked, without the high group of two.
  for (const std::string &who : {alice, audrey}) {
    Ran team = Vigil(who, {"exposure", "--team", "--days", "2", "--json"});
    ASSERT_EQ(team.exit_code, 0) << who << ": " << team.err;
    auto rows = JsonLines(team.out);
    ASSERT_EQ(rows.size(), 2u) << team.out;
    EXPECT_EQ(rows[0], nlohmann::json::parse(R"({"day":")" + UtcDay(0) +
                                             R"(","severity":"critical","items":4,)"
                                             R"("seconds_unobscured":18.0,"reveals":4,)"
                                             R"("reviewers":3})"));
    EXPECT_EQ(rows[1], nlohmann::json::parse(R"({"day":")" + UtcDay(1) +
                                             R"(","severity":"medium","items":3,)"
                                             R"("seconds_unobscured":6.0,"reveals":3,)"
                                             R"("reviewers":3})"));
  }
  Ran today = Vigil(alice, {"exposure", "--team", "--days", "1"});
  ASSERT_EQ(today.exit_code, 0) << today.err;
  EXPECT_THAT(today.out, HasSubstr("groups of fewer than 3 reviewers are not shown"));
  EXPECT_THAT(today.out, HasSubstr("critical          4 items      18.0 s unobscured      4 "
                                   "reveals    3 reviewers"));
  EXPECT_EQ(today.out.find("high"), std::string::npos) << today.out;
  EXPECT_EQ(today.out.find("medium"), std::string::npos) << today.out;
  // The scanner has no business with people's exposure.
  Ran by_scanner = Vigil(scanner, {"exposure", "--team"});
  EXPECT_EQ(by_scanner.exit_code, 1);
  EXPECT_THAT(by_scanner.err, HasSubstr("permission denied"));
}

// A superuser who switches the budget's enforcement off is found out by `audit verify`.
TEST_F(TeamExposureTest, AuditVerifyReportsTheBudgetsEnforcementSwitchedOff) {
  const std::string audrey = MakeLogin("audrey", {"vigil_auditor"});
  Ran intact = Vigil(audrey, {"audit", "verify"});
  EXPECT_EQ(intact.exit_code, 0) << intact.out << intact.err;
  ASSERT_TRUE(store_->db()
                  .Exec("ALTER TABLE queue DISABLE TRIGGER queue_exposure_cap; "
                        "DROP TRIGGER exposure_stamp ON exposure; "
                        "ALTER TABLE exposure_budgets NO FORCE ROW LEVEL SECURITY")
                  .ok());
  Ran broken = Vigil(audrey, {"audit", "verify"});
  EXPECT_NE(broken.exit_code, 0) << broken.out;
  const std::string all = broken.out + broken.err;
  EXPECT_THAT(all, HasSubstr("trigger queue_exposure_cap on queue is disabled"));
  EXPECT_THAT(all, HasSubstr("trigger exposure_stamp on exposure is missing"));
  EXPECT_THAT(all, HasSubstr("row-level security is not forced on exposure_budgets"));
}

}  // namespace
}  // namespace vigil::host::testing
