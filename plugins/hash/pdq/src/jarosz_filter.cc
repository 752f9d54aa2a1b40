#include "jarosz_filter.h"

#include <algorithm>
#include <cstddef>

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

namespace vigil::pdq::internal {
namespace {

constexpr int kOut = 64;
// Rows filtered together by the along-rows pass: 8 floats, one AVX or two SSE registers.
constexpr int kStripRows = 8;

// The hot loops are built twice, for AVX2 and for baseline x86-64, and picked at load
// time. Division and addition are exactly rounded at any vector width, and FMA is not
// enabled (nor allowed: -ffp-contract=off), so both builds give identical bits.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VIGIL_PDQ_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define VIGIL_PDQ_MULTIVERSION
#endif

// Box-filters `lanes` independent sequences of `length` values held interleaved
// (value t of lane l is in[t * lanes + l]). Per lane this is exactly the reference's
// box1DFloat: a running float sum that first grows, then slides (add the new value,
// then subtract the old), then shrinks, each output being sum / (values in window).
// When `wanted` is given, outputs (and their divides) are produced only at positions
// t with wanted[t] != 0; the running sums are unchanged.
VIGIL_PDQ_MULTIVERSION
void BoxLanes(const float* __restrict in, float* __restrict out, int length, int lanes, int window,
              float* __restrict sums, const uint8_t* wanted) {
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
  int t = 0;  // output position
  int count = 0;

  for (int i = 0; i < grow_silent; ++i, add += n) {
    for (size_t l = 0; l < n; ++l) sums[l] += add[l];
    ++count;
  }
  for (int i = 0; i < grow_writing; ++i, add += n, dst += n, ++t) {
    ++count;
    const float c = static_cast<float>(count);
    for (size_t l = 0; l < n; ++l) sums[l] += add[l];
    if (wanted == nullptr || wanted[t]) {
      for (size_t l = 0; l < n; ++l) dst[l] = sums[l] / c;
    }
  }
  const float full = static_cast<float>(count);
  for (int i = 0; i < slide; ++i, add += n, sub += n, dst += n, ++t) {
    for (size_t l = 0; l < n; ++l) {
      float s = sums[l] + add[l];
      s -= sub[l];
      sums[l] = s;
    }
    if (wanted == nullptr || wanted[t]) {
      for (size_t l = 0; l < n; ++l) dst[l] = sums[l] / full;
    }
  }
  for (int i = 0; i < shrink; ++i, sub += n, dst += n, ++t) {
    --count;
    const float c = static_cast<float>(count);
    for (size_t l = 0; l < n; ++l) sums[l] -= sub[l];
    if (wanted == nullptr || wanted[t]) {
      for (size_t l = 0; l < n; ++l) dst[l] = sums[l] / c;
    }
  }
}

// Interleaves rows [r0, r0 + h) of a rows x cols matrix into strip[j * 8 + r] (rows
// past h read as 0): a transpose, done in 4x4 SSE blocks where possible. Pure data
// movement, so exactness is not at stake.
void LoadStrip(const float* in, int r0, int h, size_t cols, float* strip) {
  size_t j = 0;
#if defined(__SSE2__)
  if (h == kStripRows) {
    for (; j + 4 <= cols; j += 4) {
      for (int half = 0; half < kStripRows; half += 4) {
        const float* src = in + static_cast<size_t>(r0 + half) * cols + j;
        __m128 a = _mm_loadu_ps(src);
        __m128 b = _mm_loadu_ps(src + cols);
        __m128 c = _mm_loadu_ps(src + 2 * cols);
        __m128 d = _mm_loadu_ps(src + 3 * cols);
        _MM_TRANSPOSE4_PS(a, b, c, d);
        float* dst = strip + j * kStripRows + static_cast<size_t>(half);
        _mm_storeu_ps(dst, a);
        _mm_storeu_ps(dst + kStripRows, b);
        _mm_storeu_ps(dst + 2 * kStripRows, c);
        _mm_storeu_ps(dst + 3 * kStripRows, d);
      }
    }
  }
#endif
  for (; j < cols; ++j) {
    for (int r = 0; r < kStripRows; ++r) {
      strip[j * kStripRows + static_cast<size_t>(r)] =
          r < h ? in[static_cast<size_t>(r0 + r) * cols + j] : 0.0f;
    }
  }
}

// The inverse of LoadStrip for the first h rows.
void StoreStrip(const float* strip, int r0, int h, size_t cols, float* out) {
  size_t j = 0;
#if defined(__SSE2__)
  if (h == kStripRows) {
    for (; j + 4 <= cols; j += 4) {
      for (int half = 0; half < kStripRows; half += 4) {
        const float* src = strip + j * kStripRows + static_cast<size_t>(half);
        __m128 a = _mm_loadu_ps(src);
        __m128 b = _mm_loadu_ps(src + kStripRows);
        __m128 c = _mm_loadu_ps(src + 2 * kStripRows);
        __m128 d = _mm_loadu_ps(src + 3 * kStripRows);
        _MM_TRANSPOSE4_PS(a, b, c, d);
        float* dst = out + static_cast<size_t>(r0 + half) * cols + j;
        _mm_storeu_ps(dst, a);
        _mm_storeu_ps(dst + cols, b);
        _mm_storeu_ps(dst + 2 * cols, c);
        _mm_storeu_ps(dst + 3 * cols, d);
      }
    }
  }
#endif
  for (; j < cols; ++j) {
    for (int r = 0; r < h; ++r) {
      out[static_cast<size_t>(r0 + r) * cols + j] = strip[j * kStripRows + static_cast<size_t>(r)];
    }
  }
}

// Box along each row (horizontal), rows taken kStripRows at a time so their running
// sums advance as SIMD lanes. Writes the full rows x cols result.
void BoxAlongRows(const float* in, float* out, int rows, int cols, int window,
                  FilterScratch& scratch) {
  const size_t c = static_cast<size_t>(cols);
  const size_t strip = c * kStripRows;
  scratch.strip.resize(2 * strip + kStripRows);
  float* strip_in = scratch.strip.data();
  float* strip_out = strip_in + strip;
  float* sums = strip_out + strip;
  for (int r0 = 0; r0 < rows; r0 += kStripRows) {
    const int h = std::min(kStripRows, rows - r0);
    LoadStrip(in, r0, h, c, strip_in);
    BoxLanes(strip_in, strip_out, cols, kStripRows, window, sums, nullptr);
    StoreStrip(strip_out, r0, h, c, out);
  }
}

// Box along rows again, but keeps only the 64 sampled columns: out is rows x 64.
void BoxAlongRowsSampled(const float* in, float* out, int rows, int cols, int window,
                         const int* sample_cols, FilterScratch& scratch) {
  const size_t c = static_cast<size_t>(cols);
  const size_t strip = c * kStripRows;
  scratch.strip.resize(2 * strip + kStripRows);
  float* strip_in = scratch.strip.data();
  float* strip_out = strip_in + strip;
  float* sums = strip_out + strip;
  for (int r0 = 0; r0 < rows; r0 += kStripRows) {
    const int h = std::min(kStripRows, rows - r0);
    LoadStrip(in, r0, h, c, strip_in);
    BoxLanes(strip_in, strip_out, cols, kStripRows, window, sums, scratch.wanted_cols.data());
    for (int r = 0; r < h; ++r) {
      float* dst = out + static_cast<size_t>(r0 + r) * kOut;
      for (int j = 0; j < kOut; ++j) {
        dst[j] =
            strip_out[static_cast<size_t>(sample_cols[j]) * kStripRows + static_cast<size_t>(r)];
      }
    }
  }
}

}  // namespace

int JaroszWindowSize(int old_dimension, int new_dimension) {
  return (old_dimension + 2 * new_dimension - 1) / (2 * new_dimension);
}

void BlurAndDecimate(float* a, float* b, int rows, int cols, int window_along_rows,
                     int window_along_cols, FilterScratch& scratch, float out[64][64]) {
  // Sample positions of the reference's decimateFloat: cell centres, in double.
  int sample_rows[kOut];
  int sample_cols[kOut];
  scratch.wanted_rows.assign(static_cast<size_t>(rows), 0);
  scratch.wanted_cols.assign(static_cast<size_t>(cols), 0);
  for (int i = 0; i < kOut; ++i) {
    sample_rows[i] = static_cast<int>(((i + 0.5) * rows) / kOut);
    sample_cols[i] = static_cast<int>(((i + 0.5) * cols) / kOut);
    scratch.wanted_rows[static_cast<size_t>(sample_rows[i])] = 1;
    scratch.wanted_cols[static_cast<size_t>(sample_cols[i])] = 1;
  }
  float* sums = nullptr;

  // First repetition, in full: rows a -> b, columns b -> a.
  BoxAlongRows(a, b, rows, cols, window_along_rows, scratch);
  scratch.strip.resize(std::max(scratch.strip.size(), static_cast<size_t>(cols)));
  sums = scratch.strip.data();
  BoxLanes(b, a, rows, cols, window_along_cols, sums, nullptr);

  // Second repetition: only the 64 sampled columns survive the row pass (into b as
  // rows x 64), and the column pass runs down just those, writing the 64 sampled rows.
  BoxAlongRowsSampled(a, b, rows, cols, window_along_rows, sample_cols, scratch);
  scratch.strip.resize(std::max(scratch.strip.size(), static_cast<size_t>(kOut)));
  sums = scratch.strip.data();
  BoxLanes(b, a, rows, kOut, window_along_cols, sums, scratch.wanted_rows.data());
  for (int i = 0; i < kOut; ++i) {
    const float* src = a + static_cast<size_t>(sample_rows[i]) * kOut;
    for (int j = 0; j < kOut; ++j) out[i][j] = src[j];
  }
}

}  // namespace vigil::pdq::internal
