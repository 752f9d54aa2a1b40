// A folder or file the scan cannot read is a failed item with the reason, never skipped
// in silence (issue 18, item 7). Root reads through chmod 000, so when the suite runs as
// root (as in CI) the walk runs in a child that has dropped to nobody (65534), where the
// permission error is real.
#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "intake/intake.h"

namespace vigil::host {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

// path -> "" for a good item, else the item's error message.
using Walked = std::map<std::string, std::string>;

Walked Summarise(const std::vector<IntakeItem>& items) {
  Walked out;
  for (const auto& item : items) out[item.path] = item.error.ok() ? "" : item.error.message();
  return out;
}

// ItemsFromPaths as an unprivileged user: directly when not root, else in a child that
// drops to uid/gid 65534 and reports "path\terror\n" lines through a pipe.
Walked WalkUnprivileged(const fs::path& root) {
  if (::geteuid() != 0) return Summarise(ItemsFromPaths({root}));
  int fds[2];
  if (::pipe(fds) != 0) return {{"pipe", "failed"}};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
        ::setresuid(65534, 65534, 65534) != 0 || ::geteuid() != 65534) {
      ::_exit(3);
    }
    std::string text;
    for (const auto& [path, error] : Summarise(ItemsFromPaths({root}))) {
      text += path + "\t" + error + "\n";
    }
    const char* p = text.data();
    size_t left = text.size();
    while (left > 0) {
      const ssize_t n = ::write(fds[1], p, left);
      if (n <= 0) ::_exit(4);
      p += n;
      left -= static_cast<size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return {{"child", "failed"}};
  Walked out;
  size_t at = 0;
  while (at < text.size()) {
    const size_t tab = text.find('\t', at), end = text.find('\n', at);
    out[text.substr(at, tab - at)] = text.substr(tab + 1, end - tab - 1);
    at = end + 1;
  }
  return out;
}

class IntakeUnreadableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("vigil-unreadable-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "open" / "locked" / "deeper");
    fs::create_directories(root_ / "listable-only");
    std::ofstream(root_ / "open" / "a.jpg") << "a";
    std::ofstream(root_ / "open" / "locked" / "evidence.jpg") << "b";
    std::ofstream(root_ / "open" / "locked" / "deeper" / "more.jpg") << "c";
    std::ofstream(root_ / "listable-only" / "hidden.jpg") << "d";
    std::ofstream(root_ / "z.jpg") << "e";
    // World-readable, so that only the chmods below stop the unprivileged walker.
    for (const auto& entry : fs::recursive_directory_iterator(root_)) {
      fs::permissions(entry.path(), entry.is_directory() ? fs::perms(0755) : fs::perms(0644));
    }
    fs::permissions(root_, fs::perms(0755));
    ::chmod((root_ / "open" / "locked").c_str(), 0);   // cannot be listed
    ::chmod((root_ / "listable-only").c_str(), 0444);  // listed, entries unreachable
  }
  void TearDown() override {
    ::chmod((root_ / "open" / "locked").c_str(), 0755);
    ::chmod((root_ / "listable-only").c_str(), 0755);
    fs::remove_all(root_);
  }
  fs::path root_;
};

TEST_F(IntakeUnreadableTest, UnreadableFoldersAndEntriesAreFailedItems) {
  const Walked walked = WalkUnprivileged(root_);
  ASSERT_EQ(walked.count("child"), 0u) << "could not drop privileges";
  const std::string locked = (root_ / "open" / "locked").string();
  const std::string hidden = (root_ / "listable-only" / "hidden.jpg").string();
  // The readable files are items, as before.
  EXPECT_EQ(walked.at((root_ / "open" / "a.jpg").string()), "");
  EXPECT_EQ(walked.at((root_ / "z.jpg").string()), "");
  // The folder that cannot be listed is one failed item naming the reason ...
  ASSERT_EQ(walked.count(locked), 1u) << "the unreadable folder vanished without a word";
  EXPECT_THAT(walked.at(locked), HasSubstr("cannot read folder"));
  EXPECT_THAT(walked.at(locked), HasSubstr("ermission denied"));
  // An entry of a folder that can be listed but not entered is still an item (failed
  // here, or when it is read: the CLI test checks that it ends as failed).
  EXPECT_EQ(walked.count(hidden), 1u);
  // Nothing below the locked folder can be seen, and nothing else was invented.
  EXPECT_EQ(walked.size(), 4u);
}

TEST_F(IntakeUnreadableTest, ReadableTreesGiveTheSameSortedItemsAsBefore) {
  ::chmod((root_ / "open" / "locked").c_str(), 0755);
  ::chmod((root_ / "listable-only").c_str(), 0755);
  auto items = ItemsFromPaths({root_});
  std::vector<std::string> paths;
  for (const auto& item : items) {
    EXPECT_TRUE(item.error.ok()) << item.path << ": " << item.error.message();
    paths.push_back(fs::path(item.path).lexically_relative(root_).string());
  }
  EXPECT_THAT(paths, ::testing::ElementsAre("listable-only/hidden.jpg", "open/a.jpg",
                                            "open/locked/deeper/more.jpg",
                                            "open/locked/evidence.jpg", "z.jpg"));
}

}  // namespace
}  // namespace vigil::host
