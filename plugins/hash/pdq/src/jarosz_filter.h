// The Jarosz box ("tent") filter and 64x64 decimation of the PDQ reference
// (pdq/cpp/downscaling), reorganised for speed without changing a single float
// operation: every output element is computed by the same sequence of adds, subtracts
// and one divide as the reference's box1DFloat, but many rows or columns advance in
// lockstep so the compiler can use SIMD lanes, and the last two passes only produce the
// values the decimation will sample. (Jarosz, "Fast Image Convolutions", SIGGRAPH 2001.)
#ifndef VIGIL_PDQ_SRC_JAROSZ_FILTER_H_
#define VIGIL_PDQ_SRC_JAROSZ_FILTER_H_

#include <cstdint>
#include <vector>

namespace vigil::pdq::internal {

// The reference's window: ceil-ish so that two passes cover old/new pixels per output.
int JaroszWindowSize(int old_dimension, int new_dimension);

// Reusable buffers of the filter (no allocation once grown).
struct FilterScratch {
  std::vector<float> strip;
  std::vector<uint8_t> wanted_rows;
  std::vector<uint8_t> wanted_cols;
};

// Two passes of (box along rows, then box along columns) over the rows x cols matrix in
// `a`, then samples 64 x 64 values at the pixel centres ((i + 0.5) * size / 64, in
// double, as the reference's decimateFloat). `a` and `b` (same size) are clobbered.
void BlurAndDecimate(float* a, float* b, int rows, int cols, int window_along_rows,
                     int window_along_cols, FilterScratch& scratch, float out[64][64]);

}  // namespace vigil::pdq::internal

#endif  // VIGIL_PDQ_SRC_JAROSZ_FILTER_H_
