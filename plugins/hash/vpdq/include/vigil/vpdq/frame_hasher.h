// PDQ of one sampled video frame as the vPDQ reference computes it (vpdq/cpp:
// pdqbufferhasher.cpp, filehasher.cpp): the whole frame (no 512x512 resize, unlike still
// images), luma always from RGB, and the timestamp in the reference's float arithmetic,
// (float) frame_number / (float) frame_rate, so printed timestamps agree to the digit.
// One place for it: `vigil video hash`, the vigil.vpdq plugin and the robustness study.
#ifndef VIGIL_VPDQ_FRAME_HASHER_H_
#define VIGIL_VPDQ_FRAME_HASHER_H_

#include <cstddef>
#include <cstdint>

#include "vigil/pdq/pdq.h"
#include "vigil/status.hpp"
#include "vigil/vpdq/vpdq.h"

namespace vigil::vpdq {

class FrameHasher {
 public:
  // `frame_rate` is the video's average rate; when it is not above 0 the timestamp is the
  // one the caller passes to Hash().
  explicit FrameHasher(double frame_rate);

  // One RGB8 frame (`stride` bytes per row). Frames under 5 px on a side hash to zero
  // with quality 0, which matching ignores.
  StatusOr<FrameHash> Hash(const uint8_t* rgb, uint32_t width, uint32_t height, size_t stride,
                           int64_t frame_number, double timestamp_if_no_rate = 0);

 private:
  pdq::PdqHasher hasher_;
  float frame_rate_;
};

}  // namespace vigil::vpdq

#endif  // VIGIL_VPDQ_FRAME_HASHER_H_
