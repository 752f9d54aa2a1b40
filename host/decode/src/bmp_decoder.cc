// BMP by hand: the format is simple, and a small strict reader with every offset
// bounds-checked is easier to trust than a general one. Supported: BI_RGB 1/4/8/16/24/32
// bits, BI_BITFIELDS 16/32 bits, RLE8 and RLE4, bottom-up and top-down. Embedded
// JPEG/PNG (compression 4/5) are refused as unsupported.
#include <algorithm>
#include <string>

#include "decoders.h"

namespace vigil::decode::internal {
namespace {

constexpr size_t kFileHeaderSize = 14;
constexpr uint32_t kBiRgb = 0;
constexpr uint32_t kBiRle8 = 1;
constexpr uint32_t kBiRle4 = 2;
constexpr uint32_t kBiBitfields = 3;
constexpr uint32_t kBiAlphaBitfields = 6;

uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

Status Corrupt(const std::string& why) { return Status::Corruption("corrupt BMP: " + why); }

// One colour channel described by a bit mask (BI_BITFIELDS or the 16-bit default).
struct Channel {
  uint32_t mask = 0;
  int shift = 0;
  uint32_t max = 0;  // mask >> shift

  static bool Make(uint32_t mask, Channel& out) {
    out = Channel{};
    if (mask == 0) return true;  // absent channel reads as 0
    out.mask = mask;
    while (((mask >> out.shift) & 1u) == 0) ++out.shift;
    out.max = mask >> out.shift;
    return (out.max & (out.max + 1)) == 0;  // contiguous ones
  }
  uint8_t Extract(uint32_t pixel) const {
    if (max == 0) return 0;
    const uint64_t v = (pixel & mask) >> shift;
    return static_cast<uint8_t>((v * 255 + max / 2) / max);
  }
};

struct Header {
  int64_t width = 0;
  int64_t height = 0;  // negative: top-down
  uint32_t bpp = 0;
  uint32_t compression = kBiRgb;
  uint32_t colors_used = 0;
  uint32_t masks[3] = {0, 0, 0};
  size_t palette_offset = 0;
  size_t palette_entry_size = 4;
  uint32_t pixel_offset = 0;
};

Status ParseHeader(const uint8_t* data, size_t size, Header& h) {
  if (size < kFileHeaderSize + 4) return Corrupt("file shorter than its headers");
  h.pixel_offset = Le32(data + 10);
  const uint32_t dib_size = Le32(data + 14);
  if (dib_size > size - kFileHeaderSize) return Corrupt("header runs past the end of the file");
  const uint8_t* dib = data + kFileHeaderSize;
  if (dib_size == 12) {  // BITMAPCOREHEADER
    h.width = Le16(dib + 4);
    h.height = Le16(dib + 6);
    h.bpp = Le16(dib + 10);
    h.palette_entry_size = 3;
  } else if (dib_size >= 40) {
    h.width = static_cast<int32_t>(Le32(dib + 4));
    h.height = static_cast<int32_t>(Le32(dib + 8));
    h.bpp = Le16(dib + 14);
    h.compression = Le32(dib + 16);
    h.colors_used = Le32(dib + 32);
  } else {
    return Corrupt("unknown DIB header size " + std::to_string(dib_size));
  }
  h.palette_offset = kFileHeaderSize + dib_size;

  if (h.compression == kBiBitfields || h.compression == kBiAlphaBitfields) {
    // Masks sit inside V2+ headers, or right after a 40-byte header.
    size_t masks_at = kFileHeaderSize + 40;
    if (dib_size == 40) {
      const size_t n = h.compression == kBiAlphaBitfields ? 16 : 12;
      if (size < masks_at + n) return Corrupt("bit masks run past the end of the file");
      h.palette_offset += n;
    } else if (dib_size < 52) {
      return Corrupt("header of " + std::to_string(dib_size) + " bytes cannot hold bit masks");
    }
    for (int c = 0; c < 3; ++c) h.masks[c] = Le32(data + masks_at + 4 * c);
  } else if (h.compression != kBiRgb && h.compression != kBiRle8 && h.compression != kBiRle4) {
    return Status::Corruption("unsupported BMP compression " + std::to_string(h.compression) +
                              " (RLE and embedded JPEG/PNG are not decoded)");
  }
  return Status::Ok();
}

// Palette lookup shared by the plain and RLE paths: indexes past the palette are black.
struct Palette {
  const uint8_t* entries = nullptr;
  uint32_t size = 0;
  size_t entry_size = 4;
  void Put(uint32_t index, uint8_t* dst) const {
    if (index >= size) return;  // stays black
    const uint8_t* e = entries + index * entry_size;
    dst[0] = e[2];
    dst[1] = e[1];
    dst[2] = e[0];
  }
};

// Run-length encoded 8- or 4-bit data (bottom-up). Pixels a delta or end-of-line skips
// stay black; runs past the right edge are clipped; data ending before the
// end-of-bitmap marker is truncation.
Status DecodeRle(const uint8_t* p, const uint8_t* end, int bits, const Palette& palette,
                 DecodedImage& out) {
  uint64_t x = 0;
  uint64_t row = 0;  // counted from the bottom
  const auto put = [&](uint32_t index) {
    if (x < out.width && row < out.height) {
      palette.Put(index, out.pixel_data() + (out.height - 1 - row) * out.stride + 3 * x);
    }
    ++x;
  };
  while (row < out.height) {
    if (end - p < 2) return Status::Corruption("corrupt or truncated BMP: RLE data ends early");
    const uint32_t count = p[0];
    const uint32_t value = p[1];
    p += 2;
    if (count > 0) {  // a run of `count` pixels; the part past the edge costs nothing
      const uint64_t visible = x < out.width ? std::min<uint64_t>(count, out.width - x) : 0;
      for (uint32_t i = 0; i < visible; ++i) {
        put(bits == 8 ? value : (i % 2 == 0 ? value >> 4 : value & 0xF));
      }
      x += count - visible;
      continue;
    }
    if (value == 0) {  // end of line
      x = 0;
      ++row;
    } else if (value == 1) {  // end of bitmap
      break;
    } else if (value == 2) {  // delta
      if (end - p < 2) return Status::Corruption("corrupt or truncated BMP: RLE data ends early");
      x += p[0];
      row += p[1];
      p += 2;
    } else {  // absolute run of `value` literal pixels, padded to 16 bits
      const size_t bytes = bits == 8 ? value : (value + 1) / 2;
      const size_t padded = (bytes + 1) & ~static_cast<size_t>(1);
      if (static_cast<size_t>(end - p) < padded) {
        return Status::Corruption("corrupt or truncated BMP: RLE data ends early");
      }
      for (uint32_t i = 0; i < value; ++i) {
        put(bits == 8 ? p[i] : (i % 2 == 0 ? p[i / 2] >> 4 : p[i / 2] & 0xF));
      }
      p += padded;
    }
  }
  return Status::Ok();
}

}  // namespace

Status DecodeBmp(const uint8_t* data, size_t size, const DecodeLimits& limits, DecodedImage& out) {
  Header h;
  if (Status s = ParseHeader(data, size, h); !s.ok()) return s;
  if (h.width <= 0 || h.height == 0) {
    return Corrupt("invalid dimensions " + std::to_string(h.width) + "x" +
                   std::to_string(h.height));
  }
  const bool top_down = h.height < 0;
  const uint64_t width = static_cast<uint64_t>(h.width);
  const uint64_t height = static_cast<uint64_t>(top_down ? -h.height : h.height);
  if (Status s = CheckDimensions(width, height, limits, "BMP"); !s.ok()) return s;

  const bool paletted = h.bpp == 1 || h.bpp == 4 || h.bpp == 8;
  const bool rle = h.compression == kBiRle8 || h.compression == kBiRle4;
  const bool bitfields = !rle && h.compression != kBiRgb;
  if (rle && (top_down || h.bpp != (h.compression == kBiRle8 ? 8u : 4u))) {
    return Corrupt("RLE" + std::to_string(h.bpp) + " does not match its bit depth or is top-down");
  }
  if (!(paletted || h.bpp == 16 || h.bpp == 24 || h.bpp == 32) ||
      (bitfields && h.bpp != 16 && h.bpp != 32)) {
    return Status::Corruption("unsupported BMP bit depth " + std::to_string(h.bpp));
  }

  // Everything the pixel loop will read must be inside the file.
  const uint64_t row_size = (h.bpp * width + 31) / 32 * 4;
  if (h.pixel_offset > size || (!rle && row_size * height > size - h.pixel_offset)) {
    return Status::Corruption("corrupt or truncated BMP: pixel data needs " +
                              std::to_string(row_size * height) + " bytes at offset " +
                              std::to_string(h.pixel_offset) + ", file has " +
                              std::to_string(size));
  }
  uint32_t palette_size = 0;
  if (paletted) {
    const uint32_t max_colors = 1u << h.bpp;
    palette_size = (h.colors_used == 0 || h.colors_used > max_colors) ? max_colors : h.colors_used;
    // A short palette is tolerated: entries that do not fit in the file read as black.
    const uint64_t available = h.palette_offset < size ? (size - h.palette_offset) : 0;
    const uint64_t fit = available / h.palette_entry_size;
    if (fit < palette_size) palette_size = static_cast<uint32_t>(fit);
  }

  Channel channels[3];
  if (h.bpp == 16 || h.bpp == 32) {
    uint32_t masks[3] = {h.masks[0], h.masks[1], h.masks[2]};
    if (!bitfields) {
      if (h.bpp == 16) {
        masks[0] = 0x7C00;
        masks[1] = 0x03E0;
        masks[2] = 0x001F;
      } else {
        masks[0] = 0x00FF0000;
        masks[1] = 0x0000FF00;
        masks[2] = 0x000000FF;
      }
    }
    for (int c = 0; c < 3; ++c) {
      if (!Channel::Make(masks[c], channels[c])) return Corrupt("non-contiguous bit mask");
    }
  }

  if (Status allocated = AllocateRgb(static_cast<uint32_t>(width),
                                     static_cast<uint32_t>(height), limits, out);
      !allocated.ok()) {
    return allocated;
  }
  const Palette palette{palette_size != 0 ? data + h.palette_offset : nullptr, palette_size,
                        h.palette_entry_size};
  if (rle) {
    return DecodeRle(data + h.pixel_offset, data + size, static_cast<int>(h.bpp), palette, out);
  }
  for (uint64_t row = 0; row < height; ++row) {
    const uint8_t* src = data + h.pixel_offset + row * row_size;
    const uint64_t y = top_down ? row : height - 1 - row;
    uint8_t* dst = out.pixel_data() + y * out.stride;
    for (uint64_t x = 0; x < width; ++x, dst += 3) {
      if (paletted) {
        const uint64_t bit = x * h.bpp;
        const uint32_t byte = src[bit / 8];
        palette.Put((byte >> (8 - h.bpp - bit % 8)) & ((1u << h.bpp) - 1), dst);
      } else if (h.bpp == 24) {
        const uint8_t* p = src + 3 * x;
        dst[0] = p[2];
        dst[1] = p[1];
        dst[2] = p[0];
      } else {
        const uint32_t pixel = h.bpp == 16 ? Le16(src + 2 * x) : Le32(src + 4 * x);
        for (int c = 0; c < 3; ++c) dst[c] = channels[c].Extract(pixel);
      }
    }
  }
  return Status::Ok();
}

}  // namespace vigil::decode::internal
