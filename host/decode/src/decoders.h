// Internal seams of vigil_decode: one function per format, all with the same contract.
#ifndef VIGIL_DECODE_SRC_DECODERS_H_
#define VIGIL_DECODE_SRC_DECODERS_H_

#include <cstddef>
#include <cstdint>

#include "vigil/decode/image_decoder.h"

namespace vigil::decode::internal {

// Refuses dimensions that are zero or above the limits. Called with the header's
// values before any pixel buffer exists. `what` names the format for the message.
Status CheckDimensions(uint64_t width, uint64_t height, const DecodeLimits& limits,
                       const char* what);

// Sizes `out` for width x height RGB8 (zero-filled), on the heap or in the storage
// `limits` names. REQUIRES: CheckDimensions passed.
Status AllocateRgb(uint32_t width, uint32_t height, const DecodeLimits& limits,
                   DecodedImage& out);

// Each decoder fills width, height, stride, pixels and orientation of `out` from a
// complete file in memory, or returns why it cannot.
Status DecodeJpeg(const uint8_t* data, size_t size, const DecodeLimits& limits, DecodedImage& out);
Status DecodePng(const uint8_t* data, size_t size, const DecodeLimits& limits, DecodedImage& out);
Status DecodeWebp(const uint8_t* data, size_t size, const DecodeLimits& limits, DecodedImage& out);
Status DecodeGif(const uint8_t* data, size_t size, const DecodeLimits& limits, DecodedImage& out);
Status DecodeBmp(const uint8_t* data, size_t size, const DecodeLimits& limits, DecodedImage& out);

// EXIF orientation (1..8) from an EXIF block: either "Exif\0\0" followed by a TIFF
// header (JPEG APP1 payload) or a bare TIFF header (PNG eXIf, WebP EXIF chunk).
// 1 when absent, unreadable or out of range.
int ReadExifOrientation(const uint8_t* exif, size_t size);

}  // namespace vigil::decode::internal

#endif  // VIGIL_DECODE_SRC_DECODERS_H_
