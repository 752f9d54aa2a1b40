// WebP through libwebp (still images; the EXIF chunk through libwebpdemux).
#include <webp/decode.h>
#include <webp/demux.h>

#include <string>

#include "decoders.h"

namespace vigil::decode::internal {
namespace {

int OrientationFromChunks(const uint8_t* data, size_t size) {
  WebPData webp_data{data, size};
  WebPDemuxer* demux = WebPDemux(&webp_data);
  if (demux == nullptr) return 1;
  int orientation = 1;
  WebPChunkIterator chunk;
  if (WebPDemuxGetChunk(demux, "EXIF", 1, &chunk) != 0) {
    orientation = ReadExifOrientation(chunk.chunk.bytes, chunk.chunk.size);
    WebPDemuxReleaseChunkIterator(&chunk);
  }
  WebPDemuxDelete(demux);
  return orientation;
}

}  // namespace

Status DecodeWebp(const uint8_t* data, size_t size, const DecodeLimits& limits, DecodedImage& out) {
  WebPBitstreamFeatures features;
  const VP8StatusCode header = WebPGetFeatures(data, size, &features);
  if (header != VP8_STATUS_OK) {
    return Status::Corruption("corrupt or truncated WebP header (libwebp status " +
                              std::to_string(static_cast<int>(header)) + ")");
  }
  if (features.has_animation != 0) {
    return Status::Corruption("animated WebP is not supported; decode a still frame instead");
  }
  if (Status s = CheckDimensions(static_cast<uint64_t>(features.width),
                                 static_cast<uint64_t>(features.height), limits, "WebP");
      !s.ok()) {
    return s;
  }
  if (Status allocated = AllocateRgb(static_cast<uint32_t>(features.width),
                                     static_cast<uint32_t>(features.height), limits, out);
      !allocated.ok()) {
    return allocated;
  }
  // RGB output drops alpha without compositing, like the PNM ImageMagick writes.
  if (WebPDecodeRGBInto(data, size, out.pixel_data(), out.pixel_bytes(),
                        static_cast<int>(out.stride)) == nullptr) {
    return Status::Corruption("corrupt or truncated WebP image data");
  }
  out.orientation = OrientationFromChunks(data, size);
  return Status::Ok();
}

}  // namespace vigil::decode::internal
