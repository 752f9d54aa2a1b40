// `vigil exposure`: the ledger the console writes, read back from the terminal.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "session_fixture.h"
#include "store/review_queue.h"

namespace vigil::review {
namespace {

using ::testing::HasSubstr;

struct Output {
  int code = -1;
  std::string text;
};

Output RunVigil(const std::string& args) {
  const std::string command = std::string(VIGIL_BINARY_DIR) + "/bin/vigil " + args + " 2>&1";
  Output out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.text.append(buffer.data(), n);
  const int status = pclose(pipe);
  out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

using ExposureCommandTest = testing::SessionTest;

TEST_F(ExposureCommandTest, PrintsTheLedgerPerReviewerAndSeverity) {
  auto ids = Queue(2, {5, 3});
  host::ReviewQueue queue(*store_);
  ASSERT_TRUE(queue.RecordExposure("alice", ids[0], 5, 2.5, 1).ok());
  ASSERT_TRUE(queue.RecordExposure("alice", ids[1], 3, 0, 0).ok());
  ASSERT_TRUE(queue.RecordExposure("bob", ids[1], 3, 1.25, 2).ok());
  const std::string store = "--store '" + (dir_ / "store.db").string() + "'";

  Output all = RunVigil(store + " exposure --json");
  ASSERT_EQ(all.code, 0) << all.text;
  std::vector<nlohmann::json> lines;
  size_t start = 0;
  for (size_t end; (end = all.text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(nlohmann::json::parse(all.text.substr(start, end - start)));
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["reviewer"], "alice");
  EXPECT_EQ(lines[0]["items"], 2);
  EXPECT_DOUBLE_EQ(lines[0]["seconds_unobscured"].get<double>(), 2.5);
  EXPECT_EQ(lines[0]["by_severity"]["critical"]["reveals"], 1);
  EXPECT_EQ(lines[0]["by_severity"]["medium"]["items"], 1);
  EXPECT_EQ(lines[1]["reviewer"], "bob");

  Output bob = RunVigil(store + " exposure --reviewer bob");
  ASSERT_EQ(bob.code, 0) << bob.text;
  EXPECT_THAT(bob.text, HasSubstr("Reviewer bob: 1 items, 1.2 s unobscured, 2 reveals"));
  EXPECT_THAT(bob.text, ::testing::Not(HasSubstr("alice")));

  Output future = RunVigil(store + " exposure --since 2999-01-01");
  EXPECT_EQ(future.code, 0);
  EXPECT_THAT(future.text, HasSubstr("No exposure recorded"));
}

// Issue 16 item 4: a video storyboard's frames and seconds, beside the totals they are
// part of; an image-only reviewer's lines are as before.
TEST_F(ExposureCommandTest, PrintsVideoFramesAndSecondsForVideoItems) {
  auto ids = Queue(2, {4, 3});
  host::ReviewQueue queue(*store_);
  ASSERT_TRUE(queue.RecordExposure("carol", ids[0], 4, 3.0, 2, 2, 3.0).ok());  // a video
  ASSERT_TRUE(queue.RecordExposure("carol", ids[1], 3, 1.5, 1).ok());          // an image
  ASSERT_TRUE(queue.RecordExposure("dan", ids[1], 3, 1.0, 1).ok());
  const std::string store = "--store '" + (dir_ / "store.db").string() + "'";
  Output json = RunVigil(store + " exposure --json --reviewer carol");
  ASSERT_EQ(json.code, 0) << json.text;
  const nlohmann::json carol = nlohmann::json::parse(json.text.substr(0, json.text.find('\n')));
  EXPECT_EQ(carol["video_frames_revealed"], 2);
  EXPECT_DOUBLE_EQ(carol["video_seconds_unobscured"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(carol["seconds_unobscured"].get<double>(), 4.5);
  EXPECT_EQ(carol["by_severity"]["high"]["video_frames_revealed"], 2);
  EXPECT_EQ(carol["by_severity"]["medium"]["video_frames_revealed"], 0);
  Output text = RunVigil(store + " exposure");
  ASSERT_EQ(text.code, 0) << text.text;
  EXPECT_THAT(text.text, HasSubstr("Reviewer carol: 2 items, 4.5 s unobscured, 3 reveals\n"
                                   "  video: 2 frames revealed, 3.0 s unobscured"));
  EXPECT_THAT(text.text, ::testing::Not(HasSubstr("Reviewer dan: 1 items, 1.0 s unobscured, "
                                                  "1 reveals\n  video")));
}

TEST_F(ExposureCommandTest, BadInputIsOneLine) {
  Output day = RunVigil("--store '" + (dir_ / "store.db").string() + "' exposure --since yesterday");
  EXPECT_EQ(day.code, 2);
  EXPECT_THAT(day.text, HasSubstr("--since takes a UTC date"));
  Output missing = RunVigil("--store '" + (dir_ / "missing.db").string() + "' exposure");
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.text, HasSubstr("run `vigil scan` first"));
  EXPECT_EQ(std::count(missing.text.begin(), missing.text.end(), '\n'), 1);
}

}  // namespace
}  // namespace vigil::review
