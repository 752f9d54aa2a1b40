// The policy refuses values of the wrong type and numbers it cannot honour, instead of
// ignoring them (issue 18, item 8): a NaN min_score would make a rule never match, a
// min_severity given as a number was skipped, a fractional priority was truncated.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "policy/policy.h"

namespace vigil::host {
namespace {
using ::testing::HasSubstr;

TEST(PolicyStrictTest, WrongTypesAndUnusableNumbersAreRefused) {
  const std::string rule = "[[rules]]\nname = \"a\"\noutcome = \"review\"\n";
  struct Case {
    std::string text;
    const char* message;
  } cases[] = {
      {rule + "min_score = nan\n", "'min_score' must be from 0 to 1"},
      {rule + "min_score = -inf\n", "'min_score' must be from 0 to 1"},
      {rule + "min_score = 1.5\n", "'min_score' must be from 0 to 1"},
      {rule + "min_severity = 4\n", "'min_severity' must be none, low"},
      {rule + "priority = 2.5\n", "'priority' must be a whole number from 0 to 1000"},
      {rule + "priority = -1\n", "from 0 to 1000"},
      {rule + "priority = 9223372036854775807\n", "from 0 to 1000"},
      {rule + "obscure_level = -3\n", "from 0 to 7"},
      {"[defaults]\nunmatched = 1\n", "'unmatched' must be"},
      {"[defaults]\nfailed_priority = 1e3\n", "'failed_priority' must be a whole number"},
      {"defaults = 3\n", "use a [defaults] table"},
  };
  for (const auto& c : cases) {
    auto policy = Policy::Parse(c.text, "test");
    ASSERT_FALSE(policy.ok()) << c.text;
    EXPECT_THAT(policy.status().message(), HasSubstr(c.message)) << c.text;
    EXPECT_THAT(policy.status().message(), HasSubstr("test:")) << c.text;
  }
}

TEST(PolicyStrictTest, ValuesAtTheLimitsAreAccepted) {
  auto policy = Policy::Parse(
      "[defaults]\nunmatched = \"clear\"\nfailed_priority = 1000\n"
      "[[rules]]\nname = \"a\"\noutcome = \"review\"\nmin_score = 1\npriority = 0\n"
      "obscure_level = 7\nmin_severity = \"critical\"\n",
      "test");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  ASSERT_EQ(policy->rules().size(), 1u);
  EXPECT_EQ(policy->rules()[0].min_score, 1.0);
  EXPECT_EQ(policy->rules()[0].priority, 0);
}

}  // namespace
}  // namespace vigil::host
