// Hostile and broken input: empty, garbage, truncated, corrupted, bomb-sized headers and
// oversized files. Every case must return an error Status with a useful message (and
// never crash: this suite also runs under ASan/UBSan, and tests/fuzz/decode fuzzes it).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "decode_test_util.h"

namespace vigil::decode::testing {
namespace {

void PutBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

StatusOr<DecodedImage> DecodeBytes(const std::vector<uint8_t>& bytes,
                                   const DecodeLimits& limits = {}) {
  return DecodeImage(bytes.data(), bytes.size(), limits);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class DecodeBadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = dir_.Path("pattern.ppm");
    WritePpm(source_, Pattern(40, 30));
  }
  // The pattern encoded as `prefix` ("PNG24:", ...), without metadata chunks so the
  // pixel data runs to (almost) the end of the file.
  std::vector<uint8_t> Encoded(const std::string& prefix) {
    const std::string path = dir_.Path("encoded-" + std::to_string(counter_++));
    Convert("'" + source_ + "' -strip -define png:exclude-chunks=date,time '" + prefix + path +
            "'");
    return ReadFileBytes(path);
  }
  ScratchDir dir_;
  std::string source_;
  int counter_ = 0;
};

const char* const kFormats[] = {"JPEG:", "PNG24:", "WEBP:", "GIF:", "BMP3:"};

// [SECTION] Not an image

TEST(DecodeBadInput, EmptyInputIsNotAnImage) {
  const std::vector<uint8_t> empty;
  auto r = DecodeImage(empty.data(), 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status().message(), "not an image")) << r.status().message();
  EXPECT_FALSE(DecodeImage(nullptr, 100).ok());
}

TEST(DecodeBadInput, GarbageIsNotAnImage) {
  const std::string text = "This is a text file, not a picture.\n";
  auto r = DecodeImage(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status().message(), "not an image")) << r.status().message();

  std::mt19937 rng(7);
  std::vector<uint8_t> noise(4096);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  noise[0] = 0x00;  // no magic can start with a NUL
  EXPECT_EQ(DecodeBytes(noise).status().code(), Status::Code::kInvalidArgument);
}

TEST_F(DecodeBadInputTest, ZeroByteAndMissingFiles) {
  const std::string empty = dir_.Path("empty.jpg");
  WriteFileBytes(empty, {});
  auto r = DecodeImageFile(empty);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "not an image")) << r.status().message();

  auto missing = DecodeImageFile(dir_.Path("does-not-exist.png"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kIoError);
  auto directory = DecodeImageFile(dir_.Path(""));
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), Status::Code::kIoError);
}

// [SECTION] Truncated and corrupted data

TEST_F(DecodeBadInputTest, TruncatedFilesFailWithCorruption) {
  for (const char* format : kFormats) {
    const std::vector<uint8_t> whole = Encoded(format);
    ASSERT_GT(whole.size(), 100u) << format;
    ASSERT_TRUE(DecodeBytes(whole).ok()) << format;
    // Cut inside the header, inside the pixel data, and just before the last bytes of
    // pixel data (the PNG and GIF trailers are 12 and 1 bytes; JPEG's EOI 2).
    for (size_t keep :
         {size_t{12}, size_t{40}, whole.size() / 3, whole.size() / 2, whole.size() - 20}) {
      const std::vector<uint8_t> cut(whole.begin(), whole.begin() + static_cast<long>(keep));
      auto r = DecodeBytes(cut);
      EXPECT_FALSE(r.ok()) << format << " truncated to " << keep << " of " << whole.size();
      if (!r.ok() && keep >= 40) {
        EXPECT_EQ(r.status().code(), Status::Code::kCorruption)
            << format << " " << keep << ": " << r.status().message();
        EXPECT_FALSE(r.status().message().empty());
      }
    }
  }
}

TEST_F(DecodeBadInputTest, MagicFollowedByGarbageFails) {
  std::mt19937 rng(11);
  const std::vector<std::string> magics = {"\xFF\xD8\xFF", "\x89PNG\r\n\x1A\n", "GIF89a",
                                           std::string("RIFF\0\x10\0\0WEBPVP8 ", 16),
                                           std::string("BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0", 18)};
  for (const std::string& magic : magics) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<uint8_t> bytes(magic.begin(), magic.end());
      const size_t extra = 1 + rng() % 2000;
      for (size_t i = 0; i < extra; ++i) bytes.push_back(static_cast<uint8_t>(rng()));
      auto r = DecodeBytes(bytes);
      EXPECT_FALSE(r.ok()) << "garbage after magic "
                           << ImageFormatName(SniffImageFormat(bytes.data(), bytes.size()));
    }
  }
}

TEST_F(DecodeBadInputTest, CorruptedBytesNeverCrash) {
  // Flipped bytes inside valid files: decoders may recover (JPEG tolerates damaged
  // entropy data) or refuse; either way a Status comes back.
  std::mt19937 rng(3);
  for (const char* format : kFormats) {
    const std::vector<uint8_t> whole = Encoded(format);
    for (int trial = 0; trial < 40; ++trial) {
      std::vector<uint8_t> bytes = whole;
      for (int flips = 0; flips < 1 + trial % 8; ++flips) {
        bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
      }
      auto r = DecodeBytes(bytes);
      if (r.ok()) {
        EXPECT_EQ(r->pixels.size(), r->stride * r->height);
      } else {
        EXPECT_FALSE(r.status().message().empty());
      }
    }
  }
}

// [SECTION] Decompression bombs: refused from the header

TEST_F(DecodeBadInputTest, PngHeaderClaiming100000SquareIsRefused) {
  std::vector<uint8_t> png = Encoded("PNG24:");
  // IHDR is the first chunk: length(4) "IHDR"(4) width(4) height(4) ... crc at 29.
  ASSERT_EQ(std::string(png.begin() + 12, png.begin() + 16), "IHDR");
  PutBe32(&png[16], 100000);
  PutBe32(&png[20], 100000);
  PutBe32(&png[29], Crc32(&png[12], 17));
  auto r = DecodeBytes(png);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kResource);
  EXPECT_TRUE(Contains(r.status().message(), "100000x100000")) << r.status().message();
  EXPECT_TRUE(Contains(r.status().message(), "max_dimension")) << r.status().message();

  // Within the side limit but 400 megapixels: the pixel limit speaks.
  PutBe32(&png[16], 20000);
  PutBe32(&png[20], 20000);
  PutBe32(&png[29], Crc32(&png[12], 17));
  r = DecodeBytes(png);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kResource);
  EXPECT_TRUE(Contains(r.status().message(), "max_pixels")) << r.status().message();
}

TEST_F(DecodeBadInputTest, JpegHeaderClaimingHugeSizeIsRefused) {
  std::vector<uint8_t> jpeg = Encoded("JPEG:");
  size_t sof = 0;
  for (size_t i = 2; i + 9 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && (jpeg[i + 1] == 0xC0 || jpeg[i + 1] == 0xC2)) {
      sof = i;
      break;
    }
  }
  ASSERT_NE(sof, 0u) << "no SOF marker";
  // JPEG sizes are 16-bit: 60000x60000 is the largest bomb a header can claim.
  const auto set_size = [&](uint16_t w, uint16_t h) {
    jpeg[sof + 5] = static_cast<uint8_t>(h >> 8);
    jpeg[sof + 6] = static_cast<uint8_t>(h);
    jpeg[sof + 7] = static_cast<uint8_t>(w >> 8);
    jpeg[sof + 8] = static_cast<uint8_t>(w);
  };
  set_size(60000, 60000);
  auto r = DecodeBytes(jpeg);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kResource);
  EXPECT_TRUE(Contains(r.status().message(), "60000x60000")) << r.status().message();
  EXPECT_TRUE(Contains(r.status().message(), "max_dimension")) << r.status().message();
  set_size(20000, 20000);
  r = DecodeBytes(jpeg);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "max_pixels")) << r.status().message();
}

TEST_F(DecodeBadInputTest, GifAndBmpHeadersClaimingHugeSizesAreRefused) {
  std::vector<uint8_t> gif = Encoded("GIF:");
  gif[6] = 0x60;  // logical screen 60000 x 60000 (little endian 0xEA60)
  gif[7] = 0xEA;
  gif[8] = 0x60;
  gif[9] = 0xEA;
  auto r = DecodeBytes(gif);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kResource) << r.status().message();

  std::vector<uint8_t> bmp = Encoded("BMP3:");
  const uint32_t width = 100000;
  for (int i = 0; i < 4; ++i) bmp[18 + i] = static_cast<uint8_t>(width >> (8 * i));
  r = DecodeBytes(bmp);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kResource) << r.status().message();
  EXPECT_TRUE(Contains(r.status().message(), "max_dimension")) << r.status().message();
}

TEST_F(DecodeBadInputTest, LimitsAreConfigurable) {
  const std::vector<uint8_t> webp = Encoded("WEBP:");  // 40x30 = 1200 pixels
  DecodeLimits limits;
  limits.max_pixels = 1199;
  auto r = DecodeBytes(webp, limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kResource);
  EXPECT_TRUE(Contains(r.status().message(), "1200 pixels")) << r.status().message();
  limits.max_pixels = 1200;
  EXPECT_TRUE(DecodeBytes(webp, limits).ok());

  limits.max_dimension = 39;
  EXPECT_EQ(DecodeBytes(webp, limits).status().code(), Status::Code::kResource);

  DecodeLimits small_input;
  small_input.max_input_bytes = 100;
  for (const char* format : kFormats) {
    const std::vector<uint8_t> bytes = Encoded(format);
    auto too_big = DecodeBytes(bytes, small_input);
    ASSERT_FALSE(too_big.ok()) << format;
    EXPECT_EQ(too_big.status().code(), Status::Code::kResource);
    EXPECT_TRUE(Contains(too_big.status().message(), "max_input_bytes"));
  }
  const std::string path = dir_.Path("big.png");
  WriteFileBytes(path, Encoded("PNG24:"));
  auto file = DecodeImageFile(path, small_input);
  ASSERT_FALSE(file.ok());
  EXPECT_TRUE(Contains(file.status().message(), "max_input_bytes")) << file.status().message();
}

// [SECTION] Hand-made BMPs: the reader's strict bounds

std::vector<uint8_t> HandMadeBmp(int32_t width, int32_t height, uint16_t bpp,
                                 const std::vector<uint8_t>& palette_bgra,
                                 const std::vector<uint8_t>& pixel_rows) {
  std::vector<uint8_t> b(54, 0);
  const uint32_t offset = 54 + static_cast<uint32_t>(palette_bgra.size());
  const auto le32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  b[0] = 'B';
  b[1] = 'M';
  le32(2, offset + static_cast<uint32_t>(pixel_rows.size()));
  le32(10, offset);
  le32(14, 40);
  le32(18, static_cast<uint32_t>(width));
  le32(22, static_cast<uint32_t>(height));
  b[26] = 1;
  b[28] = static_cast<uint8_t>(bpp);
  le32(46, static_cast<uint32_t>(palette_bgra.size() / 4));
  b.insert(b.end(), palette_bgra.begin(), palette_bgra.end());
  b.insert(b.end(), pixel_rows.begin(), pixel_rows.end());
  return b;
}

TEST(DecodeBadInput, HandMadeBmpTopDownAndOneBit) {
  // 2x2, 24-bit, top-down (negative height): rows are stored top first, padded to 4.
  const std::vector<uint8_t> rows = {0,   0, 255, 0,   255, 0,   0, 0,   // red, green
                                     255, 0, 0,   255, 255, 255, 0, 0};  // blue, white
  auto r = DecodeBytes(HandMadeBmp(2, -2, 24, {}, rows));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->pixels, (std::vector<uint8_t>{255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255}));
  // The same rows bottom-up come out vertically mirrored.
  r = DecodeBytes(HandMadeBmp(2, 2, 24, {}, rows));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->pixels, (std::vector<uint8_t>{0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255, 0}));

  // 1-bit, 9 pixels wide (two bytes per row, padded to 4), black/yellow palette.
  const std::vector<uint8_t> palette = {0, 0, 0, 0, 0, 255, 255, 0};
  r = DecodeBytes(HandMadeBmp(9, 1, 1, palette, {0xA0, 0x80, 0, 0}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  const std::vector<int> expected_bits = {1, 0, 1, 0, 0, 0, 0, 0, 1};
  for (int x = 0; x < 9; ++x) {
    EXPECT_EQ(r->pixels[3 * x], expected_bits[x] ? 255 : 0) << x;
    EXPECT_EQ(r->pixels[3 * x + 2], 0) << x;
  }
}

TEST(DecodeBadInput, HandMadeSixteenBitBmp) {
  // BI_RGB 16-bit is 5-5-5: white, pure blue, mid grey-ish (16,16,16 of 31).
  const std::vector<uint8_t> rows = {0xFF, 0x7F, 0x1F, 0x00, 0x10, 0x42, 0, 0};
  auto r = DecodeBytes(HandMadeBmp(3, 1, 16, {}, rows));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->pixels, (std::vector<uint8_t>{255, 255, 255, 0, 0, 255, 132, 132, 132}));
}

TEST(DecodeBadInput, HandMadeRleBmp) {
  // RLE8, 4x2: bottom row "run of 3 x index 1, then literal 2", end of line; top row a
  // delta past the first pixel, then one pixel of index 1, end of bitmap.
  const std::vector<uint8_t> palette = {0, 0, 0, 0, 0, 0, 255, 0, 255, 0, 0, 0};
  const std::vector<uint8_t> rle = {3, 1, 0, 3, 2, 2, 2, 0, 0, 0,  // run, absolute(3: pad)
                                    0, 2, 1, 0, 1, 1, 0, 1};
  std::vector<uint8_t> bmp = HandMadeBmp(4, 2, 8, palette, rle);
  bmp[30] = 1;  // BI_RLE8
  auto r = DecodeBytes(bmp);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // Top row: black, red, black, black. Bottom row: red, red, red, blue.
  EXPECT_EQ(r->pixels, (std::vector<uint8_t>{0,   0, 0, 255, 0, 0, 0,   0, 0, 0, 0, 0,
                                             255, 0, 0, 255, 0, 0, 255, 0, 0, 0, 0, 255}));
  // Cut before the end-of-bitmap marker: truncated.
  std::vector<uint8_t> cut(bmp.begin(), bmp.end() - 4);
  r = DecodeBytes(cut);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "RLE data ends early")) << r.status().message();
  // Runs far past the right edge are clipped, cheaply.
  std::vector<uint8_t> wide = {255, 1, 255, 1, 255, 1, 0, 1};
  std::vector<uint8_t> clipped = HandMadeBmp(2, 1, 8, palette, wide);
  clipped[30] = 1;
  r = DecodeBytes(clipped);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->pixels, (std::vector<uint8_t>{255, 0, 0, 255, 0, 0}));
}

TEST(DecodeBadInput, HandMadeBmpLiesAreCaught) {
  const std::vector<uint8_t> rows(8, 0);
  // Pixel data shorter than width x height claims.
  auto r = DecodeBytes(HandMadeBmp(2, 3, 24, {}, rows));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  // Pixel offset pointing past the end of the file.
  std::vector<uint8_t> bad_offset = HandMadeBmp(2, 2, 24, {}, rows);
  bad_offset[10] = 0xFF;
  bad_offset[11] = 0xFF;
  EXPECT_FALSE(DecodeBytes(bad_offset).ok());
  // Zero width, unsupported depth, RLE compression.
  EXPECT_FALSE(DecodeBytes(HandMadeBmp(0, 2, 24, {}, rows)).ok());
  EXPECT_FALSE(DecodeBytes(HandMadeBmp(2, 2, 7, {}, rows)).ok());
  std::vector<uint8_t> jpeg_inside = HandMadeBmp(2, 2, 24, {}, rows);
  jpeg_inside[30] = 4;  // BI_JPEG
  r = DecodeBytes(jpeg_inside);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "unsupported BMP compression"));
  std::vector<uint8_t> rle24 = HandMadeBmp(2, 2, 24, {}, rows);
  rle24[30] = 1;  // RLE8 on a 24-bit image
  EXPECT_FALSE(DecodeBytes(rle24).ok());
  // Palette indexes beyond a short palette read as black instead of out of bounds.
  r = DecodeBytes(HandMadeBmp(2, 1, 8, {9, 9, 9, 0}, {0, 200, 0, 0}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->pixels, (std::vector<uint8_t>{9, 9, 9, 0, 0, 0}));
}

}  // namespace
}  // namespace vigil::decode::testing
