// Scanning: path expansion, per-item records, and the JSON line of the CLI contract.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>

#include "loader/plugin_registry.h"
#include "scan/media_sniff.h"
#include "scan/scan_json.h"
#include "scan/scanner.h"

namespace vigil::host {
namespace {

namespace fs = std::filesystem;

class ScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigil-scan-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "sub");
    std::ofstream(dir_ / "b.txt") << "abc";
    std::ofstream(dir_ / "sub" / "a.bin") << "";
    registry_.Load(fs::path(VIGIL_PLUGIN_DIR) / "vigil-exact.so");
    ASSERT_EQ(registry_.detectors().size(), 1u);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  PluginRegistry registry_;
};

TEST_F(ScanTest, ExpandsDirectoriesRecursivelyInOrderAndReportsMissingPaths) {
  ExpandedPaths expanded = ExpandPaths({dir_, dir_ / "missing.jpg"});
  ASSERT_EQ(expanded.files.size(), 2u);
  EXPECT_EQ(expanded.files[0], dir_ / "b.txt");
  EXPECT_EQ(expanded.files[1], dir_ / "sub" / "a.bin");
  ASSERT_EQ(expanded.failures.size(), 1u);
  EXPECT_EQ(expanded.failures[0].status.code(), Status::Code::kNotFound);
}

TEST_F(ScanTest, RecordsDigestsAndEmitsTheContractJson) {
  auto scanner = Scanner::Create(registry_.detectors());
  ASSERT_TRUE(scanner.ok());
  ItemRecord record = scanner.value()->ScanFile(dir_ / "b.txt");
  ASSERT_TRUE(record.status.ok());
  EXPECT_EQ(record.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto json = ItemRecordToJson(record);
  EXPECT_EQ(json["item"], (dir_ / "b.txt").string());
  EXPECT_EQ(json["status"], "ok");
  EXPECT_TRUE(json["error"].is_null());
  ASSERT_EQ(json["signals"].size(), 3u);
  EXPECT_EQ(json["signals"][0]["type"], "md5");
  EXPECT_EQ(json["signals"][0]["value"], "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_TRUE(json["detections"].is_array());
}

TEST_F(ScanTest, EmptyFileIsAnItemToo) {
  auto scanner = Scanner::Create(registry_.detectors());
  ASSERT_TRUE(scanner.ok());
  ItemRecord record = scanner.value()->ScanFile(dir_ / "sub" / "a.bin");
  auto json = ItemRecordToJson(record);
  EXPECT_EQ(json["status"], "ok");
  EXPECT_EQ(json["signals"][0]["value"], "d41d8cd98f00b204e9800998ecf8427e");
}

TEST_F(ScanTest, OversizedAndUnreadableFilesFailWithAReason) {
  ScanLimits limits;
  limits.max_file_bytes = 2;
  auto scanner = Scanner::Create(registry_.detectors(), limits);
  ASSERT_TRUE(scanner.ok());
  auto too_big = ItemRecordToJson(scanner.value()->ScanFile(dir_ / "b.txt"));
  EXPECT_EQ(too_big["status"], "failed");
  EXPECT_THAT(too_big["error"].get<std::string>(), ::testing::HasSubstr("over the limit of 2"));
  auto missing = ItemRecordToJson(scanner.value()->ScanFile(dir_ / "nope"));
  EXPECT_EQ(missing["status"], "failed");
  EXPECT_TRUE(missing["sha256"].is_null());
}

TEST(MediaSniffTest, ByContentNotName) {
  using namespace std::string_view_literals;
  EXPECT_EQ(SniffMediaKind("\xFF\xD8\xFF\xE0"sv), VIGIL_MEDIA_IMAGE);
  EXPECT_EQ(SniffMediaKind("\x89PNG\r\n\x1A\n...."sv), VIGIL_MEDIA_IMAGE);
  EXPECT_EQ(SniffMediaKind("RIFF\0\0\0\0WEBPVP8 "sv), VIGIL_MEDIA_IMAGE);
  EXPECT_EQ(SniffMediaKind("RIFF\0\0\0\0WAVEfmt "sv), VIGIL_MEDIA_BINARY);
  EXPECT_EQ(SniffMediaKind(""sv), VIGIL_MEDIA_BINARY);
  EXPECT_EQ(SniffMediaKind("\0\0\0\x18" "ftypmp42"sv), VIGIL_MEDIA_VIDEO);
}

}  // namespace
}  // namespace vigil::host
