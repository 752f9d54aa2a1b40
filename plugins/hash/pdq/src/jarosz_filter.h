// The Jarosz box ("tent") filter of the PDQ reference (pdq/cpp/downscaling), reorganised
// for speed without changing a single float operation: every output element is computed
// by the same sequence of adds, subtracts and one divide as the reference's box1DFloat,
// but many rows or columns advance in lockstep so the compiler can use SIMD lanes.
// (Jarosz, "Fast Image Convolutions", SIGGRAPH 2001 course notes.)
#ifndef VIGIL_PDQ_SRC_JAROSZ_FILTER_H_
#define VIGIL_PDQ_SRC_JAROSZ_FILTER_H_

#include <vector>

namespace vigil::pdq::internal {

// Reference: ceil-ish window so that two passes cover old/new pixels per output.
int JaroszWindowSize(int old_dimension, int new_dimension);

// Two passes of (box along rows, then box along columns) over a rows x cols matrix.
// Result in `a`; `b` is scratch of the same size; `scratch` grows as needed.
void JaroszFilter(float* a, float* b, int rows, int cols, int window_along_rows,
                  int window_along_cols, std::vector<float>& scratch);

// Picks rows x cols samples at pixel centres: the reference's decimateFloat.
void Decimate(const float* in, int in_rows, int in_cols, float* out, int out_rows,
              int out_cols);

}  // namespace vigil::pdq::internal

#endif  // VIGIL_PDQ_SRC_JAROSZ_FILTER_H_
