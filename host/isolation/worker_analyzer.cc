#include "isolation/worker_analyzer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "isolation/confine.h"
#include "isolation/http_wire.h"
#include "isolation/shared_media_pool.h"

namespace vigil::isolation {
namespace {

// Items up to this size travel inside the request; larger ones and all images in a
// sealed memfd.
constexpr size_t kInlineBytes = 64u << 10;

Status StatusFromCode(int32_t code, std::string message) {
  using Code = Status::Code;
  switch (static_cast<Code>(code)) {
    case Code::kOk:
      return Status::Ok();
    case Code::kNotFound:
      return Status::NotFound(std::move(message));
    case Code::kInvalidArgument:
      return Status::InvalidArgument(std::move(message));
    case Code::kCorruption:
      return Status::Corruption(std::move(message));
    case Code::kIoError:
      return Status::IoError(std::move(message));
    case Code::kAbiMismatch:
      return Status::AbiMismatch(std::move(message));
    case Code::kCancelled:
      return Status::Cancelled(std::move(message));
    case Code::kResource:
      return Status::Resource(std::move(message));
    case Code::kPluginError:
    default:
      return Status::PluginError(std::move(message));
  }
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

// The descriptors one request carries, each once.
class DescriptorList {
 public:
  uint32_t Add(int fd) {
    for (size_t i = 0; i < fds_.size(); ++i) {
      if (fds_[i] == fd) return static_cast<uint32_t>(i);
    }
    fds_.push_back(fd);
    return static_cast<uint32_t>(fds_.size() - 1);
  }
  const std::vector<int>& fds() const { return fds_; }

 private:
  std::vector<int> fds_;
};

// Builds the request for one worker. Bytes and pixels that already live in the host's
// shared regions (the pipeline reads and decodes into them) travel as a descriptor and
// an offset: no copy. Anything else is inline when small, or copied into this worker's
// own sealed media buffer.
Status BuildRequest(const vigil_item_view_t& item, uint32_t deadline_ms,
                    wire::WorkerRequest& request, MediaBuffer& media,
                    std::vector<int>& pass_fds) {
  request.Clear();
  wire::AnalyzeRequest* analyze = request.mutable_analyze();
  analyze->set_media_kind(item.media_kind);
  analyze->set_deadline_ms(deadline_ms);
  if (item.metadata != nullptr && item.metadata_size > 0) {
    analyze->set_metadata(item.metadata, item.metadata_size);
  }
  const bool has_image = item.image != nullptr && item.image->pixels != nullptr;
  const size_t bytes_size = item.bytes != nullptr ? item.bytes_size : 0;
  size_t pixel_size = 0;
  if (has_image) {
    if (BytesPerPixel(item.image->pixel_format) == 0) {
      return Status::InvalidArgument("the item's image has an unknown pixel format");
    }
    pixel_size = static_cast<size_t>(item.image->stride) * item.image->height;
  }
  SharedLocation bytes_at, pixels_at;
  const bool bytes_shared =
      bytes_size > kInlineBytes && SharedMediaPool::Locate(item.bytes, bytes_size, &bytes_at);
  const bool pixels_shared =
      has_image && SharedMediaPool::Locate(item.image->pixels, pixel_size, &pixels_at);
  const bool bytes_copied = item.bytes != nullptr && bytes_size > kInlineBytes && !bytes_shared;
  const bool pixels_copied = has_image && !pixels_shared;

  DescriptorList fds;
  size_t copy_offset = 0;  // where the next copied part goes in `media`
  if (bytes_copied || pixels_copied) {
    const size_t copied = (bytes_copied ? bytes_size : 0) + (pixels_copied ? pixel_size : 0);
    if (Status s = media.Reserve(copied); !s.ok()) return s;
  }
  if (item.bytes != nullptr) {
    analyze->set_has_bytes(true);
    if (bytes_shared) {
      analyze->set_shared_bytes(bytes_size);
      analyze->set_bytes_fd(fds.Add(bytes_at.fd));
      analyze->set_bytes_offset(bytes_at.offset);
    } else if (bytes_copied) {
      std::memcpy(media.data(), item.bytes, bytes_size);
      copy_offset = bytes_size;
      analyze->set_shared_bytes(bytes_size);
      analyze->set_bytes_fd(fds.Add(media.fd()));
      analyze->set_bytes_offset(0);
    } else {
      analyze->set_inline_bytes(item.bytes, item.bytes_size);
    }
  }
  if (has_image) {
    const vigil_image_view_t& image = *item.image;
    wire::ImageLayout* layout = analyze->mutable_image();
    layout->set_width(image.width);
    layout->set_height(image.height);
    layout->set_stride(image.stride);
    layout->set_pixel_format(image.pixel_format);
    layout->set_orientation(image.orientation);
    if (pixels_shared) {
      layout->set_fd(fds.Add(pixels_at.fd));
      layout->set_offset(pixels_at.offset);
    } else {
      std::memcpy(media.data() + copy_offset, image.pixels, pixel_size);
      layout->set_fd(fds.Add(media.fd()));
      layout->set_offset(copy_offset);
    }
  }
  pass_fds = fds.fds();
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<WorkerAnalyzer>> WorkerAnalyzer::Create(
    std::shared_ptr<const VerifiedPlugin> plugin, const vigil::v1::DetectorInfo& info,
    const vigil::v1::DetectorConfig& config, SupervisionOptions options,
    std::shared_ptr<QuarantineBook> quarantine) {
  std::unique_ptr<WorkerAnalyzer> analyzer(new WorkerAnalyzer());
  analyzer->plugin_ = std::move(plugin);
  analyzer->id_ = info.id();
  analyzer->options_ = options;
  analyzer->options_.max_workers = std::max(1, options.max_workers);
  // What its workers may read (Landlock): the plugin's own folder and the detector's
  // data folder (lists, models), besides the system's libraries.
  analyzer->options_.worker.read_paths.push_back(PluginFolder(analyzer->plugin_->path));
  if (!config.data_dir().empty()) {
    analyzer->options_.worker.read_paths.push_back(config.data_dir());
  }
  analyzer->quarantine_ = std::move(quarantine);
  if (!config.SerializeToString(&analyzer->config_bytes_)) {
    return Status::InvalidArgument("cannot serialize the configuration of " + info.id());
  }
  std::chrono::milliseconds declared(info.cost().max_ms());
  if (declared.count() == 0) declared = options.default_deadline;
  analyzer->deadline_ = std::min(declared, options.max_deadline);
  analyzer->caller_ = {analyzer->PluginName(), analyzer->plugin_->sha256, analyzer->id_,
                       analyzer->plugin_->egress_origins};
  auto first = analyzer->StartWorker();
  if (!first.ok()) return first.status();
  {
    std::lock_guard<std::mutex> lock(analyzer->mutex_);
    analyzer->live_ = 1;
  }
  analyzer->Release(std::move(first).value());
  return analyzer;
}

WorkerAnalyzer::~WorkerAnalyzer() {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.clear();
}

std::string WorkerAnalyzer::PluginName() const { return plugin_->path.filename().string(); }

int WorkerAnalyzer::workers_started() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return started_;
}

pid_t WorkerAnalyzer::any_worker_pid() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return idle_.empty() ? -1 : idle_.front()->pid();
}

StatusOr<std::unique_ptr<WorkerProcess>> WorkerAnalyzer::StartWorker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++started_;
  }
  auto worker = WorkerProcess::Start(plugin_->fd.get(), PluginName(), options_.worker);
  if (!worker.ok()) return worker.status();
  const wire::WorkerReply& hello = worker.value()->hello();
  if (!hello.worker_error().empty()) return Status::PluginError(hello.worker_error());
  wire::WorkerRequest request;
  request.mutable_create()->set_detector_id(id_);
  request.mutable_create()->set_config(config_bytes_);
  auto reply =
      worker.value()->Call(request, {}, std::chrono::steady_clock::now() + options_.max_deadline);
  if (!reply.ok()) {
    return Status::PluginError("detector " + id_ +
                               ": create() did not complete: " + reply.status().message());
  }
  if (!reply->worker_error().empty()) return Status::PluginError(reply->worker_error());
  Status created = StatusFromCode(reply->code(), reply->message());
  if (!created.ok()) return created;
  frame_wants_.wanted = reply->frames_wanted();
  frame_wants_.every_frame = reply->frames_every_frame();
  frame_wants_.frames_per_second = reply->frames_per_second();
  frame_wants_.error = StatusFromCode(reply->frames_error_code(), reply->frames_error());
  return std::move(worker).value();
}

StatusOr<std::unique_ptr<WorkerProcess>> WorkerAnalyzer::Acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_cv_.wait(lock, [this] { return !idle_.empty() || live_ < options_.max_workers; });
  if (!idle_.empty()) {
    std::unique_ptr<WorkerProcess> worker = std::move(idle_.back());
    idle_.pop_back();
    return worker;
  }
  ++live_;
  lock.unlock();
  auto started = StartWorker();
  if (!started.ok()) {
    lock.lock();
    --live_;
    idle_cv_.notify_one();
  }
  return started;
}

void WorkerAnalyzer::Release(std::unique_ptr<WorkerProcess> worker) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (worker && worker->alive()) {
    idle_.push_back(std::move(worker));
  } else {
    --live_;
  }
  idle_cv_.notify_one();
}

host::AnalyzeOutcome WorkerAnalyzer::Analyze(const vigil_item_view_t& item) {
  host::AnalyzeOutcome outcome;
  const std::string name = PluginName();
  if (quarantine_ && quarantine_->IsQuarantined(plugin_->sha256)) {
    const PluginHealth health = quarantine_->Health(plugin_->sha256);
    outcome.status = Status::PluginError(
        "detector " + id_ + " did not run: plugin " + name + " is quarantined after " +
        std::to_string(health.failures.size()) + " failures (last: " + health.last_reason + ")");
    return outcome;
  }
  wire::WorkerRequest request;
  std::string last_failure;
  // vigil.http/1 requests the plugin makes during the call (docs/isolation.md).
  const HttpForwarder http = [this](const wire::HttpRequest& asked,
                                    std::chrono::steady_clock::time_point deadline) {
    wire::HttpResponse response;
    ToWire(options_.egress
               ? options_.egress->Perform(caller_, FromWire(asked), deadline)
               : host::HttpAnswer::Refused(VIGIL_ERR_UNSUPPORTED, host::kNoEgressService),
           response);
    return response;
  };
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto worker = Acquire();
    if (!worker.ok()) {
      last_failure = worker.status().message();
      if (quarantine_) quarantine_->RecordFailure(plugin_->sha256, name, last_failure);
      continue;
    }
    std::vector<int> pass_fds;
    if (Status s = BuildRequest(item, static_cast<uint32_t>(deadline_.count()), request,
                                worker.value()->media(), pass_fds);
        !s.ok()) {
      Release(std::move(worker).value());
      outcome.status = s;
      return outcome;
    }
    bool deadline_passed = false;
    auto reply = worker.value()->Call(
        request, pass_fds, std::chrono::steady_clock::now() + deadline_, &deadline_passed, &http);
    if (!reply.ok()) {
      Release(std::move(worker).value());  // dead: frees its pool slot
      last_failure = deadline_passed
                         ? "no answer within its deadline of " + std::to_string(deadline_.count()) +
                               " ms; the worker was killed"
                         : reply.status().message();
      if (quarantine_ && quarantine_->RecordFailure(plugin_->sha256, name, last_failure)) {
        break;  // just quarantined: no retry
      }
      continue;
    }
    Release(std::move(worker).value());
    if (!reply->worker_error().empty()) {
      outcome.status = Status::PluginError("detector " + id_ + ": " + reply->worker_error());
      return outcome;
    }
    outcome.status = StatusFromCode(reply->code(), reply->message());
    if (!outcome.status.ok()) return outcome;
    outcome.raw = reply->output();
    if (!outcome.result.ParseFromString(outcome.raw)) {
      outcome.status =
          Status::Corruption("detector " + id_ + " returned " + std::to_string(outcome.raw.size()) +
                             " bytes that are not a vigil.v1.AnalysisResult");
      outcome.result.Clear();
      return outcome;
    }
    for (auto& detection : *outcome.result.mutable_detections()) detection.set_detector(id_);
    return outcome;
  }
  outcome.status = Status::PluginError("detector " + id_ + " failed on this item in its worker (" +
                                       name + "): " + last_failure);
  return outcome;
}

// vigil.frames/1 through a worker: one worker holds the plugin's per-video state from
// begin to end, so the whole video goes to the worker that began it. A worker that dies
// or hangs on a frame fails the item for this detector (no retry: the plugin's state for
// the video died with it) and counts towards quarantine.
class WorkerVideoSession : public host::VideoSession {
 public:
  WorkerVideoSession(WorkerAnalyzer& owner, std::unique_ptr<WorkerProcess> worker)
      : owner_(owner), worker_(std::move(worker)) {}
  ~WorkerVideoSession() override {
    if (!ended_) End(Status::Cancelled("the video was abandoned"));
    owner_.Release(std::move(worker_));
  }

  Status Frame(const vigil_frame_view_t& frame) override {
    if (!failure_.ok()) return failure_;
    const vigil_image_view_t& image = frame.image;
    const size_t size = static_cast<size_t>(image.stride) * image.height;
    MediaBuffer& media = worker_->media();
    if (Status s = media.Reserve(size); !s.ok()) return failure_ = s;
    std::memcpy(media.data(), image.pixels, size);
    wire::WorkerRequest request;
    wire::VideoFrameRequest* asked = request.mutable_video_frame();
    asked->set_frame_number(frame.frame_number);
    asked->set_timestamp_seconds(frame.timestamp_seconds);
    asked->set_deadline_ms(static_cast<uint32_t>(owner_.deadline_.count()));
    wire::ImageLayout* layout = asked->mutable_image();
    layout->set_width(image.width);
    layout->set_height(image.height);
    layout->set_stride(image.stride);
    layout->set_pixel_format(image.pixel_format);
    layout->set_orientation(1);
    layout->set_fd(0);
    layout->set_offset(0);
    auto reply = Call(request, {media.fd()}, "frame " + std::to_string(frame.frame_number));
    if (!reply.ok()) return failure_ = reply.status();
    return failure_ = StatusFromCode(reply->code(), reply->message());
  }

  host::AnalyzeOutcome End(const Status& decode_status) override {
    host::AnalyzeOutcome outcome;
    ended_ = true;
    if (dead_) {
      outcome.status = failure_;
      return outcome;
    }
    wire::WorkerRequest request;
    request.mutable_video_end()->set_decode_code(static_cast<int32_t>(decode_status.code()));
    request.mutable_video_end()->set_decode_message(decode_status.message());
    request.mutable_video_end()->set_deadline_ms(static_cast<uint32_t>(owner_.deadline_.count()));
    auto reply = Call(request, {}, "the end of the video");
    if (!reply.ok()) {
      outcome.status = reply.status();
      return outcome;
    }
    outcome.status = StatusFromCode(reply->code(), reply->message());
    if (!outcome.status.ok()) return outcome;
    outcome.raw = reply->output();
    if (!outcome.result.ParseFromString(outcome.raw)) {
      outcome.status = Status::Corruption("detector " + owner_.id_ + " returned " +
                                          std::to_string(outcome.raw.size()) +
                                          " bytes that are not a vigil.v1.AnalysisResult");
      outcome.result.Clear();
      return outcome;
    }
    for (auto& detection : *outcome.result.mutable_detections()) {
      detection.set_detector(owner_.id_);
    }
    return outcome;
  }

  // video_begin; false with failure_ set when the worker failed.
  Status Begin(const vigil_item_view_t& item, const vigil_video_info_t& info) {
    wire::WorkerRequest request;
    std::vector<int> pass_fds;
    if (Status s = BuildRequest(item, static_cast<uint32_t>(owner_.deadline_.count()), request,
                                worker_->media(), pass_fds);
        !s.ok()) {
      ended_ = true;  // nothing began in the worker
      return s;
    }
    wire::WorkerRequest begin;
    wire::VideoBeginRequest* asked = begin.mutable_video_begin();
    *asked->mutable_item() = std::move(*request.mutable_analyze());
    asked->mutable_item()->clear_image();
    asked->set_width(info.width);
    asked->set_height(info.height);
    asked->set_frame_rate(info.frame_rate);
    asked->set_duration_seconds(info.duration_seconds);
    asked->set_declared_frames(info.declared_frames);
    auto reply = Call(begin, pass_fds, "the start of the video");
    if (!reply.ok()) {
      ended_ = true;
      return reply.status();
    }
    Status begun = StatusFromCode(reply->code(), reply->message());
    if (!begun.ok()) ended_ = true;  // the worker holds no video
    return begun;
  }

 private:
  // One request to the worker; a worker that dies or hangs fails the video.
  StatusOr<wire::WorkerReply> Call(const wire::WorkerRequest& request,
                                   const std::vector<int>& pass_fds, const std::string& what) {
    bool deadline_passed = false;
    auto reply = worker_->Call(
        request, pass_fds, std::chrono::steady_clock::now() + owner_.deadline_, &deadline_passed);
    const std::string name = owner_.PluginName();
    if (!reply.ok()) {
      dead_ = true;
      const std::string reason = deadline_passed ? "no answer within its deadline of " +
                                                       std::to_string(owner_.deadline_.count()) +
                                                       " ms; the worker was killed"
                                                 : reply.status().message();
      if (owner_.quarantine_)
        owner_.quarantine_->RecordFailure(owner_.plugin_->sha256, name, reason);
      failure_ = Status::PluginError("detector " + owner_.id_ + " failed on " + what +
                                     " in its worker (" + name + "): " + reason);
      return failure_;
    }
    if (!reply->worker_error().empty()) {
      dead_ = true;  // the worker's state is not what we think: do not reuse it
      failure_ = Status::PluginError("detector " + owner_.id_ + ": " + reply->worker_error());
      worker_.reset();
      return failure_;
    }
    return reply;
  }

  WorkerAnalyzer& owner_;
  std::unique_ptr<WorkerProcess> worker_;
  Status failure_;
  bool dead_ = false;
  bool ended_ = false;
};

StatusOr<std::unique_ptr<host::VideoSession>> WorkerAnalyzer::BeginVideo(
    const vigil_item_view_t& item, const vigil_video_info_t& info) {
  if (!frame_wants_.wanted)
    return Status::InvalidArgument("detector " + id_ + " does not take frames");
  if (!frame_wants_.error.ok()) return frame_wants_.error;
  const std::string name = PluginName();
  if (quarantine_ && quarantine_->IsQuarantined(plugin_->sha256)) {
    return Status::PluginError("detector " + id_ + " did not run: plugin " + name +
                               " is quarantined");
  }
  auto worker = Acquire();
  if (!worker.ok()) {
    if (quarantine_) quarantine_->RecordFailure(plugin_->sha256, name, worker.status().message());
    return Status::PluginError("detector " + id_ +
                               " failed on this item: " + worker.status().message());
  }
  auto session = std::make_unique<WorkerVideoSession>(*this, std::move(worker).value());
  if (Status begun = session->Begin(item, info); !begun.ok()) return begun;
  return std::unique_ptr<host::VideoSession>(std::move(session));
}

}  // namespace vigil::isolation
