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

// Reads pixel (x, y) as three RGB floats.
inline void ReadRgb(const ImageView& img, int bpp, int x, int y, float* rgb) {
  const uint8_t* p = img.pixels + static_cast<size_t>(y) * img.stride +
                     static_cast<size_t>(x) * bpp;
  if (bpp == 1) {
    rgb[0] = rgb[1] = rgb[2] = p[0];
  } else {
    rgb[0] = p[0];
    rgb[1] = p[1];
    rgb[2] = p[2];
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
  const AxisSamples xs = SampleAxis(image.width, box_w, m.interpolation);
  const AxisSamples ys = SampleAxis(image.height, box_h, m.interpolation);

  // Tensor channel c takes RGB channel src_channel[c].
  const std::array<int, 3> src_channel =
      m.color_order == ColorOrder::kBgr ? std::array<int, 3>{2, 1, 0}
                                        : std::array<int, 3>{0, 1, 2};
  const size_t plane = static_cast<size_t>(out_w) * out_h;
  const bool nhwc = m.layout == TensorLayout::kNhwc;
  auto store = [&](int x, int y, const float* rgb) {
    size_t pixel = static_cast<size_t>(y) * out_w + x;
    for (int c = 0; c < 3; ++c) {
      float v = rgb[src_channel[c]] * m.scale[c] + m.offset[c];
      if (nhwc) {
        out[pixel * 3 + c] = v;
      } else {
        out[c * plane + pixel] = v;
      }
    }
  };

  for (int y = 0; y < out_h; ++y) {
    const bool row_inside = y >= box_y && y < box_y + box_h;
    for (int x = 0; x < out_w; ++x) {
      if (!row_inside || x < box_x || x >= box_x + box_w) {
        store(x, y, m.fill.data());
        continue;
      }
      const int bx = x - box_x, by = y - box_y;
      float rgb[3];
      if (m.interpolation == Interpolation::kNearest) {
        ReadRgb(image, bpp, xs.i0[bx], ys.i0[by], rgb);
      } else {
        float tl[3], tr[3], bl[3], br[3];
        ReadRgb(image, bpp, xs.i0[bx], ys.i0[by], tl);
        ReadRgb(image, bpp, xs.i1[bx], ys.i0[by], tr);
        ReadRgb(image, bpp, xs.i0[bx], ys.i1[by], bl);
        ReadRgb(image, bpp, xs.i1[bx], ys.i1[by], br);
        const float fx = xs.frac[bx], fy = ys.frac[by];
        for (int c = 0; c < 3; ++c) {
          float top = tl[c] + (tr[c] - tl[c]) * fx;
          float bottom = bl[c] + (br[c] - bl[c]) * fx;
          rgb[c] = top + (bottom - top) * fy;
        }
      }
      store(x, y, rgb);
    }
  }
}

}  // namespace vigil::classifier
