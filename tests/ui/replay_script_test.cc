// The replay script format: what it accepts and what it refuses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/keys.h"
#include "model/replay_script.h"

namespace vigil::review {
namespace {

using ::testing::HasSubstr;

TEST(ReplayScriptTest, ParsesEveryCommand) {
  auto steps = ParseReplayScript(
      "# a comment\n"
      "\n"
      "0 pointer-image 0.5 0.25\r\n"
      "10 key Space down\n"
      "20 key 1 tap\n"
      "20 key q down ctrl\n"
      "30 text not illegal # really\n"
      "40 pointer 100 200.5\n"
      "50 button down\n"
      "60 button up\n"
      "70 screenshot after-reveal_1\n"
      "80 quit\n");
  ASSERT_TRUE(steps.ok()) << steps.status().message();
  const auto& s = steps.value();
  ASSERT_EQ(s.size(), 10u);
  EXPECT_TRUE(s[0].event.image_coords);
  EXPECT_FLOAT_EQ(s[0].event.y, 0.25f);
  EXPECT_EQ(s[1].event.key, keys::kSpace);
  EXPECT_TRUE(s[1].event.down);
  EXPECT_FALSE(s[1].tap);
  EXPECT_TRUE(s[2].tap);
  EXPECT_EQ(s[3].event.mods, keys::kModControl);
  EXPECT_EQ(s[4].event.type, InputEvent::Type::kText);
  EXPECT_EQ(s[4].event.text, "not illegal # really");
  EXPECT_FALSE(s[5].event.image_coords);
  EXPECT_FLOAT_EQ(s[5].event.y, 200.5f);
  EXPECT_EQ(s[6].event.type, InputEvent::Type::kButton);
  EXPECT_FALSE(s[7].event.down);
  EXPECT_EQ(s[8].kind, ReplayStep::Kind::kScreenshot);
  EXPECT_EQ(s[8].name, "after-reveal_1");
  EXPECT_EQ(s[9].kind, ReplayStep::Kind::kQuit);
  EXPECT_EQ(s[9].at_ms, 80);
}

TEST(ReplayScriptTest, RefusesMalformedLines) {
  struct Case {
    const char* text;
    const char* says;
  };
  const Case cases[] = {
      {"abc key A tap\n", "whole milliseconds"},
      {"-5 key A tap\n", "whole milliseconds"},
      {"99999999999 quit\n", "whole milliseconds"},
      {"10\n", "expected"},
      {"20 quit\n10 quit\n", "must not decrease"},
      {"0 key Hyper tap\n", "unknown key 'Hyper'"},
      {"0 key A press\n", "down, up or tap"},
      {"0 key A\n", "NAME and"},
      {"0 key A tap meta\n", "unknown modifier"},
      {"0 pointer 1\n", "two numbers"},
      {"0 pointer 1 nan\n", "two numbers"},
      {"0 pointer 1 1e30\n", "two numbers"},
      {"0 pointer 1x 2\n", "two numbers"},
      {"0 button sideways\n", "down or up"},
      {"0 screenshot ../../etc/passwd\n", "screenshot needs a name"},
      {"0 screenshot a/b\n", "screenshot needs a name"},
      {"0 screenshot\n", "screenshot needs a name"},
      {"0 quit now\n", "no arguments"},
      {"0 text\n", "something to type"},
      {"0 explode\n", "unknown command 'explode'"},
  };
  for (const Case& c : cases) {
    auto steps = ParseReplayScript(c.text);
    ASSERT_FALSE(steps.ok()) << c.text;
    EXPECT_THAT(steps.status().message(), HasSubstr(c.says)) << c.text;
    EXPECT_THAT(steps.status().message(), HasSubstr("replay line")) << c.text;
  }
}

TEST(ReplayScriptTest, RefusesHugeScriptsAndMissingFiles) {
  std::string huge(kMaxReplayBytes + 1, '#');
  auto steps = ParseReplayScript(huge);
  ASSERT_FALSE(steps.ok());
  EXPECT_EQ(steps.status().code(), Status::Code::kResource);
  EXPECT_EQ(LoadReplayScript("/nonexistent/script").status().code(), Status::Code::kIoError);
}

TEST(ReplayScriptTest, BinaryGarbageIsAnErrorNotACrash) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 7919) & 0xFF));
  auto steps = ParseReplayScript(garbage);
  EXPECT_FALSE(steps.ok());
}

}  // namespace
}  // namespace vigil::review
