// vigil.frames/1 in process: DetectorInstance's side of the frame extension
// (sdk/include/vigil/ext/frames.h). The pipeline decodes a video once and hands each
// sampled frame to a VideoSession per detector; the worker process uses the same class
// for the plugin it hosts.
#include <exception>

#include "loader/detector.h"
#include "loader/plugin_library.h"
#include "loader/result_sink.h"

namespace vigil::host {

vigil_status_t DecodeStatusCode(const Status& status) {
  using Code = Status::Code;
  switch (status.code()) {
    case Code::kOk:
      return VIGIL_OK;
    case Code::kCancelled:
      return VIGIL_ERR_CANCELLED;
    case Code::kResource:
      return VIGIL_ERR_RESOURCE;
    case Code::kUnsupported:
      return VIGIL_ERR_UNSUPPORTED;
    case Code::kPluginError:
    case Code::kInternal:
      return VIGIL_ERR_INTERNAL;
    default:
      return VIGIL_ERR_BAD_INPUT;  // not a video, corrupt, truncated, unreadable
  }
}

namespace {

// `status`'s code with another message.
Status Reworded(const Status& status, std::string message) {
  using Code = Status::Code;
  switch (status.code()) {
    case Code::kCancelled:
      return Status::Cancelled(std::move(message));
    case Code::kResource:
      return Status::Resource(std::move(message));
    case Code::kUnsupported:
      return Status::Unsupported(std::move(message));
    case Code::kInvalidArgument:
      return Status::InvalidArgument(std::move(message));
    case Code::kIoError:
      return Status::IoError(std::move(message));
    case Code::kPluginError:
      return Status::PluginError(std::move(message));
    case Code::kInternal:
      return Status::Internal(std::move(message));
    default:
      return Status::Corruption(std::move(message));
  }
}

}  // namespace

void DetectorInstance::QueryFrames() {
  const void* table = nullptr;
  try {
    table = table_->get_extension(instance_, VIGIL_EXT_FRAMES);
  } catch (...) {
    return;  // as for batch: a plugin that throws here is an ABI 1.0 detector
  }
  auto* frames = static_cast<const vigil_frames_ext_t*>(table);
  if (frames == nullptr) return;
  frame_wants_.wanted = true;
  if (frames->struct_size < sizeof(vigil_frames_ext_t) || frames->frame_request == nullptr ||
      frames->begin_video == nullptr || frames->analyze_frame == nullptr ||
      frames->end_video == nullptr) {
    frame_wants_.error =
        Status::PluginError("detector " + id_ +
                            " offers vigil.frames/1 with a table that is too small or has "
                            "a function missing (a plugin bug)");
    return;
  }
  frames_ = frames;
  vigil_frame_request_t request{};
  request.struct_size = sizeof(request);
  request.frames_per_second = 1.0;
  request.pixel_format = VIGIL_PIXEL_RGB8;
  vigil_status_t status = VIGIL_ERR_INTERNAL;
  try {
    status = frames_->frame_request(instance_, &request);
  } catch (...) {
    status = VIGIL_ERR_INTERNAL;
  }
  if (status != VIGIL_OK) {
    frame_wants_.error = Status::PluginError("detector " + id_ + ": frame_request() failed (" +
                                             StatusName(status) + ")");
    return;
  }
  frame_wants_.every_frame = (request.flags & VIGIL_FRAMES_EVERY_FRAME) != 0;
  frame_wants_.frames_per_second = request.frames_per_second;
  // `!(x > 0)` also catches NaN.
  if (!frame_wants_.every_frame &&
      (!(request.frames_per_second > 0) || request.frames_per_second > 1000)) {
    frame_wants_.error = Status::PluginError(
        "detector " + id_ + " asked for " + std::to_string(request.frames_per_second) +
        " frames per second; vigil.frames/1 serves more than 0 and at most 1000");
  } else if (request.max_side != 0) {
    frame_wants_.error = Status::PluginError(
        "detector " + id_ + " asked for frames scaled to " + std::to_string(request.max_side) +
        " px; vigil.frames/1 revision 1 lends full-size frames only (max_side 0)");
  } else if (request.pixel_format != 0 && request.pixel_format != VIGIL_PIXEL_RGB8) {
    frame_wants_.error = Status::PluginError("detector " + id_ + " asked for pixel format " +
                                             std::to_string(request.pixel_format) +
                                             "; vigil.frames/1 revision 1 lends RGB8 only");
  }
}

// One video lent to one in-process instance.
class InProcessVideoSession : public VideoSession {
 public:
  InProcessVideoSession(DetectorInstance& owner, const vigil_video_info_t& info)
      : owner_(owner), info_(info), err_(kMaxErrorBytes) {}
  ~InProcessVideoSession() override {
    if (!ended_) End(Status::Cancelled("the video was abandoned"));
  }

  Status Begin(const vigil_item_view_t& item) {
    vigil_status_t status = VIGIL_ERR_INTERNAL;
    try {
      std::unique_lock<std::mutex> lock(owner_.serial_mutex_, std::defer_lock);
      if (owner_.serial_) lock.lock();
      status = owner_.frames_->begin_video(owner_.instance_, &item, &info_, &video_, err_.sink());
    } catch (...) {
      failure_ = Status::PluginError("detector " + owner_.id_ +
                                     ": begin_video() threw a C++ exception across the ABI");
      return failure_;
    }
    if (status != VIGIL_OK) {
      failure_code_ = status;
      failure_ = Status::PluginError("detector " + owner_.id_ + " failed to begin the video (" +
                                     StatusName(status) + "): " + Reason());
    }
    return failure_;
  }

  Status Frame(const vigil_frame_view_t& frame) override {
    if (!failure_.ok()) return failure_;
    vigil_status_t status = VIGIL_ERR_INTERNAL;
    err_.Clear();
    try {
      std::unique_lock<std::mutex> lock(owner_.serial_mutex_, std::defer_lock);
      if (owner_.serial_) lock.lock();
      status = owner_.frames_->analyze_frame(owner_.instance_, video_, &frame, err_.sink());
    } catch (...) {
      failure_code_ = VIGIL_ERR_INTERNAL;
      failure_ = Status::PluginError("detector " + owner_.id_ +
                                     ": analyze_frame() threw a C++ "
                                     "exception across the ABI at frame " +
                                     std::to_string(frame.frame_number));
      return failure_;
    }
    if (status != VIGIL_OK) {
      failure_code_ = status;
      failure_ = Status::PluginError("detector " + owner_.id_ + " failed on frame " +
                                     std::to_string(frame.frame_number) + " (" +
                                     StatusName(status) + "): " + Reason());
    }
    return failure_;
  }

  AnalyzeOutcome End(const Status& decode_status) override {
    AnalyzeOutcome outcome;
    if (ended_) {
      outcome.status = Status::Internal("end_video called twice for detector " + owner_.id_);
      return outcome;
    }
    ended_ = true;
    // The plugin hears the first failure: its own, else the decoder's.
    const vigil_status_t code = !failure_.ok() ? failure_code_ : DecodeStatusCode(decode_status);
    BufferSink out(kMaxResultBytes);
    err_.Clear();
    vigil_status_t status = VIGIL_ERR_INTERNAL;
    try {
      std::unique_lock<std::mutex> lock(owner_.serial_mutex_, std::defer_lock);
      if (owner_.serial_) lock.lock();
      status = owner_.frames_->end_video(owner_.instance_, video_, code, out.sink(), err_.sink());
    } catch (...) {
      outcome.status = Status::PluginError("detector " + owner_.id_ +
                                           ": end_video() threw a C++ exception across the ABI");
      return outcome;
    }
    if (!failure_.ok()) {
      outcome.status = failure_;
      return outcome;
    }
    if (!decode_status.ok()) {
      // Never clean: the detector did not see every frame it asked for.
      outcome.status =
          Reworded(decode_status, "detector " + owner_.id_ +
                                      " did not see the whole video: " + decode_status.message());
      return outcome;
    }
    if (out.overflowed()) {
      outcome.status = Status::Resource("detector " + owner_.id_ + " tried to write more than " +
                                        std::to_string(out.capacity()) +
                                        " bytes of results; the item is marked failed");
      return outcome;
    }
    if (status != VIGIL_OK) {
      outcome.status = Status::PluginError("detector " + owner_.id_ + " failed to end the video (" +
                                           StatusName(status) + "): " + Reason());
      return outcome;
    }
    outcome.raw = out.data();
    if (!outcome.result.ParseFromString(outcome.raw)) {
      outcome.status = Status::Corruption(
          "detector " + owner_.id_ + " returned " + std::to_string(outcome.raw.size()) +
          " bytes that are not a vigil.v1.AnalysisResult (a plugin bug)");
      outcome.result.Clear();
      return outcome;
    }
    for (auto& detection : *outcome.result.mutable_detections()) {
      detection.set_detector(owner_.id_);  // the host vouches for who spoke
    }
    return outcome;
  }

 private:
  std::string Reason() const {
    return err_.data().empty() ? std::string("(the plugin gave no reason)") : err_.data();
  }

  DetectorInstance& owner_;
  vigil_video_info_t info_;
  BufferSink err_;
  void* video_ = nullptr;
  Status failure_;
  vigil_status_t failure_code_ = VIGIL_OK;
  bool ended_ = false;
};

StatusOr<std::unique_ptr<VideoSession>> DetectorInstance::BeginVideo(
    const vigil_item_view_t& item, const vigil_video_info_t& info) {
  if (!frame_wants_.wanted) {
    return Status::InvalidArgument("detector " + id_ + " does not take frames");
  }
  if (!frame_wants_.error.ok()) return frame_wants_.error;
  auto session = std::make_unique<InProcessVideoSession>(*this, info);
  // A failed begin still yields the session: End() must follow and reports it.
  (void)session->Begin(item);
  return std::unique_ptr<VideoSession>(std::move(session));
}

}  // namespace vigil::host
