// PNG through libpng. libpng reports errors by longjmp to png_jmpbuf; its warnings are
// dropped (ancillary-chunk CRC errors and the like do not stop decoding).
#include <png.h>

#include <csetjmp>
#include <cstring>
#include <string>
#include <vector>

#include "decoders.h"

namespace vigil::decode::internal {
namespace {

struct Reader {
  const uint8_t* data;
  size_t size;
  size_t offset;
};

void ReadFromMemory(png_structp png, png_bytep dst, png_size_t length) {
  auto* r = static_cast<Reader*>(png_get_io_ptr(png));
  if (length > r->size - r->offset) png_error(png, "unexpected end of data (truncated file)");
  std::memcpy(dst, r->data + r->offset, length);
  r->offset += length;
}

struct PngState {
  png_structp png = nullptr;
  png_infop info = nullptr;
  Reader reader{};
  char message[256] = {};
  std::vector<png_bytep> rows;
  Status header_status;
};

[[noreturn]] void OnError(png_structp png, png_const_charp message) {
  auto* s = static_cast<PngState*>(png_get_error_ptr(png));
  std::strncpy(s->message, message, sizeof(s->message) - 1);
  png_longjmp(png, 1);
}

void OnWarning(png_structp, png_const_charp) {}

Status Decode(PngState& s, const DecodeLimits& limits, DecodedImage& out) {
  if (setjmp(png_jmpbuf(s.png)) != 0) {
    return Status::Corruption(std::string("corrupt or truncated PNG: ") + s.message);
  }
  png_set_read_fn(s.png, &s.reader, ReadFromMemory);
  // Dimension limits are ours (CheckDimensions, with its message), not libpng's
  // default 1,000,000; ancillary chunk memory stays bounded.
  png_set_user_limits(s.png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  png_set_chunk_malloc_max(s.png, 8u << 20);
  png_read_info(s.png, s.info);

  s.header_status = CheckDimensions(png_get_image_width(s.png, s.info),
                                    png_get_image_height(s.png, s.info), limits, "PNG");
  if (!s.header_status.ok()) return s.header_status;

  png_bytep exif = nullptr;
  png_uint_32 exif_size = 0;
  if (png_get_eXIf_1(s.png, s.info, &exif_size, &exif) != 0 && exif != nullptr) {
    out.orientation = ReadExifOrientation(exif, exif_size);
  }

  // Everything to 8-bit RGB: palette and low-bit grey expanded, tRNS to alpha then
  // dropped with the rest of alpha, 16-bit rounded, grey replicated.
  png_set_expand(s.png);
  png_set_scale_16(s.png);
  png_set_strip_alpha(s.png);
  png_set_gray_to_rgb(s.png);
  png_set_interlace_handling(s.png);
  png_read_update_info(s.png, s.info);

  const uint32_t width = png_get_image_width(s.png, s.info);
  const uint32_t height = png_get_image_height(s.png, s.info);
  if (png_get_rowbytes(s.png, s.info) != static_cast<size_t>(width) * 3) {
    png_error(s.png, "unexpected row layout after conversion to RGB8");
  }
  s.header_status = AllocateRgb(width, height, limits, out);
  if (!s.header_status.ok()) return s.header_status;
  s.rows.resize(height);
  for (uint32_t y = 0; y < height; ++y) s.rows[y] = out.pixel_data() + y * out.stride;
  png_read_image(s.png, s.rows.data());
  return Status::Ok();
}

}  // namespace

Status DecodePng(const uint8_t* data, size_t size, const DecodeLimits& limits, DecodedImage& out) {
  PngState state;
  state.reader = Reader{data, size, 0};
  state.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, OnError, OnWarning);
  if (state.png == nullptr) return Status::Resource("out of memory starting the PNG decoder");
  state.info = png_create_info_struct(state.png);
  if (state.info == nullptr) {
    png_destroy_read_struct(&state.png, nullptr, nullptr);
    return Status::Resource("out of memory starting the PNG decoder");
  }
  Status status = Decode(state, limits, out);
  png_destroy_read_struct(&state.png, &state.info, nullptr);
  return status;
}

}  // namespace vigil::decode::internal
