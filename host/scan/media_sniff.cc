#include "scan/media_sniff.h"

#include "vigil/decode/image_decoder.h"
#include "vigil/plugin.h"

namespace vigil::host {
namespace {

bool StartsWith(std::string_view bytes, std::string_view magic, size_t offset = 0) {
  return bytes.size() >= offset + magic.size() && bytes.substr(offset, magic.size()) == magic;
}

}  // namespace

uint32_t SniffMediaKind(std::string_view bytes) {
  using namespace std::string_view_literals;
  // Images: the decoder's own sniffing, so what is called an image is what it decodes.
  if (decode::SniffImageFormat(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()) !=
      decode::ImageFormat::kUnknown) {
    return VIGIL_MEDIA_IMAGE;
  }
  if (StartsWith(bytes, "ftyp"sv, 4) || StartsWith(bytes, "\x1A\x45\xDF\xA3"sv)) {
    return VIGIL_MEDIA_VIDEO;  // MP4/MOV family, Matroska/WebM
  }
  return VIGIL_MEDIA_BINARY;
}

const char* MediaKindName(uint32_t media_kind) {
  switch (media_kind) {
    case VIGIL_MEDIA_IMAGE: return "image";
    case VIGIL_MEDIA_VIDEO: return "video";
    case VIGIL_MEDIA_URL: return "url";
    case VIGIL_MEDIA_TEXT: return "text";
    case VIGIL_MEDIA_BINARY: return "binary";
    default: return "unknown";
  }
}

}  // namespace vigil::host
