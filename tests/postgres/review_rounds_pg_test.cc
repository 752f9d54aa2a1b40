// Second review, QA and golden items on the team store (issue 13 item 5), with
// real logins: what the client does (ReviewQueue, `vigil queue`) and what the
// database refuses each login on its own connection (row-level security,
// GRANTs, the transition trigger).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "../unit/host/temp_store.h"
#include "pg_test_server.h"
#include "store/audit_log.h"
#include "store/named_queues.h"
#include "store/review_queue.h"
#include "store/review_rounds.h"
#include "store/store.h"

namespace vigil::host::testing {
namespace {

using ::testing::HasSubstr;

bool Refused(const std::string &error) { return error.find("[42501]") != std::string::npos; }

class TeamReviewRounds : public PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    auto store = Store::Open(url_);  // the superuser migrates and plays the scanner
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    ASSERT_TRUE(RecordQueueSpecs(store_->db(), {{"default", "", {"reviewer", "senior"}},
                                                {"senior-review", "", {"senior"}}})
                    .ok());
    Configure(0.0, 0.0);
    alice_ = MakeLogin("alice", {"vigil_reviewer"});
    bob_ = MakeLogin("bob", {"vigil_reviewer"});
    dave_ = MakeLogin("dave", {"vigil_reviewer"});
    carol_ = MakeLogin("carol", {"vigil_senior"});
    adam_ = MakeLogin("adam", {"vigil_admin"});
    for (const std::string &login : {alice_, bob_, dave_, carol_, adam_}) {
      auto opened = Store::Open(UrlFor(login, database_));
      ASSERT_TRUE(opened.ok()) << login << ": " << opened.status().message();
      as_[login] = std::move(opened).value();
    }
  }
  void TearDown() override {
    as_.clear();
    store_.reset();
    PgTestServer::TearDown();
  }
  void Configure(double qa, double golden) {
    ReviewSettings settings;
    settings.second_review_categories = {"A1"};
    settings.qa_sample_rate = qa;
    settings.golden_rate = golden;
    ASSERT_TRUE(RecordReviewSettings(store_->db(), settings).ok());
  }
  int64_t Add(const std::string &sha) {
    return AddQueuedItem(*store_, sha, Disposition::kReview, 4, 0, "A1", "default");
  }
  ReviewQueue Queue(const std::string &login) { return ReviewQueue(*as_[login]); }
  RoundResult ClaimAndDecide(int64_t item, const std::string &login, const std::string &decision) {
    ClaimOptions only;
    only.only_item = item;
    auto claimed = Queue(login).Claim(login, only);
    EXPECT_TRUE(claimed.ok() && claimed.value())
        << login << " could not claim " << item
        << (claimed.ok() ? "" : ": " + claimed.status().message());
    RoundResult result;
    Status s = Queue(login).Decide(item, login, decision, "because", {}, &result);
    EXPECT_TRUE(s.ok()) << login << ": " << s.message();
    return result;
  }
  std::string Sql(const std::string &login, const std::string &sql) {
    return RunSql(as_[login]->db(), sql);
  }
  std::string ScalarAs(const std::string &login, const std::string &sql) {
    return Scalar(as_[login]->db(), sql);
  }

  std::unique_ptr<Store> store_;
  std::map<std::string, std::unique_ptr<Store>> as_;
  std::string alice_, bob_, dave_, carol_, adam_;
};

TEST_F(TeamReviewRounds, TwoAgreeingLoginsDecideAndTheSecondDoesNotSeeTheFirst) {
  const int64_t id = Add("a");
  const std::string item = std::to_string(id);
  EXPECT_EQ(ClaimAndDecide(id, alice_, "A1").round, 2);
  // Bob's own connection reads no decision on the item while it is in round 2:
  // row-level security, not the client, hides it. The superuser (the store's
  // owner) sees it.
  EXPECT_EQ(ScalarAs(bob_, "SELECT count(*) FROM decisions WHERE item_id = " + item), "0");
  EXPECT_EQ(ScalarAs(carol_, "SELECT count(*) FROM decisions WHERE item_id = " + item), "0");
  EXPECT_EQ(ScalarAs(alice_, "SELECT count(*) FROM decisions WHERE item_id = " + item), "1");
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM decisions WHERE item_id = " + item), "1");
  // Nor can bob ask the database for it before deciding.
  EXPECT_EQ(ScalarAs(bob_, "SELECT coalesce(vigil_round_decision(" + item + "), 'none')"), "none");
  // Alice is not served it again.
  EXPECT_FALSE(Queue(alice_).Claim(alice_, {}).value().has_value());
  auto claimed = Queue(bob_).Claim(bob_, {});
  ASSERT_TRUE(claimed.ok() && claimed.value()) << claimed.status().message();
  EXPECT_EQ(claimed.value()->item_id, id);
  EXPECT_EQ(claimed.value()->round, 2);
  EXPECT_EQ(claimed.value()->decision, "");
  RoundResult second;
  ASSERT_TRUE(Queue(bob_).Decide(id, bob_, "A1", "", {}, &second).ok());
  EXPECT_EQ(second.state, "decided");
  EXPECT_EQ(ScalarAs(bob_, "SELECT count(*) FROM decisions WHERE item_id = " + item), "2");
  auto report = VerifyAudit(store_->db());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().problems.empty());
}

TEST_F(TeamReviewRounds, ADisagreementReachesASeniorAndTheDatabaseRefusesAReviewerThere) {
  const int64_t id = Add("a");
  const std::string item = std::to_string(id);
  ClaimAndDecide(id, alice_, "A1");
  RoundResult second = ClaimAndDecide(id, bob_, "B1");
  EXPECT_EQ(second.round, 3);
  EXPECT_EQ(Scalar(store_->db(),
                   "SELECT queue_name || ' ' || state || ' ' || round FROM queue "
                   "WHERE item_id = " +
                       item),
            "senior-review pending 3");
  // Dave, a reviewer who took no part: not served, and his own UPDATE leases
  // nothing (the row-level security of the seniors' queue filters the row out),
  // his INSERT is refused.
  EXPECT_FALSE(Queue(dave_).Claim(dave_, {}).value().has_value());
  Statement lease(as_[dave_]->db(),
                  "UPDATE queue SET state = 'claimed', lease_owner = session_user, "
                  "lease_expires = 4102444800 WHERE item_id = ?1");
  lease.Bind(1, id);
  ASSERT_EQ(lease.Step(), kDone);
  EXPECT_EQ(lease.RowsChanged(), 0);
  EXPECT_TRUE(Refused(Sql(dave_,
                          "INSERT INTO decisions (item_id, reviewer, decision, "
                          "decided_at, round) VALUES (" +
                              item +
                              ", session_user, 'A1', "
                              "'x', 3)")));
  // A senior reads both decisions now, and decides; that is final.
  EXPECT_EQ(ScalarAs(carol_, "SELECT count(*) FROM decisions WHERE item_id = " + item), "2");
  ClaimOptions seniors;
  seniors.queues = {"senior-review"};
  auto claimed = Queue(carol_).Claim(carol_, seniors);
  ASSERT_TRUE(claimed.ok() && claimed.value()) << claimed.status().message();
  EXPECT_EQ(claimed.value()->round, 3);
  RoundResult final_decision;
  ASSERT_TRUE(Queue(carol_).Decide(id, carol_, "B1", "", {}, &final_decision).ok());
  EXPECT_EQ(final_decision.state, "decided");
}

TEST_F(TeamReviewRounds, TheDatabaseRefusesOneLoginBothDecisionsAndRoundsMovedByHand) {
  const int64_t id = Add("a");
  const std::string item = std::to_string(id);
  ClaimAndDecide(id, alice_, "A1");
  // Alice leases it again by hand (the row is pending and her queue's) ...
  Statement lease(as_[alice_]->db(),
                  "UPDATE queue SET state = 'claimed', lease_owner = session_user, "
                  "lease_expires = 4102444800 WHERE item_id = ?1");
  lease.Bind(1, id);
  ASSERT_EQ(lease.Step(), kDone);
  ASSERT_EQ(lease.RowsChanged(), 1);
  // ... but her second decision is refused by the database, and by the client
  // first.
  EXPECT_TRUE(Refused(Sql(alice_,
                          "INSERT INTO decisions (item_id, reviewer, decision, "
                          "decided_at, round) VALUES (" +
                              item +
                              ", session_user, 'A1', "
                              "'x', 2)")));
  Status again = Queue(alice_).Decide(id, alice_, "A1", "");
  EXPECT_THAT(again.message(), HasSubstr("already decided"));
  // Holding it, she cannot skip the review or move it into the seniors' queue
  // by hand.
  EXPECT_TRUE(Refused(Sql(alice_,
                          "UPDATE queue SET state = 'pending', lease_owner = NULL, "
                          "round = 1, review_from = NULL WHERE item_id = " +
                              item)));
  EXPECT_TRUE(Refused(Sql(alice_,
                          "UPDATE queue SET state = 'pending', lease_owner = NULL, "
                          "queue_name = 'default', round = 3 WHERE item_id = " +
                              item)));
  // Nor mark it decided without a second decision.
  EXPECT_TRUE(Refused(Sql(alice_,
                          "UPDATE queue SET state = 'decided', lease_owner = NULL, "
                          "lease_expires = NULL WHERE item_id = " +
                              item)));
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM decisions"), "1");
  EXPECT_EQ(Scalar(store_->db(), "SELECT state || ' ' || round FROM queue WHERE item_id = " + item),
            "claimed 2");
}

TEST_F(TeamReviewRounds, GoldenAnswersAreHiddenCountedAndActOnNothing) {
  Configure(0.0, 1.0);
  const int64_t g = Add("g");
  const std::string item = std::to_string(g);
  // Only an admin flags golden items.
  EXPECT_FALSE(AddGolden(as_[alice_]->db(), g, "B1", alice_).ok());
  ASSERT_TRUE(AddGolden(as_[adam_]->db(), g, "B1", adam_).ok());
  // A reviewer reads which items are golden, never the answer.
  EXPECT_TRUE(Refused(Sql(alice_, "SELECT answer FROM golden_items")));
  EXPECT_EQ(ScalarAs(alice_, "SELECT count(*) FROM golden_items"), "1");
  for (const std::string &login : {alice_, bob_}) {
    auto claimed = Queue(login).Claim(login, {});
    ASSERT_TRUE(claimed.ok() && claimed.value()) << claimed.status().message();
    EXPECT_EQ(claimed.value()->item_id, g);
    EXPECT_EQ(claimed.value()->state, "claimed");
    ASSERT_TRUE(Queue(login).Decide(g, login, login == alice_ ? "B1" : "A2", "").ok());
  }
  EXPECT_EQ(Scalar(store_->db(), "SELECT state FROM queue WHERE item_id = " + item), "pending");
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM decisions"), "0");
  // Alice reads her own answer only; nobody edits answers.
  EXPECT_EQ(ScalarAs(alice_, "SELECT count(*) FROM golden_answers"), "1");
  EXPECT_TRUE(Refused(Sql(alice_, "UPDATE golden_answers SET answer = 'A2'")));
  EXPECT_TRUE(Refused(Sql(adam_, "DELETE FROM golden_answers")));
  // An answer without a golden lease is refused by the database.
  EXPECT_TRUE(Refused(Sql(dave_,
                          "INSERT INTO golden_answers (golden_id, item_id, reviewer, "
                          "answer, answered_at) SELECT id, item_id, session_user, 'B1', "
                          "'x' FROM golden_items")));
  // Agreement: the admin reads it; a reviewer may not (it needs the answers).
  auto agreement = ComputeAgreement(as_[adam_]->db());
  ASSERT_TRUE(agreement.ok()) << agreement.status().message();
  std::map<std::string, ReviewerAgreement> by;
  for (const auto &r : agreement.value()) by[r.reviewer] = r;
  EXPECT_EQ(by[alice_].golden_answered, 1);
  EXPECT_EQ(by[alice_].golden_agreed, 1);
  EXPECT_EQ(by[bob_].golden_answered, 1);
  EXPECT_EQ(by[bob_].golden_agreed, 0);
  EXPECT_FALSE(ComputeAgreement(as_[alice_]->db()).ok());
  // Another admin removes it; a reviewer cannot. The answers stay.
  EXPECT_FALSE(RemoveGolden(as_[alice_]->db(), g, alice_).ok());
  const std::string amy = MakeLogin("amy", {"vigil_admin"});
  auto as_amy = Store::Open(UrlFor(amy, database_));
  ASSERT_TRUE(as_amy.ok()) << as_amy.status().message();
  ASSERT_TRUE(RemoveGolden(as_amy.value()->db(), g, amy).ok());
  EXPECT_EQ(Scalar(store_->db(), "SELECT removed_by FROM golden_items"), amy);
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM golden_answers"), "2");
}

TEST_F(TeamReviewRounds, QaTasksGoToSeniorsAndVerdictsAreKept) {
  Configure(1.0, 0.0);
  const int64_t id = Add("a");
  const std::string item = std::to_string(id);
  ClaimAndDecide(id, alice_, "A1");
  ClaimAndDecide(id, bob_, "A1");
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM qa_tasks"), "1");
  EXPECT_EQ(ScalarAs(bob_, "SELECT count(*) FROM qa_tasks"),
            "0");  // seniors' list
  auto open = ListQa(as_[carol_]->db(), false);
  ASSERT_TRUE(open.ok()) << open.status().message();
  ASSERT_EQ(open.value().size(), 1u);
  EXPECT_EQ(open.value()[0].decided_by, bob_);
  // A reviewer records no verdict; a senior does; nobody edits it.
  EXPECT_FALSE(RecordQaVerdict(as_[dave_]->db(), id, dave_, "agree", "fine").ok());
  ASSERT_TRUE(RecordQaVerdict(as_[carol_]->db(), id, carol_, "agree", "right call").ok());
  EXPECT_TRUE(Refused(Sql(carol_, "UPDATE qa_verdicts SET verdict = 'disagree'")));
  EXPECT_TRUE(Refused(RunSql(store_->db(), "DELETE FROM qa_verdicts")));
  // A senior's reopen starts a new review; the history stays.
  ASSERT_TRUE(Queue(carol_).Reopen(id, carol_, "appeal").ok());
  EXPECT_EQ(Scalar(store_->db(), "SELECT round || ' ' || state FROM queue WHERE item_id = " + item),
            "1 pending");
  EXPECT_EQ(ClaimAndDecide(id, alice_, "A1").round, 2);
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM decisions WHERE item_id = " + item), "3");
  // A reviewer cannot reopen.
  EXPECT_EQ(ClaimAndDecide(id, dave_, "A1").state, "decided");
  EXPECT_FALSE(Queue(alice_).Reopen(id, alice_, "me too").ok());
}

// `vigil queue claim --json` and `vigil queue show --item` as the second
// reviewer's login show no trace of the first decision; as a senior after a
// disagreement, both.
TEST_F(TeamReviewRounds, TheCommandLineShowsTheSecondReviewerNoFirstDecision) {
  const int64_t id = Add("a");
  const std::string item = std::to_string(id);
  const std::filesystem::path scratch =
      std::filesystem::temp_directory_path() / ("vigil-rounds-cli-" + std::to_string(getpid()));
  std::filesystem::create_directories(scratch);
  auto vigil = [&](const std::string &login, const std::string &args) {
    const std::string command = "HOME=" + scratch.string() + " " + VIGIL_BINARY_DIR +
                                "/bin/vigil " + args + " --store " + UrlFor(login, database_) +
                                " >" + (scratch / "out").string() + " 2>" +
                                (scratch / "err").string();
    const int status = std::system(command.c_str());
    std::ifstream out(scratch / "out"), err(scratch / "err");
    std::string text((std::istreambuf_iterator<char>(out)), {});
    std::string error((std::istreambuf_iterator<char>(err)), {});
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, text + error);
  };
  auto decided = vigil(alice_, "queue claim --json");
  ASSERT_EQ(decided.first, 0) << decided.second;
  decided = vigil(alice_, "queue decide " + item + " A1 --json");
  ASSERT_EQ(decided.first, 0) << decided.second;
  EXPECT_THAT(decided.second, HasSubstr("\"state\":\"pending\",\"round\":2"));
  auto again = vigil(alice_, "queue claim --item " + item);
  EXPECT_EQ(again.first, 3) << again.second;
  EXPECT_THAT(again.second, HasSubstr("is in round 2 of its review"));
  auto claim = vigil(bob_, "queue claim --json");
  ASSERT_EQ(claim.first, 0) << claim.second;
  EXPECT_THAT(claim.second, HasSubstr("\"round\":2"));
  EXPECT_THAT(claim.second, ::testing::Not(HasSubstr("decision")));
  EXPECT_THAT(claim.second, ::testing::Not(HasSubstr(alice_)));
  auto show = vigil(bob_, "queue show --item " + item + " --json");
  ASSERT_EQ(show.first, 0) << show.second;
  EXPECT_THAT(show.second, HasSubstr("\"decisions\": []"));
  EXPECT_THAT(show.second, ::testing::Not(HasSubstr(alice_)));
  auto second = vigil(bob_, "queue decide " + item + " B2 --json");
  ASSERT_EQ(second.first, 0) << second.second;
  EXPECT_THAT(second.second, HasSubstr("\"round\":3"));
  auto senior = vigil(carol_, "queue show --item " + item + " --json");
  ASSERT_EQ(senior.first, 0) << senior.second;
  EXPECT_THAT(senior.second, HasSubstr(alice_));
  EXPECT_THAT(senior.second, HasSubstr(bob_));
  auto refused = vigil(dave_, "queue claim --item " + item);
  EXPECT_NE(refused.first, 0) << refused.second;
  std::filesystem::remove_all(scratch);
}

// `vigil queue golden|agreement|qa` as the logins whose work they are, and refused to others.
TEST_F(TeamReviewRounds, GoldenAgreementAndQaCommands) {
  Configure(1.0, 1.0);
  const int64_t g = Add("g");
  const int64_t a = Add("a");
  const std::filesystem::path scratch = std::filesystem::temp_directory_path() /
                                        ("vigil-rounds-cmds-" + std::to_string(getpid()));
  std::filesystem::create_directories(scratch);
  auto vigil = [&](const std::string& login, const std::string& args) {
    const std::string command = "HOME=" + scratch.string() + " " + VIGIL_BINARY_DIR +
                                "/bin/vigil " + args + " --store " + UrlFor(login, database_) +
                                " >" + (scratch / "out").string() + " 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream out(scratch / "out");
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                          std::string((std::istreambuf_iterator<char>(out)), {}));
  };
  const std::string gid = std::to_string(g), aid = std::to_string(a);
  EXPECT_THAT(vigil(adam_, "queue golden add " + gid + " --answer maybe").second,
              HasSubstr("a golden answer is A1, A2, B1, B2 or not-illegal"));
  EXPECT_NE(vigil(alice_, "queue golden add " + gid + " --answer B1").first, 0);
  auto added = vigil(adam_, "queue golden add " + gid + " --answer B1 --json");
  ASSERT_EQ(added.first, 0) << added.second;
  // Alice is served the golden item first (golden_rate 1), then the real one.
  auto claimed = vigil(alice_, "queue claim --json");
  ASSERT_EQ(claimed.first, 0) << claimed.second;
  EXPECT_THAT(claimed.second, HasSubstr("\"item\":" + gid));
  auto answered = vigil(alice_, "queue decide " + gid + " B1 --json");
  ASSERT_EQ(answered.first, 0) << answered.second;
  EXPECT_THAT(answered.second, HasSubstr("\"state\":\"decided\""));
  ASSERT_EQ(vigil(alice_, "queue claim --json").first, 0);
  ASSERT_EQ(vigil(alice_, "queue decide " + aid + " A1").first, 0);
  // Bob: the golden item (wrong answer), then the second review (agrees).
  EXPECT_THAT(vigil(bob_, "queue claim --json").second, HasSubstr("\"item\":" + gid));
  ASSERT_EQ(vigil(bob_, "queue decide " + gid + " A2").first, 0);
  EXPECT_THAT(vigil(bob_, "queue claim --json").second, HasSubstr("\"item\":" + aid));
  auto second = vigil(bob_, "queue decide " + aid + " A1 --json");
  ASSERT_EQ(second.first, 0) << second.second;
  EXPECT_THAT(second.second, HasSubstr("\"state\":\"decided\""));

  auto golden = vigil(adam_, "queue golden list --json");
  ASSERT_EQ(golden.first, 0) << golden.second;
  EXPECT_THAT(golden.second, HasSubstr("\"answer\":\"B1\",\"answered\":2,\"agreed\":1"));
  EXPECT_NE(vigil(alice_, "queue golden list").first, 0);  // the answers are not hers to read
  auto agreement = vigil(adam_, "queue agreement --json");
  ASSERT_EQ(agreement.first, 0) << agreement.second;
  EXPECT_THAT(agreement.second,
              HasSubstr("{\"reviewer\":\"" + alice_ +
                        "\",\"golden_answered\":1,\"golden_agreed\":1,\"golden_rate\":1.0,"
                        "\"second_reviews\":1,\"second_agreed\":1,\"second_rate\":1.0}"));
  EXPECT_THAT(agreement.second,
              HasSubstr("{\"reviewer\":\"" + bob_ +
                        "\",\"golden_answered\":1,\"golden_agreed\":0,\"golden_rate\":0.0,"));

  // QA (qa_sample_rate 1): the decided item is on the seniors' list.
  auto qa = vigil(carol_, "queue qa list --json");
  ASSERT_EQ(qa.first, 0) << qa.second;
  EXPECT_THAT(qa.second, HasSubstr("\"item\":" + aid + ",\"decision\":\"A1\""));
  EXPECT_EQ(vigil(carol_, "queue qa verdict " + aid + " --reason ok").first, 1);
  EXPECT_NE(vigil(dave_, "queue qa verdict " + aid + " --agree --reason ok").first, 0);
  auto verdict = vigil(carol_, "queue qa verdict " + aid + " --disagree --reason looks-like-A2");
  ASSERT_EQ(verdict.first, 0) << verdict.second;
  EXPECT_THAT(verdict.second, HasSubstr("Recorded QA verdict disagree"));
  EXPECT_EQ(vigil(carol_, "queue qa list --json").second, "");
  EXPECT_THAT(vigil(carol_, "queue qa list --all --json").second,
              HasSubstr("\"verdict\":\"disagree\""));
  auto removed = vigil(adam_, "queue golden remove " + gid);
  ASSERT_EQ(removed.first, 0) << removed.second;
  EXPECT_THAT(vigil(adam_, "queue golden remove " + gid).second, HasSubstr("is not a golden item"));
  std::filesystem::remove_all(scratch);
}

}  // namespace
}  // namespace vigil::host::testing
