// Image claims: what says an item is an image when its bytes do not decode as one.
// A file named .jpg, a manifest line declaring "image/png", or bytes that begin like an
// image header are each a claim; a claimed image that does not decode is a failed item
// (a disguised or damaged image is what an evader uploads), never a clear one.
#ifndef VIGIL_HOST_SCAN_IMAGE_CLAIM_H_
#define VIGIL_HOST_SCAN_IMAGE_CLAIM_H_

#include <optional>
#include <string>
#include <string_view>

namespace vigil::host {

struct ImageClaim {
  std::string format;  // "jpeg", "png", "gif", "webp", "bmp", or a declared subtype ("heic")
  std::string source;  // "extension", "manifest type", "header"
  std::string detail;  // ".jpg", "image/png", "starts like JPEG but the header is cut short"

  // "declared jpeg by extension (.jpg)".
  std::string Describe() const;
};

// The first claim that the item is an image, in this order: the manifest's declared
// content type (any "image/..." type), the file name's extension (the formats Vigil
// decodes: .jpg .jpeg .jpe .jfif .png .gif .webp .bmp .dib, any case), then a partial
// or damaged header (bytes that begin like JPEG, PNG or GIF but are not a whole
// signature). nullopt when nothing claims an image.
std::optional<ImageClaim> ClaimedImage(std::string_view path, std::string_view content_type,
                                       std::string_view bytes);

}  // namespace vigil::host

#endif  // VIGIL_HOST_SCAN_IMAGE_CLAIM_H_
