// Hamming-distance kernels over 256-bit PDQ codes (4 x uint64 each), one set per CPU path.
// Internal to the library; popcount.h is the public face (path selection).
#ifndef VIGIL_HASHBANK_SRC_DISTANCE_KERNELS_H_
#define VIGIL_HASHBANK_SRC_DISTANCE_KERNELS_H_

#include <cstddef>
#include <cstdint>

namespace vigil::hashbank::internal {

struct CodeHit {
  uint32_t index;  // code index
  uint32_t distance;
};

// Codes [begin, end) of `codes`; writes those within `threshold` to `out` (room for end-begin).
using ScanFn = size_t (*)(const uint64_t* query, const uint64_t* codes, size_t begin, size_t end,
                          int threshold, CodeHit* out);
// Codes codes[ids[0..n)]; writes those within `threshold` to `out` (room for n).
using GatherFn = size_t (*)(const uint64_t* query, const uint64_t* codes, const uint32_t* ids,
                            size_t n, int threshold, CodeHit* out);

struct DistanceKernels {
  ScanFn scan;
  GatherFn gather;
};

const DistanceKernels& ActiveKernels();

}  // namespace vigil::hashbank::internal

#endif  // VIGIL_HASHBANK_SRC_DISTANCE_KERNELS_H_
