// The worker's load filter lets a plugin list folders while it loads (CPython's import
// does, issue 17 item 2) yet still refuses every open that could write or create a file,
// O_TMPFILE included. Each case runs in a forked child, since a filter cannot be removed.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <functional>

#include "isolation/sandbox.h"

namespace {

// Exit status of `body` run in a child under the load filter (100: the filter failed).
int UnderLoadFilter(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(100);
    if (!vigil::isolation::InstallLoadFilter().ok()) ::_exit(100);
    ::_exit(body());
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

TEST(LoadFilter, ListsFolders) {
  EXPECT_EQ(UnderLoadFilter([] {
              DIR* dir = ::opendir("/usr/lib");
              if (dir == nullptr) return errno == EPERM ? 1 : 2;
              const bool entry = ::readdir(dir) != nullptr;
              ::closedir(dir);
              return entry ? 0 : 3;
            }),
            0);
  EXPECT_EQ(UnderLoadFilter([] {
              const int fd = ::open("/usr/lib", O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
              if (fd < 0) return 1;
              ::close(fd);
              return 0;
            }),
            0);
}

TEST(LoadFilter, StillRefusesWritingAndTemporaryFiles) {
  for (int flags : {O_WRONLY, O_RDWR, O_RDONLY | O_CREAT, O_RDONLY | O_TRUNC, O_RDONLY | O_APPEND,
                    O_TMPFILE | O_RDWR, O_RDONLY | (O_TMPFILE & ~O_DIRECTORY)}) {
    EXPECT_EQ(UnderLoadFilter([flags] {
                const int fd = ::open("/tmp", flags, 0600);
                if (fd >= 0) return 1;
                return errno == EPERM ? 0 : 2;
              }),
              0)
        << "flags " << flags;
  }
}

}  // namespace
