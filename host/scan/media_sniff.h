// Media kind of an item's bytes, by content (magic numbers), never by file name.
#ifndef VIGIL_HOST_SCAN_MEDIA_SNIFF_H_
#define VIGIL_HOST_SCAN_MEDIA_SNIFF_H_

#include <cstdint>
#include <string_view>

namespace vigil::host {

// One VIGIL_MEDIA_* bit.
uint32_t SniffMediaKind(std::string_view bytes);
// "image", "video", "url", "text", "binary".
const char* MediaKindName(uint32_t media_kind);

}  // namespace vigil::host

#endif  // VIGIL_HOST_SCAN_MEDIA_SNIFF_H_
