#include "obscure/obscure.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace vigil::review {
namespace {

int ClampLevel(int level) { return std::clamp(level, kMinObscureLevel, kMaxObscureLevel); }

// One horizontal box pass over every row: running sums, edges clamped.
void BoxRows(const RgbImage& in, RgbImage& out, int radius) {
  const int w = in.width;
  const int window = 2 * radius + 1;
  for (int y = 0; y < in.height; ++y) {
    const uint8_t* row = in.at(0, y);
    uint8_t* dst = out.at(0, y);
    for (int c = 0; c < 3; ++c) {
      int64_t sum = 0;
      for (int k = -radius; k <= radius; ++k) sum += row[std::clamp(k, 0, w - 1) * 3 + c];
      for (int x = 0; x < w; ++x) {
        dst[x * 3 + c] = static_cast<uint8_t>((sum + window / 2) / window);
        const int add = std::min(x + radius + 1, w - 1);
        const int drop = std::max(x - radius, 0);
        sum += row[add * 3 + c] - row[drop * 3 + c];
      }
    }
  }
}

RgbImage Transpose(const RgbImage& in) {
  RgbImage out(in.height, in.width);
  for (int y = 0; y < in.height; ++y) {
    for (int x = 0; x < in.width; ++x) {
      const uint8_t* s = in.at(x, y);
      uint8_t* d = out.at(y, x);
      d[0] = s[0];
      d[1] = s[1];
      d[2] = s[2];
    }
  }
  return out;
}

}  // namespace

bool ParseObscureStyle(const std::string& text, ObscureStyle* style) {
  if (text == "blur") *style = ObscureStyle::kBlur;
  else if (text == "pixelate") *style = ObscureStyle::kPixelate;
  else return false;
  return true;
}

bool ParseColourMode(const std::string& text, ColourMode* mode) {
  if (text == "colour" || text == "color") *mode = ColourMode::kColour;
  else if (text == "greyscale" || text == "grayscale") *mode = ColourMode::kGreyscale;
  else if (text == "sepia") *mode = ColourMode::kSepia;
  else return false;
  return true;
}

RgbImage Downscale(const RgbImage& image, int max_side) {
  const int longer = std::max(image.width, image.height);
  if (image.empty() || max_side <= 0 || longer <= max_side) return image;
  const double scale = static_cast<double>(max_side) / longer;
  const int w = std::max(1, static_cast<int>(std::lround(image.width * scale)));
  const int h = std::max(1, static_cast<int>(std::lround(image.height * scale)));
  RgbImage out(w, h);
  for (int y = 0; y < h; ++y) {
    const int y0 = static_cast<int>(static_cast<int64_t>(y) * image.height / h);
    const int y1 = std::max(y0 + 1, static_cast<int>(static_cast<int64_t>(y + 1) * image.height / h));
    for (int x = 0; x < w; ++x) {
      const int x0 = static_cast<int>(static_cast<int64_t>(x) * image.width / w);
      const int x1 = std::max(x0 + 1, static_cast<int>(static_cast<int64_t>(x + 1) * image.width / w));
      uint64_t sum[3] = {0, 0, 0};
      for (int sy = y0; sy < y1; ++sy) {
        for (int sx = x0; sx < x1; ++sx) {
          const uint8_t* p = image.at(sx, sy);
          sum[0] += p[0];
          sum[1] += p[1];
          sum[2] += p[2];
        }
      }
      const uint64_t n = static_cast<uint64_t>(y1 - y0) * static_cast<uint64_t>(x1 - x0);
      uint8_t* d = out.at(x, y);
      for (int c = 0; c < 3; ++c) d[c] = static_cast<uint8_t>((sum[c] + n / 2) / n);
    }
  }
  return out;
}

void BoxBlur(RgbImage& image, int radius) {
  if (image.empty() || radius <= 0) return;
  RgbImage tmp(image.width, image.height);
  BoxRows(image, tmp, radius);
  RgbImage cols = Transpose(tmp);
  RgbImage cols_out(cols.width, cols.height);
  BoxRows(cols, cols_out, radius);
  image = Transpose(cols_out);
}

void GaussianBlur(RgbImage& image, double sigma) {
  if (sigma <= 0) return;
  // Three equal boxes of width w have variance 3 * (w^2 - 1) / 12 = sigma^2.
  const double width = std::sqrt(4.0 * sigma * sigma + 1.0);
  const int radius = std::max(1, static_cast<int>(std::lround((width - 1.0) / 2.0)));
  for (int pass = 0; pass < 3; ++pass) BoxBlur(image, radius);
}

void Pixelate(RgbImage& image, int block) {
  if (image.empty() || block <= 1) return;
  for (int by = 0; by < image.height; by += block) {
    for (int bx = 0; bx < image.width; bx += block) {
      const int ey = std::min(by + block, image.height);
      const int ex = std::min(bx + block, image.width);
      uint64_t sum[3] = {0, 0, 0};
      for (int y = by; y < ey; ++y) {
        for (int x = bx; x < ex; ++x) {
          for (int c = 0; c < 3; ++c) sum[c] += image.at(x, y)[c];
        }
      }
      const uint64_t n = static_cast<uint64_t>(ey - by) * static_cast<uint64_t>(ex - bx);
      for (int y = by; y < ey; ++y) {
        for (int x = bx; x < ex; ++x) {
          for (int c = 0; c < 3; ++c) image.at(x, y)[c] = static_cast<uint8_t>(sum[c] / n);
        }
      }
    }
  }
}

void Greyscale(RgbImage& image) {
  for (size_t i = 0; i + 2 < image.pixels.size(); i += 3) {
    const int luma = (77 * image.pixels[i] + 150 * image.pixels[i + 1] + 29 * image.pixels[i + 2]) >> 8;
    image.pixels[i] = image.pixels[i + 1] = image.pixels[i + 2] = static_cast<uint8_t>(luma);
  }
}

void Sepia(RgbImage& image) {
  for (size_t i = 0; i + 2 < image.pixels.size(); i += 3) {
    const double r = image.pixels[i], g = image.pixels[i + 1], b = image.pixels[i + 2];
    image.pixels[i] = static_cast<uint8_t>(std::min(255.0, 0.393 * r + 0.769 * g + 0.189 * b));
    image.pixels[i + 1] = static_cast<uint8_t>(std::min(255.0, 0.349 * r + 0.686 * g + 0.168 * b));
    image.pixels[i + 2] = static_cast<uint8_t>(std::min(255.0, 0.272 * r + 0.534 * g + 0.131 * b));
  }
}

double BlurSigmaForLevel(int level, int side) {
  // Fractions of the longer side; level 1 softens edges, level 7 leaves only blobs.
  static constexpr double kFraction[] = {0.008, 0.014, 0.022, 0.032, 0.045, 0.062, 0.085};
  return std::max(1.0, kFraction[ClampLevel(level) - 1] * std::max(side, 1));
}

int PixelBlockForLevel(int level, int side) {
  static constexpr double kFraction[] = {0.025, 0.035, 0.05, 0.065, 0.085, 0.11, 0.14};
  return std::max(2 + ClampLevel(level),
                  static_cast<int>(std::lround(kFraction[ClampLevel(level) - 1] * side)));
}

StatusOr<ObscuredImage> Obscure(const RgbImage& source, const ObscureSettings& settings) {
  if (source.empty() ||
      source.pixels.size() != static_cast<size_t>(source.width) * source.height * 3) {
    return Status::InvalidArgument("cannot obscure an empty or inconsistent image");
  }
  const int level = ClampLevel(settings.level);
  RgbImage out = Downscale(source, std::max(16, settings.max_side));
  const int side = std::max(out.width, out.height);
  if (settings.style == ObscureStyle::kPixelate) {
    Pixelate(out, PixelBlockForLevel(level, side));
  } else {
    GaussianBlur(out, BlurSigmaForLevel(level, side));
  }
  if (settings.colour == ColourMode::kGreyscale) Greyscale(out);
  if (settings.colour == ColourMode::kSepia) Sepia(out);
  return ObscuredImage(std::move(out), level);
}

}  // namespace vigil::review
