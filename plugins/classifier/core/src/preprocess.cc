// Resampling follows the conventions named in manifest.h so that a converted model sees
// the pixels its training framework saw: e.g. nsfwjs uses tf.image.resizeBilinear with
// align_corners=true, which kBilinearAlignCorners reproduces (same source coordinates,
// same interpolation order: along x first, then y).
#include "preprocess.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

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

// One output row of the image box. Templated on the pixel size, layout, colour order and
// whether to interpolate, so the per-pixel loop has no branches and constant channel
// indices; scale/offset are copied to locals because the float stores could alias them.
template <int kBpp, bool kNhwc, bool kBgr, bool kBilinear>
void ResampleRow(const Plan& p, const ColumnTaps& cols, const uint8_t* row0,
                 const uint8_t* row1, float fy, int box_x, int y, float* out) {
  const float s0 = p.scale[0], s1 = p.scale[1], s2 = p.scale[2];
  const float o0 = p.offset[0], o1 = p.offset[1], o2 = p.offset[2];
  const size_t plane = p.plane;
  const size_t n = cols.b0.size();
  const size_t* b0 = cols.b0.data();
  const size_t* b1 = cols.b1.data();
  const float* fr = cols.frac.data();
  // Source byte of tensor channel 0 and 2 (channel 1 is green in both orders).
  constexpr int kC0 = kBpp == 1 ? 0 : (kBgr ? 2 : 0);
  constexpr int kC1 = kBpp == 1 ? 0 : 1;
  constexpr int kC2 = kBpp == 1 ? 0 : (kBgr ? 0 : 2);
  float* dst = kNhwc ? out + (static_cast<size_t>(y) * p.out_w + box_x) * 3
                     : out + static_cast<size_t>(y) * p.out_w + box_x;
  for (size_t i = 0; i < n; ++i) {
    float v0, v1, v2;
    const uint8_t* a0 = row0 + b0[i];
    if (kBilinear) {
      const uint8_t* a1 = row0 + b1[i];
      const uint8_t* c0 = row1 + b0[i];
      const uint8_t* c1 = row1 + b1[i];
      const float fx = fr[i];
      auto lerp2 = [&](int ch) {
        const float top = a0[ch] + (static_cast<float>(a1[ch]) - a0[ch]) * fx;
        const float bottom = c0[ch] + (static_cast<float>(c1[ch]) - c0[ch]) * fx;
        return top + (bottom - top) * fy;
      };
      v0 = lerp2(kC0);
      v1 = lerp2(kC1);
      v2 = lerp2(kC2);
    } else {
      v0 = a0[kC0];
      v1 = a0[kC1];
      v2 = a0[kC2];
    }
    if (kNhwc) {
      dst[i * 3 + 0] = v0 * s0 + o0;
      dst[i * 3 + 1] = v1 * s1 + o1;
      dst[i * 3 + 2] = v2 * s2 + o2;
    } else {
      dst[i] = v0 * s0 + o0;
      dst[plane + i] = v1 * s1 + o1;
      dst[2 * plane + i] = v2 * s2 + o2;
    }
  }
}

template <int kBpp, bool kNhwc, bool kBgr>
void ResampleBox(const ImageView& image, const Plan& p, const ColumnTaps& cols,
                 const AxisSamples& ys, int box_x, int box_y, bool bilinear, float* out) {
  for (size_t j = 0; j < ys.i0.size(); ++j) {
    const uint8_t* row0 = image.pixels + static_cast<size_t>(ys.i0[j]) * image.stride;
    const uint8_t* row1 = image.pixels + static_cast<size_t>(ys.i1[j]) * image.stride;
    const int y = box_y + static_cast<int>(j);
    if (bilinear) {
      ResampleRow<kBpp, kNhwc, kBgr, true>(p, cols, row0, row1, ys.frac[j], box_x, y, out);
    } else {
      ResampleRow<kBpp, kNhwc, kBgr, false>(p, cols, row0, row1, 0.0f, box_x, y, out);
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
