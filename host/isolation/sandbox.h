// The worker's confinement, applied by vigil-worker to itself before and after it
// loads the plugin. docs/isolation.md lists what is and is not enforced.
//
// Two seccomp filters stack (a filter can only ever be tightened):
//   load filter     installed before the plugin is dlopen'ed: an allowlist of system
//                   calls; no sockets, exec, fork, ptrace; files may be opened
//                   read-only (the loader needs the plugin's own dependencies and a
//                   detector may read its model in create()).
//   analyze filter  installed after create(): no file may be opened at all, so a
//                   plugin that analyses evidence cannot read or write anything but
//                   the descriptors it already holds.
#ifndef VIGIL_HOST_ISOLATION_SANDBOX_H_
#define VIGIL_HOST_ISOLATION_SANDBOX_H_

#include <cstdint>

#include "core/status.h"

namespace vigil::isolation {

struct ResourceLimits {
  uint64_t address_space_bytes = 4ull << 30;  // RLIMIT_AS; 0: leave as is
  uint64_t cpu_seconds = 3600;                // RLIMIT_CPU over the worker's life
  uint64_t open_files = 64;                   // RLIMIT_NOFILE
};

// rlimits (and no core dumps), then PR_SET_NO_NEW_PRIVS.
Status ApplyResourceLimits(const ResourceLimits& limits);

Status InstallLoadFilter();
Status InstallAnalyzeFilter();

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_SANDBOX_H_
