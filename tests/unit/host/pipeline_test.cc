// The pipeline: decode once, every accepting detector, failures never clean, bounded and
// complete whatever the thread count.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include <zlib.h>

#include "loader/plugin_registry.h"
#include "pipeline/pipeline.h"
#include "scan/scan_json.h"

namespace vigil::host {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigil-pipeline-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    registry_.Load(fs::path(VIGIL_PLUGIN_DIR) / "vigil-exact.so");
    registry_.Load(fs::path(VIGIL_PLUGIN_DIR) / "sample-magic-cpp.so");
    ASSERT_EQ(registry_.detectors().size(), 2u);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<ItemRecord> RunAll(std::vector<IntakeItem> items, PipelineOptions options = {}) {
    auto pipeline = Pipeline::Create(registry_.detectors(), {}, options);
    EXPECT_TRUE(pipeline.ok());
    std::vector<ItemRecord> out;
    Status s = pipeline.value()->Run(std::move(items), [&](ItemRecord& r) {
      out.push_back(r);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return out;
  }

  fs::path Write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return dir_ / name;
  }

  fs::path dir_;
  PluginRegistry registry_;
};

TEST_F(PipelineTest, EveryItemOnceWithEveryAcceptingDetectorAtAnyThreadCount) {
  std::vector<fs::path> paths;
  for (int i = 0; i < 300; ++i) paths.push_back(Write("f" + std::to_string(i), "item " + std::to_string(i)));
  for (int threads : {1, 2, 8}) {
    PipelineOptions options;
    options.threads = threads;
    options.max_in_flight = 3;  // small, to exercise backpressure
    auto records = RunAll(ItemsFromPaths({dir_}), options);
    ASSERT_EQ(records.size(), 300u) << threads << " threads";
    std::set<std::string> seen;
    for (const auto& r : records) {
      EXPECT_TRUE(seen.insert(r.path).second) << "written twice: " << r.path;
      ASSERT_EQ(r.runs.size(), 2u);
      EXPECT_EQ(r.runs[0].detector, "vigil.exact");
      EXPECT_EQ(r.runs[1].detector, "sample.magic");
      EXPECT_TRUE(r.runs[0].status.ok());
    }
  }
}

TEST_F(PipelineTest, ImagesAreDecodedOnceAndDescribed) {
  const fs::path png = fs::path(VIGIL_TESTDATA) / "pdq" / "synthetic" / "r_64x64.png";
  ASSERT_TRUE(fs::exists(png)) << "shared test data is missing: " << png;
  auto records = RunAll(ItemsFromPaths({png}));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].media_kind, "image");
  EXPECT_EQ(records[0].format, "png");
  EXPECT_EQ(records[0].width, 64u);
  EXPECT_EQ(records[0].height, 64u);
}

TEST_F(PipelineTest, CorruptTruncatedEmptyAndMissingFilesFailWithReasons) {
  const fs::path png = fs::path(VIGIL_TESTDATA) / "pdq" / "synthetic" / "r_64x64.png";
  std::ifstream in(png, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 100u);
  Write("truncated.png", bytes.substr(0, bytes.size() / 2));
  std::string corrupt = bytes;
  for (size_t i = 60; i < corrupt.size(); i += 7) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  Write("corrupt.png", corrupt);
  Write("empty.jpg", "");
  // A PNG header claiming 100000 x 100000 pixels: refused from the header, not allocated.
  std::string bomb = bytes;
  const unsigned char dims[8] = {0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0};
  bomb.replace(16, 8, reinterpret_cast<const char*>(dims), 8);
  const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(bomb.data() + 12), 17);  // IHDR type+data
  for (int i = 0; i < 4; ++i) bomb[29 + i] = static_cast<char>((crc >> (24 - 8 * i)) & 0xff);
  Write("bomb.png", bomb);
  Write("photo.jpg", "this is text with an image's name");

  auto records = RunAll(ItemsFromPaths({dir_ / "truncated.png", dir_ / "corrupt.png",
                                        dir_ / "empty.jpg", dir_ / "bomb.png",
                                        dir_ / "photo.jpg", dir_ / "missing.png"}));
  ASSERT_EQ(records.size(), 6u);
  std::map<std::string, ItemRecord> by_name;
  for (auto& r : records) by_name[fs::path(r.path).filename().string()] = r;
  for (const char* name : {"truncated.png", "corrupt.png", "bomb.png", "missing.png"}) {
    EXPECT_TRUE(by_name[name].failed()) << name;
    EXPECT_FALSE(by_name[name].status.message().empty()) << name;
  }
  EXPECT_THAT(by_name["bomb.png"].status.message(), HasSubstr("100000"));
  // Exact hashes are still computed for an image that does not decode.
  ASSERT_FALSE(by_name["truncated.png"].runs.empty());
  EXPECT_EQ(by_name["truncated.png"].runs[0].detector, "vigil.exact");
  // Named as images but not images (issue 12): failed with the claim and the reason,
  // never clear, and still offered as bytes to the exact hashes. (sample.magic refuses
  // empty items, so empty.jpg also fails for that detector, with its reason.)
  EXPECT_TRUE(by_name["empty.jpg"].runs[0].status.ok());
  EXPECT_THAT(by_name["empty.jpg"].runs[1].status.message(), HasSubstr("item has no bytes"));
  EXPECT_THAT(by_name["empty.jpg"].status.message(),
              HasSubstr("declared jpeg by extension (.jpg); not decodable"));
  EXPECT_TRUE(by_name["photo.jpg"].failed());
  EXPECT_THAT(by_name["photo.jpg"].status.message(),
              HasSubstr("declared jpeg by extension (.jpg); not decodable"));
  EXPECT_EQ(by_name["photo.jpg"].media_kind, "binary");
  ASSERT_FALSE(by_name["photo.jpg"].runs.empty());
  EXPECT_EQ(by_name["photo.jpg"].runs[0].detector, "vigil.exact");
  EXPECT_TRUE(by_name["photo.jpg"].runs[0].status.ok());
}


// Heap memory standing in for the host's shared regions; filled with junk first would
// break the zero-fill contract, so it is zeroed like the real pool.
class TestStorage : public decode::PixelStorage {
 public:
  explicit TestStorage(size_t bytes) : bytes_(bytes, 0) {}
  uint8_t* data() override { return bytes_.data(); }

 private:
  std::vector<uint8_t> bytes_;
};

TEST_F(PipelineTest, MediaInCallerStorageGivesTheSameRecords) {
  const fs::path png = fs::path(VIGIL_TESTDATA) / "pdq" / "synthetic" / "r_64x64.png";
  ASSERT_TRUE(fs::exists(png)) << "shared test data is missing: " << png;
  std::ifstream in(png, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Write("truncated.png", bytes.substr(0, bytes.size() / 2));
  Write("empty.bin", "");
  Write("text.txt", std::string(100000, 't'));
  const std::vector<fs::path> paths = {png, dir_ / "truncated.png", dir_ / "empty.bin",
                                       dir_ / "text.txt", dir_ / "missing.png"};
  std::atomic<int> asked{0};
  PipelineOptions options;
  options.threads = 2;
  options.limits.media_storage =
      [&](size_t size) -> StatusOr<std::shared_ptr<decode::PixelStorage>> {
        ++asked;
        return std::shared_ptr<decode::PixelStorage>(std::make_shared<TestStorage>(size));
      };
  auto shared = RunAll(ItemsFromPaths(paths), options);
  auto heap = RunAll(ItemsFromPaths(paths));
  // Bytes of the three non-empty files, plus pixels for both PNGs (the truncated one
  // fails after its header asked for them).
  EXPECT_EQ(asked.load(), 5);
  ASSERT_EQ(shared.size(), heap.size());
  auto by_path = [](std::vector<ItemRecord>& records) {
    std::map<std::string, ItemRecord*> out;
    for (auto& r : records) out[r.path] = &r;
    return out;
  };
  auto a = by_path(shared), b = by_path(heap);
  for (const auto& [path, record] : b) {
    ASSERT_TRUE(a.count(path)) << path;
    const ItemRecord& got = *a[path];
    EXPECT_EQ(got.sha256, record->sha256) << path;
    EXPECT_EQ(got.media_kind, record->media_kind) << path;
    EXPECT_EQ(got.status.message(), record->status.message()) << path;
    ASSERT_EQ(got.runs.size(), record->runs.size()) << path;
    for (size_t i = 0; i < got.runs.size(); ++i) {
      EXPECT_EQ(got.runs[i].status.message(), record->runs[i].status.message()) << path;
      EXPECT_EQ(got.runs[i].result.SerializeAsString(), record->runs[i].result.SerializeAsString())
          << path << " " << got.runs[i].detector;
    }
  }
}

TEST_F(PipelineTest, StorageThatFailsFailsTheItemNotTheScan) {
  PipelineOptions options;
  options.limits.media_storage = [](size_t) -> StatusOr<std::shared_ptr<decode::PixelStorage>> {
    return Status::Resource("shared memory exhausted");
  };
  auto records = RunAll(ItemsFromPaths({Write("a.bin", "some bytes"), Write("b.bin", "more")}),
                        options);
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) {
    EXPECT_TRUE(r.failed()) << r.path;
    EXPECT_THAT(r.status.message(), HasSubstr("shared memory exhausted"));
  }
}

TEST_F(PipelineTest, DetectorErrorMarksTheItemFailedForThatDetector) {
  PluginRegistry registry;
  registry.Load(fs::path(VIGIL_TEST_PLUGIN_DIR) / "test-no-reason.so");
  registry.Load(fs::path(VIGIL_PLUGIN_DIR) / "vigil-exact.so");
  ASSERT_EQ(registry.detectors().size(), 2u);
  auto pipeline = Pipeline::Create(registry.detectors(), {}, {});
  ASSERT_TRUE(pipeline.ok());
  std::vector<ItemRecord> out;
  ASSERT_TRUE(pipeline.value()->Run(ItemsFromPaths({Write("x.bin", "abc")}), [&](ItemRecord& r) {
    out.push_back(r);
    return Status::Ok();
  }).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].failed());
  auto json = ItemRecordToJson(out[0]);
  EXPECT_EQ(json["status"], "failed");
  EXPECT_TRUE(json["detector_errors"].contains("test.ok"));
  EXPECT_EQ(json["signals"].size(), 3u) << "the working detector's results are kept";
}

// Issue 17 items 3 and 5: instances with their own run ids (one plugin twice) and shadows.
// A failing shadow's run goes to shadow_runs and fails nothing; production's runs are
// exactly those of the other detectors.
TEST_F(PipelineTest, AShadowsRunsAreKeptApartAndItsFailureFailsNothing) {
  PluginRegistry registry;
  registry.Load(fs::path(VIGIL_TEST_PLUGIN_DIR) / "test-no-reason.so");
  registry.Load(fs::path(VIGIL_PLUGIN_DIR) / "vigil-exact.so");
  ASSERT_EQ(registry.detectors().size(), 2u);
  std::vector<PipelineInstance> instances;
  for (const Detector& detector : registry.detectors()) {
    PipelineInstance instance(detector);
    instance.shadow = detector.id() == "test.ok";
    instances.push_back(instance);
  }
  // vigil.exact a second time under a run id of its own.
  PipelineInstance twice(*registry.Find("vigil.exact"));
  twice.run_id = "vigil.exact[again]";
  instances.push_back(twice);
  auto pipeline = Pipeline::Create(instances, {});
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().message();
  std::vector<ItemRecord> out;
  ASSERT_TRUE(pipeline.value()
                  ->Run(ItemsFromPaths({Write("x.bin", "abc")}),
                        [&](ItemRecord& r) {
                          out.push_back(r);
                          return Status::Ok();
                        })
                  .ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].failed()) << "the shadow failed, not the item";
  ASSERT_EQ(out[0].runs.size(), 2u);
  EXPECT_EQ(out[0].runs[0].detector, "vigil.exact");
  EXPECT_EQ(out[0].runs[1].detector, "vigil.exact[again]");
  EXPECT_TRUE(out[0].runs[1].status.ok());
  ASSERT_EQ(out[0].shadow_runs.size(), 1u);
  EXPECT_EQ(out[0].shadow_runs[0].detector, "test.ok");
  EXPECT_FALSE(out[0].shadow_runs[0].status.ok());
  EXPECT_EQ(ItemRecordToJson(out[0])["status"], "ok");

  // Two instances with one run id are refused.
  instances.push_back(PipelineInstance(*registry.Find("vigil.exact")));
  auto duplicate = Pipeline::Create(instances, {});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_THAT(duplicate.status().message(), HasSubstr("'vigil.exact' is named twice"));
}

TEST_F(PipelineTest, WriterErrorStopsTheRun) {
  for (int i = 0; i < 20; ++i) Write("g" + std::to_string(i), std::to_string(i));
  auto pipeline = Pipeline::Create(registry_.detectors(), {}, {});
  int written = 0;
  Status s = pipeline.value()->Run(ItemsFromPaths({dir_}), [&](ItemRecord&) {
    return ++written == 5 ? Status::IoError("disk full") : Status::Ok();
  });
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_EQ(written, 5);
}

TEST_F(PipelineTest, ADetectorPastItsDeadlineFailsTheItem) {
  PipelineOptions options;
  options.detector_deadline = std::chrono::milliseconds(0);
  auto records = RunAll(ItemsFromPaths({Write("slow.bin", std::string(1 << 20, 'x'))}), options);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_TRUE(records[0].failed());
  EXPECT_THAT(records[0].runs[0].status.message(), HasSubstr("over its deadline"));
}

}  // namespace
}  // namespace vigil::host
