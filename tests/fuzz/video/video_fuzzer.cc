// Fuzzes vigil_video's whole untrusted-input surface: container probing, the allowed
// demuxers, the decoders, frame sampling and the RGB24 conversion. Limits are lowered so a
// fuzzer-made header cannot make one iteration allocate gigabytes or decode for minutes;
// anything beyond them must come back as a Status, never a crash, hang or sanitizer report.
#include <cstddef>
#include <cstdint>

#include "vigil/video/video_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigil::video::VideoLimits limits;
  limits.max_input_bytes = 1u << 20;
  limits.max_dimension = 2048;
  limits.max_pixels = 1'000'000;
  limits.max_duration_seconds = 600;
  limits.max_frames = 2'000;
  auto decoder = vigil::video::VideoDecoder::OpenMemory(data, size, limits);
  if (!decoder.ok()) return 0;
  vigil::video::SamplingOptions sampling;
  sampling.every_frame = size % 2 == 0;  // both sampling paths (and keyframe seeking)
  uint64_t sum = 0;
  (void)(*decoder)->ForEachFrame(sampling, [&](const vigil::video::VideoFrame& f) {
    if (f.rgb == nullptr || f.width == 0 || f.height == 0 || f.stride < 3ull * f.width) {
      __builtin_trap();
    }
    // Touch the first and last pixel of the lent frame: ASan checks the buffer's extent.
    sum += f.rgb[0] + f.rgb[(f.height - 1) * f.stride + 3 * (f.width - 1) + 2];
    return vigil::Status::Ok();
  });
  // Keep the reads (an empty asm the optimiser cannot see through).
  asm volatile("" : : "r"(sum) : "memory");
  return 0;
}
