// Analyzer: anything that analyses one item for one detector. The pipeline only sees
// this interface, so a detector can run in process (DetectorInstance) or in a worker
// process (isolation) without the pipeline knowing which.
#ifndef VIGIL_HOST_LOADER_ANALYZER_H_
#define VIGIL_HOST_LOADER_ANALYZER_H_

#include <memory>
#include <string>

#include "core/status.h"
#include "vigil/ext/frames.h"
#include "vigil/plugin.h"
#include "vigil/v1/result.pb.h"

namespace vigil::host {

// The outcome of one analyze call.
struct AnalyzeOutcome {
  Status status;                     // not ok: the item failed for this detector
  vigil::v1::AnalysisResult result;  // valid when status.ok()
  std::string raw;                   // the bytes the plugin wrote (for conformance checks)
};

// vigil.frames/1 (sdk/include/vigil/ext/frames.h): which frames of a video a detector
// wants. `wanted` false: the detector gets one Analyze() per video item (ABI 1.0).
struct FrameWants {
  bool wanted = false;
  bool every_frame = false;
  double frames_per_second = 1.0;  // when !every_frame
  Status error;  // not ok: frame_request() failed or asked for what the host cannot do;
                 // every video item then fails for this detector with this reason
};

// One video being lent to one detector, frame by frame (begin_video happened).
class VideoSession {
 public:
  // Ends the video (end_video) if End() was not called, discarding the result.
  virtual ~VideoSession() = default;
  // One sampled frame, in increasing frame_number. Not ok: the detector failed on it;
  // no more frames are sent and End() reports the failure.
  virtual Status Frame(const vigil_frame_view_t& frame) = 0;
  // end_video. `decode_status` is Ok when every wanted frame was lent; otherwise the
  // outcome is failed with that reason, whatever the plugin wrote. Called once.
  virtual AnalyzeOutcome End(const Status& decode_status) = 0;
};

class Analyzer {
 public:
  virtual ~Analyzer() = default;
  // [thread-safe] Never throws; every failure is in the outcome's status.
  virtual AnalyzeOutcome Analyze(const vigil_item_view_t& item) = 0;
  virtual const std::string& detector_id() const = 0;
  // vigil.frames/1: what the instance asked for when it was created.
  virtual FrameWants frame_wants() const { return {}; }
  // [thread-safe] begin_video for one video item (`item` is borrowed for this call
  // only). Only for an analyzer whose frame_wants().wanted is true.
  virtual StatusOr<std::unique_ptr<VideoSession>> BeginVideo(const vigil_item_view_t& item,
                                                             const vigil_video_info_t& info) {
    (void)item;
    (void)info;
    return Status::InvalidArgument("detector " + detector_id() + " does not take frames");
  }
};

// The vigil_status_t a host Status stands for when it is handed to end_video.
vigil_status_t DecodeStatusCode(const Status& status);

}  // namespace vigil::host

#endif  // VIGIL_HOST_LOADER_ANALYZER_H_
