// DecodeImage / DecodeImageFile: sniff, enforce the input-size limit, dispatch.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "decoders.h"

namespace vigil::decode {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

Status InputTooLarge(uint64_t size, const DecodeLimits& limits) {
  return Status::Resource("input is " + std::to_string(size) + " bytes, above the limit of " +
                          std::to_string(limits.max_input_bytes) + " bytes (max_input_bytes)");
}

}  // namespace

StatusOr<DecodedImage> DecodeImage(const uint8_t* data, size_t size, const DecodeLimits& limits) {
  if (data == nullptr || size == 0) {
    return Status::InvalidArgument("not an image: the input is empty (0 bytes)");
  }
  if (size > limits.max_input_bytes) return InputTooLarge(size, limits);
  DecodedImage image;
  image.format = SniffImageFormat(data, size);
  Status status;
  switch (image.format) {
    case ImageFormat::kJpeg:
      status = internal::DecodeJpeg(data, size, limits, image);
      break;
    case ImageFormat::kPng:
      status = internal::DecodePng(data, size, limits, image);
      break;
    case ImageFormat::kWebp:
      status = internal::DecodeWebp(data, size, limits, image);
      break;
    case ImageFormat::kGif:
      status = internal::DecodeGif(data, size, limits, image);
      break;
    case ImageFormat::kBmp:
      status = internal::DecodeBmp(data, size, limits, image);
      break;
    case ImageFormat::kUnknown:
      return Status::InvalidArgument(
          "not an image: content matches none of JPEG, PNG, WebP, GIF, BMP");
  }
  if (!status.ok()) return status;
  return image;
}

StatusOr<DecodedImage> DecodeImageFile(const std::string& path, const DecodeLimits& limits) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) {
    return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (fstat(fileno(file.get()), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::IoError("cannot read " + path + ": not a regular file");
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > limits.max_input_bytes) return InputTooLarge(size, limits);
  std::string bytes(size, '\0');
  if (size != 0 && std::fread(bytes.data(), 1, size, file.get()) != size) {
    return Status::IoError("cannot read " + path + ": short read");
  }
  return DecodeImage(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), limits);
}

}  // namespace vigil::decode
