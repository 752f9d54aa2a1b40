// Reveal timeouts and the session timer on a manual clock: no sleeping.
#include <gtest/gtest.h>

#include "model/reveal_controller.h"
#include "model/session_timer.h"

namespace vigil::review {
namespace {

TEST(RevealControllerTest, TimesOutByItselfAndStaysObscuredWhileHeld) {
  ManualClock clock;
  RevealController reveal(clock, 3.0);
  ASSERT_TRUE(reveal.Begin(RegionAround(0.5f, 0.5f, 0.2f)));
  EXPECT_TRUE(reveal.active());
  clock.Advance(2.9);
  EXPECT_FALSE(reveal.Tick().has_value());
  EXPECT_TRUE(reveal.active());
  clock.Advance(0.2);
  auto record = reveal.Tick();
  ASSERT_TRUE(record.has_value());
  EXPECT_FALSE(reveal.active());
  EXPECT_DOUBLE_EQ(record->seconds, 3.0);  // never more than the timeout
  // Still held: pressing again does nothing until the trigger is let go.
  EXPECT_FALSE(reveal.Begin(RegionAround(0.5f, 0.5f, 0.2f)));
  EXPECT_FALSE(reveal.Release().has_value());  // nothing active to report twice
  EXPECT_TRUE(reveal.Begin(RegionAround(0.5f, 0.5f, 0.2f)));
}

TEST(RevealControllerTest, ReleaseReportsDurationAndEverythingShown) {
  ManualClock clock;
  RevealController reveal(clock, 5.0);
  ASSERT_TRUE(reveal.Begin(Rect{0.1f, 0.1f, 0.2f, 0.2f}));
  clock.Advance(0.5);
  reveal.Move(Rect{0.6f, 0.5f, 0.2f, 0.2f});
  EXPECT_EQ(reveal.region(), (Rect{0.6f, 0.5f, 0.2f, 0.2f}));
  clock.Advance(0.75);
  auto record = reveal.Release();
  ASSERT_TRUE(record.has_value());
  EXPECT_DOUBLE_EQ(record->seconds, 1.25);
  EXPECT_FLOAT_EQ(record->region.x, 0.1f);
  EXPECT_FLOAT_EQ(record->region.y, 0.1f);
  EXPECT_FLOAT_EQ(record->region.x + record->region.w, 0.8f);
  EXPECT_FLOAT_EQ(record->region.y + record->region.h, 0.7f);
  EXPECT_FALSE(reveal.active());
}

TEST(RevealControllerTest, CancelEndsAndNeedsARelease) {
  ManualClock clock;
  RevealController reveal(clock, 3.0);
  EXPECT_FALSE(reveal.Cancel().has_value());
  EXPECT_TRUE(reveal.Begin(Rect{0, 0, 0.5f, 0.5f}));  // a cancel with nothing active does not latch
  clock.Advance(1);
  EXPECT_TRUE(reveal.Cancel().has_value());
  EXPECT_FALSE(reveal.Begin(Rect{0, 0, 0.5f, 0.5f}));
  reveal.Release();
  EXPECT_TRUE(reveal.Begin(Rect{0, 0, 0.5f, 0.5f}));
  EXPECT_NEAR(reveal.remaining(), 3.0, 1e-9);
}

TEST(RevealControllerTest, RegionStaysInsideTheImage) {
  const Rect corner = RegionAround(0.0f, 1.0f, 0.3f);
  EXPECT_FLOAT_EQ(corner.x, 0.0f);
  EXPECT_FLOAT_EQ(corner.y + corner.h, 1.0f);
  const Rect huge = RegionAround(0.5f, 0.5f, 7.0f);
  EXPECT_FLOAT_EQ(huge.w, 1.0f);
  EXPECT_FLOAT_EQ(huge.x, 0.0f);
  const Rect tiny = RegionAround(0.5f, 0.5f, -1.0f);
  EXPECT_GT(tiny.w, 0.0f);
}

TEST(SessionTimerTest, MandatoryBreakAtTheLimitCannotBeSkipped) {
  ManualClock clock;
  SessionTimer timer(clock, 60, 30);
  clock.Advance(59);
  timer.Tick();
  EXPECT_FALSE(timer.on_break());
  EXPECT_NEAR(timer.remaining_seconds(), 1, 1e-9);
  clock.Advance(2);
  timer.Tick();
  EXPECT_TRUE(timer.on_break());
  EXPECT_TRUE(timer.break_mandatory());
  EXPECT_FALSE(timer.EndBreak());
  clock.Advance(29);
  EXPECT_FALSE(timer.EndBreak());
  clock.Advance(1);
  EXPECT_TRUE(timer.EndBreak());
  EXPECT_FALSE(timer.on_break());
  EXPECT_DOUBLE_EQ(timer.worked_seconds(), 0);
}

TEST(SessionTimerTest, PanicPausesWorkingTime) {
  ManualClock clock;
  SessionTimer timer(clock, 100, 10);
  clock.Advance(10);
  timer.Tick();
  timer.Pause();
  clock.Advance(500);
  timer.Tick();
  EXPECT_DOUBLE_EQ(timer.worked_seconds(), 10);
  EXPECT_FALSE(timer.on_break());
  timer.Resume();
  clock.Advance(5);
  timer.Tick();
  EXPECT_DOUBLE_EQ(timer.worked_seconds(), 15);
}

TEST(SessionTimerTest, VoluntaryBreakEndsAnyTimeAndAFullOneResets) {
  ManualClock clock;
  SessionTimer timer(clock, 100, 10);
  clock.Advance(40);
  timer.StartBreak();
  EXPECT_TRUE(timer.on_break());
  EXPECT_FALSE(timer.break_mandatory());
  clock.Advance(3);
  EXPECT_TRUE(timer.EndBreak());
  EXPECT_DOUBLE_EQ(timer.worked_seconds(), 40);  // a short pause is not a break
  timer.StartBreak();
  clock.Advance(10);
  EXPECT_TRUE(timer.EndBreak());
  EXPECT_DOUBLE_EQ(timer.worked_seconds(), 0);
}

}  // namespace
}  // namespace vigil::review
