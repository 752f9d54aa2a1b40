#include "jarosz_filter.h"

#include <algorithm>
#include <cstddef>

namespace vigil::pdq::internal {
namespace {

// Rows filtered together by the along-rows pass: 8 floats = two SSE registers.
constexpr int kStripRows = 8;

// Box-filters `lanes` independent sequences of `length` values held interleaved
// (value t of lane l is in[t * lanes + l]). Per lane this is exactly the reference's
// box1DFloat: a running float sum that first grows, then slides (add the new value,
// then subtract the old), then shrinks, each output being sum / (values in window).
void BoxLanes(const float* __restrict in, float* __restrict out, int length, int lanes,
              int window, float* __restrict sums) {
  // A window never exceeds its dimension for PDQ (ceil(dim / 128) <= dim); clamp so
  // that a caller passing one anyway cannot read past the buffer.
  window = std::min(window, length);
  const int half = (window + 2) / 2;
  const int grow_silent = half - 1;
  const int grow_writing = window - half + 1;
  const int slide = length - window;
  const int shrink = half - 1;
  const size_t n = static_cast<size_t>(lanes);

  std::fill(sums, sums + n, 0.0f);
  const float* add = in;
  const float* sub = in;
  float* dst = out;
  int count = 0;

  for (int t = 0; t < grow_silent; ++t, add += n) {
    for (size_t l = 0; l < n; ++l) sums[l] += add[l];
    ++count;
  }
  for (int t = 0; t < grow_writing; ++t, add += n, dst += n) {
    ++count;
    const float c = static_cast<float>(count);
    for (size_t l = 0; l < n; ++l) {
      sums[l] += add[l];
      dst[l] = sums[l] / c;
    }
  }
  const float full = static_cast<float>(count);
  for (int t = 0; t < slide; ++t, add += n, sub += n, dst += n) {
    for (size_t l = 0; l < n; ++l) {
      float s = sums[l] + add[l];
      s -= sub[l];
      sums[l] = s;
      dst[l] = s / full;
    }
  }
  for (int t = 0; t < shrink; ++t, sub += n, dst += n) {
    --count;
    const float c = static_cast<float>(count);
    for (size_t l = 0; l < n; ++l) {
      sums[l] -= sub[l];
      dst[l] = sums[l] / c;
    }
  }
}

// Box along each row (horizontal). Rows are taken kStripRows at a time and interleaved
// into a small strip so the running sums of those rows advance as SIMD lanes.
void BoxAlongRows(const float* in, float* out, int rows, int cols, int window,
                  std::vector<float>& scratch) {
  const size_t strip = static_cast<size_t>(cols) * kStripRows;
  scratch.resize(2 * strip + kStripRows);
  float* strip_in = scratch.data();
  float* strip_out = strip_in + strip;
  float* sums = strip_out + strip;
  const size_t c = static_cast<size_t>(cols);

  for (int r0 = 0; r0 < rows; r0 += kStripRows) {
    const int h = std::min(kStripRows, rows - r0);
    if (h < kStripRows) std::fill(strip_in, strip_in + strip, 0.0f);
    for (int r = 0; r < h; ++r) {
      const float* src = in + static_cast<size_t>(r0 + r) * c;
      for (size_t j = 0; j < c; ++j) strip_in[j * kStripRows + static_cast<size_t>(r)] = src[j];
    }
    BoxLanes(strip_in, strip_out, cols, kStripRows, window, sums);
    for (int r = 0; r < h; ++r) {
      float* dst = out + static_cast<size_t>(r0 + r) * c;
      for (size_t j = 0; j < c; ++j) dst[j] = strip_out[j * kStripRows + static_cast<size_t>(r)];
    }
  }
}

// Box down each column (vertical): all columns are lanes of one pass over the rows.
void BoxAlongColumns(const float* in, float* out, int rows, int cols, int window,
                     std::vector<float>& scratch) {
  scratch.resize(static_cast<size_t>(cols));
  BoxLanes(in, out, rows, cols, window, scratch.data());
}

}  // namespace

int JaroszWindowSize(int old_dimension, int new_dimension) {
  return (old_dimension + 2 * new_dimension - 1) / (2 * new_dimension);
}

void JaroszFilter(float* a, float* b, int rows, int cols, int window_along_rows,
                  int window_along_cols, std::vector<float>& scratch) {
  // The reference's jaroszFilterFloat with two repetitions: rows a->b, columns b->a.
  for (int rep = 0; rep < 2; ++rep) {
    BoxAlongRows(a, b, rows, cols, window_along_rows, scratch);
    BoxAlongColumns(b, a, rows, cols, window_along_cols, scratch);
  }
}

void Decimate(const float* in, int in_rows, int in_cols, float* out, int out_rows,
              int out_cols) {
  // Sample at the centres of the output cells; the index arithmetic is in double, as
  // in the reference.
  for (int oi = 0; oi < out_rows; ++oi) {
    const int ii = static_cast<int>(((oi + 0.5) * in_rows) / out_rows);
    const float* src = in + static_cast<size_t>(ii) * static_cast<size_t>(in_cols);
    for (int oj = 0; oj < out_cols; ++oj) {
      const int ij = static_cast<int>(((oj + 0.5) * in_cols) / out_cols);
      out[static_cast<size_t>(oi) * static_cast<size_t>(out_cols) + static_cast<size_t>(oj)] =
          src[ij];
    }
  }
}

}  // namespace vigil::pdq::internal
