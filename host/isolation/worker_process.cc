#include "isolation/worker_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "isolation/confine.h"
#include "isolation/frame_channel.h"
#include "isolation/python_detector.h"
#include "loader/plugin_registry.h"

extern char** environ;

namespace vigil::isolation {
namespace fs = std::filesystem;
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// Only what the worker needs from the host's environment.
std::vector<std::string> WorkerEnvironment(const ResourceLimits& limits) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    for (const char* keep : {"VIGIL_LOG_LEVEL=", "LD_LIBRARY_PATH=", "UBSAN_OPTIONS=",
                             "LSAN_OPTIONS=", "TMPDIR=", "VIGIL_TEST_NO_LANDLOCK="}) {
      if (entry.rfind(keep, 0) == 0) env.push_back(entry);
    }
  }
  // The vigil.python bridge's detector, absolute: the worker runs in its scratch folder.
  if (std::string python = PythonDetectorWorkerEnv(); !python.empty()) env.push_back(python);
  if (kSanitized) {
    // AddressSanitizer reserves terabytes of address space, so RLIMIT_AS cannot be
    // used; its allocator limit stands in for it. Leak checking (which needs ptrace)
    // is off in the sandbox, and crashes stay signals so the host names them.
    const uint64_t mb = limits.address_space_bytes >> 20;
    std::string options =
        "ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1:handle_segv=0:"
        "handle_sigbus=0:handle_sigfpe=0:handle_abort=0:use_sigaltstack=0";
    if (mb != 0) options += ":max_allocation_size_mb=" + std::to_string(mb);
    env.push_back(options);
  }
  return env;
}

class SpawnActions {
 public:
  SpawnActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

class SpawnAttributes {
 public:
  SpawnAttributes() { posix_spawnattr_init(&attr_); }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attr_); }
  posix_spawnattr_t* get() { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

}  // namespace

fs::path DefaultWorkerPath() {
  if (const char* env = std::getenv("VIGIL_WORKER"); env != nullptr && *env != '\0') return env;
  return host::ExecutableDir() / "vigil-worker";
}

std::string DescribeExit(int wait_status) {
  if (WIFEXITED(wait_status)) {
    return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  }
  if (!WIFSIGNALED(wait_status)) return "stopped for an unknown reason";
  const int sig = WTERMSIG(wait_status);
  const char* abbrev = sigabbrev_np(sig);
  std::string name = abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
  switch (sig) {
    case SIGSYS:
      return "was stopped by the sandbox (" + name +
             "): it made a forbidden system call (network, exec, fork, ptrace, ...)";
    case SIGXCPU:
      return "used up its CPU time limit (" + name + ")";
    case SIGKILL:
      return "was killed (" + name + "), most likely out of memory";
    default:
      return "crashed with " + name + " (" + strsignal(sig) + ")";
  }
}

StatusOr<std::unique_ptr<WorkerProcess>> WorkerProcess::Start(int plugin_fd,
                                                              const std::string& name,
                                                              const WorkerOptions& options) {
  std::unique_ptr<WorkerProcess> worker(new WorkerProcess());
  worker->name_ = name;
  worker->debugging_ = options.wait_for_debugger;
  const fs::path exe = options.worker_exe.empty() ? DefaultWorkerPath() : options.worker_exe;

  std::string scratch_template = (fs::temp_directory_path() / "vigil-worker-XXXXXX").string();
  if (::mkdtemp(scratch_template.data()) == nullptr) {
    return Status::IoError(Errno("cannot create a scratch directory for the worker"));
  }
  worker->scratch_ = scratch_template;

  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    return Status::IoError(Errno("socketpair"));
  }
  worker->socket_.reset(pair[0]);
  UniqueFd child_end(pair[1]);
  // Above the target numbers, so dup2 always makes fresh, inheritable copies.
  UniqueFd child_socket(::fcntl(child_end.get(), F_DUPFD_CLOEXEC, 10));
  UniqueFd child_plugin(::fcntl(plugin_fd, F_DUPFD_CLOEXEC, 10));
  if (!child_socket.valid() || !child_plugin.valid()) return Status::IoError(Errno("fcntl"));

  // The worker's stdout and stderr go into a pipe the host reads (OutputRelay): never
  // straight to the terminal, and never into `vigil scan`'s output.
  int output_pipe[2];
  if (::pipe2(output_pipe, O_CLOEXEC) != 0) return Status::IoError(Errno("pipe2"));
  UniqueFd output_read(output_pipe[0]);
  UniqueFd output_write_low(output_pipe[1]);
  UniqueFd output_write(::fcntl(output_write_low.get(), F_DUPFD_CLOEXEC, 10));  // as below
  output_write_low.reset();
  if (!output_write.valid()) return Status::IoError(Errno("fcntl"));

  // Once per process: the worker goes on without Landlock, the operator should know.
  static std::once_flag warned;
  if (LandlockAbi() == 0) {
    std::call_once(warned,
                   [] { std::fprintf(stderr, "vigil: %s\n", NoLandlockWarning().c_str()); });
  }

  SpawnActions actions;
  posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), output_write.get(), 1);
  posix_spawn_file_actions_adddup2(actions.get(), output_write.get(), 2);
  posix_spawn_file_actions_adddup2(actions.get(), child_socket.get(), 3);
  posix_spawn_file_actions_adddup2(actions.get(), child_plugin.get(), 4);
  SpawnAttributes attr;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(attr.get(), &none);
  posix_spawnattr_setsigdefault(attr.get(), &all);
  posix_spawnattr_setflags(attr.get(), POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> args = {
      exe.string(),
      "--scratch",
      worker->scratch_.string(),
      "--name",
      name,
      "--cpu-seconds",
      std::to_string(options.limits.cpu_seconds),
      "--open-files",
      std::to_string(options.limits.open_files),
      "--memory-bytes",
      std::to_string(kSanitized ? 0 : options.limits.address_space_bytes)};
  if (options.wait_for_debugger) args.push_back("--wait-for-debugger");
  for (const fs::path& path : options.read_paths) {
    args.push_back("--read");
    args.push_back(path.string());
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = WorkerEnvironment(options.limits);
  // HOME is the worker's own scratch folder: without one, libraries (ONNX Runtime) ask
  // getpwuid(), whose NSS lookup opens a socket to nscd, which the sandbox punishes.
  env.push_back("HOME=" + worker->scratch_.string());
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, exe.c_str(), actions.get(), attr.get(), argv.data(), envp.data());
  if (rc != 0) {
    return Status::IoError("cannot start " + exe.string() + ": " + std::strerror(rc) +
                           " (is vigil-worker installed beside vigil? VIGIL_WORKER names "
                           "another)");
  }
  worker->pid_ = pid;
  output_write.reset();  // the worker holds the only write end: its exit ends the relay
  worker->output_ = std::make_unique<OutputRelay>(std::move(output_read), name);
  if (options.wait_for_debugger) {
    std::fprintf(stderr, "vigil: worker for %s has pid %d and waits for a debugger\n", name.c_str(),
                 static_cast<int>(pid));
  }
  std::string frame;
  auto deadline = options.wait_for_debugger
                      ? kNoDeadline
                      : std::chrono::steady_clock::now() + options.start_timeout;
  Status received = ReceiveFrame(worker->socket_.get(), frame, deadline);
  if (!received.ok()) {
    return worker->Fail("did not start", received.code() == Status::Code::kCancelled);
  }
  if (!worker->hello_.ParseFromString(frame)) {
    return worker->Fail("sent a malformed first reply", true);
  }
  return worker;
}

WorkerProcess::~WorkerProcess() { Stop(); }

void WorkerProcess::Stop() {
  socket_.reset();  // the worker sees EOF and exits by itself
  if (pid_ > 0) {
    // Give it a moment to run deinit, then make sure.
    for (int i = 0; i < 50; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      pid_ = -1;
    }
  }
  if (!scratch_.empty()) {
    std::error_code ec;
    fs::remove_all(scratch_, ec);
    scratch_.clear();
  }
  output_.reset();  // the worker is gone: its last lines are printed, the relay ends
}

Status WorkerProcess::Fail(const std::string& what, bool killed_by_host) {
  socket_.reset();
  std::string reason;
  int status = 0;
  if (pid_ > 0) {
    if (killed_by_host) ::kill(pid_, SIGKILL);
    // The socket closing means the worker is exiting; if it does not, end it.
    pid_t reaped = 0;
    for (int i = 0; i < 500 && reaped == 0; ++i) {
      reaped = ::waitpid(pid_, &status, WNOHANG);
      if (reaped == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (reaped == 0) {
      ::kill(pid_, SIGKILL);
      reaped = ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    if (!killed_by_host && reaped > 0) reason = DescribeExit(status);
  }
  Stop();
  if (killed_by_host) return Status::Cancelled("the worker for " + name_ + " " + what);
  return Status::PluginError("the worker for " + name_ + " " + what +
                             (reason.empty() ? "" : ": it " + reason));
}

StatusOr<wire::WorkerReply> WorkerProcess::Call(const wire::WorkerRequest& request,
                                                const std::vector<int>& pass_fds,
                                                std::chrono::steady_clock::time_point deadline,
                                                bool* deadline_passed, const HttpForwarder* http) {
  if (deadline_passed != nullptr) *deadline_passed = false;
  if (!alive()) return Status::PluginError("the worker for " + name_ + " is not running");
  std::string bytes;
  if (!request.SerializeToString(&bytes)) return Status::InvalidArgument("cannot encode a request");
  Status sent = SendFrame(socket_.get(), bytes, pass_fds);
  if (!sent.ok()) return Fail("stopped before the request was sent", false);
  bool asked_http = false;  // waits that included an HTTPS request say nothing about spin
  int http_requests = 0;
  for (;;) {
    std::string frame;
    const auto started = std::chrono::steady_clock::now();
    bool spun = false;
    Status received = ReceiveFrame(socket_.get(), frame, debugging_ ? kNoDeadline : deadline,
                                   nullptr, asked_http ? WaitPlan{} : reply_spin_.plan(), &spun);
    if (!asked_http) reply_spin_.Observe(std::chrono::steady_clock::now() - started, spun);
    if (!received.ok()) {
      if (received.code() == Status::Code::kCancelled) {
        if (deadline_passed != nullptr) *deadline_passed = true;
        return Fail("did not answer before its deadline and was killed", true);
      }
      if (received.code() == Status::Code::kCorruption) {
        return Fail("sent a malformed frame (" + received.message() + ")", true);
      }
      return Fail("stopped during the call", false);
    }
    wire::WorkerReply reply;
    if (!reply.ParseFromString(frame)) return Fail("sent a malformed reply", true);
    if (!reply.has_http_request()) return reply;
    // vigil.http/1: perform (or refuse) it, answer, and keep waiting for the reply.
    asked_http = true;
    if (++http_requests > kMaxHttpRequestsPerCall) {
      return Fail("asked for more than " + std::to_string(kMaxHttpRequestsPerCall) +
                      " outbound HTTPS requests in one call and was killed",
                  true);
    }
    wire::WorkerRequest answer;
    if (http != nullptr && *http) {
      *answer.mutable_http_response() = (*http)(reply.http_request(), deadline);
    } else {
      answer.mutable_http_response()->set_code(VIGIL_ERR_UNSUPPORTED);
      answer.mutable_http_response()->set_error("outbound HTTPS is not available during this call");
    }
    if (!answer.SerializeToString(&bytes)) return Fail("could not be answered", true);
    if (!SendFrame(socket_.get(), bytes).ok()) return Fail("stopped during the call", false);
  }
}

}  // namespace vigil::isolation
