// GIF through giflib, first frame only. Records are walked one by one (not
// DGifSlurp, which would decode every frame of an animation before we could refuse it).
#include <gif_lib.h>

#include <memory>
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

int ReadFromMemory(GifFileType* gif, GifByteType* dst, int length) {
  auto* r = static_cast<Reader*>(gif->UserData);
  if (length < 0) return 0;
  size_t n = static_cast<size_t>(length);
  if (n > r->size - r->offset) n = r->size - r->offset;
  for (size_t i = 0; i < n; ++i) dst[i] = r->data[r->offset + i];
  r->offset += n;
  return static_cast<int>(n);
}

Status GifError(const char* what, int code) {
  const char* text = GifErrorString(code);
  return Status::Corruption(std::string("corrupt or truncated GIF (") + what +
                            "): " + (text != nullptr ? text : "unknown error"));
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int ignored = 0;
    DGifCloseFile(gif, &ignored);
  }
};

Status SkipExtension(GifFileType* gif) {
  int code = 0;
  GifByteType* block = nullptr;
  if (DGifGetExtension(gif, &code, &block) == GIF_ERROR) return GifError("extension", gif->Error);
  while (block != nullptr) {
    if (DGifGetExtensionNext(gif, &block) == GIF_ERROR) {
      return GifError("extension", gif->Error);
    }
  }
  return Status::Ok();
}

Status ReadFirstFrame(GifFileType* gif, const DecodeLimits& limits, DecodedImage& out) {
  if (DGifGetImageDesc(gif) == GIF_ERROR) return GifError("image descriptor", gif->Error);
  const GifImageDesc& desc = gif->Image;
  if (desc.Width <= 0 || desc.Height <= 0) {
    return Status::Corruption("GIF frame declares an empty image");
  }
  if (Status s = CheckDimensions(static_cast<uint64_t>(desc.Width),
                                 static_cast<uint64_t>(desc.Height), limits, "GIF");
      !s.ok()) {
    return s;
  }
  const ColorMapObject* map = desc.ColorMap != nullptr ? desc.ColorMap : gif->SColorMap;
  if (map == nullptr || map->Colors == nullptr || map->ColorCount <= 0) {
    return Status::Corruption("GIF frame has no colour map");
  }
  const uint32_t width = static_cast<uint32_t>(desc.Width);
  const uint32_t height = static_cast<uint32_t>(desc.Height);
  if (Status allocated = AllocateRgb(width, height, limits, out);
      !allocated.ok()) {
    return allocated;
  }

  // Interlaced frames store rows in four passes: every 8th from 0, every 8th from 4,
  // every 4th from 2, every 2nd from 1.
  std::vector<uint32_t> row_order;
  row_order.reserve(height);
  if (desc.Interlace) {
    static constexpr uint32_t kStart[4] = {0, 4, 2, 1};
    static constexpr uint32_t kStep[4] = {8, 8, 4, 2};
    for (int pass = 0; pass < 4; ++pass) {
      for (uint32_t y = kStart[pass]; y < height; y += kStep[pass]) row_order.push_back(y);
    }
  } else {
    for (uint32_t y = 0; y < height; ++y) row_order.push_back(y);
  }

  std::vector<GifPixelType> line(width);
  for (uint32_t y : row_order) {
    if (DGifGetLine(gif, line.data(), static_cast<int>(width)) == GIF_ERROR) {
      return GifError("image data", gif->Error);
    }
    uint8_t* dst = out.pixel_data() + static_cast<size_t>(y) * out.stride;
    for (uint32_t x = 0; x < width; ++x) {
      // An index past the colour map is corrupt but harmless: render it black.
      // Transparency is dropped like alpha elsewhere: the index's colour is kept.
      const int index = line[x];
      if (index < map->ColorCount) {
        const GifColorType& c = map->Colors[index];
        dst[3 * x] = c.Red;
        dst[3 * x + 1] = c.Green;
        dst[3 * x + 2] = c.Blue;
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status DecodeGif(const uint8_t* data, size_t size, const DecodeLimits& limits, DecodedImage& out) {
  Reader reader{data, size, 0};
  int error = 0;
  std::unique_ptr<GifFileType, GifCloser> gif(DGifOpen(&reader, ReadFromMemory, &error));
  if (gif == nullptr) return GifError("header", error);
  // The logical screen is checked too: a tiny frame on a bomb-sized screen is refused.
  if (Status s = CheckDimensions(static_cast<uint64_t>(gif->SWidth > 0 ? gif->SWidth : 1),
                                 static_cast<uint64_t>(gif->SHeight > 0 ? gif->SHeight : 1), limits,
                                 "GIF screen");
      !s.ok()) {
    return s;
  }
  for (;;) {
    GifRecordType record = UNDEFINED_RECORD_TYPE;
    if (DGifGetRecordType(gif.get(), &record) == GIF_ERROR) {
      return GifError("record", gif->Error);
    }
    switch (record) {
      case IMAGE_DESC_RECORD_TYPE:
        return ReadFirstFrame(gif.get(), limits, out);
      case EXTENSION_RECORD_TYPE:
        if (Status s = SkipExtension(gif.get()); !s.ok()) return s;
        break;
      case TERMINATE_RECORD_TYPE:
        return Status::Corruption("GIF file has no image");
      default:
        return Status::Corruption("corrupt GIF: unknown record type");
    }
  }
}

}  // namespace vigil::decode::internal
