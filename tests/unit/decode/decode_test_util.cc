#include "decode_test_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace vigil::decode::testing {

ScratchDir::ScratchDir() {
  std::string base = std::string(VIGIL_BINARY_DIR) + "/Testing/decode-XXXXXX";
  std::filesystem::create_directories(std::string(VIGIL_BINARY_DIR) + "/Testing");
  std::vector<char> buf(base.begin(), base.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed under " << base;
  dir_ = buf.data();
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

Rgb Pattern(uint32_t width, uint32_t height) {
  Rgb img{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3)};
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      uint8_t* p = &img.pixels[(static_cast<size_t>(y) * width + x) * 3];
      p[0] = static_cast<uint8_t>(51 * ((x / 4) % 6));
      p[1] = static_cast<uint8_t>(51 * ((y / 3) % 6));
      p[2] = static_cast<uint8_t>(51 * (((x + 2 * y) / 5) % 6));
    }
  }
  return img;
}

void WritePpm(const std::string& path, const Rgb& image) {
  std::ofstream out(path, std::ios::binary);
  out << "P6\n" << image.width << " " << image.height << "\n255\n";
  out.write(reinterpret_cast<const char*>(image.pixels.data()),
            static_cast<std::streamsize>(image.pixels.size()));
}

std::vector<uint8_t> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ADD_FAILURE() << "cannot read " << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void WriteFileBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

bool Convert(const std::string& args) {
  if (std::system("command -v convert >/dev/null 2>&1") != 0) {
    ADD_FAILURE() << "ImageMagick `convert` is missing: run scripts/install-deps.sh";
    return false;
  }
  const std::string command = "convert " + args + " 2>&1";
  if (std::system(command.c_str()) != 0) {
    ADD_FAILURE() << "failed: " << command;
    return false;
  }
  return true;
}

bool MagickDecode(const std::string& path, Rgb* out) {
  const std::string ppm = path + ".magick.ppm";
  if (!Convert("'" + path + "' -depth 8 ppm:'" + ppm + "'")) return false;
  const std::vector<uint8_t> bytes = ReadFileBytes(ppm);
  // "P6\n<w> <h>\n255\n" then raw RGB.
  std::string header(bytes.begin(), bytes.begin() + std::min<size_t>(bytes.size(), 64));
  std::istringstream in(header);
  std::string magic;
  uint32_t w = 0, h = 0, max = 0;
  in >> magic >> w >> h >> max;
  if (magic != "P6" || max != 255) {
    ADD_FAILURE() << ppm << ": not an 8-bit P6 file";
    return false;
  }
  const size_t offset = static_cast<size_t>(in.tellg()) + 1;
  const size_t size = static_cast<size_t>(w) * h * 3;
  if (bytes.size() < offset + size) {
    ADD_FAILURE() << ppm << ": short";
    return false;
  }
  *out = Rgb{w, h,
             std::vector<uint8_t>(bytes.begin() + static_cast<long>(offset),
                                  bytes.begin() + static_cast<long>(offset + size))};
  return true;
}

uint32_t Crc32(const uint8_t* data, size_t size) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

int MaxDifference(const DecodedImage& a, const Rgb& b) {
  if (a.width != b.width || a.height != b.height || a.stride != 3u * a.width) return -1;
  int max = 0;
  for (size_t i = 0; i < b.pixels.size(); ++i) {
    max = std::max(max, std::abs(static_cast<int>(a.pixels[i]) - static_cast<int>(b.pixels[i])));
  }
  return max;
}

}  // namespace vigil::decode::testing
