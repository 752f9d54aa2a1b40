// Second review, QA sampling and golden items (issue 13 item 5) on the embedded
// store: two agreeing decisions decide an item, a disagreement goes to the
// seniors' queue, one person cannot give both decisions, the second reviewer
// does not see the first decision, QA sampling is reproducible at its rate,
// golden answers act on nothing and are counted, and reopening starts a new
// review without editing history.
#include "store/review_rounds.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>

#include "policy/policy.h"
#include "store/audit_log.h"
#include "store/db/database.h"
#include "store/review_queue.h"
#include "store/store.h"
#include "temp_store.h"

namespace vigil::host {
namespace {

using ::testing::HasSubstr;

class ReviewRoundsTest : public TempStoreTest {
 protected:
  void SetUp() override {
    TempStoreTest::SetUp();
    queue_holder_ = std::make_unique<ReviewQueue>(*store_);
  }
  void TearDown() override {
    queue_holder_.reset();
    TempStoreTest::TearDown();
  }
  void Configure(std::vector<std::string> categories, double qa = 0.0, double golden = 0.0) {
    ReviewSettings settings;
    settings.second_review_categories = std::move(categories);
    settings.qa_sample_rate = qa;
    settings.golden_rate = golden;
    ASSERT_TRUE(RecordReviewSettings(store_->db(), settings).ok());
  }
  int64_t Count(const std::string &sql) {
    Statement row(store_->db(), sql);
    return row.ok() && row.Step() == kRow ? row.ColumnInt(0) : -1;
  }
  std::string Text(const std::string &sql) {
    Statement row(store_->db(), sql);
    return row.ok() && row.Step() == kRow ? row.ColumnText(0) : "<none>";
  }
  // Claims `item` for `who` (nothing else) and decides it; what followed.
  RoundResult ClaimAndDecide(int64_t item, const std::string &who, const std::string &decision) {
    ClaimOptions only;
    only.only_item = item;
    auto claimed = Queue().Claim(who, only);
    EXPECT_TRUE(claimed.ok() && claimed.value()) << who << " could not claim " << item;
    RoundResult result;
    Status s = Queue().Decide(item, who, decision, "because", {}, &result);
    EXPECT_TRUE(s.ok()) << s.message();
    return result;
  }
  void ExpectVerifies() {
    auto report = VerifyAudit(store_->db());
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report.value().problems.empty())
        << ::testing::PrintToString(report.value().problems);
  }

  ReviewQueue &Queue() { return *queue_holder_; }

  std::unique_ptr<ReviewQueue> queue_holder_;
};

TEST_F(ReviewRoundsTest, TwoAgreeingDecisionsDecideTheItem) {
  Configure({"A1"});
  const int64_t id = AddQueuedItem(*store_, "a", Disposition::kReview, 4, 0, "A1");
  const int64_t other = AddQueuedItem(*store_, "b", Disposition::kReview, 4, 0, "B2");

  RoundResult first = ClaimAndDecide(id, "alice", "A1");
  EXPECT_EQ(first.state, "pending");
  EXPECT_EQ(first.round, 2);
  // Not a category that needs two: one decision is enough.
  RoundResult single = ClaimAndDecide(other, "alice", "B2");
  EXPECT_EQ(single.state, "decided");
  EXPECT_EQ(single.round, 1);

  // Alice is not served it again; bob is, in round 2.
  auto mine = Queue().Claim("alice", {});
  ASSERT_TRUE(mine.ok());
  EXPECT_FALSE(mine.value().has_value());
  auto bobs = Queue().Claim("bob", {});
  ASSERT_TRUE(bobs.ok() && bobs.value());
  EXPECT_EQ(bobs.value()->item_id, id);
  EXPECT_EQ(bobs.value()->round, 2);
  RoundResult second;
  ASSERT_TRUE(Queue().Decide(id, "bob", "A1", "", {}, &second).ok());
  EXPECT_EQ(second.state, "decided");
  EXPECT_EQ(Queue().Get(id).value()->state, "decided");
  EXPECT_EQ(Queue().Get(id).value()->decision,
            "A1");  // shown again once decided
  EXPECT_EQ(
      Count("SELECT count(*) FROM decisions WHERE round = 1 AND item_id = " + std::to_string(id)),
      1);
  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE round = 2 AND reviewer "
                  "= 'bob'"),
            1);
  ExpectVerifies();
}

TEST_F(ReviewRoundsTest, TheFirstDecisionAloneCanAskForASecondReview) {
  Configure({"A1", "A2"});
  const int64_t id = AddQueuedItem(*store_, "a", Disposition::kReview, 3);  // no category
  EXPECT_EQ(ClaimAndDecide(id, "alice", "A2").round, 2);
  EXPECT_EQ(ClaimAndDecide(id, "bob", "A2").state, "decided");
}

TEST_F(ReviewRoundsTest, ADisagreementGoesToTheSeniorQueueWhereASeniorDecides) {
  Configure({"A1"});
  const int64_t id = AddQueuedItem(*store_, "a", Disposition::kReview, 4, 0, "A1");
  ClaimAndDecide(id, "alice", "A1");
  RoundResult second = ClaimAndDecide(id, "bob", "B1");
  EXPECT_EQ(second.state, "pending");
  EXPECT_EQ(second.round, 3);
  EXPECT_EQ(second.queue, "senior-review");
  auto entry = Queue().Get(id).value();
  EXPECT_EQ(entry->queue, "senior-review");
  EXPECT_EQ(entry->round, 3);
  EXPECT_EQ(entry->decision, "B1");  // a senior sees the decisions
  // Neither of the two is served it; a third person (the senior) is, and
  // decides.
  ClaimOptions seniors;
  seniors.queues = {"senior-review"};
  EXPECT_FALSE(Queue().Claim("alice", seniors).value().has_value());
  EXPECT_FALSE(Queue().Claim("bob", seniors).value().has_value());
  RoundResult final_decision = ClaimAndDecide(id, "carol", "A1");
  EXPECT_EQ(final_decision.state, "decided");
  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE round = 3 AND reviewer "
                  "= 'carol'"),
            1);
  // The audit entry of the second decision says where it went and that it
  // disagreed.
  EXPECT_THAT(Text("SELECT details FROM audit_log WHERE actor = 'bob' AND action = "
                   "'queue.decided'"),
              HasSubstr("\"agrees_with_round_1\":false"));
  ExpectVerifies();
}

TEST_F(ReviewRoundsTest, AnEscalationInTheSecondRoundIsADisagreement) {
  Configure({"A1"});
  const int64_t id = AddQueuedItem(*store_, "a", Disposition::kReview, 4, 0, "A1");
  ClaimAndDecide(id, "alice", "A1");
  ClaimOptions only;
  only.only_item = id;
  ASSERT_TRUE(Queue().Claim("bob", only).value().has_value());
  RoundResult r;
  ASSERT_TRUE(Queue().Decide(id, "bob", "escalate", "unsure", {}, &r).ok());
  EXPECT_EQ(r.round, 3);
  EXPECT_EQ(r.queue, "senior-review");
}

TEST_F(ReviewRoundsTest, TheSameLoginCannotGiveBothDecisions) {
  Configure({"A1"});
  const int64_t id = AddQueuedItem(*store_, "a", Disposition::kReview, 4, 0, "A1");
  ClaimAndDecide(id, "alice", "A1");
  ClaimOptions only;
  only.only_item = id;
  EXPECT_FALSE(Queue().Claim("alice", only).value().has_value());
  // Even holding a lease some other way, the store refuses her second decision.
  Statement force(store_->db(),
                  "UPDATE queue SET state = 'claimed', lease_owner = 'alice', "
                  "lease_expires = 4102444800 WHERE item_id = ?1");
  force.Bind(1, id);
  ASSERT_EQ(force.Step(), kDone);
  Status again = Queue().Decide(id, "alice", "A1", "");
  EXPECT_EQ(again.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(again.message(), HasSubstr("alice already decided item " + std::to_string(id)));
  EXPECT_EQ(Count("SELECT count(*) FROM decisions"), 1);
}

TEST_F(ReviewRoundsTest, TheSecondReviewerDoesNotSeeTheFirstDecision) {
  Configure({"A1"});
  const int64_t id = AddQueuedItem(*store_, "a", Disposition::kReview, 4, 0, "A1");
  ClaimAndDecide(id, "alice", "A1");
  auto claimed = Queue().Claim("bob", {});
  ASSERT_TRUE(claimed.ok() && claimed.value());
  EXPECT_EQ(claimed.value()->decision, "");
  EXPECT_EQ(claimed.value()->decided_by, "");
  EXPECT_EQ(Queue().Get(id).value()->decision, "");
  auto listed = Queue().List("", QueueOrder::kPriority, 10);
  ASSERT_EQ(listed.value().size(), 1u);
  EXPECT_EQ(listed.value()[0].decision, "");
  // Every view of decisions (queue show, the console's panel, export) filters
  // with this.
  EXPECT_EQ(Count("SELECT count(*) FROM decisions d WHERE " + DecisionVisibleSql("d")), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM decisions d"), 1);
  ASSERT_TRUE(Queue().Decide(id, "bob", "A1", "").ok());
  EXPECT_EQ(Count("SELECT count(*) FROM decisions d WHERE " + DecisionVisibleSql("d")), 2);
}

TEST_F(ReviewRoundsTest, QaSamplingIsReproducibleAndNearItsRateOnAThousandItems) {
  Configure({}, 0.05);
  std::set<int64_t> expected;
  for (int i = 0; i < 1000; ++i) {
    const int64_t id = AddQueuedItem(*store_, "item" + std::to_string(i), Disposition::kReview, 3);
    if (QaSampled(id, 0.05)) expected.insert(id);
    ClaimAndDecide(id, "alice", "B2");
  }
  // 50 expected; a binomial(1000, 0.05) lies in [25, 75] with probability >
  // 0.9997, and the hash is fixed, so this never flakes: it checks the hash is
  // not biased.
  EXPECT_GE(expected.size(), 25u);
  EXPECT_LE(expected.size(), 75u);
  std::set<int64_t> sampled;
  Statement rows(store_->db(), "SELECT item_id FROM qa_tasks ORDER BY item_id");
  while (rows.Step() == kRow) sampled.insert(rows.ColumnInt(0));
  EXPECT_EQ(sampled, expected);
  // Reproducible: the same ids give the same sample, a different rate a nested
  // one.
  for (int64_t id : expected) EXPECT_TRUE(QaSampled(id, 0.05));
  for (int64_t id : expected) EXPECT_TRUE(QaSampled(id, 0.10));
  EXPECT_FALSE(QaSampled(*expected.begin(), 0.0));
  auto open = ListQa(store_->db(), false);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open.value().size(), expected.size());
}

TEST_F(ReviewRoundsTest, OnlyAFinalDecisionIsSampledAndASeniorRecordsAVerdict) {
  Configure({"A1"}, 1.0);
  const int64_t id = AddQueuedItem(*store_, "a", Disposition::kReview, 4, 0, "A1");
  EXPECT_FALSE(ClaimAndDecide(id, "alice", "A1").qa_sampled);
  EXPECT_EQ(Count("SELECT count(*) FROM qa_tasks"), 0);
  EXPECT_TRUE(ClaimAndDecide(id, "bob", "A1").qa_sampled);
  EXPECT_EQ(Count("SELECT count(*) FROM qa_tasks"), 1);
  EXPECT_EQ(RecordQaVerdict(store_->db(), id, "carol", "maybe", "x").code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(RecordQaVerdict(store_->db(), id, "carol", "agree", "").code(),
            Status::Code::kInvalidArgument);
  Status own = RecordQaVerdict(store_->db(), id, "bob", "agree", "fine");
  EXPECT_THAT(own.message(), HasSubstr("another senior checks it"));
  ASSERT_TRUE(RecordQaVerdict(store_->db(), id, "carol", "disagree", "looks like A2").ok());
  EXPECT_THAT(RecordQaVerdict(store_->db(), id, "dave", "agree", "x").message(),
              HasSubstr("has its verdict already"));
  EXPECT_EQ(RecordQaVerdict(store_->db(), 999, "carol", "agree", "x").code(),
            Status::Code::kNotFound);
  auto all = ListQa(store_->db(), true);
  ASSERT_EQ(all.value().size(), 1u);
  EXPECT_EQ(all.value()[0].verdict, "disagree");
  EXPECT_EQ(all.value()[0].decided_by, "bob");
  EXPECT_TRUE(ListQa(store_->db(), false).value().empty());
  // History is not edited.
  Statement edit(store_->db(), "UPDATE qa_verdicts SET verdict = 'agree'");
  EXPECT_NE(edit.Step(), kDone);
  ExpectVerifies();
}

TEST_F(ReviewRoundsTest, GoldenItemsAreServedAndCountedButNeverActOnTheItem) {
  Configure({"A1"}, 0.0, 1.0);  // every claim is golden while one is left
  const int64_t g1 = AddQueuedItem(*store_, "g1", Disposition::kReview, 4, 0, "A1");
  const int64_t g2 = AddQueuedItem(*store_, "g2", Disposition::kReview, 2);
  const int64_t s1 = AddQueuedItem(*store_, "s1", Disposition::kReview, 4, 0, "A1");
  const int64_t s2 = AddQueuedItem(*store_, "s2", Disposition::kReview, 4, 0, "A1");
  // g1 was decided before it became golden (by "admin" who knows the answer).
  ClaimAndDecide(g1, "admin", "B2");
  EXPECT_EQ(AddGolden(store_->db(), g1, "escalate", "admin").status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(AddGolden(store_->db(), 999, "A1", "admin").status().code(), Status::Code::kNotFound);
  ASSERT_TRUE(AddGolden(store_->db(), g1, "A1", "admin").ok());
  EXPECT_EQ(AddGolden(store_->db(), g1, "A1", "admin").status().code(),
            Status::Code::kInvalidArgument);
  ASSERT_TRUE(AddGolden(store_->db(), g2, "not-illegal", "admin").ok());

  // Alice: two golden claims, each looks like a claimed item without its
  // decisions.
  for (const char *answer : {"A1", "not-illegal"}) {
    auto claimed = Queue().Claim("alice", {});
    ASSERT_TRUE(claimed.ok() && claimed.value());
    EXPECT_TRUE(claimed.value()->item_id == g1 || claimed.value()->item_id == g2);
    EXPECT_EQ(claimed.value()->state, "claimed");
    EXPECT_EQ(claimed.value()->lease_owner, "alice");
    EXPECT_EQ(claimed.value()->decision, "");
    const int64_t item = claimed.value()->item_id;
    const std::string mine = item == g1 ? "A1" : "not-illegal";
    RoundResult r;
    ASSERT_TRUE(Queue().Decide(item, "alice", mine, "seen", {}, &r).ok());
    EXPECT_EQ(r.state, "decided");
    (void)answer;
  }
  // Bob: wrong on g1, right on g2. The admin who decided g1 is never served it.
  for (int i = 0; i < 2; ++i) {
    auto claimed = Queue().Claim("bob", {});
    ASSERT_TRUE(claimed.ok() && claimed.value());
    const int64_t item = claimed.value()->item_id;
    ASSERT_TRUE(item == g1 || item == g2);
    ASSERT_TRUE(Queue().Decide(item, "bob", item == g1 ? "B1" : "not-illegal", "seen").ok());
  }
  // Nothing acted on the golden items: g1 keeps its one decision, g2 is
  // pending, unclaimed.
  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE item_id = " + std::to_string(g1)), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE item_id = " + std::to_string(g2)), 0);
  EXPECT_EQ(Queue().Get(g2).value()->state, "pending");
  EXPECT_EQ(Count("SELECT count(*) FROM golden_answers"), 4);

  // Golden items are exhausted for alice and bob: their claims serve real items
  // now.
  ClaimAndDecide(s1, "alice", "A1");
  ClaimAndDecide(s1, "bob", "A1");  // agree
  ClaimAndDecide(s2, "bob", "A2");
  ClaimAndDecide(s2, "alice", "B2");  // disagree -> senior
  ClaimAndDecide(s2, "carol", "A2");

  auto golden = ListGolden(store_->db());
  ASSERT_EQ(golden.value().size(), 2u);
  EXPECT_EQ(golden.value()[0].item_id, g1);
  EXPECT_EQ(golden.value()[0].answered, 2);
  EXPECT_EQ(golden.value()[0].agreed, 1);
  EXPECT_EQ(golden.value()[1].agreed, 2);

  // Hand-checked: alice golden 2/2, second reviews 2 (s1 agreed, s2 not); bob
  // golden 1/2, the same two pairs; carol settled s2 (no pair); admin nothing.
  auto agreement = ComputeAgreement(store_->db());
  ASSERT_TRUE(agreement.ok()) << agreement.status().message();
  std::map<std::string, ReviewerAgreement> by;
  for (const auto &r : agreement.value()) by[r.reviewer] = r;
  EXPECT_EQ(by.size(), 2u);
  EXPECT_EQ(by["alice"].golden_answered, 2);
  EXPECT_EQ(by["alice"].golden_agreed, 2);
  EXPECT_EQ(by["alice"].second_reviews, 2);
  EXPECT_EQ(by["alice"].second_agreed, 1);
  EXPECT_EQ(by["bob"].golden_answered, 2);
  EXPECT_EQ(by["bob"].golden_agreed, 1);
  EXPECT_EQ(by["bob"].second_reviews, 2);
  EXPECT_EQ(by["bob"].second_agreed, 1);

  // Removed: no longer served, its answers stay.
  ASSERT_TRUE(RemoveGolden(store_->db(), g2, "admin").ok());
  EXPECT_EQ(RemoveGolden(store_->db(), g2, "admin").code(), Status::Code::kNotFound);
  EXPECT_EQ(ListGolden(store_->db()).value().size(), 1u);
  EXPECT_EQ(Count("SELECT count(*) FROM golden_answers"), 4);
  ExpectVerifies();
}

TEST_F(ReviewRoundsTest, AGoldenItemCanBeGivenBack) {
  Configure({}, 0.0, 1.0);
  const int64_t g = AddQueuedItem(*store_, "g", Disposition::kReview, 3);
  ASSERT_TRUE(AddGolden(store_->db(), g, "B2", "admin").ok());
  auto claimed = Queue().Claim("alice", {});
  ASSERT_TRUE(claimed.ok() && claimed.value());
  EXPECT_EQ(claimed.value()->item_id, g);
  EXPECT_EQ(Queue().Decide(g, "bob", "B2", "").code(), Status::Code::kUnavailable);
  ASSERT_TRUE(Queue().Release(g, "alice").ok());
  EXPECT_EQ(Count("SELECT count(*) FROM golden_claims"), 0);
  EXPECT_EQ(Queue().Get(g).value()->state, "pending");
  // Served again (not answered yet), and never through the ordinary pick.
  EXPECT_EQ(Queue().Claim("alice", {}).value()->item_id, g);
  ClaimOptions only;
  only.only_item = g;
  EXPECT_FALSE(Queue().Claim("bob", only).value().has_value());
}

TEST_F(ReviewRoundsTest, ReopenStartsANewReviewAndKeepsTheHistory) {
  Configure({"A1"});
  const int64_t id = AddQueuedItem(*store_, "a", Disposition::kReview, 4, 0, "A1");
  ClaimAndDecide(id, "alice", "A1");
  ClaimAndDecide(id, "bob", "B1");
  ClaimAndDecide(id, "carol", "B1");  // the senior settles it
  auto before = Queue().Reopen(id, "carol", "appeal from the uploader");
  ASSERT_TRUE(before.ok()) << before.status().message();
  EXPECT_EQ(before.value().decision, "B1");
  auto entry = Queue().Get(id).value();
  EXPECT_EQ(entry->state, "pending");
  EXPECT_EQ(entry->round, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE item_id = " + std::to_string(id)), 3);
  // A new review: alice may decide again, and it needs a second person again.
  EXPECT_EQ(ClaimAndDecide(id, "alice", "A1").round, 2);
  ClaimOptions only;
  only.only_item = id;
  EXPECT_FALSE(Queue().Claim("alice", only).value().has_value());
  EXPECT_EQ(ClaimAndDecide(id, "bob", "A1").state, "decided");
  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE item_id = " + std::to_string(id)), 5);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'queue.reopened'"), 1);
  // Agreement counts both reviews' pairs: one disagreement, then one agreement.
  auto agreement = ComputeAgreement(store_->db()).value();
  for (const auto &r : agreement) {
    if (r.reviewer == "alice") {
      EXPECT_EQ(r.second_reviews, 2);
      EXPECT_EQ(r.second_agreed, 1);
    }
  }
  ExpectVerifies();
}

TEST(ReviewPolicyTest, ReadsTheReviewTableStrictly) {
  auto policy = Policy::Parse(R"(
[[queues]]
name = "seniors"
roles = ["senior"]
[review]
second_review_categories = ["A1", "A2"]
qa_sample_rate = 0.1
golden_rate = 0
senior_queue = "seniors"
)",
                              "p.toml");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  EXPECT_EQ(policy.value().review().second_review_categories,
            (std::vector<std::string>{"A1", "A2"}));
  EXPECT_DOUBLE_EQ(policy.value().review().qa_sample_rate, 0.1);
  EXPECT_EQ(policy.value().review().senior_queue, "seniors");

  auto bad_rate = Policy::Parse("[review]\nqa_sample_rate = 1.5\n", "p.toml");
  EXPECT_THAT(bad_rate.status().message(), HasSubstr("p.toml:2:"));
  EXPECT_THAT(bad_rate.status().message(), HasSubstr("from 0 to 1"));
  auto unknown = Policy::Parse("[review]\nsecond_review = [\"A1\"]\n", "p.toml");
  EXPECT_FALSE(unknown.ok());
  auto undefined = Policy::Parse("[review]\nsecond_review_categories = [\"A1\"]\n", "p.toml");
  EXPECT_THAT(undefined.status().message(), HasSubstr("define it in [[queues]]"));
  auto open_to_reviewers = Policy::Parse(R"(
[[queues]]
name = "senior-review"
[review]
second_review_categories = ["A1"]
)",
                                         "p.toml");
  EXPECT_THAT(open_to_reviewers.status().message(), HasSubstr("reviewers may not work it"));
}

TEST(ReviewPolicyTest, TheDefaultPolicyHasASeniorQueueAndRates) {
  auto policy = Policy::Parse(kDefaultPolicyToml, "default");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  EXPECT_DOUBLE_EQ(policy.value().review().qa_sample_rate, 0.05);
  EXPECT_DOUBLE_EQ(policy.value().review().golden_rate, 0.02);
  bool seniors_only = false;
  for (const QueueSpec &q : policy.value().routing().queues()) {
    if (q.name == "senior-review") seniors_only = q.roles == std::vector<std::string>{"senior"};
  }
  EXPECT_TRUE(seniors_only);
}

}  // namespace
}  // namespace vigil::host
