// VideoIndex: matching one video against many listed videos without comparing it with
// every listed frame.
//
// Every listed frame that matching compares (quality >= MatchOptions::min_quality, repeats
// within a video collapsed) goes into the exact PDQ multi-index the hash banks use
// (vigil::hashbank::PdqIndex), mapped to its video. A query looks up each of its compared
// frames at MatchOptions::max_distance; the videos hit are the only ones whose
// query-matched share can be above 0, so only they go through MatchVideos. The answer is
// the brute-force answer (MatchBruteForce), which the tests check.
#ifndef VIGIL_VPDQ_VPDQ_INDEX_H_
#define VIGIL_VPDQ_VPDQ_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "vigil/vpdq/vpdq.h"

namespace vigil::vpdq {

struct VideoMatch {
  uint32_t video = 0;  // index into the videos the index was built from
  MatchResult result;
};

class VideoIndex {
 public:
  // Takes the listed videos (their frames are needed for MatchVideos). kInvalidArgument
  // for options out of range or more than 2^32 - 1 indexed frames.
  static StatusOr<std::unique_ptr<VideoIndex>> Build(std::vector<std::vector<FrameHash>> videos,
                                                     const MatchOptions& options = {});
  ~VideoIndex();
  VideoIndex(const VideoIndex&) = delete;
  VideoIndex& operator=(const VideoIndex&) = delete;

  size_t video_count() const;
  const std::vector<FrameHash>& video(size_t index) const;
  const MatchOptions& options() const;
  // Frame hashes in the PDQ index, and the bytes of the index (codes, tables, the frame ->
  // video map; not the videos' frame lists).
  size_t indexed_frames() const;
  size_t index_bytes() const;

  // The videos with at least one compared frame within the distance of one of the query's
  // compared frames, increasing.
  std::vector<uint32_t> Candidates(const std::vector<FrameHash>& query) const;

  // Every listed video whose query-matched share is at least `min_query_percent` (0..100),
  // by video index; nothing when the query has no frame to compare.
  StatusOr<std::vector<VideoMatch>> Match(const std::vector<FrameHash>& query,
                                          double min_query_percent) const;
  // The same answer from MatchVideos against every listed video; for tests and benchmarks.
  StatusOr<std::vector<VideoMatch>> MatchBruteForce(const std::vector<FrameHash>& query,
                                                    double min_query_percent) const;

 private:
  VideoIndex();
  StatusOr<std::vector<VideoMatch>> MatchVideosIn(const std::vector<FrameHash>& query,
                                                  const std::vector<uint32_t>& videos,
                                                  double min_query_percent) const;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::vpdq

#endif  // VIGIL_VPDQ_VPDQ_INDEX_H_
