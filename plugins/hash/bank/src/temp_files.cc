#include "vigil/hashbank/temp_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>

namespace vigil::hashbank {
namespace {

constexpr char kTempInfix[] = ".tmp-";
constexpr time_t kLegacyStaleSeconds = 600;

// The writer's pid from "<target>.tmp-<pid>-<random>"; nullopt for other names.
std::optional<pid_t> WriterPid(const std::string& name) {
  const size_t at = name.rfind(kTempInfix);
  if (at == std::string::npos) return std::nullopt;
  const size_t start = at + sizeof kTempInfix - 1;
  const size_t dash = name.find('-', start);
  if (dash == std::string::npos || dash == start || dash - start > 9) return std::nullopt;
  long pid = 0;
  for (size_t i = start; i < dash; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    pid = pid * 10 + (name[i] - '0');
  }
  if (pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

bool ProcessExists(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

Result<LockedTempFile> CreateLockedTempFile(const std::string& target) {
  LockedTempFile out;
  out.path = target + kTempInfix + std::to_string(::getpid()) + "-XXXXXX";
  out.fd = ::mkostemp(out.path.data(), O_CLOEXEC);
  if (out.fd < 0) {
    return Status::IoError("cannot create a temporary file next to " + target + ": " +
                           std::strerror(errno));
  }
  if (::flock(out.fd, LOCK_EX | LOCK_NB) != 0) {
    const std::string why = std::strerror(errno);
    ::close(out.fd);
    ::unlink(out.path.c_str());
    return Status::IoError("cannot lock the temporary file " + out.path + ": " + why);
  }
  return out;
}

std::vector<std::string> RemoveStaleTempFiles(const std::string& directory) {
  std::vector<std::string> removed;
  DIR* dir = ::opendir(directory.c_str());
  if (dir == nullptr) return removed;
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    // "<target>.tmp-...", or "<target>.tmp" (URL lists before this convention).
    const bool legacy_suffix = name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0;
    if ((name.find(kTempInfix) == std::string::npos && !legacy_suffix) || name[0] == '.') {
      continue;
    }
    const std::optional<pid_t> pid = WriterPid(name);
    if (pid && ProcessExists(*pid)) continue;  // maybe still writing: never touch it
    const std::string path = directory + "/" + name;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) continue;
    struct stat st {};
    bool stale =
        ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    if (stale && !pid) stale = st.st_mtime + kLegacyStaleSeconds < ::time(nullptr);
    if (stale && ::unlink(path.c_str()) == 0) removed.push_back(path);
    ::close(fd);
  }
  ::closedir(dir);
  return removed;
}

}  // namespace vigil::hashbank
