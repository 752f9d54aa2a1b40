// WorkerProcess: one running vigil-worker, as seen from the host.
//
// Start() spawns the worker with posix_spawn (no shell), hands it its socket and the
// plugin's descriptor, and reads the worker's first reply (what the plugin offers).
// Call() sends one request and waits for the reply until a deadline. Any failure of
// the transport (deadline passed, worker crashed, garbage on the socket) kills and
// reaps the worker, and the Status says why in words: the signal's name, the
// deadline, or a likely out-of-memory kill.
#ifndef VIGIL_HOST_ISOLATION_WORKER_PROCESS_H_
#define VIGIL_HOST_ISOLATION_WORKER_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "isolation/frame_channel.h"
#include "isolation/media_buffer.h"
#include "isolation/output_relay.h"
#include "isolation/sandbox.h"
#include "isolation/unique_fd.h"
#include "worker_protocol.pb.h"

namespace vigil::isolation {

struct WorkerOptions {
  std::filesystem::path worker_exe;  // empty: vigil-worker beside the running binary
  ResourceLimits limits;
  bool wait_for_debugger = false;  // the worker prints its pid and stops until resumed
  std::chrono::milliseconds start_timeout{15000};
  // Files and folders the worker may read (Landlock), besides the system's libraries
  // (SystemReadPaths() in confine.h): the plugin's folder, the detector's data folder,
  // a model file. Passed as repeated --read flags.
  std::vector<std::filesystem::path> read_paths;
};

// Performs (or refuses) one vigil.http/1 request a worker makes during a call; the
// time point is the call's deadline.
using HttpForwarder = std::function<wire::HttpResponse(
    const wire::HttpRequest&, std::chrono::steady_clock::time_point deadline)>;

// A worker that asks for more outbound requests than this in one call is killed: each
// request is audited, and a plugin must not be able to flood the audit log.
inline constexpr int kMaxHttpRequestsPerCall = 32;

// The vigil-worker to run: $VIGIL_WORKER, else beside the running executable.
std::filesystem::path DefaultWorkerPath();

class WorkerProcess {
 public:
  // `plugin_fd` is duplicated into the worker; the caller keeps its own.
  static StatusOr<std::unique_ptr<WorkerProcess>> Start(int plugin_fd, const std::string& name,
                                                        const WorkerOptions& options);
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  // The worker's first reply: detectors and ABI, or worker_error.
  const wire::WorkerReply& hello() const { return hello_; }
  pid_t pid() const { return pid_; }
  bool alive() const { return pid_ > 0; }
  // Where this worker's items go when they do not fit a request; reused per call.
  MediaBuffer& media() { return media_; }

  // Sends `request` (with `pass_fds`) and waits for the reply. When this returns an
  // error the worker is gone; `deadline_passed` tells a hang from a crash. HTTPS
  // requests the worker makes meanwhile go to `http` (refused when null); the
  // deadline covers them too.
  StatusOr<wire::WorkerReply> Call(const wire::WorkerRequest& request,
                                   const std::vector<int>& pass_fds,
                                   std::chrono::steady_clock::time_point deadline,
                                   bool* deadline_passed = nullptr,
                                   const HttpForwarder* http = nullptr);

 private:
  WorkerProcess() = default;
  // Kills (when still running), reaps, and words the reason.
  Status Fail(const std::string& what, bool killed_by_host);
  void Stop();

  std::string name_;
  pid_t pid_ = -1;
  UniqueFd socket_;
  std::filesystem::path scratch_;
  wire::WorkerReply hello_;
  bool debugging_ = false;
  MediaBuffer media_;
  // The worker's stdout and stderr, prefixed and escaped onto the host's stderr.
  std::unique_ptr<OutputRelay> output_;
  // Quick replies are caught by busy-polling instead of a wake-up (frame_channel.h).
  AdaptiveSpin reply_spin_{kReplySpin};
};

// "SIGSEGV (Segmentation fault)" and the like, for a wait status.
std::string DescribeExit(int wait_status);

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_WORKER_PROCESS_H_
