// Every format and pixel layout decodes to the same RGB8 pixels ImageMagick produces
// (the decode the PDQ reference hashes were measured with); lossless files also equal
// the pattern they were written from. Sniffing ignores the file name.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "decode_test_util.h"

namespace vigil::decode::testing {
namespace {

constexpr uint32_t kWidth = 61;  // odd sizes catch stride and padding mistakes
constexpr uint32_t kHeight = 43;

class ImageDecoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pattern_ = Pattern(kWidth, kHeight);
    source_ = dir_.Path("pattern.ppm");
    WritePpm(source_, pattern_);
  }

  // Writes the pattern with `convert pattern.ppm <options> <prefix><name>`; the prefix
  // (e.g. "PNG32:") forces an output flavour.
  std::string Make(const std::string& name, const std::string& options,
                   const std::string& prefix = "") {
    const std::string path = dir_.Path(name);
    Convert("'" + source_ + "' " + options + " '" + prefix + path + "'");
    return path;
  }

  DecodedImage Decode(const std::string& path, ImageFormat expected_format) {
    auto decoded = DecodeImageFile(path);
    EXPECT_TRUE(decoded.ok()) << path << ": " << decoded.status().message();
    if (!decoded.ok()) return DecodedImage{};
    EXPECT_EQ(decoded->format, expected_format) << path;
    EXPECT_EQ(decoded->pixel_format, PixelFormat::kRgb8);
    EXPECT_EQ(decoded->stride, 3u * decoded->width);
    EXPECT_EQ(decoded->pixels.size(), decoded->stride * decoded->height);
    return std::move(decoded).value();
  }

  void ExpectSameAsMagick(const std::string& path, ImageFormat format, int tolerance = 0) {
    const DecodedImage ours = Decode(path, format);
    Rgb magick;
    ASSERT_TRUE(MagickDecode(path, &magick));
    EXPECT_LE(MaxDifference(ours, magick), tolerance) << path;
    EXPECT_GE(MaxDifference(ours, magick), 0) << path << ": size differs";
  }

  ScratchDir dir_;
  Rgb pattern_;
  std::string source_;
};

// [SECTION] Lossless files equal the pattern exactly

TEST_F(ImageDecoderTest, LosslessFormatsReproduceThePattern) {
  const struct {
    const char* name;
    const char* options;
    const char* prefix;
    ImageFormat format;
  } cases[] = {
      {"rgb.png", "", "PNG24:", ImageFormat::kPng},
      {"palette.png", "", "PNG8:", ImageFormat::kPng},
      {"interlaced.png", "-interlace PNG", "PNG24:", ImageFormat::kPng},
      {"lossless.webp", "-define webp:lossless=true", "", ImageFormat::kWebp},
      {"frame.gif", "", "", ImageFormat::kGif},
      {"interlaced.gif", "-interlace GIF", "", ImageFormat::kGif},
      {"rgb24.bmp", "", "BMP3:", ImageFormat::kBmp},
      {"palette8-rle.bmp", "-type Palette", "BMP3:", ImageFormat::kBmp},  // IM writes RLE8
      {"palette8.bmp", "-type Palette -compress None", "BMP3:", ImageFormat::kBmp},
      {"rgb-v5.bmp", "", "BMP:", ImageFormat::kBmp},
  };
  for (const auto& c : cases) {
    const std::string path = Make(c.name, c.options, c.prefix);
    const DecodedImage image = Decode(path, c.format);
    EXPECT_EQ(MaxDifference(image, pattern_), 0) << c.name;
    EXPECT_EQ(image.orientation, 1) << c.name;
  }
}

// [SECTION] Pixels in caller-supplied storage (the host's shared memory)

// Heap storage standing in for the host's shared memory; counts what was asked.
class CountingStorage : public PixelStorage {
 public:
  explicit CountingStorage(size_t bytes) : bytes_(bytes, 0) {}
  uint8_t* data() override { return bytes_.data(); }

 private:
  std::vector<uint8_t> bytes_;
};

TEST_F(ImageDecoderTest, EveryFormatDecodesIntoCallerStorageExactlyAsOnTheHeap) {
  const std::string files[] = {Make("s.png", "", "PNG24:"), Make("s.webp", "-quality 80"),
                               Make("s.gif", ""), Make("s.bmp", "", "BMP3:"),
                               Make("s.jpg", "-quality 85")};
  for (const std::string& path : files) {
    std::vector<size_t> asked;
    DecodeLimits limits;
    limits.storage = [&](size_t bytes) -> StatusOr<std::shared_ptr<PixelStorage>> {
      asked.push_back(bytes);
      return std::shared_ptr<PixelStorage>(std::make_shared<CountingStorage>(bytes));
    };
    auto shared = DecodeImageFile(path, limits);
    auto heap = DecodeImageFile(path);
    ASSERT_TRUE(shared.ok() && heap.ok()) << path;
    ASSERT_EQ(asked, std::vector<size_t>{heap->pixels.size()}) << path;
    EXPECT_TRUE(shared->pixels.empty()) << path;
    ASSERT_NE(shared->storage, nullptr);
    EXPECT_EQ(shared->pixel_data(), shared->storage->data());
    ASSERT_EQ(shared->pixel_bytes(), heap->pixels.size());
    const uint8_t* pixels = shared->pixel_data();
    EXPECT_EQ(std::vector<uint8_t>(pixels, pixels + shared->pixel_bytes()), heap->pixels)
        << path;
    // An upright copy reads through the storage too.
    DecodedImage upright = ApplyOrientation(shared.value());
    EXPECT_EQ(upright.pixels, heap->pixels) << path;
  }
}

TEST_F(ImageDecoderTest, StorageFailureFailsTheDecodeWithItsReason) {
  DecodeLimits limits;
  limits.storage = [](size_t) -> StatusOr<std::shared_ptr<PixelStorage>> {
    return Status::Resource("shared memory exhausted");
  };
  for (const std::string& path : {Make("f.png", "", "PNG24:"), Make("f.jpg", ""), Make("f.gif", ""),
                                  Make("f.bmp", "", "BMP3:"), Make("f.webp", "")}) {
    auto decoded = DecodeImageFile(path, limits);
    ASSERT_FALSE(decoded.ok()) << path;
    EXPECT_EQ(decoded.status().code(), Status::Code::kResource) << path;
    EXPECT_NE(decoded.status().message().find("shared memory exhausted"), std::string::npos)
        << decoded.status().message();
  }
}

TEST_F(ImageDecoderTest, ABombIsRefusedBeforeStorageIsAskedFor) {
  int calls = 0;
  DecodeLimits limits;
  limits.max_pixels = 100;  // the 61x43 pattern is over it
  limits.storage = [&](size_t bytes) -> StatusOr<std::shared_ptr<PixelStorage>> {
    ++calls;
    return std::shared_ptr<PixelStorage>(std::make_shared<CountingStorage>(bytes));
  };
  auto decoded = DecodeImageFile(Make("bomb.png", "", "PNG24:"), limits);
  EXPECT_EQ(decoded.status().code(), Status::Code::kResource);
  EXPECT_EQ(calls, 0);
}

// [SECTION] Lossy and converted files equal ImageMagick's decode

TEST_F(ImageDecoderTest, JpegMatchesImageMagick) {
  ExpectSameAsMagick(Make("baseline.jpg", "-quality 85"), ImageFormat::kJpeg);
  ExpectSameAsMagick(Make("progressive.jpg", "-interlace JPEG -quality 70"), ImageFormat::kJpeg);
  ExpectSameAsMagick(Make("subsampled.jpg", "-sampling-factor 2x2 -quality 60"),
                     ImageFormat::kJpeg);
  ExpectSameAsMagick(Make("grey.jpg", "-colorspace Gray"), ImageFormat::kJpeg);
  ExpectSameAsMagick(Make("cmyk.jpg", "-colorspace CMYK"), ImageFormat::kJpeg);
}

TEST_F(ImageDecoderTest, GreyPaletteAlphaAndSixteenBitPngMatchImageMagick) {
  ExpectSameAsMagick(Make("grey.png", "-colorspace Gray -define png:color-type=0"),
                     ImageFormat::kPng);
  ExpectSameAsMagick(Make("mono.png", "-monochrome -define png:bit-depth=1"), ImageFormat::kPng);
  // Alpha is dropped, not composited: colour under transparent pixels survives.
  ExpectSameAsMagick(Make("rgba.png", "-alpha set -channel A -fx 'i/w' +channel", "PNG32:"),
                     ImageFormat::kPng);
  ExpectSameAsMagick(Make("grey-alpha.png",
                          "-colorspace Gray -alpha set -channel A -fx 'j/h' +channel "
                          "-define png:color-type=4"),
                     ImageFormat::kPng);
  // 16 -> 8 bits: libpng's png_set_scale_16 approximates round(v / 257) with integer
  // shifts; ImageMagick's ScaleQuantumToChar rounds exactly. They differ by one level on
  // some values, well inside PDQ's tolerance.
  ExpectSameAsMagick(Make("deep.png", "-depth 16 -evaluate multiply 0.7", "PNG48:"),
                     ImageFormat::kPng, 1);
}

TEST_F(ImageDecoderTest, WebpAndAlphaMatchImageMagick) {
  ExpectSameAsMagick(Make("lossy.webp", "-quality 75"), ImageFormat::kWebp);
  ExpectSameAsMagick(Make("alpha.webp",
                          "-alpha set -channel A -fx 'i/w' +channel "
                          "-define webp:lossless=true"),
                     ImageFormat::kWebp);
  ExpectSameAsMagick(Make("alpha.bmp", "-alpha set -channel A -fx 'i/w' +channel", "BMP:"),
                     ImageFormat::kBmp);
  ExpectSameAsMagick(Make("alpha.gif", "-alpha set -channel A -fx 'i>20' +channel"),
                     ImageFormat::kGif);
}

// [SECTION] Sniffing by content

TEST_F(ImageDecoderTest, WrongExtensionIsSniffedByContent) {
  const struct {
    const char* name;
    const char* format_spec;
    ImageFormat format;
    const char* format_name;
  } cases[] = {
      {"really-a-png.jpg", "PNG24:", ImageFormat::kPng, "png"},
      {"really-a-jpeg.png", "JPEG:", ImageFormat::kJpeg, "jpeg"},
      {"really-a-gif.bmp", "GIF:", ImageFormat::kGif, "gif"},
      {"really-a-webp.gif", "WEBP:", ImageFormat::kWebp, "webp"},
      {"really-a-bmp.webp", "BMP3:", ImageFormat::kBmp, "bmp"},
      {"no-extension", "PNG24:", ImageFormat::kPng, "png"},
  };
  for (const auto& c : cases) {
    const std::string path = Make(c.name, "", c.format_spec);
    const DecodedImage image = Decode(path, c.format);
    EXPECT_STREQ(image.format_name(), c.format_name);
    EXPECT_EQ(image.width, kWidth);
    EXPECT_EQ(image.height, kHeight);
    const std::vector<uint8_t> bytes = ReadFileBytes(path);
    EXPECT_EQ(SniffImageFormat(bytes.data(), bytes.size()), c.format) << c.name;
  }
}

TEST(SniffImageFormat, RecognisesMagicAndNothingElse) {
  const auto sniff = [](const std::string& s) {
    return SniffImageFormat(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  EXPECT_EQ(sniff("\xFF\xD8\xFF\xE0"), ImageFormat::kJpeg);
  EXPECT_EQ(sniff("\x89PNG\r\n\x1A\n"), ImageFormat::kPng);
  EXPECT_EQ(sniff("GIF87a"), ImageFormat::kGif);
  EXPECT_EQ(sniff("GIF89a"), ImageFormat::kGif);
  EXPECT_EQ(sniff(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), ImageFormat::kWebp);
  EXPECT_EQ(sniff(std::string("RIFF\x10\0\0\0WAVEfmt ", 16)), ImageFormat::kUnknown);  // WAV
  EXPECT_EQ(sniff(std::string("BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0", 18)), ImageFormat::kBmp);
  EXPECT_EQ(sniff("BMW drivers handbook, chapter one"), ImageFormat::kUnknown);
  EXPECT_EQ(sniff("\x89PNG\r\n"), ImageFormat::kUnknown);  // cut inside the magic
  EXPECT_EQ(sniff("GIF88a"), ImageFormat::kUnknown);
  EXPECT_EQ(sniff(""), ImageFormat::kUnknown);
  EXPECT_EQ(SniffImageFormat(nullptr, 10), ImageFormat::kUnknown);
  EXPECT_STREQ(ImageFormatName(ImageFormat::kUnknown), "unknown");
}

// [SECTION] EXIF orientation is recorded, pixels are not rotated

// A minimal little-endian TIFF structure holding one IFD0 entry: Orientation = value.
std::vector<uint8_t> TiffWithOrientation(uint16_t value) {
  return {'I',
          'I',
          42,
          0,
          8,
          0,
          0,
          0,  // header, IFD0 at 8
          1,
          0,  // one entry
          0x12,
          0x01,
          3,
          0,
          1,
          0,
          0,
          0,  // tag 0x0112, SHORT, count 1
          static_cast<uint8_t>(value),
          static_cast<uint8_t>(value >> 8),
          0,
          0,
          0,
          0,
          0,
          0};  // no next IFD
}

TEST_F(ImageDecoderTest, ExifOrientationIsRecordedNotApplied) {
  // JPEG: an APP1 "Exif" segment right after SOI.
  std::vector<uint8_t> jpeg = ReadFileBytes(Make("plain.jpg", "-strip"));
  std::vector<uint8_t> app1 = {'E', 'x', 'i', 'f', 0, 0};
  const std::vector<uint8_t> tiff = TiffWithOrientation(6);
  app1.insert(app1.end(), tiff.begin(), tiff.end());
  const size_t length = app1.size() + 2;
  std::vector<uint8_t> segment = {0xFF, 0xE1, static_cast<uint8_t>(length >> 8),
                                  static_cast<uint8_t>(length)};
  segment.insert(segment.end(), app1.begin(), app1.end());
  jpeg.insert(jpeg.begin() + 2, segment.begin(), segment.end());
  auto decoded = DecodeImage(jpeg.data(), jpeg.size());
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->orientation, 6);
  EXPECT_EQ(decoded->width, kWidth);  // stored geometry, not the displayed one
  EXPECT_EQ(decoded->height, kHeight);

  // An out-of-range value reads as 1.
  jpeg[2 + 4 + 6 + 16] = 9;
  decoded = DecodeImage(jpeg.data(), jpeg.size());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->orientation, 1);

  // A file without EXIF.
  EXPECT_EQ(Decode(Make("none.png", "-strip", "PNG24:"), ImageFormat::kPng).orientation, 1);
}

void AppendBe32(std::vector<uint8_t>& v, uint32_t x) {
  for (int shift = 24; shift >= 0; shift -= 8) v.push_back(static_cast<uint8_t>(x >> shift));
}
void AppendLe32(std::vector<uint8_t>& v, uint32_t x) {
  for (int shift = 0; shift < 32; shift += 8) v.push_back(static_cast<uint8_t>(x >> shift));
}

TEST_F(ImageDecoderTest, PngExifChunkOrientationIsRead) {
  std::vector<uint8_t> png = ReadFileBytes(Make("plain.png", "-strip", "PNG24:"));
  // An eXIf chunk (bare TIFF) right after IHDR, which ends at byte 33.
  const std::vector<uint8_t> tiff = TiffWithOrientation(8);
  std::vector<uint8_t> chunk;
  AppendBe32(chunk, static_cast<uint32_t>(tiff.size()));
  chunk.insert(chunk.end(), {'e', 'X', 'I', 'f'});
  chunk.insert(chunk.end(), tiff.begin(), tiff.end());
  AppendBe32(chunk, Crc32(chunk.data() + 4, chunk.size() - 4));
  png.insert(png.begin() + 33, chunk.begin(), chunk.end());
  auto decoded = DecodeImage(png.data(), png.size());
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->orientation, 8);
  EXPECT_EQ(MaxDifference(decoded.value(), pattern_), 0);
}

TEST_F(ImageDecoderTest, WebpExifChunkOrientationIsRead) {
  // Simple lossy WebP ("RIFF" size "WEBP" "VP8 " ...) rewritten as extended WebP:
  // a VP8X header flagging EXIF, the VP8 chunk, then an EXIF chunk (bare TIFF).
  const std::vector<uint8_t> simple = ReadFileBytes(Make("plain.webp", "-strip -quality 90"));
  ASSERT_GT(simple.size(), 20u);
  ASSERT_EQ(std::string(simple.begin() + 12, simple.begin() + 16), "VP8 ");
  std::vector<uint8_t> body = {'W', 'E', 'B', 'P', 'V', 'P', '8', 'X'};
  AppendLe32(body, 10);
  body.insert(body.end(), {0x08, 0, 0, 0});  // flags: EXIF present
  for (uint32_t side : {kWidth - 1, kHeight - 1}) {
    for (int shift = 0; shift < 24; shift += 8) body.push_back(static_cast<uint8_t>(side >> shift));
  }
  body.insert(body.end(), simple.begin() + 12, simple.end());
  const std::vector<uint8_t> tiff = TiffWithOrientation(3);
  body.insert(body.end(), {'E', 'X', 'I', 'F'});
  AppendLe32(body, static_cast<uint32_t>(tiff.size()));
  body.insert(body.end(), tiff.begin(), tiff.end());  // even length: no padding byte
  std::vector<uint8_t> webp = {'R', 'I', 'F', 'F'};
  AppendLe32(webp, static_cast<uint32_t>(body.size()));
  webp.insert(webp.end(), body.begin(), body.end());

  auto decoded = DecodeImage(webp.data(), webp.size());
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->format, ImageFormat::kWebp);
  EXPECT_EQ(decoded->orientation, 3);
  auto plain = DecodeImage(simple.data(), simple.size());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->orientation, 1);
  EXPECT_EQ(decoded->pixels, plain->pixels);
}

TEST(ImageDecoderSharedData, ReferenceExifFilesCarryTheirOrientation) {
  const std::string dir =
      std::string(VIGIL_TESTDATA) + "/pdq/images-and-lists/reg-test-input/exif-rotn/";
  for (int orientation : {1, 3, 6, 8}) {
    const std::string path = dir + "exif-rotn-" + std::to_string(orientation) + ".jpg";
    auto decoded = DecodeImageFile(path);
    ASSERT_TRUE(decoded.ok()) << path << ": " << decoded.status().message();
    EXPECT_EQ(decoded->orientation, orientation) << path;
    EXPECT_EQ(decoded->width, 4032u) << path;
    EXPECT_EQ(decoded->height, 3024u) << path;
  }
}

}  // namespace
}  // namespace vigil::decode::testing
