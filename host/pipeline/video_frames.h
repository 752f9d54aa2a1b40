// Lending a video's frames to the detectors that asked for them (vigil.frames/1,
// sdk/include/vigil/ext/frames.h; docs/video.md "Frames for plugins").
//
// The video is decoded ONCE (vigil_video) at the union of the detectors' rates: the
// decoder's step is the greatest common divisor of the detectors' frame steps, and
// each detector gets exactly the frames its own step selects (the vPDQ reference's
// rule on frame numbers), so every detector sees the same frame numbers and
// timestamps whatever the others asked for. Memory is one RGB frame, lent to the
// detectors in turn (each call returns before the next frame is decoded), however long
// the video. A failure is never clean: a video that does not open or stops decoding
// (corrupt, truncated, a limit) fails the item for every frame detector with the
// reason, a frame call that fails fails it for that detector, and the other detectors
// go on.
#ifndef VIGIL_HOST_PIPELINE_VIDEO_FRAMES_H_
#define VIGIL_HOST_PIPELINE_VIDEO_FRAMES_H_

#include <chrono>
#include <cstdint>
#include <vector>

#include "loader/analyzer.h"
#include "vigil/video/video_decoder.h"

namespace vigil::host {

// The frame step a detector's wants select on a video of `frame_rate` (the reference's
// int(frame_rate / fps), at least 1; 1 for every frame).
int64_t FrameStep(const FrameWants& wants, double frame_rate);

struct VideoLendStats {
  int64_t frames_decoded = 0;
  int64_t frames_sampled = 0;        // frames converted and offered (the union)
  std::vector<int64_t> frames_lent;  // per analyzer
};

// Decodes `item` (a VIGIL_MEDIA_VIDEO item's bytes) once and lends the sampled frames
// to every analyzer (each must have frame_wants().wanted). One outcome per analyzer,
// in order. `call_deadline` bounds each plugin call (is_cancelled turns 1 after it).
std::vector<AnalyzeOutcome> LendVideoFrames(const vigil_item_view_t& item,
                                            const std::vector<Analyzer*>& analyzers,
                                            const video::VideoLimits& limits,
                                            std::chrono::milliseconds call_deadline,
                                            VideoLendStats* stats = nullptr);

}  // namespace vigil::host

#endif  // VIGIL_HOST_PIPELINE_VIDEO_FRAMES_H_
