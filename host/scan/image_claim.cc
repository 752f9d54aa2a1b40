#include "scan/image_claim.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace vigil::host {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool StartsWith(std::string_view bytes, std::string_view prefix) {
  return bytes.size() >= prefix.size() && bytes.substr(0, prefix.size()) == prefix;
}

// Formats Vigil decodes, by extension. Other image extensions (.heic, .tiff) are not
// claims: a real photo in a format Vigil does not decode is described by its content.
std::optional<std::string> FormatOfExtension(const std::string& extension) {
  if (extension == ".jpg" || extension == ".jpeg" || extension == ".jpe" || extension == ".jfif") {
    return "jpeg";
  }
  if (extension == ".png") return "png";
  if (extension == ".gif") return "gif";
  if (extension == ".webp") return "webp";
  if (extension == ".bmp" || extension == ".dib") return "bmp";
  return std::nullopt;
}

// "image/jpeg; charset=..." -> "jpeg"; nullopt unless the type is image/<something>.
std::optional<std::string> FormatOfContentType(std::string_view content_type) {
  std::string type = Lower(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  while (!type.empty() && type.front() == ' ') type.erase(type.begin());
  if (!StartsWith(type, "image/") || type.size() == 6) return std::nullopt;
  std::string subtype = type.substr(6);
  if (subtype == "jpg" || subtype == "pjpeg") return "jpeg";
  if (subtype == "x-ms-bmp" || subtype == "x-bmp") return "bmp";
  if (subtype == "x-png") return "png";
  return subtype;
}

// Bytes that begin like an image but are not a whole signature the decoder recognises:
// a header cut short or damaged. Only distinctive prefixes count (2 bytes FF D8 for
// JPEG, "\x89PNG" for PNG, "GIF8" for GIF): text does not start like this.
std::optional<std::pair<std::string, std::string>> PartialHeader(std::string_view bytes) {
  using namespace std::string_view_literals;
  if (StartsWith(bytes, "\xFF\xD8"sv)) {
    return std::pair{std::string("jpeg"), std::string("starts like JPEG (FF D8) without a "
                                                      "complete JPEG marker")};
  }
  static constexpr std::string_view kPng = "\x89PNG\r\n\x1A\n"sv;
  if (StartsWith(bytes, "\x89PNG"sv) ||
      (bytes.size() >= 2 && bytes.size() < kPng.size() && StartsWith(kPng, bytes))) {
    return std::pair{std::string("png"),
                     std::string("starts like PNG without a complete PNG signature")};
  }
  if (StartsWith(bytes, "GIF8"sv)) {
    return std::pair{std::string("gif"),
                     std::string("starts like GIF without a complete GIF signature")};
  }
  return std::nullopt;
}

}  // namespace

std::string ImageClaim::Describe() const {
  return "declared " + format + " by " + source + (detail.empty() ? "" : " (" + detail + ")");
}

std::optional<ImageClaim> ClaimedImage(std::string_view path, std::string_view content_type,
                                       std::string_view bytes) {
  if (!content_type.empty()) {
    if (auto format = FormatOfContentType(content_type)) {
      return ImageClaim{*format, "manifest type", std::string(content_type)};
    }
  }
  if (!path.empty()) {
    const std::string extension =
        Lower(std::filesystem::path(std::string(path)).extension().string());
    if (auto format = FormatOfExtension(extension)) {
      return ImageClaim{*format, "extension", extension};
    }
  }
  if (auto header = PartialHeader(bytes)) {
    return ImageClaim{header->first, "header", header->second};
  }
  return std::nullopt;
}

}  // namespace vigil::host
