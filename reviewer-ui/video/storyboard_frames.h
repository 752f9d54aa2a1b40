// Which frames of a video item the console's storyboard shows (issue 16 item 4): the
// frames the detector's rate samples inside the matched time ranges, at most
// kMaxStoryboardTiles of them (evenly spread when there are more), plus, on request, N
// evenly spaced others. Pure arithmetic on the video's frame rate and length, so it is
// decided before anything is decoded and tested without a video.
#ifndef VIGIL_REVIEWER_UI_VIDEO_STORYBOARD_FRAMES_H_
#define VIGIL_REVIEWER_UI_VIDEO_STORYBOARD_FRAMES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/time_ranges.h"

namespace vigil::review {

inline constexpr int kMaxStoryboardTiles = 24;
// Evenly spaced frames shown when no detection says where in the video it is.
inline constexpr int kUnmatchedStoryboardFrames = 12;
// What one press of M (more frames) adds.
inline constexpr int kMoreStoryboardFrames = 8;

struct StoryboardRequest {
  std::vector<host::TimeSpan> matched;  // sorted by start (ItemDetails::MatchedRanges)
  // The rate the detectors sampled at: vigil.vpdq's default, one frame per second. The
  // sampled frames are the multiples of int(frame_rate / frames_per_second), as the
  // decoder and the detectors number them (host/video: SamplingOptions).
  double frames_per_second = 1.0;
  int extra_frames = 0;  // evenly spaced others, on request (0..kMaxStoryboardTiles)
  bool operator==(const StoryboardRequest& o) const {
    return matched == o.matched && frames_per_second == o.frames_per_second &&
           extra_frames == o.extra_frames;
  }
  bool operator!=(const StoryboardRequest& o) const { return !(*this == o); }
};

struct ChosenFrame {
  int64_t frame_number = 0;
  double timestamp_seconds = 0;  // frame_number / frame_rate
  bool matched = false;          // inside (or, for a range between samples, nearest) a range
};

struct FrameChoice {
  std::vector<ChosenFrame> frames;  // increasing frame_number, no repeats
  int matched_available = 0;        // sampled frames in the ranges, before the cap
  std::string note;                 // "" or why fewer frames are shown than asked for
};

// `frame_rate` > 0 and `total_frames` (the video's frame count; 0 when unknown: only
// matched frames can be chosen then). At most kMaxStoryboardTiles frames in all; extra
// frames take their share from the matched ones.
FrameChoice ChooseStoryboardFrames(double frame_rate, int64_t total_frames,
                                   const StoryboardRequest& request);

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_VIDEO_STORYBOARD_FRAMES_H_
