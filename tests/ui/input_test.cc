// The keymap and the headless platform path: every action by keyboard, panic from every
// screen, the reveal under the pointer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/console_driver.h"
#include "model/input_router.h"
#include "model/keys.h"
#include "session_fixture.h"

namespace vigil::review {
namespace {

using testing::SessionTest;

class InputTest : public SessionTest {
 protected:
  void Tap(InputRouter& router, int key, int mods = 0) {
    router.OnKey(key, true, mods);
    router.OnKey(key, false, mods);
  }
};

TEST_F(InputTest, DecisionKeysAndReasonTyping) {
  auto ids = Queue(4, {3});
  ReviewSession& s = Open();
  InputRouter router(s, clock_);
  Tap(router, '1');
  Tap(router, keys::kKeypad0 + 4);  // keypad 4: B2
  Tap(router, '0');                 // not illegal: asks for a reason
  EXPECT_EQ(s.screen(), Screen::kReason);
  Tap(router, 'A');  // a letter in the dialog is text, not a decision
  router.OnText("fine");
  Tap(router, keys::kBackspace);
  router.OnText("e art");
  Tap(router, keys::kEnter);
  Tap(router, 'E');
  EXPECT_EQ(s.screen(), Screen::kReason);
  Tap(router, keys::kF1);  // the first configured reason
  EXPECT_EQ(Text("SELECT group_concat(decision, ',') FROM (SELECT decision FROM decisions ORDER BY id)"),
            "A1,B2,not-illegal,escalate");
  EXPECT_EQ(Text("SELECT reason FROM decisions WHERE decision = 'not-illegal'"), "fine art");
  EXPECT_EQ(Text("SELECT reason FROM decisions WHERE decision = 'escalate'"),
            DefaultReviewerSettings().reasons[0]);
}

TEST_F(InputTest, NavigationBreakAndQuit) {
  auto ids = Queue(3, {3});
  ReviewSession& s = Open();
  InputRouter router(s, clock_);
  Tap(router, 'N');
  EXPECT_EQ(s.current()->entry.item_id, ids[1]);
  Tap(router, keys::kRight);
  EXPECT_EQ(s.current()->entry.item_id, ids[2]);
  Tap(router, 'P');
  EXPECT_EQ(s.current()->entry.item_id, ids[1]);
  Tap(router, keys::kDown);
  Tap(router, keys::kDown);
  EXPECT_EQ(s.list_cursor(), 2);
  Tap(router, keys::kRightBracket);
  EXPECT_EQ(s.obscure_level(), 6);
  Tap(router, 'B');
  EXPECT_EQ(s.screen(), Screen::kBreak);
  Tap(router, '1');  // no decisions on a break
  EXPECT_EQ(Count("SELECT count(*) FROM decisions"), 0);
  Tap(router, keys::kEnter);
  EXPECT_EQ(s.screen(), Screen::kWorking);
  EXPECT_FALSE(router.quit_requested());
  Tap(router, 'Q');
  EXPECT_FALSE(router.quit_requested());
  Tap(router, 'Q', keys::kModControl);
  EXPECT_TRUE(router.quit_requested());
}

TEST_F(InputTest, PanicWorksFromEveryScreen) {
  Queue(2, {3});
  settings_.checkin = true;
  ReviewSession& s = Open();
  InputRouter router(s, clock_);
  auto panic_and_back = [&](Screen expected_after) {
    Tap(router, keys::kF12);
    EXPECT_EQ(s.screen(), Screen::kPanic);
    Tap(router, '1');  // nothing gets through the panic screen
    Tap(router, keys::kEnter);
    EXPECT_EQ(s.screen(), Screen::kPanic);
    Tap(router, keys::kF12);
    EXPECT_EQ(s.screen(), expected_after);
  };
  panic_and_back(Screen::kCheckIn);
  Tap(router, '1');
  panic_and_back(Screen::kWorking);
  Tap(router, 'E');
  panic_and_back(Screen::kReason);
  Tap(router, keys::kEscape);
  Tap(router, 'B');
  panic_and_back(Screen::kBreak);
  EXPECT_EQ(Count("SELECT count(*) FROM decisions"), 0);
}

TEST_F(InputTest, DoubleEscapePanicsSingleEscapeCancels) {
  Queue(1, {3});
  ReviewSession& s = Open();
  InputRouter router(s, clock_);
  Tap(router, 'E');
  Tap(router, keys::kEscape);
  EXPECT_EQ(s.screen(), Screen::kWorking);  // the dialog closed
  clock_.Advance(1.0);                      // too slow for a double press
  Tap(router, keys::kEscape);
  EXPECT_EQ(s.screen(), Screen::kWorking);
  clock_.Advance(0.3);
  Tap(router, keys::kEscape);
  EXPECT_EQ(s.screen(), Screen::kPanic);
}

TEST_F(InputTest, HoldSpaceRevealsUnderThePointerUntilLetGoOrTimeout) {
  Queue(1, {3});
  settings_.reveal_timeout_seconds = 2;
  settings_.reveal_region = 0.2f;
  ReviewSession& s = Open();
  InputRouter router(s, clock_);
  router.OnPointer(true, 0.8f, 0.3f);
  router.OnKey(keys::kSpace, true, 0);
  ASSERT_TRUE(s.reveal().active());
  EXPECT_NEAR(s.reveal().region().x, 0.7f, 1e-6);
  EXPECT_NEAR(s.reveal().region().y, 0.2f, 1e-6);
  router.OnPointer(true, 0.5f, 0.5f);  // follows the pointer
  EXPECT_NEAR(s.reveal().region().x, 0.4f, 1e-6);
  clock_.Advance(2.5);
  s.Tick();
  EXPECT_FALSE(s.reveal().active());
  router.OnKey(keys::kSpace, true, 0);  // a repeat-like press while latched: nothing
  EXPECT_FALSE(s.reveal().active());
  router.OnKey(keys::kSpace, false, 0);
  router.OnKey(keys::kSpace, true, 0);
  EXPECT_TRUE(s.reveal().active());
  router.OnKey(keys::kSpace, false, 0);
  EXPECT_FALSE(s.reveal().active());
  EXPECT_EQ(Count("SELECT count(*) FROM reveals"), 2);
}

TEST_F(InputTest, MouseButtonAndHoverReveal) {
  Queue(1, {3});
  ReviewSession& s = Open();
  InputRouter router(s, clock_);
  router.OnMouseButton(true);  // outside the picture: nothing
  EXPECT_FALSE(s.reveal().active());
  router.OnMouseButton(false);
  router.OnPointer(true, 0.5f, 0.5f);
  EXPECT_FALSE(s.reveal().active());  // hover reveal is off by default
  router.OnMouseButton(true);
  EXPECT_TRUE(s.reveal().active());
  router.OnPointer(false, 0, 0);  // leaving the picture ends it
  EXPECT_FALSE(s.reveal().active());
}

TEST_F(InputTest, HoverRevealWhenConfigured) {
  Queue(1, {3});
  settings_.reveal_on_hover = true;
  ReviewSession& s = Open();
  InputRouter router(s, clock_);
  router.OnPointer(true, 0.5f, 0.5f);
  EXPECT_TRUE(s.reveal().active());
  router.OnPointer(false, 0, 0);
  EXPECT_FALSE(s.reveal().active());
}

TEST_F(InputTest, NullPlatformDrivesTheSessionHeadless) {
  auto ids = Queue(2, {3});
  ReviewSession& s = Open();
  InputRouter router(s, clock_);
  NullPlatform platform;
  ASSERT_TRUE(platform.Open(800, 600, "test").ok());
  ConsoleDriver driver(platform, s, router);
  driver.SetImageRect(ImageRect{100, 100, 200, 100});
  std::vector<InputEvent> events;
  InputEvent pointer;
  pointer.type = InputEvent::Type::kPointer;
  pointer.x = 150;  // u = 0.25
  pointer.y = 175;  // v = 0.75
  platform.Inject(pointer);
  InputEvent space;
  space.type = InputEvent::Type::kKey;
  space.key = keys::kSpace;
  space.down = true;
  platform.Inject(space);
  ASSERT_TRUE(driver.Step(&events));
  EXPECT_EQ(events.size(), 2u);
  ASSERT_TRUE(s.reveal().active());
  const Rect r = s.reveal().region();
  EXPECT_NEAR(r.x + r.w / 2, 0.25f, 1e-5);
  EXPECT_NEAR(r.y + r.h / 2, 0.75f, 0.2f);  // kept inside the picture
  space.down = false;
  platform.Inject(space);
  InputEvent decide;
  decide.type = InputEvent::Type::kKey;
  decide.key = '3';
  decide.down = true;
  platform.Inject(decide);
  ASSERT_TRUE(driver.Step(&events));
  EXPECT_EQ(Text("SELECT decision FROM decisions"), "B1");
  InputEvent close;
  close.type = InputEvent::Type::kClose;
  platform.Inject(close);
  EXPECT_FALSE(driver.Step(&events));
  platform.Present();
  EXPECT_EQ(platform.frames(), 1);
}

TEST(KeysTest, NamesMapToCodes) {
  EXPECT_EQ(keys::FromName("a"), 'A');
  EXPECT_EQ(keys::FromName("7"), '7');
  EXPECT_EQ(keys::FromName("F12"), keys::kF12);
  EXPECT_EQ(keys::FromName("F1"), keys::kF1);
  EXPECT_EQ(keys::FromName("Space"), keys::kSpace);
  EXPECT_EQ(keys::FromName("["), keys::kLeftBracket);
  EXPECT_EQ(keys::FromName("F13"), -1);
  EXPECT_EQ(keys::FromName("F0"), -1);
  EXPECT_EQ(keys::FromName("Fx"), -1);
  EXPECT_EQ(keys::FromName(""), -1);
  EXPECT_EQ(keys::FromName("!"), -1);
  EXPECT_EQ(keys::FromName("Spacebar"), -1);
}

}  // namespace
}  // namespace vigil::review
