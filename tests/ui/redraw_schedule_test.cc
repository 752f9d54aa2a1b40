// When the console draws its next frame (model/redraw_schedule.h): on input at
// once; idle, at the session clock's next displayed second; during a reveal, at
// its next tenth of a second; hidden, never (only a running reveal's timeout is
// kept).
#include "model/redraw_schedule.h"

#include <gtest/gtest.h>

#include <cmath>

#include "session_fixture.h"

namespace vigil::review {
namespace {

using RedrawTest = testing::SessionTest;

TEST(NextDisplayChangeTest, SecondsAndTenths) {
  // "2:05" (125 s) stays until the countdown falls below 124.5 s.
  EXPECT_NEAR(NextDisplayChange(125.3, 1), 0.8, 1e-9);
  EXPECT_NEAR(NextDisplayChange(125.5, 1), 0, 1e-9);  // 126 at 125.5 s, 125 just below
  EXPECT_NEAR(NextDisplayChange(0.3, 1), 0.3,
              1e-9);  // shows 0: next change is the end
  EXPECT_EQ(NextDisplayChange(0, 1), kNoRedraw);
  // "re-obscures in 3.0 s" becomes "2.9" below 2.95 s.
  EXPECT_NEAR(NextDisplayChange(3.0, 10), 0.05, 1e-9);
  EXPECT_NEAR(NextDisplayChange(2.96, 10), 0.01, 1e-9);
}

TEST_F(RedrawTest, IdleWaitsForTheSessionClocksNextSecond) {
  Queue(2, {3});
  ReviewSession& session = Open();
  ASSERT_EQ(session.screen(), Screen::kWorking);
  clock_.Advance(0.3);
  session.Tick();
  const double remaining = session.timer().remaining_seconds();
  ASSERT_NEAR(remaining, 3000 - 0.3, 1e-6);
  const double now = clock_.Now();
  const double due = NextRedraw(session, now, RedrawState{});
  // "50:00" shows until 2999.5 s are left: 0.2 s from now (plus the slack).
  EXPECT_NEAR(due, now + 0.2 + kRedrawSlack, 1e-6);

  // Nothing visible changes before the deadline; at it the clock shows a new
  // second.
  const long shown = std::lround(remaining);
  clock_.Advance(due - now - 2 * kRedrawSlack);
  session.Tick();
  EXPECT_EQ(std::lround(session.timer().remaining_seconds()), shown);
  clock_.Advance(2 * kRedrawSlack);
  session.Tick();
  EXPECT_EQ(std::lround(session.timer().remaining_seconds()), shown - 1);
  // And the one after is a second later.
  const double next = NextRedraw(session, clock_.Now(), RedrawState{});
  EXPECT_NEAR(next - clock_.Now(), 1.0, 1e-6);
}

TEST_F(RedrawTest, InputDrawsAgainAtOnce) {
  Queue(1, {3});
  ReviewSession& session = Open();
  RedrawState state;
  state.had_input = true;
  EXPECT_EQ(NextRedraw(session, clock_.Now(), state), clock_.Now());
}

TEST_F(RedrawTest, RunningRevealTicksEveryTenth) {
  Queue(1, {3});
  ReviewSession& session = Open();
  ASSERT_TRUE(session.BeginReveal(RegionAround(0.5f, 0.5f, 0.3f)));
  const double now = clock_.Now();
  // 3.0 s left: "3.0" until 2.95 s.
  EXPECT_NEAR(NextRedraw(session, now, RedrawState{}), now + 0.05 + kRedrawSlack, 1e-6);
  clock_.Advance(1.23);
  session.Tick();
  ASSERT_TRUE(session.reveal().active());
  // 1.77 s left shows "1.8" until 1.75 s.
  EXPECT_NEAR(NextRedraw(session, clock_.Now(), RedrawState{}), clock_.Now() + 0.02 + kRedrawSlack,
              1e-6);
}

TEST_F(RedrawTest, HiddenWindowHasNoTimer) {
  Queue(1, {3});
  ReviewSession& session = Open();
  RedrawState hidden;
  hidden.visible = false;
  EXPECT_EQ(NextRedraw(session, clock_.Now(), hidden), kNoRedraw);
  hidden.picture_pending = true;
  EXPECT_EQ(NextRedraw(session, clock_.Now(), hidden), kNoRedraw);
  // A reveal still ends at its timeout (nothing is drawn, the reveal is
  // logged).
  ASSERT_TRUE(session.BeginReveal(RegionAround(0.5f, 0.5f, 0.3f)));
  EXPECT_NEAR(NextRedraw(session, clock_.Now(), hidden), clock_.Now() + 3.0 + kRedrawSlack, 1e-6);
}

TEST_F(RedrawTest, PanicWaitsForInputOnly) {
  Queue(1, {3});
  ReviewSession& session = Open();
  session.Panic();
  EXPECT_EQ(NextRedraw(session, clock_.Now(), RedrawState{}), kNoRedraw);
}

TEST_F(RedrawTest, MandatoryBreakCountsDownBySeconds) {
  settings_.session_limit_minutes = 1;
  settings_.break_minutes = 1;
  Queue(1, {3});
  ReviewSession& session = Open();
  // At the limit the session clock's deadline is the break itself.
  clock_.Advance(59.9);
  session.Tick();
  EXPECT_NEAR(NextRedraw(session, clock_.Now(), RedrawState{}), clock_.Now() + 0.1 + kRedrawSlack,
              1e-6);
  clock_.Advance(0.1 + kRedrawSlack);
  session.Tick();
  ASSERT_EQ(session.screen(), Screen::kBreak);
  ASSERT_TRUE(session.timer().break_mandatory());
  clock_.Advance(0.7);
  session.Tick();
  // About 59.3 s left shows "0:59" until 58.5 s.
  ASSERT_NEAR(session.timer().break_remaining_seconds(), 59.3, 0.01);
  EXPECT_NEAR(NextRedraw(session, clock_.Now(), RedrawState{}) - clock_.Now(),
              session.timer().break_remaining_seconds() - 58.5 + kRedrawSlack, 1e-6);
}

TEST_F(RedrawTest, PendingPictureIsLookedAtSoon) {
  Queue(1, {3});
  ReviewSession& session = Open();
  RedrawState state;
  state.picture_pending = true;
  EXPECT_NEAR(NextRedraw(session, clock_.Now(), state), clock_.Now() + kPendingPictureSeconds,
              1e-9);
}

}  // namespace
}  // namespace vigil::review
