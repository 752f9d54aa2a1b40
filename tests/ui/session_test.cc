// The review session against a real store: claims, decisions with reasons, skip and
// back, budgets, interleaving, reveal logging, breaks, panic and the check-in.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "model/input_router.h"
#include "session_fixture.h"
#include "store/audit_log.h"
#include "store/db/sqlite_database.h"
#include "store/exposure_budget.h"
#include "store/review_queue.h"

namespace vigil::review {
namespace {

using ::testing::HasSubstr;
using testing::SessionTest;

void ExpectAuditVerifies(host::Store& store) {
  auto report = host::VerifyAudit(store.db());
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report.value().problems.empty());
}

TEST_F(SessionTest, ClaimsTheHighestPriorityItemOnStart) {
  auto ids = Queue(3, {3});
  ReviewSession& s = Open();
  EXPECT_EQ(s.screen(), Screen::kWorking);
  ASSERT_TRUE(s.current().has_value());
  EXPECT_EQ(s.current()->entry.item_id, ids[0]);
  EXPECT_EQ(s.current()->details.detections.size(), 1u);
  EXPECT_EQ(Text("SELECT lease_owner FROM queue WHERE item_id = " + std::to_string(ids[0])), "alice");
  EXPECT_EQ(s.queue().size(), 3u);
  EXPECT_EQ(s.badges().at(ids[1]), "vigil.test");
}

TEST_F(SessionTest, DecisionLandsInStoreAndAuditAndTheNextItemOpens) {
  auto ids = Queue(2, {3});
  ReviewSession& s = Open();
  ASSERT_TRUE(s.Decide("A1").ok());
  EXPECT_EQ(Text("SELECT decision FROM decisions WHERE item_id = " + std::to_string(ids[0])), "A1");
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'queue.decided'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM exposure WHERE reviewer = 'alice'"), 1);
  ASSERT_TRUE(s.current().has_value());
  EXPECT_EQ(s.current()->entry.item_id, ids[1]);
  EXPECT_EQ(s.decisions_made(), 1);
  ExpectAuditVerifies(*store_);
  EXPECT_FALSE(s.Decide("Z9").ok());
}

TEST_F(SessionTest, NotIllegalNeedsAReason) {
  auto ids = Queue(2, {2});
  settings_.reasons = {"benign: landscape"};
  ReviewSession& s = Open();
  ASSERT_TRUE(s.Decide("not-illegal").ok());
  EXPECT_EQ(s.screen(), Screen::kReason);
  EXPECT_EQ(Count("SELECT count(*) FROM decisions"), 0);
  // Blank reasons are refused; control characters are dropped.
  s.TypeReason("   ");
  EXPECT_FALSE(s.SubmitReason().ok());
  EXPECT_EQ(s.screen(), Screen::kReason);
  EXPECT_THAT(s.notice(), HasSubstr("required"));
  s.TypeReason("a\x01\nb");
  s.TypeReason("\xC3\xA9");  // é: erased as one code point
  s.EraseReason();
  EXPECT_EQ(s.reason_text(), "   ab");
  ASSERT_TRUE(s.SubmitReason().ok());
  EXPECT_EQ(Text("SELECT reason FROM decisions WHERE item_id = " + std::to_string(ids[0])), "ab");
  // A listed reason submits at once; a number past the list does nothing.
  ASSERT_TRUE(s.Decide("escalate").ok());
  EXPECT_FALSE(s.ChooseReason(5).ok());
  EXPECT_EQ(s.screen(), Screen::kReason);
  ASSERT_TRUE(s.ChooseReason(0).ok());
  EXPECT_EQ(Text("SELECT reason FROM decisions WHERE item_id = " + std::to_string(ids[1])),
            "benign: landscape");
  // Escalation sends the item back to the queue with more priority.
  EXPECT_EQ(Text("SELECT state FROM queue WHERE item_id = " + std::to_string(ids[1])), "pending");
  ExpectAuditVerifies(*store_);
}

TEST_F(SessionTest, CancelledReasonDecidesNothing) {
  Queue(1, {2});
  ReviewSession& s = Open();
  ASSERT_TRUE(s.Decide("escalate").ok());
  s.TypeReason("unsure");
  s.CancelReason();
  EXPECT_EQ(s.screen(), Screen::kWorking);
  EXPECT_EQ(s.reason_text(), "");
  EXPECT_EQ(Count("SELECT count(*) FROM decisions"), 0);
}

TEST_F(SessionTest, NextSkipsAndReleasesPreviousGoesBack) {
  auto ids = Queue(3, {3});
  ReviewSession& s = Open();
  ASSERT_TRUE(s.Next().ok());
  EXPECT_EQ(s.current()->entry.item_id, ids[1]);
  EXPECT_EQ(Text("SELECT state FROM queue WHERE item_id = " + std::to_string(ids[0])), "pending");
  ASSERT_TRUE(s.Next().ok());
  EXPECT_EQ(s.current()->entry.item_id, ids[2]);
  // Nothing else: the skipped ones are not served again by Next.
  EXPECT_TRUE(s.Next().ok());
  EXPECT_EQ(s.current()->entry.item_id, ids[2]);
  EXPECT_THAT(s.notice(), HasSubstr("No other item"));
  ASSERT_TRUE(s.Previous().ok());
  EXPECT_EQ(s.current()->entry.item_id, ids[1]);
  EXPECT_EQ(Text("SELECT state FROM queue WHERE item_id = " + std::to_string(ids[2])), "pending");
  // Each item left was recorded in the ledger.
  EXPECT_EQ(Count("SELECT count(*) FROM exposure"), 3);
  ExpectAuditVerifies(*store_);
}

TEST_F(SessionTest, PreviousItemTakenByAnotherReviewerIsNotForced) {
  auto ids = Queue(3, {3});
  ReviewSession& s = Open();
  ASSERT_TRUE(s.Next().ok());
  host::ReviewQueue other(*store_);
  auto taken = other.Claim("bob", {});
  ASSERT_TRUE(taken.ok());
  ASSERT_TRUE(taken.value().has_value());
  EXPECT_EQ(taken.value()->item_id, ids[0]);
  EXPECT_FALSE(s.Previous().ok());
  EXPECT_EQ(s.current()->entry.item_id, ids[1]);
}

TEST_F(SessionTest, TwoReviewersNeverHoldTheSameItem) {
  Queue(4, {3});
  ReviewSession& a = Open("alice");
  ReviewSession b(*store_, "bob", settings_, clock_);
  ASSERT_TRUE(b.Start().ok());
  ASSERT_TRUE(a.current() && b.current());
  EXPECT_NE(a.current()->entry.item_id, b.current()->entry.item_id);
  ASSERT_TRUE(a.Decide("B2").ok());
  ASSERT_TRUE(b.Decide("B2").ok());
  EXPECT_NE(a.current()->entry.item_id, b.current()->entry.item_id);
  EXPECT_EQ(Count("SELECT count(DISTINCT item_id) FROM decisions"), 2);
}

TEST_F(SessionTest, BudgetStopsServingTheSeverityAndOffersLighterWork) {
  auto ids = Queue(4, {5, 5, 2, 2});
  settings_.budgets[5] = {-1, 1};  // one critical item a day
  ReviewSession& s = Open();
  EXPECT_EQ(s.current()->entry.severity, 5);
  ASSERT_TRUE(s.Decide("A1").ok());
  // The second critical item is skipped over: lighter work is served, and said so.
  ASSERT_TRUE(s.current().has_value());
  EXPECT_EQ(s.current()->entry.severity, 2);
  EXPECT_EQ(s.max_servable_severity(), 4);
  EXPECT_THAT(s.notice(), HasSubstr("Budget reached for critical"));
  ASSERT_TRUE(s.Decide("A2").ok());
  ASSERT_TRUE(s.Decide("A2").ok());
  // Only the critical item is left: no work, offer a break.
  EXPECT_EQ(s.screen(), Screen::kNoWork);
  EXPECT_THAT(s.notice(), HasSubstr("Take a break"));
  EXPECT_EQ(Text("SELECT state FROM queue WHERE item_id = " + std::to_string(ids[1])), "pending");
}

// Issue 13 item 7: the budget an admin set in the store caps the console too, though the
// console's own budgets (unlimited here) would serve everything.
TEST_F(SessionTest, TheStoresTeamBudgetCapsTheConsole) {
  auto ids = Queue(3, {5, 5, 2});
  ASSERT_TRUE(host::SetExposureBudget(store_->db(), 5, 1, std::nullopt, "lead").ok());
  ReviewSession& s = Open();
  EXPECT_EQ(s.current()->entry.severity, 5);
  ASSERT_TRUE(s.Decide("A1").ok());
  ASSERT_TRUE(s.current().has_value());
  EXPECT_EQ(s.current()->entry.severity, 2);
  EXPECT_THAT(s.notice(), HasSubstr("Budget reached for critical"));
  ASSERT_TRUE(s.Decide("A2").ok());
  EXPECT_EQ(s.screen(), Screen::kNoWork);
  EXPECT_THAT(s.notice(), HasSubstr("The team's exposure budget for critical items is used up"));
  EXPECT_EQ(Text("SELECT state FROM queue WHERE item_id = " + std::to_string(ids[1])), "pending");
}

TEST_F(SessionTest, BudgetSurvivesARestartTheSameDay) {
  Queue(3, {5});
  settings_.budgets[5] = {-1, 1};
  {
    ReviewSession& s = Open();
    ASSERT_TRUE(s.Decide("A1").ok());
    ASSERT_TRUE(s.Finish().ok());
  }
  ReviewSession& again = Open();
  EXPECT_EQ(again.screen(), Screen::kNoWork);
  EXPECT_FALSE(again.current().has_value());
}

TEST_F(SessionTest, InterleavesALighterItemAfterASevereOne) {
  auto ids = Queue(4, {5, 5, 2, 2});
  settings_.interleave = true;
  settings_.severe_from = 4;
  ReviewSession& s = Open();
  std::vector<int> served;
  for (int i = 0; i < 4 && s.current(); ++i) {
    served.push_back(s.current()->entry.severity);
    ASSERT_TRUE(s.Decide("B1").ok());
  }
  EXPECT_EQ(served, (std::vector<int>{5, 2, 5, 2}));
}

TEST_F(SessionTest, RevealsAreLoggedWithRegionAndDurationAndCountAsExposure) {
  auto ids = Queue(2, {4});
  settings_.reveal_timeout_seconds = 3;
  ReviewSession& s = Open();
  ASSERT_TRUE(s.BeginReveal(Rect{0.25f, 0.25f, 0.5f, 0.5f}));
  clock_.Advance(1.5);
  s.EndReveal();
  ASSERT_TRUE(s.BeginReveal(Rect{0.0f, 0.0f, 0.2f, 0.2f}));
  clock_.Advance(10);  // held far past the timeout
  s.Tick();
  EXPECT_FALSE(s.reveal().active());
  EXPECT_EQ(Count("SELECT count(*) FROM reveals"), 2);
  EXPECT_EQ(Count("SELECT sum(duration_ms) FROM reveals"), 4500);
  EXPECT_EQ(Text("SELECT x || ',' || y || ',' || w || ',' || h FROM reveals ORDER BY id LIMIT 1"),
            "0.25,0.25,0.5,0.5");
  ASSERT_TRUE(s.Decide("A2").ok());
  EXPECT_EQ(Text("SELECT seconds_unobscured || '/' || reveals FROM exposure"), "4.5/2");
  EXPECT_DOUBLE_EQ(s.ledger().at(4).seconds_unobscured, 4.5);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'reveal'"), 2);
  ExpectAuditVerifies(*store_);
}

TEST_F(SessionTest, NoRevealPastTheSecondsBudget) {
  Queue(2, {5});
  settings_.budgets[5] = {2, -1};
  ReviewSession& s = Open();
  ASSERT_TRUE(s.BeginReveal(Rect{0, 0, 0.5f, 0.5f}));
  clock_.Advance(2);
  s.EndReveal();
  EXPECT_FALSE(s.BeginReveal(Rect{0, 0, 0.5f, 0.5f}));
  EXPECT_THAT(s.notice(), HasSubstr("reveal budget"));
  // A severe item can still be decided without any reveal.
  EXPECT_TRUE(s.Decide("A1").ok());
}

TEST_F(SessionTest, PanicBlanksEndsTheRevealAndPausesTheTimer) {
  Queue(1, {3});
  ReviewSession& s = Open();
  ASSERT_TRUE(s.BeginReveal(Rect{0, 0, 0.5f, 0.5f}));
  clock_.Advance(1);
  s.Tick();
  s.Panic();
  EXPECT_EQ(s.screen(), Screen::kPanic);
  EXPECT_FALSE(s.reveal().active());
  EXPECT_EQ(Count("SELECT count(*) FROM reveals"), 1);
  const double worked = s.timer().worked_seconds();
  clock_.Advance(600);
  s.Tick();
  EXPECT_DOUBLE_EQ(s.timer().worked_seconds(), worked);
  s.LeavePanic();
  EXPECT_EQ(s.screen(), Screen::kWorking);
  EXPECT_FALSE(s.reveal().active());  // coming back never reveals
}

TEST_F(SessionTest, PanicFromTheReasonDialogReturnsToIt) {
  Queue(1, {3});
  ReviewSession& s = Open();
  ASSERT_TRUE(s.Decide("escalate").ok());
  s.TypeReason("half typed");
  s.Panic();
  s.TypeReason("ignored");
  EXPECT_EQ(s.reason_text(), "half typed");
  s.LeavePanic();
  EXPECT_EQ(s.screen(), Screen::kReason);
}

TEST_F(SessionTest, SessionLimitForcesABreakThatCannotBeSkipped) {
  auto ids = Queue(2, {3});
  settings_.session_limit_minutes = 1;
  settings_.break_minutes = 5;
  ReviewSession& s = Open();
  const int64_t held = s.current()->entry.item_id;
  clock_.Advance(61);
  s.Tick();
  EXPECT_EQ(s.screen(), Screen::kBreak);
  EXPECT_FALSE(s.current().has_value());
  EXPECT_EQ(Text("SELECT state FROM queue WHERE item_id = " + std::to_string(held)), "pending");
  EXPECT_FALSE(s.EndBreak());
  EXPECT_FALSE(s.Decide("A1").ok());
  clock_.Advance(299);
  EXPECT_FALSE(s.EndBreak());
  clock_.Advance(1);
  EXPECT_TRUE(s.EndBreak());
  EXPECT_EQ(s.screen(), Screen::kWorking);
}

TEST_F(SessionTest, VoluntaryBreakReleasesTheItem) {
  auto ids = Queue(1, {3});
  ReviewSession& s = Open();
  s.TakeBreak();
  EXPECT_EQ(s.screen(), Screen::kBreak);
  EXPECT_EQ(Text("SELECT state FROM queue WHERE item_id = " + std::to_string(ids[0])), "pending");
  EXPECT_TRUE(s.EndBreak());
  EXPECT_EQ(s.current()->entry.item_id, ids[0]);
}

TEST_F(SessionTest, CheckInIsPrivateAndCanOnlyLowerTheBudget) {
  Queue(3, {5, 2, 5});
  settings_.checkin = true;
  settings_.interleave = true;
  settings_.budgets[5] = {100, 10};
  ReviewSession& s = Open();
  EXPECT_EQ(s.screen(), Screen::kCheckIn);
  EXPECT_FALSE(s.current().has_value());
  const int64_t audit_before = Count("SELECT count(*) FROM audit_log");
  EXPECT_FALSE(s.CheckIn(7).ok());
  ASSERT_TRUE(s.CheckIn(3).ok());
  EXPECT_DOUBLE_EQ(s.budget().SecondsLeft(s.ledger(), 5), 50);
  EXPECT_EQ(s.budget().ItemsLeft(s.ledger(), 5), 5);
  // Lighter work first after a rough day.
  ASSERT_TRUE(s.current().has_value());
  EXPECT_EQ(s.current()->entry.severity, 2);
  // Nothing about the answer reaches the store: only the claim.
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log"), audit_before + 1);
  EXPECT_EQ(Text("SELECT group_concat(action) FROM audit_log WHERE seq > " +
                 std::to_string(audit_before)),
            "queue.claimed");
}

TEST_F(SessionTest, ObscureLevelNeverDropsBelowTheFloor) {
  Queue(1, {2});  // the fixture's policy level for severity 2 is 4
  settings_.min_obscure_level = 3;
  ReviewSession& s = Open();
  EXPECT_EQ(s.obscure_level(), 4);
  for (int i = 0; i < 10; ++i) s.ChangeObscureLevel(-1);
  EXPECT_EQ(s.obscure_level(), 3);
  s.ChangeObscureLevel(1);
  EXPECT_EQ(s.obscure_level(), 4);
  for (int i = 0; i < 10; ++i) s.ChangeObscureLevel(1);
  EXPECT_EQ(s.obscure_level(), 7);
  s.ChangeObscureLevel(-1);
  EXPECT_EQ(s.obscure_level(), 6);
}

TEST_F(SessionTest, EmptyQueueAndRetry) {
  ReviewSession& s = Open();
  EXPECT_EQ(s.screen(), Screen::kNoWork);
  EXPECT_THAT(s.notice(), HasSubstr("empty"));
  Queue(1, {3});
  ASSERT_TRUE(s.Retry().ok());
  EXPECT_EQ(s.screen(), Screen::kWorking);
}

TEST_F(SessionTest, ListFilterAndScrolling) {
  Queue(6, {2, 3, 4, 5});
  ReviewSession& s = Open();
  EXPECT_EQ(s.queue().size(), 6u);
  s.CycleListFilter();  // >= 3
  EXPECT_EQ(s.list_filter_min_severity(), 3);
  for (const auto& e : s.queue()) EXPECT_GE(e.severity, 3);
  s.CycleListFilter();
  s.CycleListFilter();
  for (const auto& e : s.queue()) EXPECT_EQ(e.severity, 5);
  s.CycleListFilter();
  EXPECT_EQ(s.list_filter_min_severity(), 0);
  s.ScrollList(100);
  EXPECT_EQ(s.list_cursor(), 5);
  s.ScrollList(-100);
  EXPECT_EQ(s.list_cursor(), 0);
}

TEST_F(SessionTest, LostLeaseIsReportedAndTheSessionMovesOn) {
  auto ids = Queue(2, {3});
  ReviewSession& s = Open();
  // Someone (an admin, an expired lease taken over) changed the lease under us.
  ASSERT_EQ(sqlite3_exec(vigil::host::SqliteHandle(store_->db()),
                         "UPDATE queue SET lease_owner = 'bob' WHERE state = 'claimed'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  Status decided = s.Decide("A1");
  EXPECT_FALSE(decided.ok());
  EXPECT_THAT(s.notice(), HasSubstr("Could not record A1"));
  EXPECT_EQ(Count("SELECT count(*) FROM decisions"), 0);
  ASSERT_TRUE(s.current().has_value());
  EXPECT_EQ(s.current()->entry.item_id, ids[1]);
}

}  // namespace
}  // namespace vigil::review

namespace vigil::review {
namespace {

// Issue 13 item 6: K sends the open item's hashes to the local bank with its confirmed
// decision, recorded with the decision; it holds for that item only, and clearing or
// escalating adds nothing.
TEST_F(SessionTest, KAddsTheItemsHashesToTheLocalBankWithItsDecision) {
  auto ids = Queue(3, {3});
  ReviewSession& s = Open();
  InputRouter router(s, clock_);
  router.OnKey('K', true, 0);
  EXPECT_TRUE(s.add_to_bank());
  EXPECT_THAT(s.notice(), HasSubstr("go to bank local-confirmed"));
  router.OnKey('K', true, 0);
  EXPECT_FALSE(s.add_to_bank());
  router.OnKey('K', true, 0);
  router.OnKey('2', true, 0);  // A2
  EXPECT_THAT(s.notice(), HasSubstr("its hashes are in bank local-confirmed"));
  EXPECT_EQ(Count("SELECT count(*) FROM local_bank_entries WHERE bank = 'local-confirmed' AND "
                  "added_by = 'alice' AND category = 'A2' AND rule = '' AND item_id = " +
                  std::to_string(ids[0])),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'bank.entries_added'"), 1);
  // The next item: K is off again; pressed, then cleared: nothing is added.
  EXPECT_FALSE(s.add_to_bank());
  router.OnKey('K', true, 0);
  ASSERT_TRUE(s.Decide("not-illegal").ok());
  s.TypeReason("benign");
  ASSERT_TRUE(s.SubmitReason().ok());
  // Without K, a confirmed decision adds nothing (no bank rule in this store).
  ASSERT_TRUE(s.Decide("A1").ok());
  EXPECT_EQ(Count("SELECT count(*) FROM local_bank_entries"), 1);
  ExpectAuditVerifies(*store_);
}

}  // namespace
}  // namespace vigil::review
