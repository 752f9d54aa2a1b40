// vigil_decode: turns untrusted bytes into 8-bit RGB pixels, once per item, for every
// detector. The format is sniffed from magic bytes (never the file name); limits on
// input size, dimensions and pixel count are checked from the header before any pixel
// memory is allocated, so a decompression bomb costs a header parse. Corrupt and
// truncated input returns an error Status; no decoder error can abort the process
// (libjpeg's error_exit and libpng's errors longjmp back to the decoder).
//
// Conversions (chosen to match the ImageMagick 6 decode the PDQ reference was
// measured with, which writes a PNM and so keeps colour channels and drops alpha):
//   grey, grey+alpha, palette, 1/2/4-bit  -> RGB8, each channel = the grey/palette value
//   alpha (PNG, WebP, GIF transparency, 32-bit BMP) -> dropped, not composited
//   16-bit PNG -> 8-bit by png_set_scale_16 (within one level of ImageMagick)
//   CMYK / YCCK JPEG -> RGB = (255 - C)(255 - K) / 255 (Adobe-inverted files undone first)
// Pixels are never rotated: `orientation` carries the EXIF value and ApplyOrientation()
// produces an upright copy for consumers that want one.
#ifndef VIGIL_DECODE_IMAGE_DECODER_H_
#define VIGIL_DECODE_IMAGE_DECODER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::decode {

enum class ImageFormat : uint8_t { kUnknown = 0, kJpeg, kPng, kWebp, kGif, kBmp };

// "jpeg", "png", "webp", "gif", "bmp", or "unknown".
const char* ImageFormatName(ImageFormat format);

// The format named by the leading magic bytes, kUnknown when none matches.
ImageFormat SniffImageFormat(const uint8_t* data, size_t size);

// Numerically equal to VIGIL_PIXEL_RGB8 in vigil/plugin.h.
enum class PixelFormat : uint32_t { kRgb8 = 2 };

// Caller-supplied memory for decoded pixels. The host passes shared memory here so
// that detectors sandboxed in other processes read the very pages the decoder wrote
// (no copy per detector).
class PixelStorage {
 public:
  virtual ~PixelStorage() = default;
  // At least the bytes asked for, zero-filled when handed out, writable.
  virtual uint8_t* data() = 0;
};
// Returns storage of at least `bytes` bytes, or why not (the decode then fails with it).
using PixelStorageFactory = std::function<StatusOr<std::shared_ptr<PixelStorage>>(size_t bytes)>;

struct DecodeLimits {
  uint64_t max_pixels = 100'000'000;        // width * height
  uint32_t max_dimension = 30'000;          // either side
  uint64_t max_input_bytes = 256ull << 20;  // encoded size
  // Where pixels go; empty: DecodedImage::pixels on the heap. Asked only after the
  // header passed the limits above, so a bomb never reaches it.
  PixelStorageFactory storage;
};

struct DecodedImage {
  uint32_t width = 0;
  uint32_t height = 0;
  size_t stride = 0;  // bytes per row (== 3 * width)
  PixelFormat pixel_format = PixelFormat::kRgb8;
  int orientation = 1;  // EXIF orientation 1..8 as stored in the file; 1 when absent
  ImageFormat format = ImageFormat::kUnknown;
  // height * stride bytes, top row first: here, or in `storage` when the decode was
  // given a PixelStorageFactory (then this is empty). Read through pixel_data().
  std::vector<uint8_t> pixels;
  std::shared_ptr<PixelStorage> storage;

  const uint8_t* pixel_data() const { return storage ? storage->data() : pixels.data(); }
  uint8_t* pixel_data() { return storage ? storage->data() : pixels.data(); }
  size_t pixel_bytes() const { return stride * height; }
  const char* format_name() const { return ImageFormatName(format); }
};

// Errors: kInvalidArgument "not an image" (no known magic); kResource for a limit
// (input bytes, dimension, pixel count: the message names the limit and the value);
// kCorruption for corrupt or truncated data or an unsupported variant of a format.
StatusOr<DecodedImage> DecodeImage(const uint8_t* data, size_t size,
                                   const DecodeLimits& limits = {});

// Reads the file (refusing files above limits.max_input_bytes before reading them) and
// decodes it. kIoError when the file cannot be read.
StatusOr<DecodedImage> DecodeImageFile(const std::string& path, const DecodeLimits& limits = {});

// An upright copy: pixels transformed per `image.orientation` (EXIF semantics: 6 means
// the stored image must be rotated 90 degrees clockwise to display), orientation 1.
// Orientation values outside 1..8 are treated as 1.
DecodedImage ApplyOrientation(const DecodedImage& image);

}  // namespace vigil::decode

#endif  // VIGIL_DECODE_IMAGE_DECODER_H_
