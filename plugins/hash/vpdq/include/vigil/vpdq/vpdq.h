// vPDQ (Meta's video PDQ; facebook/ThreatExchange vpdq/): the per-frame hashes, the
// reference per-frame text format, and matching two videos. This part needs no decoder
// (the vigil.vpdq plugin gets its frames from the host); hashing a video file with
// vigil_video is in vigil/vpdq/vpdq_hash.h.
//
// Matching as the reference's Python matcher (python-threatexchange / HMA
// vpdq_brute_matcher, the one the "distance <= 31" describes): in each video,
// repeated frames are collapsed to their first occurrence (dedupe by exact hash), frames
// under the quality threshold are dropped, and the query-matched share is the share of the
// query's remaining frames within the distance of ANY of the compared video's remaining
// frames (and the reverse for the compared-matched share). The C++ reference tool
// (vpdq/cpp matchTwoHash.cpp) counts every frame and compares with `distance < N`:
// MatchOptions{.dedupe = false, .max_distance = N - 1} reproduces it.
#ifndef VIGIL_VPDQ_VPDQ_H_
#define VIGIL_VPDQ_VPDQ_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/pdq/hash256.h"
#include "vigil/status.hpp"

namespace vigil::vpdq {

struct FrameHash {
  int64_t frame_number = 0;
  int quality = 0;  // 0..100
  pdq::Hash256 hash;
  double timestamp_seconds = 0;
};

// [SECTION] The reference per-frame format: `frame_number,quality,pdq_hex,timestamp`

// One line per frame, "\n"-terminated; timestamps with 3 decimals, as the reference writes.
std::string FormatFrameHashes(const std::vector<FrameHash>& frames);

// Parses the reference format strictly: four comma-separated fields per line (no spaces),
// frame numbers non-negative and strictly increasing, quality 0..100, 64 hex digits,
// a finite non-negative decimal timestamp; "\r\n" line ends and a missing final newline
// are accepted, blank lines are not. Errors name the line: "line 3: quality 101 not in
// 0..100". An empty text is an error ("no frames").
StatusOr<std::vector<FrameHash>> ParseFrameHashes(std::string_view text);

// Reads and parses a file (at most 256 MiB).
StatusOr<std::vector<FrameHash>> ReadFrameHashesFile(const std::string& path);

// [SECTION] Matching

struct MatchOptions {
  int max_distance = 31;  // frames match at Hamming distance <= this (0..256)
  int min_quality = 50;   // frames below this quality are not compared (0..100)
  bool dedupe = true;     // collapse repeated (identical) frame hashes first
  // Matched frames closer than this (in seconds) belong to one time range.
  double range_gap_seconds = 1.0;
};

struct TimeRange {
  double start_seconds = 0;  // timestamp of the first matched frame
  double end_seconds = 0;    // timestamp of the last matched frame
};

struct MatchResult {
  double query_matched_percent = 0;     // 0..100
  double compared_matched_percent = 0;  // 0..100
  size_t query_frames_compared = 0;     // after dedupe and the quality filter
  size_t compared_frames_compared = 0;
  size_t query_frames_matched = 0;
  size_t compared_frames_matched = 0;
  // Where the match is, in each video: every frame (repeated ones included) whose hash
  // matched, grouped into ranges (see MatchOptions::range_gap_seconds).
  std::vector<TimeRange> query_ranges;
  std::vector<TimeRange> compared_ranges;
};

// kInvalidArgument, with the reason, for options out of range.
Status CheckMatchOptions(const MatchOptions& options);

// kInvalidArgument for options out of range. Two videos with no frame left after the
// quality filter match 0% each (as the reference).
StatusOr<MatchResult> MatchVideos(const std::vector<FrameHash>& query,
                                  const std::vector<FrameHash>& compared,
                                  const MatchOptions& options = {});

}  // namespace vigil::vpdq

#endif  // VIGIL_VPDQ_VPDQ_H_
