// Items whose bytes and pixels live in the host's shared regions reach a worker as
// descriptors, not copies: the worker's answer equals the in-process one, it follows
// the host refilling a region for the next item, and it keeps one mapping per region
// instead of mapping per call.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "isolation/plugin_trust.h"
#include "isolation/shared_media_pool.h"
#include "isolation/worker_analyzer.h"
#include "loader/plugin_library.h"

namespace vigil::isolation {
namespace {
namespace fs = std::filesystem;

constexpr uint32_t kWidth = 320, kHeight = 200, kStride = kWidth * 3;
constexpr size_t kPixelBytes = size_t{kStride} * kHeight;
constexpr size_t kFileBytes = 200000;  // over the inline limit

fs::path FirstPartyPlugin(const std::string& file) {
  fs::path path = fs::path(VIGIL_PLUGIN_DIR) / file;
  EXPECT_TRUE(fs::exists(path)) << "missing " << path << ": build the plugins first";
  return path;
}

std::unique_ptr<host::Analyzer> InProcess(const std::string& file) {
  auto library = host::PluginLibrary::Open(FirstPartyPlugin(file));
  EXPECT_TRUE(library.ok()) << library.status().message();
  if (!library.ok()) return nullptr;
  auto instance = library.value()->Detectors()[0].Create({});
  EXPECT_TRUE(instance.ok()) << instance.status().message();
  return instance.ok() ? std::move(instance).value() : nullptr;
}

std::unique_ptr<WorkerAnalyzer> OutOfProcess(const std::string& file, const std::string& id) {
  auto plugin = OpenVerifiedPlugin(FirstPartyPlugin(file), TrustStore(), {false, true});
  EXPECT_TRUE(plugin.ok()) << plugin.status().message();
  if (!plugin.ok()) return nullptr;
  vigil::v1::DetectorInfo info;
  info.set_id(id);
  SupervisionOptions options;
  options.worker.worker_exe = VIGIL_WORKER_PATH;
  options.max_workers = 1;
  auto analyzer =
      WorkerAnalyzer::Create(std::make_shared<VerifiedPlugin>(std::move(plugin).value()), info,
                             vigil::v1::DetectorConfig(), options, nullptr);
  EXPECT_TRUE(analyzer.ok()) << analyzer.status().message();
  return analyzer.ok() ? std::move(analyzer).value() : nullptr;
}

// Signals as "name=value" lines: what must agree between the two ways of running.
std::string Signals(const host::AnalyzeOutcome& outcome) {
  EXPECT_TRUE(outcome.status.ok()) << outcome.status.message();
  std::string out;
  for (const auto& s : outcome.result.signals()) out += s.type() + "=" + s.value() + "\n";
  EXPECT_FALSE(out.empty());
  return out;
}

void Fill(uint8_t* data, size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<uint8_t>(rng() >> 24);
}

// Regions of this worker's address space backed by the host's media memfds.
int MappedMediaRegions(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  int count = 0;
  for (std::string line; std::getline(maps, line);) {
    if (line.find("memfd:vigil-media") != std::string::npos) ++count;
  }
  return count;
}

struct SharedItem {
  std::shared_ptr<SharedRegion> bytes, pixels;
  vigil_image_view_t image{};
  vigil_item_view_t view{};

  SharedItem(SharedMediaPool& pool, uint32_t seed) {
    auto b = pool.Acquire(kFileBytes);
    auto p = pool.Acquire(kPixelBytes);
    EXPECT_TRUE(b.ok() && p.ok());
    bytes = std::move(b).value();
    pixels = std::move(p).value();
    Fill(bytes->data(), kFileBytes, seed);
    Fill(pixels->data(), kPixelBytes, seed + 1);
    image = {sizeof(image), kWidth, kHeight, kStride, VIGIL_PIXEL_RGB8, 1, pixels->data()};
    view.struct_size = sizeof(view);
    view.media_kind = VIGIL_MEDIA_IMAGE;
    view.bytes = bytes->data();
    view.bytes_size = kFileBytes;
    view.image = &image;
  }
};

TEST(SharedMedia, WorkersReadSharedRegionsAsTheHostSeesThem) {
  SharedMediaPool pool;
  auto pdq_here = InProcess("vigil-pdq.so");
  auto exact_here = InProcess("vigil-exact.so");
  auto pdq_there = OutOfProcess("vigil-pdq.so", "vigil.pdq");
  auto exact_there = OutOfProcess("vigil-exact.so", "vigil.exact");
  ASSERT_TRUE(pdq_here && exact_here && pdq_there && exact_there);

  std::string previous_pdq;
  for (uint32_t round = 0; round < 6; ++round) {
    // A new item each round, in recycled regions (the pool hands the same ones back).
    SharedItem item(pool, 100 + round);
    SharedLocation at;
    ASSERT_TRUE(SharedMediaPool::Locate(item.view.bytes, kFileBytes, &at));
    const std::string pdq = Signals(pdq_here->Analyze(item.view));
    EXPECT_NE(pdq, previous_pdq) << "round " << round << ": the images should differ";
    previous_pdq = pdq;
    EXPECT_EQ(Signals(pdq_there->Analyze(item.view)), pdq) << "round " << round;
    EXPECT_EQ(Signals(exact_there->Analyze(item.view)), Signals(exact_here->Analyze(item.view)))
        << "round " << round;
  }
  EXPECT_EQ(pool.regions_created(), 2) << "regions were not recycled";
  // Each worker mapped the two regions once, not once per call.
  EXPECT_EQ(MappedMediaRegions(pdq_there->any_worker_pid()), 2);
  EXPECT_EQ(MappedMediaRegions(exact_there->any_worker_pid()), 2);
}

TEST(SharedMedia, HeapItemsAreStillCopiedAndGiveTheSameAnswer) {
  SharedMediaPool pool;
  SharedItem shared(pool, 7);
  std::vector<uint8_t> bytes(shared.bytes->data(), shared.bytes->data() + kFileBytes);
  std::vector<uint8_t> pixels(shared.pixels->data(), shared.pixels->data() + kPixelBytes);
  vigil_image_view_t image = shared.image;
  image.pixels = pixels.data();
  vigil_item_view_t heap = shared.view;
  heap.bytes = bytes.data();
  heap.image = &image;
  auto pdq = OutOfProcess("vigil-pdq.so", "vigil.pdq");
  auto exact = OutOfProcess("vigil-exact.so", "vigil.exact");
  ASSERT_TRUE(pdq && exact);
  EXPECT_EQ(Signals(pdq->Analyze(heap)), Signals(pdq->Analyze(shared.view)));
  EXPECT_EQ(Signals(exact->Analyze(heap)), Signals(exact->Analyze(shared.view)));
  // Mixed: bytes shared, pixels on the heap (two descriptors of different kinds).
  vigil_item_view_t mixed = shared.view;
  mixed.image = &image;
  EXPECT_EQ(Signals(pdq->Analyze(mixed)), Signals(pdq->Analyze(shared.view)));
}

}  // namespace
}  // namespace vigil::isolation
