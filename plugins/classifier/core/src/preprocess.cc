// Resampling follows the conventions named in manifest.h so that a converted model sees
// the pixels its training framework saw: e.g. nsfwjs uses tf.image.resizeBilinear with
// align_corners=true, which kBilinearAlignCorners reproduces (same source coordinates,
// same interpolation order: along x first, then y).
#include "preprocess.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

namespace vigil::classifier {
namespace {

int BytesPerPixel(PixelFormat format) {
  switch (format) {
    case PixelFormat::kGray8: return 1;
    case PixelFormat::kRgb8: return 3;
    case PixelFormat::kRgba8: return 4;
  }
  return 0;
}

// For each output coordinate along one axis: the two source samples and the weight of
// the second. Nearest uses i0 only.
struct AxisSamples {
  std::vector<int> i0, i1;
  std::vector<float> frac;
};

AxisSamples SampleAxis(int in_size, int out_size, Interpolation interp) {
  AxisSamples s;
  s.i0.resize(out_size);
  s.i1.resize(out_size);
  s.frac.resize(out_size);
  for (int o = 0; o < out_size; ++o) {
    double src = 0.0;
    if (interp == Interpolation::kNearest) {
      int i = static_cast<int>(std::floor((o + 0.5) * in_size / out_size));
      s.i0[o] = s.i1[o] = std::clamp(i, 0, in_size - 1);
      s.frac[o] = 0.0f;
      continue;
    }
    if (interp == Interpolation::kBilinearAlignCorners) {
      // tf: src = o * (in - 1) / (out - 1); tfjs computes coordinates in doubles.
      double ratio = out_size > 1 ? static_cast<double>(in_size - 1) / (out_size - 1) : 0.0;
      src = o * ratio;
    } else {
      src = (o + 0.5) * static_cast<double>(in_size) / out_size - 0.5;
      if (src < 0.0) src = 0.0;
    }
    int lo = std::min(static_cast<int>(std::floor(src)), in_size - 1);
    s.i0[o] = lo;
    s.i1[o] = std::min(lo + 1, in_size - 1);
    s.frac[o] = static_cast<float>(src - lo);
  }
  return s;
}

// Per-output-column source byte offsets: computed once per call, reused on every row.
struct ColumnTaps {
  std::vector<size_t> b0, b1;  // byte offset of the left/right source pixel
  std::vector<float> frac;
};

ColumnTaps MakeColumnTaps(const AxisSamples& xs, int bpp) {
  ColumnTaps t;
  const size_t n = xs.i0.size();
  t.b0.resize(n);
  t.b1.resize(n);
  t.frac = xs.frac;
  for (size_t i = 0; i < n; ++i) {
    t.b0[i] = static_cast<size_t>(xs.i0[i]) * bpp;
    t.b1[i] = static_cast<size_t>(xs.i1[i]) * bpp;
  }
  return t;
}

// Everything the inner loop needs, fixed for one call.
struct Plan {
  std::array<int, 3> src_channel;  // tensor channel c reads RGB byte src_channel[c]
  std::array<float, 3> scale, offset;
  size_t plane;  // width * height
  int out_w;
};

// Nearest: one output row of the image box. Templated on the pixel size, layout and
// colour order so the per-pixel loop has no branches and constant channel indices;
// scale/offset are copied to locals because the float stores could alias them.
template <int kBpp, bool kNhwc, bool kBgr>
void NearestRow(const Plan& p, const ColumnTaps& cols, const uint8_t* row, int box_x, int y,
                float* out) {
  const float s0 = p.scale[0], s1 = p.scale[1], s2 = p.scale[2];
  const float o0 = p.offset[0], o1 = p.offset[1], o2 = p.offset[2];
  const size_t plane = p.plane;
  const size_t n = cols.b0.size();
  const size_t* b0 = cols.b0.data();
  constexpr int kC0 = kBpp == 1 ? 0 : (kBgr ? 2 : 0);
  constexpr int kC1 = kBpp == 1 ? 0 : 1;
  constexpr int kC2 = kBpp == 1 ? 0 : (kBgr ? 0 : 2);
  float* dst = kNhwc ? out + (static_cast<size_t>(y) * p.out_w + box_x) * 3
                     : out + static_cast<size_t>(y) * p.out_w + box_x;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* a = row + b0[i];
    if (kNhwc) {
      dst[i * 3 + 0] = a[kC0] * s0 + o0;
      dst[i * 3 + 1] = a[kC1] * s1 + o1;
      dst[i * 3 + 2] = a[kC2] * s2 + o2;
    } else {
      dst[i] = a[kC0] * s0 + o0;
      dst[plane + i] = a[kC1] * s1 + o1;
      dst[2 * plane + i] = a[kC2] * s2 + o2;
    }
  }
}

// Bilinear, first pass: one source row interpolated along x into `h`, in tensor channel
// order, interleaved (NHWC) or as three planes of n (NCHW), so that the second pass
// reads and writes contiguous floats. Columns [from, to) only; scalar, any pixel size.
template <int kBpp, bool kNhwc, bool kBgr>
void InterpolateColumnsAlongX(const ColumnTaps& cols, const uint8_t* row, size_t from,
                              size_t to, float* h) {
  const size_t n = cols.b0.size();
  const size_t* b0 = cols.b0.data();
  const size_t* b1 = cols.b1.data();
  const float* fr = cols.frac.data();
  constexpr int kC0 = kBpp == 1 ? 0 : (kBgr ? 2 : 0);
  constexpr int kC1 = kBpp == 1 ? 0 : 1;
  constexpr int kC2 = kBpp == 1 ? 0 : (kBgr ? 0 : 2);
  for (size_t i = from; i < to; ++i) {
    const uint8_t* a0 = row + b0[i];
    const uint8_t* a1 = row + b1[i];
    const float fx = fr[i];
    const float v0 = a0[kC0] + (static_cast<float>(a1[kC0]) - a0[kC0]) * fx;
    const float v1 = a0[kC1] + (static_cast<float>(a1[kC1]) - a0[kC1]) * fx;
    const float v2 = a0[kC2] + (static_cast<float>(a1[kC2]) - a0[kC2]) * fx;
    if (kNhwc) {
      h[i * 3 + 0] = v0;
      h[i * 3 + 1] = v1;
      h[i * 3 + 2] = v2;
    } else {
      h[i] = v0;
      h[n + i] = v1;
      h[2 * n + i] = v2;
    }
  }
}

#if defined(__SSE2__)
// The three channels of one pixel pair as four float lanes (the fourth is junk):
// a0 + (a1 - a0) * fx, the same operations in the same order as the scalar loop. Loads
// four bytes per pixel, so callers keep it off the last pixel of an RGB row.
inline __m128 LerpPixelSse2(const uint8_t* a0, const uint8_t* a1, float fx) {
  const __m128i zero = _mm_setzero_si128();
  uint32_t w0, w1;
  std::memcpy(&w0, a0, 4);
  std::memcpy(&w1, a1, 4);
  const __m128 f0 = _mm_cvtepi32_ps(
      _mm_unpacklo_epi16(_mm_unpacklo_epi8(_mm_cvtsi32_si128(static_cast<int>(w0)), zero), zero));
  const __m128 f1 = _mm_cvtepi32_ps(
      _mm_unpacklo_epi16(_mm_unpacklo_epi8(_mm_cvtsi32_si128(static_cast<int>(w1)), zero), zero));
  return _mm_add_ps(f0, _mm_mul_ps(_mm_sub_ps(f1, f0), _mm_set1_ps(fx)));
}

template <bool kBgr>
inline __m128 ToTensorOrder(__m128 v) {
  return kBgr ? _mm_shuffle_ps(v, v, _MM_SHUFFLE(3, 0, 1, 2)) : v;
}

// Columns [0, safe) with SSE2 (one pixel's channels per vector), returns where it
// stopped. `h` has one float of slack after the row: an NHWC store writes a fourth lane
// the next pixel (or the scalar tail) overwrites.
template <int kBpp, bool kNhwc, bool kBgr>
size_t InterpolateColumnsAlongXSse2(const ColumnTaps& cols, const uint8_t* row, size_t safe,
                                    float* h) {
  const size_t n = cols.b0.size();
  const size_t* b0 = cols.b0.data();
  const size_t* b1 = cols.b1.data();
  const float* fr = cols.frac.data();
  size_t i = 0;
  if (kNhwc) {
    for (; i < safe; ++i) {
      _mm_storeu_ps(h + i * 3, ToTensorOrder<kBgr>(LerpPixelSse2(row + b0[i], row + b1[i], fr[i])));
    }
    return i;
  }
  for (; i + 4 <= safe; i += 4) {  // four pixels, transposed into the three planes
    __m128 p0 = ToTensorOrder<kBgr>(LerpPixelSse2(row + b0[i], row + b1[i], fr[i]));
    __m128 p1 = ToTensorOrder<kBgr>(LerpPixelSse2(row + b0[i + 1], row + b1[i + 1], fr[i + 1]));
    __m128 p2 = ToTensorOrder<kBgr>(LerpPixelSse2(row + b0[i + 2], row + b1[i + 2], fr[i + 2]));
    __m128 p3 = ToTensorOrder<kBgr>(LerpPixelSse2(row + b0[i + 3], row + b1[i + 3], fr[i + 3]));
    _MM_TRANSPOSE4_PS(p0, p1, p2, p3);
    _mm_storeu_ps(h + i, p0);
    _mm_storeu_ps(h + n + i, p1);
    _mm_storeu_ps(h + 2 * n + i, p2);
  }
  return i;
}
#endif

// Columns whose four-byte loads stay inside the row's pixels: b1 never decreases, so
// they are a prefix.
size_t ColumnsSafeForWordLoads(const ColumnTaps& cols, size_t row_bytes) {
  size_t safe = cols.b1.size();
  while (safe > 0 && cols.b1[safe - 1] + 4 > row_bytes) --safe;
  return safe;
}

template <int kBpp, bool kNhwc, bool kBgr>
void InterpolateRowAlongX(const ColumnTaps& cols, const uint8_t* row, size_t safe, float* h) {
  size_t done = 0;
#if defined(__SSE2__)
  if (kBpp != 1) done = InterpolateColumnsAlongXSse2<kBpp, kNhwc, kBgr>(cols, row, safe, h);
#else
  (void)safe;
#endif
  InterpolateColumnsAlongX<kBpp, kNhwc, kBgr>(cols, row, done, cols.b0.size(), h);
}

// Bilinear, second pass: lerp two x-interpolated rows along y, normalise, store. Every
// array is contiguous, so this loop vectorises; `scale`/`offset` hold one value per
// float of a row (the channel pattern laid out like `top`).
void InterpolateAlongYAndStore(const float* __restrict top, const float* __restrict bottom,
                               float fy, const float* __restrict scale,
                               const float* __restrict offset, size_t count,
                               float* __restrict dst) {
  for (size_t k = 0; k < count; ++k) {
    const float v = top[k] + (bottom[k] - top[k]) * fy;
    dst[k] = v * scale[k] + offset[k];
  }
}

// Source rows interpolated along x, kept while consecutive output rows still need them:
// when downscaling, neighbouring output rows rarely share a source row; when upscaling,
// they nearly always do, and each source row is then interpolated once.
class XInterpolatedRows {
 public:
  explicit XInterpolatedRows(size_t floats_per_row) {
    storage_.resize(2 * floats_per_row);
    slot_[0] = storage_.data();
    slot_[1] = storage_.data() + floats_per_row;
  }
  // The x-interpolated source row `r`, computed unless held; never evicts `keep`.
  template <typename Compute>
  const float* Get(int r, int keep, Compute compute) {
    if (held_[0] == r) return slot_[0];
    if (held_[1] == r) return slot_[1];
    const int s = held_[0] == keep ? 1 : 0;
    compute(r, slot_[s]);
    held_[s] = r;
    return slot_[s];
  }

 private:
  std::vector<float> storage_;
  float* slot_[2];
  int held_[2] = {-1, -1};
};

template <int kBpp, bool kNhwc, bool kBgr>
void ResampleBox(const ImageView& image, const Plan& p, const ColumnTaps& cols,
                 const AxisSamples& ys, int box_x, int box_y, bool bilinear, float* out) {
  auto source_row = [&](int r) { return image.pixels + static_cast<size_t>(r) * image.stride; };
  if (!bilinear) {
    for (size_t j = 0; j < ys.i0.size(); ++j) {
      NearestRow<kBpp, kNhwc, kBgr>(p, cols, source_row(ys.i0[j]), box_x,
                                    box_y + static_cast<int>(j), out);
    }
    return;
  }
  const size_t n = cols.b0.size();
  // Per-float scale and offset in the row layout of InterpolateRowAlongX.
  std::vector<float> scale(3 * n), offset(3 * n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t c = 0; c < 3; ++c) {
      const size_t k = kNhwc ? i * 3 + c : c * n + i;
      scale[k] = p.scale[c];
      offset[k] = p.offset[c];
    }
  }
  XInterpolatedRows rows(3 * n + 1);  // + 1: slack for the last four-lane store
  const size_t safe = ColumnsSafeForWordLoads(cols, static_cast<size_t>(image.width) * kBpp);
  auto compute = [&](int r, float* h) {
    InterpolateRowAlongX<kBpp, kNhwc, kBgr>(cols, source_row(r), safe, h);
  };
  for (size_t j = 0; j < ys.i0.size(); ++j) {
    const float* top = rows.Get(ys.i0[j], ys.i1[j], compute);
    const float* bottom = rows.Get(ys.i1[j], ys.i0[j], compute);
    const size_t y = static_cast<size_t>(box_y) + j;
    if (kNhwc) {
      InterpolateAlongYAndStore(top, bottom, ys.frac[j], scale.data(), offset.data(), 3 * n,
                                out + (y * p.out_w + box_x) * 3);
    } else {
      for (size_t c = 0; c < 3; ++c) {
        InterpolateAlongYAndStore(top + c * n, bottom + c * n, ys.frac[j],
                                  scale.data() + c * n, offset.data() + c * n, n,
                                  out + c * p.plane + y * p.out_w + box_x);
      }
    }
  }
}

template <int kBpp>
void ResampleBoxAnyLayout(const ImageView& image, const Plan& p, const ColumnTaps& cols,
                          const AxisSamples& ys, int box_x, int box_y, bool bilinear,
                          bool nhwc, bool bgr, float* out) {
  if (nhwc) {
    if (bgr) ResampleBox<kBpp, true, true>(image, p, cols, ys, box_x, box_y, bilinear, out);
    else ResampleBox<kBpp, true, false>(image, p, cols, ys, box_x, box_y, bilinear, out);
  } else {
    if (bgr) ResampleBox<kBpp, false, true>(image, p, cols, ys, box_x, box_y, bilinear, out);
    else ResampleBox<kBpp, false, false>(image, p, cols, ys, box_x, box_y, bilinear, out);
  }
}

}  // namespace

Status ValidateImageView(const ImageView& image) {
  int bpp = BytesPerPixel(image.format);
  if (bpp == 0) {
    return Status::InvalidArgument("image pixel format " +
                                   std::to_string(static_cast<uint32_t>(image.format)) +
                                   " is not supported (GRAY8, RGB8, RGBA8)");
  }
  if (image.width < 1 || image.height < 1 || image.width > kMaxImageSide ||
      image.height > kMaxImageSide) {
    return Status::InvalidArgument("image is " + std::to_string(image.width) + "x" +
                                   std::to_string(image.height) + "; each side must be 1.." +
                                   std::to_string(kMaxImageSide));
  }
  if (image.pixels == nullptr) return Status::InvalidArgument("image has no pixel buffer");
  if (image.stride < static_cast<size_t>(image.width) * bpp) {
    return Status::InvalidArgument("image stride " + std::to_string(image.stride) +
                                   " is shorter than a row (" +
                                   std::to_string(static_cast<size_t>(image.width) * bpp) +
                                   " bytes)");
  }
  return Status::Ok();
}

size_t InputTensorSize(const ModelManifest& manifest) {
  return 3 * static_cast<size_t>(manifest.width) * static_cast<size_t>(manifest.height);
}

void Preprocess(const ImageView& image, const ModelManifest& m, float* out) {
  const int bpp = BytesPerPixel(image.format);
  const int out_w = m.width;
  const int out_h = m.height;

  // The region of the tensor the image covers; the rest is fill (letterbox only).
  int box_w = out_w, box_h = out_h, box_x = 0, box_y = 0;
  if (m.resize == ResizeMode::kLetterbox) {
    double scale = std::min(static_cast<double>(out_w) / image.width,
                            static_cast<double>(out_h) / image.height);
    box_w = std::clamp(static_cast<int>(std::lround(image.width * scale)), 1, out_w);
    box_h = std::clamp(static_cast<int>(std::lround(image.height * scale)), 1, out_h);
    box_x = (out_w - box_w) / 2;
    box_y = (out_h - box_h) / 2;
  }
  const ColumnTaps cols = MakeColumnTaps(SampleAxis(image.width, box_w, m.interpolation), bpp);
  const AxisSamples ys = SampleAxis(image.height, box_h, m.interpolation);

  Plan p;
  p.src_channel = m.color_order == ColorOrder::kBgr ? std::array<int, 3>{2, 1, 0}
                                                    : std::array<int, 3>{0, 1, 2};
  p.scale = m.scale;
  p.offset = m.offset;
  p.plane = static_cast<size_t>(out_w) * out_h;
  p.out_w = out_w;
  const bool nhwc = m.layout == TensorLayout::kNhwc;

  if (box_w != out_w || box_h != out_h) {  // letterbox bars: fill colour, normalised
    for (int y = 0; y < out_h; ++y) {
      for (int x = 0; x < out_w; ++x) {
        if (y >= box_y && y < box_y + box_h && x >= box_x && x < box_x + box_w) continue;
        const size_t pixel = static_cast<size_t>(y) * out_w + x;
        for (int c = 0; c < 3; ++c) {
          const float v = m.fill[p.src_channel[c]] * p.scale[c] + p.offset[c];
          if (nhwc) {
            out[pixel * 3 + c] = v;
          } else {
            out[c * p.plane + pixel] = v;
          }
        }
      }
    }
  }
  const bool bilinear = m.interpolation != Interpolation::kNearest;
  const bool bgr = m.color_order == ColorOrder::kBgr;
  switch (bpp) {
    case 1:
      ResampleBoxAnyLayout<1>(image, p, cols, ys, box_x, box_y, bilinear, nhwc, bgr, out);
      break;
    case 3:
      ResampleBoxAnyLayout<3>(image, p, cols, ys, box_x, box_y, bilinear, nhwc, bgr, out);
      break;
    default:
      ResampleBoxAnyLayout<4>(image, p, cols, ys, box_x, box_y, bilinear, nhwc, bgr, out);
      break;
  }
}

}  // namespace vigil::classifier
