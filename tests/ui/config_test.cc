// Org defaults, per-reviewer overrides clamped to the org's limits, strict parsing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "model/reviewer_config.h"

namespace vigil::review {
namespace {

using ::testing::HasSubstr;

constexpr const char* kOrg = R"toml(
[reviewer]
reveal_timeout_seconds = 4
reveal_region = 0.4
min_obscure_level = 3
obscure_style = "pixelate"
colour = "sepia"
session_limit_minutes = 45
break_minutes = 15
interleave = true
severe_from = 4
order = "oldest-first"
developer_mode = true
reasons = ["one", "two"]

[reviewer.budget]
critical = { seconds = 100, items = 50 }
high = { seconds = 200 }

[reviewer.overrides.alice]
reveal_timeout_seconds = 2
min_obscure_level = 5
budget.critical = { seconds = 60 }

[reviewer.overrides.bob]
reveal_timeout_seconds = 20
min_obscure_level = 1
session_limit_minutes = 300
break_minutes = 5
interleave = false
budget.critical = { seconds = 5000, items = 999 }

[other_section]
anything = "belongs to someone else"
)toml";

TEST(ReviewerConfigTest, AbsentSectionGivesBuiltInDefaults) {
  auto config = ParseReviewerConfig("", "anyone");
  ASSERT_TRUE(config.ok()) << config.status().message();
  const ReviewerSettings d = DefaultReviewerSettings();
  EXPECT_EQ(config.value().settings.reveal_timeout_seconds, d.reveal_timeout_seconds);
  EXPECT_EQ(config.value().settings.budgets[5].seconds_unobscured, d.budgets[5].seconds_unobscured);
  EXPECT_GE(config.value().settings.min_obscure_level, 1);
}

TEST(ReviewerConfigTest, OrgValuesApplyToEveryone) {
  auto config = ParseReviewerConfig(kOrg, "carol");
  ASSERT_TRUE(config.ok()) << config.status().message();
  const ReviewerSettings& s = config.value().settings;
  EXPECT_EQ(s.reveal_timeout_seconds, 4);
  EXPECT_FLOAT_EQ(s.reveal_region, 0.4f);
  EXPECT_EQ(s.min_obscure_level, 3);
  EXPECT_EQ(s.obscure_style, ObscureStyle::kPixelate);
  EXPECT_EQ(s.colour, ColourMode::kSepia);
  EXPECT_EQ(s.order, host::QueueOrder::kOldestFirst);
  EXPECT_TRUE(s.developer_mode);
  EXPECT_EQ(s.budgets[5].seconds_unobscured, 100);
  EXPECT_EQ(s.budgets[5].items, 50);
  EXPECT_EQ(s.budgets[4].seconds_unobscured, 200);
  EXPECT_THAT(s.reasons, ::testing::ElementsAre("one", "two"));
  EXPECT_TRUE(config.value().clamped.empty());
}

TEST(ReviewerConfigTest, MoreProtectiveOverridesApply) {
  auto config = ParseReviewerConfig(kOrg, "alice");
  ASSERT_TRUE(config.ok()) << config.status().message();
  const ReviewerSettings& s = config.value().settings;
  EXPECT_EQ(s.reveal_timeout_seconds, 2);
  EXPECT_EQ(s.min_obscure_level, 5);
  EXPECT_EQ(s.budgets[5].seconds_unobscured, 60);
  EXPECT_EQ(s.budgets[5].items, 50);  // not overridden: the org's
  EXPECT_TRUE(config.value().clamped.empty());
}

TEST(ReviewerConfigTest, OverridesPastTheOrgLimitsAreClampedAndReported) {
  auto config = ParseReviewerConfig(kOrg, "bob");
  ASSERT_TRUE(config.ok()) << config.status().message();
  const ReviewerSettings& s = config.value().settings;
  EXPECT_EQ(s.reveal_timeout_seconds, 4);
  EXPECT_EQ(s.min_obscure_level, 3);
  EXPECT_EQ(s.session_limit_minutes, 45);
  EXPECT_EQ(s.break_minutes, 15);
  EXPECT_TRUE(s.interleave);
  EXPECT_EQ(s.budgets[5].seconds_unobscured, 100);
  EXPECT_EQ(s.budgets[5].items, 50);
  EXPECT_EQ(config.value().clamped.size(), 7u);
}

TEST(ReviewerConfigTest, OrgOnlyKeysAreRefusedInAnOverride) {
  auto config = ParseReviewerConfig(
      "[reviewer]\n[reviewer.overrides.eve]\ndeveloper_mode = false\n", "eve");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("unknown key 'developer_mode'"));
}

TEST(ReviewerConfigTest, MalformedInputIsRefusedWithThePlace) {
  struct Case {
    const char* text;
    const char* says;
  };
  const Case cases[] = {
      {"[reviewer\n", "config:"},
      {"[reviewer]\nreveal_timout_seconds = 3\n", "unknown key 'reveal_timout_seconds'"},
      {"[reviewer]\nreveal_timeout_seconds = \"3\"\n", "'reveal_timeout_seconds' must be"},
      {"[reviewer]\nreveal_timeout_seconds = 0\n", "from 0.5 to 30"},
      {"[reviewer]\nreveal_timeout_seconds = nan\n", "must be"},
      {"[reviewer]\nmin_obscure_level = 0\n", "from 1 to 7"},
      {"[reviewer]\nmin_obscure_level = 2.5\n", "whole number"},
      {"[reviewer]\nobscure_style = \"swirl\"\n", "blur"},
      {"[reviewer]\ncolour = 3\n", "a string"},
      {"[reviewer]\norder = \"random\"\n", "oldest-first"},
      {"[reviewer]\nreasons = [1, 2]\n", "list of strings"},
      {"[reviewer.budget]\nsevere = { seconds = 1 }\n", "unknown severity 'severe'"},
      {"[reviewer.budget]\ncritical = 5\n", "a table"},
      {"[reviewer.budget]\ncritical = { minutes = 5 }\n", "unknown key 'budget.critical.minutes'"},
      {"[reviewer.budget]\ncritical = { seconds = -1 }\n", "from 0 to 86400"},
      {"reviewer = 3\n", "'reviewer' must be a table"},
      {"[reviewer.overrides]\nzed = 1\n", "a table"},
      {"[reviewer.overrides.zed]\nbudget.high = { items = -4 }\n", "from 0 to 1000000"},
  };
  for (const Case& c : cases) {
    auto config = ParseReviewerConfig(c.text, "zed");
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_EQ(config.status().code(), Status::Code::kInvalidArgument) << c.text;
    EXPECT_THAT(config.status().message(), HasSubstr(c.says)) << c.text;
  }
}

TEST(ReviewerConfigTest, ShippedOrgConfigParses) {
  auto config = LoadReviewerConfig(VIGIL_SOURCE_DIR "/config/reviewer.toml", "example-reviewer");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_GE(config.value().settings.min_obscure_level, 1);
  EXPECT_FALSE(config.value().settings.reasons.empty());
}

TEST(ReviewerConfigTest, MissingFileIsAnIoError) {
  auto config = LoadReviewerConfig("/nonexistent/reviewer.toml", "x");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Status::Code::kIoError);
}

}  // namespace
}  // namespace vigil::review
