// Test helpers for vigil_decode: a scratch directory, ImageMagick at test time (the
// decode the PDQ reference was measured with), a reference pattern, raw PPM reading.
#ifndef VIGIL_TESTS_UNIT_DECODE_DECODE_TEST_UTIL_H_
#define VIGIL_TESTS_UNIT_DECODE_DECODE_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "vigil/decode/image_decoder.h"

namespace vigil::decode::testing {

// A fresh directory under the build tree's Testing/ area, removed by the destructor.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

// RGB8 pixels without a container.
struct Rgb {
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<uint8_t> pixels;  // packed
};

// A width x height pattern using only 216 colours (so GIF and palette PNG are lossless).
Rgb Pattern(uint32_t width, uint32_t height);

void WritePpm(const std::string& path, const Rgb& image);
std::vector<uint8_t> ReadFileBytes(const std::string& path);
void WriteFileBytes(const std::string& path, const std::vector<uint8_t>& bytes);

// Runs ImageMagick `convert <args>`; ADD_FAILURE with the command when it fails or
// when ImageMagick is missing (install it with scripts/install-deps.sh).
bool Convert(const std::string& args);

// ImageMagick's own 8-bit RGB decode of `path` (convert -depth 8 ppm:).
bool MagickDecode(const std::string& path, Rgb* out);

// The CRC-32 of PNG chunks (and zlib).
uint32_t Crc32(const uint8_t* data, size_t size);

// Largest per-channel difference, or -1 when the sizes differ.
int MaxDifference(const DecodedImage& a, const Rgb& b);

}  // namespace vigil::decode::testing

#endif  // VIGIL_TESTS_UNIT_DECODE_DECODE_TEST_UTIL_H_
