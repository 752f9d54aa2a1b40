#include "isolation/confine.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "isolation/unique_fd.h"

// Debian 12's headers know Landlock up to ABI 2 or 3; the kernel may offer
// more. The values are the kernel's UAPI and never change.
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

namespace vigil::isolation {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kNetBindTcp = 1ULL << 0;         // LANDLOCK_ACCESS_NET_BIND_TCP (ABI 4)
constexpr uint64_t kNetConnectTcp = 1ULL << 1;      // LANDLOCK_ACCESS_NET_CONNECT_TCP (ABI 4)
constexpr uint64_t kScopeAbstractUnix = 1ULL << 0;  // LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (6)
constexpr uint64_t kScopeSignal = 1ULL << 1;        // LANDLOCK_SCOPE_SIGNAL (ABI 6)

// struct landlock_ruleset_attr as of ABI 6. An older kernel takes the larger
// struct as long as the fields it does not know are zero.
struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// Every file system right the given ABI knows: all of them are handled (denied
// unless a rule allows them).
uint64_t HandledFs(int abi) {
  uint64_t rights = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;  // ABI 1: bits 0-12
  if (abi >= 2) rights |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3) rights |= LANDLOCK_ACCESS_FS_TRUNCATE;
  if (abi >= 5) rights |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
  return rights;
}

// Adds "read beneath `path`" (a directory) or "read `path`" (a file). Paths
// that do not exist, or that this process cannot open, are skipped: there is
// nothing to read there.
Status AddReadRule(int ruleset, const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_PATH | O_CLOEXEC));
  if (!fd.valid()) return Status::Ok();
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Status::IoError(Errno("fstat " + path.string()));
  landlock_path_beneath_attr rule{};
  rule.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE;
  if (S_ISDIR(st.st_mode)) rule.allowed_access |= LANDLOCK_ACCESS_FS_READ_DIR;
  rule.parent_fd = fd.get();
  if (::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0) {
    return Status::IoError(Errno("landlock_add_rule " + path.string()));
  }
  return Status::Ok();
}

bool Beneath(const fs::path& path, const fs::path& root) {
  auto [p, r] = std::mismatch(path.begin(), path.end(), root.begin(), root.end());
  return r == root.end() || (std::next(r) == root.end() && r->empty());
}

}  // namespace

int LandlockAbi() {
  if (const char* off = std::getenv("VIGIL_TEST_NO_LANDLOCK"); off != nullptr && *off == '1') {
    return 0;
  }
  long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return abi > 0 ? static_cast<int>(abi) : 0;
}

std::vector<fs::path> SystemReadPaths() {
  std::vector<fs::path> paths = {
      // Shared libraries a plugin links against, found by the dynamic loader.
      "/lib",
      "/lib64",
      "/usr/lib",
      "/usr/lib64",
      "/usr/local/lib",
      // The dynamic loader's index of those folders (dlopen reads it).
      "/etc/ld.so.cache",
      // Harmless devices: libraries open /dev/null, and /dev/urandom where
      // getrandom()
      // is not used (older OpenSSL, some random number generators).
      "/dev/null",
      "/dev/urandom",
      // CPU counts and topology: glibc's get_nprocs() and
      // sysconf(_SC_NPROCESSORS_*)
      // (std::thread::hardware_concurrency) read
      // /sys/devices/system/cpu/online, thread
      // pools and ONNX Runtime's cpuinfo the rest. It describes the machine,
      // not a user.
      "/sys/devices/system/cpu",
      // ONNX Runtime (a classifier with a vendor's model runs in a worker) reads the
      // machine id for its device id; when it cannot, it spawns a helper process, which
      // the sandbox kills. The id names the installation, not a person or the evidence.
      "/etc/machine-id",
      // ONNX Runtime's cpuinfo picks its kernels from this (it describes the processor;
      // no other /proc entry is reachable).
      "/proc/cpuinfo",
  };
  // The loader also searches LD_LIBRARY_PATH (the host passes its own to the
  // worker).
  if (const char* env = std::getenv("LD_LIBRARY_PATH"); env != nullptr) {
    std::string list = env;
    for (size_t at = 0; at <= list.size();) {
      size_t end = list.find(':', at);
      if (end == std::string::npos) end = list.size();
      fs::path dir = list.substr(at, end - at);
      if (dir.is_absolute()) paths.push_back(dir);
      at = end + 1;
    }
  }
  return paths;
}

Status RestrictFileAccess(const std::vector<fs::path>& read_paths, bool* available) {
  const int abi = LandlockAbi();
  *available = abi > 0;
  if (abi == 0) return Status::Ok();
  RulesetAttr attr{};
  attr.handled_access_fs = HandledFs(abi);
  // Defence in depth: seccomp already kills a worker that makes a socket or
  // signals another process.
  if (abi >= 4) attr.handled_access_net = kNetBindTcp | kNetConnectTcp;
  if (abi >= 6) attr.scoped = kScopeAbstractUnix | kScopeSignal;
  UniqueFd ruleset(
      static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0)));
  if (!ruleset.valid()) return Status::IoError(Errno("landlock_create_ruleset"));
  for (const fs::path& path : SystemReadPaths()) {
    if (Status s = AddReadRule(ruleset.get(), path); !s.ok()) return s;
  }
  for (const fs::path& path : read_paths) {
    if (Status s = AddReadRule(ruleset.get(), path); !s.ok()) return s;
  }
  if (::syscall(SYS_landlock_restrict_self, ruleset.get(), 0) != 0) {
    return Status::IoError(Errno("landlock_restrict_self"));
  }
  return Status::Ok();
}

bool WorkerMayRead(const fs::path& path, const std::vector<fs::path>& read_paths) {
  std::error_code ec;
  const fs::path target = fs::weakly_canonical(fs::absolute(path, ec), ec);
  auto check = [&](const fs::path& root) {
    std::error_code ignored;
    return Beneath(target, fs::weakly_canonical(fs::absolute(root, ignored), ignored));
  };
  for (const fs::path& root : SystemReadPaths()) {
    if (check(root)) return true;
  }
  for (const fs::path& root : read_paths) {
    if (check(root)) return true;
  }
  return false;
}

fs::path PluginFolder(const fs::path& plugin) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::absolute(plugin, ec), ec);
  return (canonical.empty() ? plugin : canonical).parent_path();
}

Status DropCapabilities() {
  // The bounding set only matters across execve (which the filter forbids);
  // dropping it needs CAP_SETPCAP, which an unprivileged worker does not have
  // and does not need.
  for (int cap = 0; cap < 64; ++cap) {
    int has = ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (has < 0) break;  // EINVAL: past CAP_LAST_CAP
    if (has == 1 && ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EPERM) {
      return Status::IoError(Errno("PR_CAPBSET_DROP " + std::to_string(cap)));
    }
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return Status::IoError(Errno("PR_CAP_AMBIENT_CLEAR_ALL"));
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capset, &header, data) != 0) return Status::IoError(Errno("capset"));
  __user_cap_data_struct check[2] = {};
  if (::syscall(SYS_capget, &header, check) != 0) return Status::IoError(Errno("capget"));
  for (const auto& set : check) {
    if (set.effective != 0 || set.permitted != 0 || set.inheritable != 0) {
      return Status::IoError("capabilities are still set after capset");
    }
  }
  return Status::Ok();
}

std::string NoLandlockWarning() {
  return "warning: this kernel has no Landlock (Linux 5.13+, "
         "CONFIG_SECURITY_LANDLOCK, "
         "lsm=landlock): plugins in workers can read every file their user can "
         "read while "
         "they load (their analysis still cannot open files)";
}

void DescriptorGuard::Record() {
  for (int fd = 0; fd < 3; ++fd) {
    struct stat st {};
    standard_[fd].open = ::fstat(fd, &st) == 0;
    standard_[fd].dev = st.st_dev;
    standard_[fd].ino = st.st_ino;
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) == 0) {
    struct stat st {};
    pipe_dev_known_ = ::fstat(pipe_fds[0], &st) == 0;
    pipe_dev_ = st.st_dev;
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
  }
}

int DescriptorGuard::CloseAllBut(int keep) const {
  rlimit limit{};
  rlim_t highest = 4096;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < highest) {
    highest = limit.rlim_cur;
  }
  int closed = 0;
  for (int fd = 0; fd < static_cast<int>(highest); ++fd) {
    if (fd == keep) continue;
    struct stat st {};
    if (::fstat(fd, &st) != 0) continue;  // not open
    if (fd < 3) {
      const Identity& was = standard_[fd];
      if (was.open && st.st_dev == was.dev && st.st_ino == was.ino) continue;
      // The plugin put something else here (close + dup): give it /dev/null
      // instead.
      ::close(fd);
      ++closed;
      int null_fd = ::open("/dev/null", O_RDONLY);
      if (null_fd >= 0 && null_fd != fd) ::close(null_fd);
      continue;
    }
    if (S_ISFIFO(st.st_mode) && pipe_dev_known_ && st.st_dev == pipe_dev_) continue;
    ::close(fd);
    ++closed;
  }
  ::close_range(static_cast<unsigned>(highest), ~0U, 0);
  return closed;
}

}  // namespace vigil::isolation
