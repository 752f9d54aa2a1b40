#include "isolation/sandbox.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace vigil::isolation {
namespace {

struct FilterDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using Filter = std::unique_ptr<void, FilterDeleter>;

Status SetLimit(int resource, uint64_t value, const char* name) {
  rlimit limit{static_cast<rlim_t>(value), static_cast<rlim_t>(value)};
  if (::setrlimit(resource, &limit) != 0) {
    return Status::IoError(std::string("setrlimit(") + name + "): " + std::strerror(errno));
  }
  return Status::Ok();
}

// Adds one rule; libseccomp reports errors as negative errno.
Status Rule(scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned count = 0,
            const scmp_arg_cmp* args = nullptr) {
  int rc = seccomp_rule_add_array(ctx, action, syscall, count, args);
  if (rc < 0) {
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, syscall);
    std::string text =
        std::string("seccomp rule for ") + (name ? name : "?") + ": " + std::strerror(-rc);
    std::free(name);
    return Status::IoError(text);
  }
  return Status::Ok();
}

// The system calls a plugin (and glibc, libstdc++, protobuf under it) needs to compute.
constexpr int kAllowed[] = {
    SCMP_SYS(read),
    SCMP_SYS(readv),
    SCMP_SYS(pread64),
    SCMP_SYS(write),
    SCMP_SYS(writev),
    SCMP_SYS(close),
    SCMP_SYS(close_range),  // the worker closes what the plugin opened, before analysis
    SCMP_SYS(fstat),
    SCMP_SYS(newfstatat),
    SCMP_SYS(statx),
    SCMP_SYS(lseek),
    SCMP_SYS(readlink),
    SCMP_SYS(readlinkat),
    SCMP_SYS(getcwd),
    SCMP_SYS(access),
    SCMP_SYS(faccessat),
    SCMP_SYS(faccessat2),
    SCMP_SYS(getdents64),
    SCMP_SYS(fcntl),
    SCMP_SYS(dup),
    SCMP_SYS(mmap),
    SCMP_SYS(munmap),
    SCMP_SYS(mprotect),
    SCMP_SYS(mremap),
    SCMP_SYS(madvise),
    SCMP_SYS(mincore),
    SCMP_SYS(brk),
    SCMP_SYS(futex),
    SCMP_SYS(set_robust_list),
    SCMP_SYS(get_robust_list),
    SCMP_SYS(rseq),
    SCMP_SYS(set_tid_address),
    SCMP_SYS(sched_yield),
    SCMP_SYS(sched_getaffinity),
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    SCMP_SYS(getppid),
    SCMP_SYS(getuid),
    SCMP_SYS(geteuid),
    SCMP_SYS(getgid),
    SCMP_SYS(getegid),
    SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_getres),
    SCMP_SYS(gettimeofday),
    SCMP_SYS(nanosleep),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(sigaltstack),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
    SCMP_SYS(getrandom),
    SCMP_SYS(recvmsg),
    SCMP_SYS(sendmsg),
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    SCMP_SYS(uname),
    SCMP_SYS(arch_prctl),
    SCMP_SYS(getrlimit),
    SCMP_SYS(getrusage),
    SCMP_SYS(sysinfo),
    SCMP_SYS(membarrier),
    SCMP_SYS(times),
    // Installing a further filter can only take permissions away (the analyze filter).
    SCMP_SYS(seccomp),
    // Anonymous pipes reach nothing outside the process (self-pipe wake-ups; the
    // sanitizers probe memory through one).
    SCMP_SYS(pipe),
    SCMP_SYS(pipe2),
};

// Calls that are never legitimate for a detector: the worker dies with SIGSYS and the
// host records a sandbox violation.
constexpr int kForbidden[] = {
    SCMP_SYS(socket),
    SCMP_SYS(socketpair),
    SCMP_SYS(connect),
    SCMP_SYS(bind),
    SCMP_SYS(listen),
    SCMP_SYS(accept),
    SCMP_SYS(accept4),
    SCMP_SYS(sendto),
    SCMP_SYS(execve),
    SCMP_SYS(execveat),
    SCMP_SYS(ptrace),
    SCMP_SYS(process_vm_readv),
    SCMP_SYS(process_vm_writev),
    SCMP_SYS(fork),
    SCMP_SYS(vfork),
    SCMP_SYS(kill),
    SCMP_SYS(tkill),
    SCMP_SYS(setuid),
    SCMP_SYS(setgid),
    SCMP_SYS(mount),
    SCMP_SYS(unshare),
    SCMP_SYS(setns),
    SCMP_SYS(pidfd_open),
    SCMP_SYS(pidfd_getfd),
};

Status AddLoadRules(scmp_filter_ctx ctx) {
  for (int call : kAllowed) {
    if (Status s = Rule(ctx, SCMP_ACT_ALLOW, call); !s.ok()) return s;
  }
  for (int call : kForbidden) {
    if (Status s = Rule(ctx, SCMP_ACT_KILL_PROCESS, call); !s.ok()) return s;
  }
  // Threads yes, processes no: clone must carry CLONE_THREAD.
  scmp_arg_cmp thread_flag = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD);
  scmp_arg_cmp process_flag = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0);
  if (Status s = Rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, &thread_flag); !s.ok()) return s;
  if (Status s = Rule(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(clone), 1, &process_flag); !s.ok()) {
    return s;
  }
  // clone3 passes its flags in memory, which a filter cannot read: ENOSYS makes glibc
  // fall back to clone, which is checked above.
  if (Status s = Rule(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3)); !s.ok()) return s;
  // Signals only to this process (abort() raises through tgkill).
  scmp_arg_cmp self = SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(::getpid()));
  if (Status s = Rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, &self); !s.ok()) return s;
  // Reading rlimits is fine, changing them is not.
  scmp_arg_cmp no_new_limit = SCMP_A2(SCMP_CMP_EQ, 0);
  if (Status s = Rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1, &no_new_limit); !s.ok()) {
    return s;
  }
  // Thread names (pthread_setname_np) and nothing else of prctl.
  for (scmp_datum_t option : {PR_SET_NAME, PR_GET_NAME}) {
    scmp_arg_cmp arg = SCMP_A0(SCMP_CMP_EQ, option);
    if (Status s = Rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1, &arg); !s.ok()) return s;
  }
  // Files: read-only opens only. O_RDONLY is 0, so "no access-mode bits and none of
  // the creating flags" is one masked compare.
  // O_TMPFILE is __O_TMPFILE | O_DIRECTORY: only its own bit goes in the mask, or every
  // opendir() (O_DIRECTORY) would be refused too (CPython's import lists folders; issue 17).
  const scmp_datum_t write_bits =
      O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | (O_TMPFILE & ~O_DIRECTORY);
  scmp_arg_cmp openat_ro = SCMP_A2(SCMP_CMP_MASKED_EQ, write_bits, 0);
  if (Status s = Rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1, &openat_ro); !s.ok()) return s;
  scmp_arg_cmp open_ro = SCMP_A1(SCMP_CMP_MASKED_EQ, write_bits, 0);
  if (Status s = Rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1, &open_ro); !s.ok()) return s;
  return Status::Ok();
}

Status Load(scmp_filter_ctx ctx) {
  int rc = seccomp_load(ctx);
  if (rc < 0) return Status::IoError(std::string("seccomp_load: ") + std::strerror(-rc));
  return Status::Ok();
}

}  // namespace

Status ApplyResourceLimits(const ResourceLimits& limits) {
  if (Status s = SetLimit(RLIMIT_CORE, 0, "RLIMIT_CORE"); !s.ok()) return s;
  if (limits.address_space_bytes != 0) {
    if (Status s = SetLimit(RLIMIT_AS, limits.address_space_bytes, "RLIMIT_AS"); !s.ok()) return s;
  }
  if (limits.cpu_seconds != 0) {
    if (Status s = SetLimit(RLIMIT_CPU, limits.cpu_seconds, "RLIMIT_CPU"); !s.ok()) return s;
  }
  if (limits.open_files != 0) {
    if (Status s = SetLimit(RLIMIT_NOFILE, limits.open_files, "RLIMIT_NOFILE"); !s.ok()) return s;
  }
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return Status::IoError(std::string("PR_SET_NO_NEW_PRIVS: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Status InstallLoadFilter() {
  // Anything not listed fails with EPERM rather than killing: a library probing an
  // optional call should see an error, not take the worker down.
  Filter ctx(seccomp_init(SCMP_ACT_ERRNO(EPERM)));
  if (!ctx) return Status::IoError("seccomp_init failed");
  if (Status s = AddLoadRules(ctx.get()); !s.ok()) return s;
  return Load(ctx.get());
}

Status InstallAnalyzeFilter() {
  // Stacks on the load filter: everything stays as it was except opening files.
  Filter ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) return Status::IoError("seccomp_init failed");
  // no_new_privs is already set, and prctl is no longer allowed to set it again.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  // On every thread: a thread the plugin started in its constructor or create() would
  // otherwise keep the load filter, and could open files while evidence is analysed.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_TSYNC, 1); rc < 0) {
    return Status::IoError(std::string("seccomp TSYNC: ") + std::strerror(-rc));
  }
  for (int call : {SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2), SCMP_SYS(creat),
                   SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at)}) {
    if (Status s = Rule(ctx.get(), SCMP_ACT_ERRNO(EACCES), call); !s.ok()) return s;
  }
  return Load(ctx.get());
}

}  // namespace vigil::isolation
