// Hashing a video with vigil_video (FFmpeg) into vPDQ frame hashes (issue 16). Kept apart
// from vigil/vpdq/vpdq.h so that code which only formats or matches hashes (the vigil.vpdq
// plugin, which gets its frames from the host) does not link FFmpeg.
//
// Hashing as the reference C++ computes it (vpdq/cpp: filehasher.cpp, pdqbufferhasher.cpp):
//   * every sampled frame converted to RGB24 at full size with SWS_AREA (vigil_video),
//   * PDQ of the whole frame: luma from RGB, the Jarosz filter over every pixel (no
//     512x512 resize, unlike still images; no single-channel path for grey frames),
//   * frame_number from 0 and timestamp = (float) frame_number / (float) frame_rate.
//   * Repeated frames are kept in the per-frame list (the reference's hash files keep
//     them); frames under 5 px on a side hash to zero with quality 0 (the reference
//     aborts the whole video there; a zero-quality frame is ignored by matching instead).
#ifndef VIGIL_VPDQ_VPDQ_HASH_H_
#define VIGIL_VPDQ_VPDQ_HASH_H_

#include <string>
#include <vector>

#include "vigil/status.hpp"
#include "vigil/video/video_decoder.h"
#include "vigil/vpdq/vpdq.h"

namespace vigil::vpdq {

struct HashStats {
  video::DecodeStats decode;
  double frame_rate = 0;
  uint32_t width = 0;
  uint32_t height = 0;
};

// Hashes the sampled frames of an open video, in order. The decoder is used up.
StatusOr<std::vector<FrameHash>> HashVideo(video::VideoDecoder& decoder,
                                           const video::SamplingOptions& sampling,
                                           HashStats* stats = nullptr);

// Convenience: opens `path` with `limits` and hashes it.
StatusOr<std::vector<FrameHash>> HashVideoFile(const std::string& path,
                                               const video::SamplingOptions& sampling,
                                               const video::VideoLimits& limits = {},
                                               HashStats* stats = nullptr);

}  // namespace vigil::vpdq

#endif  // VIGIL_VPDQ_VPDQ_HASH_H_
