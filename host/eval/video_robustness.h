// The robustness study for videos (issue 17 item 4, "re-encode for video"): each benign
// video is re-encoded at several strengths (eval/video_transforms.h), the copy is hashed
// with vPDQ and compared with the original, frame by frame at the same timestamp and as
// `vigil video match` matches two videos. docs/evaluation.md "Videos".
#ifndef VIGIL_HOST_EVAL_VIDEO_ROBUSTNESS_H_
#define VIGIL_HOST_EVAL_VIDEO_ROBUSTNESS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "eval/distance_summary.h"
#include "vigil/video/video_decoder.h"

namespace vigil::eval {

struct VideoRobustnessOptions {
  std::vector<std::string> transforms;  // names (video_transforms.h); empty: every one
  bool small = false;                   // each transform's short list of strengths
  int max_distance = 31;                // as `vigil video match --distance`
  int min_quality = 50;                 // as `--quality`
  double match_percent = 80;            // as `--match-percent`: query-matched share needed
  double frames_per_second = 0;         // frames hashed per second; 0: every frame
  video::VideoLimits limits;            // for the original and every copy
  int threads = 0;                      // videos at once; 0: one per CPU
  std::function<void(size_t done, size_t total)> progress;  // serialised
};

// One re-encoded copy of one video.
struct VideoEditResult {
  std::string transform;
  std::string strength;  // its label
  double value = 0;
  std::string error;   // non-empty: the re-encode, its decode or its hash failed (nothing below)
  uint64_t bytes = 0;  // the copy's MP4 size
  uint32_t width = 0, height = 0;  // the copy's frame size
  int frames = 0;                  // the copy's frames hashed
  int low_quality = 0;             // of those, under min_quality
  // For each copy frame whose original frame at the same timestamp (the nearest within half
  // a frame of the original) has quality >= min_quality: the PDQ distance between the two.
  std::vector<int> distances;
  int frames_within = 0;  // distances <= max_distance with the copy frame's quality >= min
  double query_matched_percent = 0;     // MatchVideos(copy, original)
  double compared_matched_percent = 0;  // the original's share
  bool matched = false;                 // query_matched_percent >= match_percent
};

struct VideoResult {
  std::string path;
  std::string error;  // non-empty: the original could not be read or decoded whole
  uint32_t width = 0, height = 0;
  double frame_rate = 0;
  uint64_t bytes = 0;
  int frames = 0;                      // the original's frames hashed
  int low_quality = 0;                 // of those, under min_quality
  std::vector<VideoEditResult> edits;  // in the order of the summaries
};

// One transform at one strength over every video that was read.
struct VideoStrengthSummary : DistanceSummary {  // min, p50, p90, max, mean of `distances`
  std::string transform;
  std::string strength;
  double value = 0;
  int videos = 0;                          // re-encoded, hashed and compared
  int failed = 0;                          // the copy could not be made or read
  int matched = 0;                         // videos whose copy matches its original
  double match_rate = 0;                   // matched / videos (0 without videos)
  int64_t frames = 0;                      // frame distances measured, all videos
  int64_t frames_within = 0;               // of those, within the distance (copy quality >= min)
  double frame_match_rate = 0;             // frames_within / frames
  int64_t low_quality = 0;                 // copy frames under min_quality
  double mean_query_matched_percent = 0;   // over the videos
  double bytes_ratio = 0;                  // total copy bytes / total original bytes
  std::vector<int> distances;              // every frame distance, video after video
};

struct VideoRobustnessStudy {
  std::vector<VideoResult> videos;
  std::vector<VideoStrengthSummary> summaries;  // transform order, then strength order
};

// Errors only for bad options (an unknown transform; distance out of 0..256, quality out of
// 0..100, match percent out of 0..100, a negative or non-finite rate); a video that cannot
// be read, or a copy that cannot be made, is reported in its result.
StatusOr<VideoRobustnessStudy> RunVideoRobustnessStudy(const std::vector<std::string>& videos,
                                                       const VideoRobustnessOptions& options);

}  // namespace vigil::eval

#endif  // VIGIL_HOST_EVAL_VIDEO_ROBUSTNESS_H_
