// vigil-worker: hosts ONE plugin in its own confined process for the vigil host.
//
// Started by the host (WorkerProcess) with posix_spawn: fd 3 is its end of a
// socketpair, fd 4 the plugin file the host verified. It confines itself (rlimits,
// no_new_privs, Landlock, no capabilities, the load filter; confine.h, sandbox.h),
// loads the plugin from fd 4, reports what it offers, then serves create/analyze
// requests until the host closes the socket.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "isolation/confine.h"
#include "isolation/frame_channel.h"
#include "isolation/http_wire.h"
#include "isolation/sandbox.h"
#include "isolation/worker_mappings.h"
#include "loader/host_services.h"
#include "loader/http_service.h"
#include "loader/plugin_library.h"
#include "worker_protocol.pb.h"

namespace vigil::isolation {
namespace {

constexpr int kSocketFd = 3;
constexpr int kPluginFd = 4;

struct WorkerArgs {
  std::string scratch;
  std::string display_name = "plugin";
  ResourceLimits limits;
  bool wait_for_debugger = false;
  std::vector<std::filesystem::path> read_paths;  // --read, repeated: besides the system's
};

bool ParseArgs(int argc, char** argv, WorkerArgs& args) {
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--wait-for-debugger") {
      args.wait_for_debugger = true;
      continue;
    }
    if (i + 1 >= argc) return false;
    std::string value = argv[++i];
    char* end = nullptr;
    unsigned long long number = std::strtoull(value.c_str(), &end, 10);
    bool numeric = end != value.c_str() && *end == '\0';
    if (flag == "--scratch") {
      args.scratch = value;
    } else if (flag == "--name") {
      args.display_name = value;
    } else if (flag == "--read") {
      args.read_paths.emplace_back(value);
    } else if (flag == "--memory-bytes" && numeric) {
      args.limits.address_space_bytes = number;
    } else if (flag == "--cpu-seconds" && numeric) {
      args.limits.cpu_seconds = number;
    } else if (flag == "--open-files" && numeric) {
      args.limits.open_files = number;
    } else {
      return false;
    }
  }
  return !args.scratch.empty();
}

// The loader words its messages with the path it opened; say the plugin's real name.
std::string Reword(std::string text, const std::string& name) {
  const std::string fd_path = "/proc/self/fd/" + std::to_string(kPluginFd);
  for (size_t at = text.find(fd_path); at != std::string::npos; at = text.find(fd_path, at)) {
    text.replace(at, fd_path.size(), name);
    at += name.size();
  }
  return text;
}

bool Send(const wire::WorkerReply& reply) {
  std::string bytes;
  if (!reply.SerializeToString(&bytes)) return false;
  return SendFrame(kSocketFd, bytes).ok();
}

uint32_t BytesPerPixel(uint32_t format) {
  switch (format) {
    case VIGIL_PIXEL_GRAY8:
      return 1;
    case VIGIL_PIXEL_RGB8:
      return 3;
    case VIGIL_PIXEL_RGBA8:
      return 4;
    default:
      return 0;
  }
}

void ReplyStatus(wire::WorkerReply& reply, const Status& status, const std::string& name) {
  reply.set_code(static_cast<int32_t>(status.code()));
  reply.set_message(Reword(status.message(), name));
}

// vigil.http/1 in a worker: the plugin's request travels to the host as a
// WorkerReply{http_request} on the worker's socket, and the host's WorkerRequest
// {http_response} comes back. Only while analyze() runs, when the host is waiting for
// this worker and reads such frames; one exchange at a time (a plugin may call from
// several threads).
class HttpBridge {
 public:
  host::HttpAnswer Forward(const host::HttpCall& call) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!in_analyze_) {
      return host::HttpAnswer::Refused(VIGIL_ERR_UNSUPPORTED,
                                       "vigil.http/1 is only available while analyze() runs");
    }
    if (broken_) {
      return host::HttpAnswer::Refused(VIGIL_ERR_INTERNAL,
                                       "vigil.http/1: the channel to the host is broken");
    }
    wire::WorkerReply asking;
    ToWire(call, *asking.mutable_http_request());
    std::string bytes;
    std::string frame;
    wire::WorkerRequest answer;
    // The host enforces the call's deadline (it kills this worker when it passes).
    if (!asking.SerializeToString(&bytes) || !SendFrame(kSocketFd, bytes).ok() ||
        !ReceiveFrame(kSocketFd, frame, kNoDeadline).ok() || !answer.ParseFromString(frame) ||
        !answer.has_http_response()) {
      broken_ = true;
      return host::HttpAnswer::Refused(VIGIL_ERR_INTERNAL,
                                       "vigil.http/1: the host did not answer the request");
    }
    return FromWire(answer.http_response());
  }

  // Opens and closes the window in which requests may be made. Closing waits for an
  // exchange in progress, so no request frame can follow the analyze reply.
  void SetInAnalyze(bool in_analyze) {
    std::lock_guard<std::mutex> lock(mutex_);
    in_analyze_ = in_analyze;
  }

 private:
  std::mutex mutex_;
  bool in_analyze_ = false;
  bool broken_ = false;
};

HttpBridge& Bridge() {
  static HttpBridge* bridge = new HttpBridge();  // never destroyed: see Main's _exit
  return *bridge;
}

class Worker {
 public:
  Worker(const WorkerArgs& args, const DescriptorGuard& descriptors)
      : args_(args), descriptors_(descriptors) {}

  int Run() {
    wire::WorkerReply hello;
    auto opened =
        host::PluginLibrary::Open("/proc/self/fd/" + std::to_string(kPluginFd), args_.display_name);
    if (!opened.ok()) {
      hello.set_worker_error(Reword(opened.status().message(), args_.display_name));
      Send(hello);
      return 0;
    }
    library_ = opened.value();
    hello.set_abi_minor(library_->abi().minor);
    for (const host::Detector& detector : library_->Detectors()) {
      auto* described = hello.add_detectors();
      described->set_info(detector.info().SerializeAsString());
      described->set_flags(detector.flags());
    }
    if (!Send(hello)) return 0;
    // Back-to-back requests (a scan feeding this worker) are caught by busy-polling;
    // an idle worker sleeps in poll() and costs nothing.
    AdaptiveSpin request_spin(kReplySpin);
    for (;;) {
      std::string frame;
      std::vector<UniqueFd> media;
      const auto waiting = std::chrono::steady_clock::now();
      bool spun = false;
      if (!ReceiveFrame(kSocketFd, frame, kNoDeadline, &media, request_spin.plan(), &spun).ok()) {
        return 0;
      }
      request_spin.Observe(std::chrono::steady_clock::now() - waiting, spun);
      wire::WorkerRequest request;
      wire::WorkerReply reply;
      if (!request.ParseFromString(frame)) {
        reply.set_worker_error("the worker received a malformed request");
      } else if (request.has_create()) {
        Create(request.create(), reply);
      } else if (request.has_analyze()) {
        Analyze(request.analyze(), media, reply);
      } else if (request.has_video_begin()) {
        VideoBegin(request.video_begin(), media, reply);
      } else if (request.has_video_frame()) {
        VideoFrame(request.video_frame(), media, reply);
      } else if (request.has_video_end()) {
        VideoEnd(request.video_end(), reply);
      } else {
        reply.set_worker_error("the worker received an empty request");
      }
      if (!Send(reply)) return 0;
    }
  }

  void Shutdown() {
    video_.reset();  // end_video before destroy
    instance_.reset();
    library_.reset();
  }

 private:
  void Create(const wire::CreateRequest& request, wire::WorkerReply& reply) {
    if (instance_) {
      reply.set_worker_error("this worker already hosts an instance");
      return;
    }
    for (const host::Detector& detector : library_->Detectors()) {
      if (detector.id() != request.detector_id()) continue;
      auto created = detector.CreateFromBytes(request.config());
      ReplyStatus(reply, created.status(), args_.display_name);
      if (!created.ok()) return;
      instance_ = std::move(created).value();
      const host::FrameWants wants = instance_->frame_wants();
      reply.set_frames_wanted(wants.wanted);
      reply.set_frames_every_frame(wants.every_frame);
      reply.set_frames_per_second(wants.frames_per_second);
      reply.set_frames_error_code(static_cast<int32_t>(wants.error.code()));
      reply.set_frames_error(Reword(wants.error.message(), args_.display_name));
      // From here on the plugin sees evidence: nothing it opened while loading stays
      // open (a detector reads its files in create() and keeps what it read, not the
      // descriptor), and no more file access at all, on every thread.
      descriptors_.CloseAllBut(kSocketFd);
      Status locked = InstallAnalyzeFilter();
      if (!locked.ok()) {
        instance_.reset();
        reply.set_worker_error("cannot tighten the sandbox: " + locked.message());
      }
      return;
    }
    reply.set_worker_error("the plugin has no detector '" + request.detector_id() + "'");
  }

  // The item a request describes, as views into the request and the mapped memfds
  // (valid until the next Map). False, with reply.worker_error set, when it does not fit.
  bool ItemView(const wire::AnalyzeRequest& request, const std::vector<UniqueFd>& media_fds,
                vigil_item_view_t& view, vigil_image_view_t& image, wire::WorkerReply& reply) {
    std::vector<int> fds;
    for (const UniqueFd& fd : media_fds) fds.push_back(fd.get());
    auto mapped = mappings_.Map(fds);
    if (!mapped.ok()) {
      reply.set_worker_error(mapped.status().message());
      return false;
    }
    const std::vector<MappedRegion>& regions = mapped.value();
    // The region a request names by index, or null when there is no such descriptor.
    auto region = [&](uint32_t index) -> const MappedRegion* {
      return index < regions.size() ? &regions[index] : nullptr;
    };
    view = vigil_item_view_t{};
    view.struct_size = sizeof(view);
    view.media_kind = request.media_kind();
    view.metadata = reinterpret_cast<const uint8_t*>(request.metadata().data());
    view.metadata_size = request.metadata().size();
    if (request.has_bytes()) {
      if (request.shared_bytes() > 0) {
        const MappedRegion* bytes = region(request.bytes_fd());
        if (bytes == nullptr || request.bytes_offset() > bytes->size ||
            request.shared_bytes() > bytes->size - request.bytes_offset()) {
          reply.set_worker_error("the item's bytes do not fit the memfd");
          return false;
        }
        view.bytes = bytes->data + request.bytes_offset();
        view.bytes_size = request.shared_bytes();
      } else {
        view.bytes = reinterpret_cast<const uint8_t*>(request.inline_bytes().data());
        view.bytes_size = request.inline_bytes().size();
      }
    }
    if (request.has_image()) {
      if (!ImageView(request.image(), regions, image, reply)) return false;
      view.image = &image;
    }
    return true;
  }

  // An image (or a video frame) laid out in one of the request's memfds.
  static bool ImageView(const wire::ImageLayout& layout, const std::vector<MappedRegion>& regions,
                        vigil_image_view_t& image, wire::WorkerReply& reply) {
    const uint32_t bpp = BytesPerPixel(layout.pixel_format());
    const uint64_t span = static_cast<uint64_t>(layout.stride()) * layout.height();
    const MappedRegion* pixels = layout.fd() < regions.size() ? &regions[layout.fd()] : nullptr;
    if (bpp == 0 || layout.width() == 0 || layout.height() == 0 ||
        layout.stride() < static_cast<uint64_t>(layout.width()) * bpp || pixels == nullptr ||
        layout.offset() > pixels->size || span > pixels->size - layout.offset()) {
      reply.set_worker_error("the image layout does not fit the memfd");
      return false;
    }
    image = vigil_image_view_t{};
    image.struct_size = sizeof(image);
    image.width = layout.width();
    image.height = layout.height();
    image.stride = layout.stride();
    image.pixel_format = layout.pixel_format();
    image.orientation = layout.orientation();
    image.pixels = pixels->data + layout.offset();
    return true;
  }

  void Analyze(const wire::AnalyzeRequest& request, const std::vector<UniqueFd>& media_fds,
               wire::WorkerReply& reply) {
    if (!instance_) {
      reply.set_worker_error("analyze before create");
      return;
    }
    vigil_item_view_t view{};
    vigil_image_view_t image{};
    if (!ItemView(request, media_fds, view, image, reply)) return;
    if (request.deadline_ms() > 0) {
      host::SetThreadDeadline(std::chrono::steady_clock::now() +
                              std::chrono::milliseconds(request.deadline_ms()));
    }
    Bridge().SetInAnalyze(true);
    host::AnalyzeOutcome outcome = instance_->Analyze(view);
    Bridge().SetInAnalyze(false);
    host::SetThreadDeadline({});
    ReplyStatus(reply, outcome.status, args_.display_name);
    if (outcome.status.ok()) reply.set_output(std::move(outcome.raw));
  }

  // vigil.frames/1: begin, frames, end of one video, on this worker's one instance.
  void VideoBegin(const wire::VideoBeginRequest& request, const std::vector<UniqueFd>& media_fds,
                  wire::WorkerReply& reply) {
    if (!instance_) {
      reply.set_worker_error("video_begin before create");
      return;
    }
    if (video_) {
      reply.set_worker_error("video_begin while another video is open");
      return;
    }
    vigil_item_view_t view{};
    vigil_image_view_t image{};
    if (!ItemView(request.item(), media_fds, view, image, reply)) return;
    view.image = nullptr;
    video_info_ = vigil_video_info_t{};
    video_info_.struct_size = sizeof(video_info_);
    video_info_.width = request.width();
    video_info_.height = request.height();
    video_info_.frame_rate = request.frame_rate();
    video_info_.duration_seconds = request.duration_seconds();
    video_info_.declared_frames = request.declared_frames();
    WithDeadline(request.item().deadline_ms());
    auto begun = instance_->BeginVideo(view, video_info_);
    host::SetThreadDeadline({});
    ReplyStatus(reply, begun.status(), args_.display_name);
    if (begun.ok()) video_ = std::move(begun).value();
  }

  void VideoFrame(const wire::VideoFrameRequest& request, const std::vector<UniqueFd>& media_fds,
                  wire::WorkerReply& reply) {
    if (!video_) {
      reply.set_worker_error("video_frame without video_begin");
      return;
    }
    std::vector<int> fds;
    for (const UniqueFd& fd : media_fds) fds.push_back(fd.get());
    auto mapped = mappings_.Map(fds);
    if (!mapped.ok()) {
      reply.set_worker_error(mapped.status().message());
      return;
    }
    vigil_frame_view_t frame{};
    frame.struct_size = sizeof(frame);
    frame.frame_number = request.frame_number();
    frame.timestamp_seconds = request.timestamp_seconds();
    if (!ImageView(request.image(), mapped.value(), frame.image, reply)) return;
    if (frame.image.pixel_format != VIGIL_PIXEL_RGB8 || frame.image.width != video_info_.width ||
        frame.image.height != video_info_.height) {
      reply.set_worker_error("a frame that is not RGB8 at the video's size");
      return;
    }
    WithDeadline(request.deadline_ms());
    Status status = video_->Frame(frame);
    host::SetThreadDeadline({});
    ReplyStatus(reply, status, args_.display_name);
  }

  void VideoEnd(const wire::VideoEndRequest& request, wire::WorkerReply& reply) {
    if (!video_) {
      reply.set_worker_error("video_end without video_begin");
      return;
    }
    Status decoded = DecodeStatus(request.decode_code(), request.decode_message());
    WithDeadline(request.deadline_ms());
    host::AnalyzeOutcome outcome = video_->End(decoded);
    host::SetThreadDeadline({});
    video_.reset();
    ReplyStatus(reply, outcome.status, args_.display_name);
    if (outcome.status.ok()) reply.set_output(std::move(outcome.raw));
  }

  static void WithDeadline(uint32_t deadline_ms) {
    if (deadline_ms > 0) {
      host::SetThreadDeadline(std::chrono::steady_clock::now() +
                              std::chrono::milliseconds(deadline_ms));
    }
  }

  // The host's decode outcome, as the Status the in-process session expects.
  static Status DecodeStatus(int32_t code, const std::string& message) {
    using Code = Status::Code;
    switch (static_cast<Code>(code)) {
      case Code::kOk:
        return Status::Ok();
      case Code::kResource:
        return Status::Resource(message);
      case Code::kCancelled:
        return Status::Cancelled(message);
      case Code::kInvalidArgument:
        return Status::InvalidArgument(message);
      default:
        return Status::Corruption(message);
    }
  }

  const WorkerArgs& args_;
  const DescriptorGuard& descriptors_;
  WorkerMappings mappings_;  // the host's media regions, kept mapped between calls
  std::shared_ptr<host::PluginLibrary> library_;
  std::unique_ptr<host::DetectorInstance> instance_;
  std::unique_ptr<host::VideoSession> video_;  // the open video (vigil.frames/1)
  vigil_video_info_t video_info_{};
};

int Main(int argc, char** argv) {
  WorkerArgs args;
  if (!ParseArgs(argc, argv, args)) {
    std::fprintf(stderr,
                 "vigil-worker: started by the vigil host, not by hand (usage: vigil-worker "
                 "--scratch DIR [--name NAME] [--read PATH]... [--memory-bytes N] "
                 "[--cpu-seconds N] [--open-files N] [--wait-for-debugger], fd 3 a socket, "
                 "fd 4 the plugin)\n");
    return 2;
  }
  // Die with the host: a worker must never outlive the process supervising it.
  const pid_t parent = ::getppid();
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) return 0;
  // Nothing of the host's but the socket and the plugin may reach the plugin.
  ::close_range(kPluginFd + 1, ~0U, 0);
  if (args.wait_for_debugger) {
    std::fprintf(stderr,
                 "vigil-worker: pid %d (%s) is waiting for a debugger: gdb -p %d, then "
                 "'continue' (or kill -CONT %d)\n",
                 static_cast<int>(::getpid()), args.display_name.c_str(),
                 static_cast<int>(::getpid()), static_cast<int>(::getpid()));
    ::raise(SIGSTOP);
  }
  if (::chdir(args.scratch.c_str()) != 0) {
    std::fprintf(stderr, "vigil-worker: cannot enter the scratch directory %s\n",
                 args.scratch.c_str());
    return 3;
  }
  // What 0, 1 and 2 are before any plugin code runs (see Worker::Create).
  DescriptorGuard descriptors;
  descriptors.Record();
  // In this order: no_new_privs (Landlock needs it); Landlock (it opens the folders it
  // allows, so before the capabilities go); no capabilities (capset is not in the
  // filter); the load filter. All before the plugin is loaded. Without Landlock the
  // worker goes on (the host warns once).
  bool landlock = false;
  Status confined = ApplyResourceLimits(args.limits);
  if (confined.ok()) confined = RestrictFileAccess(args.read_paths, &landlock);
  if (confined.ok()) confined = DropCapabilities();
  if (confined.ok()) confined = InstallLoadFilter();
  if (!confined.ok()) {
    wire::WorkerReply reply;
    reply.set_worker_error("the worker could not confine itself: " + confined.message());
    Send(reply);
    return 3;
  }
  host::SetProcessHttpHandler([](const host::HttpCall& call) { return Bridge().Forward(call); });
  Worker worker(args, descriptors);
  int code = worker.Run();
  worker.Shutdown();
  // Skip static destructors and leak checkers: their system calls are not all in the
  // sandbox's allowlist, and nothing is left to flush.
  std::fflush(stderr);
  ::_exit(code);
}

}  // namespace
}  // namespace vigil::isolation

int main(int argc, char** argv) { return vigil::isolation::Main(argc, argv); }
