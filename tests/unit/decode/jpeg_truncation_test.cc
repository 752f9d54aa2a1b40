// A JPEG whose scan data ends early fails with a reason, whatever follows the cut: libjpeg
// only warns and pads the missing rows or coefficients with grey, which would hash as a
// different image (issue 18, item 9). Cases: files cut at several points with an EOI
// marker appended, progressive and multi-scan sequential files that stop after a whole
// scan; the intact files still decode exactly as libjpeg itself decodes them.
#include <gtest/gtest.h>
#include <jpeglib.h>

#include <algorithm>
#include <cstdio>  // before jpeglib.h
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "decode_test_util.h"

namespace vigil::decode::testing {
namespace {

namespace fs = std::filesystem;

struct Plain {
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> pixels;
};

// libjpeg's own decode with the settings vigil_decode uses (RGB, defaults): the reference.
Plain LibjpegDecode(const std::vector<uint8_t>& bytes) {
  jpeg_decompress_struct cinfo{};
  jpeg_error_mgr err{};
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  Plain out{cinfo.output_width, cinfo.output_height, {}};
  out.pixels.resize(static_cast<size_t>(out.width) * out.height * 3);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.pixels.data() + static_cast<size_t>(cinfo.output_scanline) * out.width * 3;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return out;
}

enum class Layout { kBaseline, kProgressive, kScanPerComponent };

// The test pattern as a JPEG: one interleaved scan, libjpeg's progressive script, or a
// sequential file with one scan per component (Y, then Cb, then Cr).
std::vector<uint8_t> Encode(const Rgb& image, Layout layout) {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr err{};
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = image.width;
  cinfo.image_height = image.height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 90, TRUE);
  jpeg_scan_info scans[3];
  if (layout == Layout::kProgressive) jpeg_simple_progression(&cinfo);
  if (layout == Layout::kScanPerComponent) {
    for (int c = 0; c < 3; ++c) scans[c] = {1, {c, 0, 0, 0}, 0, 63, 0, 0};
    cinfo.scan_info = scans;
    cinfo.num_scans = 3;
  }
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(image.pixels.data()) +
                   static_cast<size_t>(cinfo.next_scanline) * image.width * 3;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::vector<uint8_t> out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

// Offsets of the SOS markers (FF DA): a 0xFF inside scan data is always followed by 00
// or an RST marker, so every FF DA is a real scan start.
std::vector<size_t> ScanStarts(const std::vector<uint8_t>& bytes) {
  std::vector<size_t> starts;
  for (size_t i = 0; i + 1 < bytes.size(); ++i) {
    if (bytes[i] == 0xFF && bytes[i + 1] == 0xDA) starts.push_back(i);
  }
  return starts;
}

std::vector<uint8_t> CutWithEoi(const std::vector<uint8_t>& bytes, size_t keep) {
  std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(keep));
  cut.push_back(0xFF);
  cut.push_back(0xD9);
  return cut;
}

struct Sample {
  std::string name;
  std::vector<uint8_t> bytes;
};

std::vector<Sample> Samples() {
  const fs::path pdq = fs::path(VIGIL_TESTDATA) / "pdq" / "images-and-lists";
  const Rgb pattern = Pattern(320, 240);
  return {
      {"shared bridge-mods/aaa-orig.jpg (baseline)",
       ReadFileBytes((pdq / "bridge-mods" / "aaa-orig.jpg").string())},
      {"shared misc-images/small.jpg (progressive)",
       ReadFileBytes((pdq / "misc-images" / "small.jpg").string())},
      {"drawn, baseline", Encode(pattern, Layout::kBaseline)},
      {"drawn, progressive", Encode(pattern, Layout::kProgressive)},
      {"drawn, one scan per component", Encode(pattern, Layout::kScanPerComponent)},
  };
}

TEST(JpegTruncationTest, IntactFilesDecodeExactlyAsLibjpegDoes) {
  ASSERT_TRUE(fs::exists(VIGIL_TESTDATA)) << "shared test data is missing: " << VIGIL_TESTDATA;
  for (const Sample& sample : Samples()) {
    ASSERT_GT(sample.bytes.size(), 1000u) << sample.name;
    auto ours = DecodeImage(sample.bytes.data(), sample.bytes.size());
    ASSERT_TRUE(ours.ok()) << sample.name << ": " << ours.status().message();
    const Plain reference = LibjpegDecode(sample.bytes);
    ASSERT_EQ(ours->width, reference.width) << sample.name;
    ASSERT_EQ(ours->height, reference.height) << sample.name;
    const std::vector<uint8_t> pixels(ours->pixel_data(), ours->pixel_data() + ours->pixel_bytes());
    EXPECT_TRUE(pixels == reference.pixels) << sample.name << ": pixels differ";
  }
}

TEST(JpegTruncationTest, ScanDataCutShortWithAnEoiAppendedFails) {
  for (const Sample& sample : Samples()) {
    const std::vector<size_t> scans = ScanStarts(sample.bytes);
    ASSERT_FALSE(scans.empty()) << sample.name;
    for (double fraction : {0.3, 0.5, 0.7, 0.9, 0.98}) {
      // Inside the scan data (after the first SOS), as a truncated upload would be.
      const size_t keep =
          std::max(scans.front() + 20, static_cast<size_t>(fraction * sample.bytes.size()));
      ASSERT_LT(keep, sample.bytes.size() - 2) << sample.name;
      const std::vector<uint8_t> cut = CutWithEoi(sample.bytes, keep);
      auto r = DecodeImage(cut.data(), cut.size());
      ASSERT_FALSE(r.ok()) << sample.name << " cut to " << keep << " of " << sample.bytes.size()
                           << " bytes + EOI decoded as ok";
      EXPECT_EQ(r.status().code(), Status::Code::kCorruption) << r.status().message();
      EXPECT_NE(r.status().message().find("truncated JPEG"), std::string::npos)
          << r.status().message();
    }
  }
}

TEST(JpegTruncationTest, FilesEndingAfterAWholeScanFail) {
  for (const Sample& sample : Samples()) {
    const std::vector<size_t> scans = ScanStarts(sample.bytes);
    // Stop right before each later scan: every scan read so far is whole.
    for (size_t i = 1; i < scans.size(); ++i) {
      const std::vector<uint8_t> cut = CutWithEoi(sample.bytes, scans[i]);
      auto r = DecodeImage(cut.data(), cut.size());
      ASSERT_FALSE(r.ok()) << sample.name << ": only " << i << " of " << scans.size()
                           << " scans decoded as ok";
      EXPECT_EQ(r.status().code(), Status::Code::kCorruption) << r.status().message();
      EXPECT_NE(r.status().message().find("truncated JPEG"), std::string::npos)
          << r.status().message();
    }
  }
}

// The multi-scan samples really have several scans, so the case above is not empty.
TEST(JpegTruncationTest, SamplesCoverMultiScanFiles) {
  size_t multi = 0;
  for (const Sample& sample : Samples()) multi += ScanStarts(sample.bytes).size() > 1;
  EXPECT_EQ(multi, 3u);
}

}  // namespace
}  // namespace vigil::decode::testing
