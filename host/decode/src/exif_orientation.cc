// EXIF orientation through libexif, given only the EXIF block the container holds (so
// libexif never scans a whole untrusted file).
#include <libexif/exif-data.h>

#include <cstring>
#include <memory>
#include <vector>

#include "decoders.h"

namespace vigil::decode::internal {
namespace {

struct ExifDataDeleter {
  void operator()(ExifData* d) const { exif_data_unref(d); }
};

}  // namespace

int ReadExifOrientation(const uint8_t* exif, size_t size) {
  if (exif == nullptr || size < 8 || size > (1u << 20)) return 1;
  // libexif wants the "Exif\0\0" prefix of a JPEG APP1 payload; PNG and WebP store
  // the TIFF structure bare.
  std::vector<uint8_t> prefixed;
  if (std::memcmp(exif, "Exif\0\0", 6) != 0) {
    prefixed.reserve(size + 6);
    prefixed.insert(prefixed.end(), {'E', 'x', 'i', 'f', 0, 0});
    prefixed.insert(prefixed.end(), exif, exif + size);
    exif = prefixed.data();
    size = prefixed.size();
  }
  std::unique_ptr<ExifData, ExifDataDeleter> data(exif_data_new());
  if (data == nullptr) return 1;
  exif_data_unset_option(data.get(), EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
  exif_data_load_data(data.get(), exif, static_cast<unsigned int>(size));
  ExifEntry* entry = exif_content_get_entry(data->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
  if (entry == nullptr || entry->format != EXIF_FORMAT_SHORT || entry->components < 1 ||
      entry->data == nullptr || entry->size < 2) {
    return 1;
  }
  const int value = exif_get_short(entry->data, exif_data_get_byte_order(data.get()));
  return value >= 1 && value <= 8 ? value : 1;
}

}  // namespace vigil::decode::internal
