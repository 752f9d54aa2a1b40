// The worker's confinement beyond seccomp (docs/isolation.md, "What this enforces"):
//
//   RestrictFileAccess  Landlock, before the plugin is dlopen'ed: files may be read
//                       only beneath the system library folders, a few device and
//                       /sys files the C and C++ runtimes read, and the paths the host
//                       grants (the plugin's own folder, the detector's data folder,
//                       a model file); nothing may be written, created or removed
//                       anywhere. Landlock also denies ptrace-like access
//                       (/proc/PID/mem, environ, maps) to any process outside the
//                       worker's own domain, i.e. the host.
//   DropCapabilities    empties the bounding, ambient, permitted, effective and
//                       inheritable sets, so a worker of a root host cannot bypass
//                       file permissions or trace processes.
//   DescriptorGuard     remembers the worker's own descriptors when it starts and,
//                       when the plugin is about to see evidence, closes every
//                       descriptor the plugin may have opened while loading.
#ifndef VIGIL_HOST_ISOLATION_CONFINE_H_
#define VIGIL_HOST_ISOLATION_CONFINE_H_

#include <sys/types.h>

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::isolation {

// The highest Landlock ABI this kernel offers, 0 when it has none (ENOSYS, or
// EOPNOTSUPP when it is built in but disabled). VIGIL_TEST_NO_LANDLOCK=1 in the
// environment makes it 0 (tests of the fallback only).
int LandlockAbi();

// What every worker may read, whatever it hosts (each justified in confine.cc).
std::vector<std::filesystem::path> SystemReadPaths();

// Landlock: read-only access beneath SystemReadPaths() and `read_paths`
// (missing paths are skipped), no other file access at all. Needs no_new_privs
// (ApplyResourceLimits). On a kernel without Landlock it changes nothing and
// sets *available to false.
Status RestrictFileAccess(const std::vector<std::filesystem::path>& read_paths, bool* available);

// Whether `path` lies beneath SystemReadPaths() or one of `read_paths`, i.e.
// whether a worker given these read paths could read it (lexically, after
// weakly_canonical).
bool WorkerMayRead(const std::filesystem::path& path,
                   const std::vector<std::filesystem::path>& read_paths);

// The folder a plugin file lies in (after resolving links): its worker may read
// it.
std::filesystem::path PluginFolder(const std::filesystem::path& plugin);

// Empties every capability set of this process (all threads must not exist
// yet).
Status DropCapabilities();

// The one-line warning the host prints when Landlock is missing.
std::string NoLandlockWarning();

class DescriptorGuard {
 public:
  // Call before any plugin code runs: remembers what 0, 1 and 2 are.
  void Record();
  // Closes every descriptor except `keep` (the socket), 0-2 when they are still
  // what Record() saw (otherwise they become /dev/null), and anonymous pipes
  // (which reach nothing outside the process). Returns how many were closed.
  int CloseAllBut(int keep) const;

 private:
  struct Identity {
    bool open = false;
    dev_t dev = 0;
    ino_t ino = 0;
  };
  std::array<Identity, 3> standard_{};
  dev_t pipe_dev_ = 0;
  bool pipe_dev_known_ = false;
};

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_CONFINE_H_
