#include "scan/media_sniff.h"

#include "vigil/plugin.h"

namespace vigil::host {
namespace {

bool StartsWith(std::string_view bytes, std::string_view magic, size_t offset = 0) {
  return bytes.size() >= offset + magic.size() && bytes.substr(offset, magic.size()) == magic;
}

}  // namespace

uint32_t SniffMediaKind(std::string_view bytes) {
  using namespace std::string_view_literals;
  if (StartsWith(bytes, "\xFF\xD8\xFF"sv) || StartsWith(bytes, "\x89PNG\r\n\x1A\n"sv) ||
      StartsWith(bytes, "GIF87a"sv) || StartsWith(bytes, "GIF89a"sv) ||
      (StartsWith(bytes, "RIFF"sv) && StartsWith(bytes, "WEBP"sv, 8)) ||
      StartsWith(bytes, "BM"sv)) {
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
