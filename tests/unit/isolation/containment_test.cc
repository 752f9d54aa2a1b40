// Every hostile plugin is contained: the item fails for that detector with a reason a
// person can act on, the host keeps running, and the next item is analysed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "isolation/isolation_runtime.h"
#include "isolation/plugin_trust.h"
#include "isolation/worker_analyzer.h"
#include "loader/plugin_registry.h"

namespace vigil::isolation {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

fs::path HostilePlugin(const std::string& name) {
  fs::path path = fs::path(VIGIL_TEST_PLUGIN_DIR) / "hostile" / ("hostile-" + name + ".so");
  EXPECT_TRUE(fs::exists(path)) << "missing " << path << ": build vigil_hostile_plugins";
  return path;
}

SupervisionOptions TestOptions() {
  SupervisionOptions options;
  options.worker.worker_exe = VIGIL_WORKER_PATH;
  options.worker.limits.address_space_bytes = 1ull << 30;
  options.max_deadline = std::chrono::milliseconds(1000);
  options.max_workers = 1;
  return options;
}

vigil_item_view_t Item(const std::string& bytes) {
  vigil_item_view_t view{};
  view.struct_size = sizeof(view);
  view.media_kind = VIGIL_MEDIA_BINARY;
  view.bytes = reinterpret_cast<const uint8_t*>(bytes.data());
  view.bytes_size = bytes.size();
  return view;
}

class Contained : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-iso-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<WorkerAnalyzer> Start(const std::string& name,
                                        std::shared_ptr<QuarantineBook> book = nullptr) {
    auto plugin = OpenVerifiedPlugin(HostilePlugin(name), TrustStore(), {false, true});
    EXPECT_TRUE(plugin.ok()) << plugin.status().message();
    if (!plugin.ok()) return nullptr;
    vigil::v1::DetectorInfo info;
    info.set_id("hostile." + name);
    info.mutable_cost()->set_max_ms(1000);
    if (!book)
      book = std::make_shared<QuarantineBook>(fs::path(),
                                              QuarantineRule{100, std::chrono::seconds(600)});
    auto analyzer =
        WorkerAnalyzer::Create(std::make_shared<VerifiedPlugin>(std::move(plugin).value()), info,
                               vigil::v1::DetectorConfig(), TestOptions(), book);
    EXPECT_TRUE(analyzer.ok()) << analyzer.status().message();
    return analyzer.ok() ? std::move(analyzer).value() : nullptr;
  }

  // The attack fails with `reason`; then a benign item still gets its answer.
  void ExpectContained(const std::string& name, const std::string& attack,
                       const std::string& reason) {
    auto analyzer = Start(name);
    ASSERT_NE(analyzer, nullptr);
    host::AnalyzeOutcome attacked = analyzer->Analyze(Item(attack));
    EXPECT_FALSE(attacked.status.ok()) << name << " escaped the sandbox";
    EXPECT_THAT(attacked.status.message(), HasSubstr(reason)) << name;
    host::AnalyzeOutcome next = analyzer->Analyze(Item("benign item"));
    ASSERT_TRUE(next.status.ok()) << next.status.message();
    ASSERT_EQ(next.result.signals_size(), 1);
    EXPECT_EQ(next.result.signals(0).value(), "11");
  }

  fs::path dir_;
};

TEST_F(Contained, Segfault) { ExpectContained("segfault", "attack", "SIGSEGV"); }
TEST_F(Contained, Abort) { ExpectContained("abort", "attack", "SIGABRT"); }
TEST_F(Contained, InfiniteLoopHitsTheDeadline) {
  ExpectContained("loop", "attack", "deadline of 1000 ms");
}
TEST_F(Contained, TenGigabyteAllocationIsRefused) {
  ExpectContained("alloc-10g", "attack", "a 10 GB allocation failed");
}
TEST_F(Contained, ForkKillsTheWorker) { ExpectContained("fork", "attack", "SIGSYS"); }
TEST_F(Contained, SocketKillsTheWorker) { ExpectContained("socket", "attack", "SIGSYS"); }
TEST_F(Contained, ExecveKillsTheWorker) { ExpectContained("execve", "attack", "SIGSYS"); }
TEST_F(Contained, StackOverflow) { ExpectContained("stack", "attack", "SIGSEGV"); }
TEST_F(Contained, OneGigabyteToTheSink) {
  ExpectContained("sink-1g", "attack", "tried to write more than");
}

TEST_F(Contained, WritingTmpXIsDenied) {
  struct stat before {};
  const bool existed = ::stat("/tmp/x", &before) == 0;
  ExpectContained("write-file", "attack:/tmp/x", "opening the file for writing failed");
  struct stat after {};
  if (existed) {
    ASSERT_EQ(::stat("/tmp/x", &after), 0);
    EXPECT_EQ(after.st_size, before.st_size) << "/tmp/x was written";
  } else {
    EXPECT_NE(::stat("/tmp/x", &after), 0) << "/tmp/x was created";
  }
}

TEST_F(Contained, WritingTheStoreIsDenied) {
  const fs::path store = dir_ / "store.db";
  { std::ofstream(store) << "evidence"; }
  ExpectContained("write-file", "attack:" + store.string(), "Permission denied");
  EXPECT_EQ(fs::file_size(store), 8u);
}

TEST_F(Contained, ReadingTheStoreIsDenied) {
  const fs::path store = dir_ / "store.db";
  { std::ofstream(store) << "evidence"; }
  ::chmod(store.c_str(), 0644);
  ExpectContained("read-file", "attack:" + store.string(),
                  "opening the file for reading failed: Permission denied");
}

TEST_F(Contained, WorkersAreReusedAndRestarted) {
  auto analyzer = Start("segfault");
  ASSERT_NE(analyzer, nullptr);
  ASSERT_TRUE(analyzer->Analyze(Item("one")).status.ok());
  const pid_t first = analyzer->any_worker_pid();
  ASSERT_TRUE(analyzer->Analyze(Item("two")).status.ok());
  EXPECT_EQ(analyzer->any_worker_pid(), first);
  EXPECT_EQ(analyzer->workers_started(), 1);
  EXPECT_FALSE(analyzer->Analyze(Item("attack")).status.ok());
  // The crash killed the pooled worker; the retry ran on a fresh one, which crashed too.
  EXPECT_EQ(analyzer->workers_started(), 2);
  EXPECT_EQ(analyzer->any_worker_pid(), -1);
  // The next item gets a new worker.
  EXPECT_TRUE(analyzer->Analyze(Item("three")).status.ok());
  EXPECT_EQ(analyzer->workers_started(), 3);
}

TEST_F(Contained, RepeatedFailuresQuarantineThePlugin) {
  const fs::path file = dir_ / "health.json";
  auto book = std::make_shared<QuarantineBook>(file, QuarantineRule{2, std::chrono::seconds(600)});
  auto analyzer = Start("abort", book);
  ASSERT_NE(analyzer, nullptr);
  host::AnalyzeOutcome attacked = analyzer->Analyze(Item("attack"));
  EXPECT_FALSE(attacked.status.ok());
  host::AnalyzeOutcome next = analyzer->Analyze(Item("benign"));
  EXPECT_FALSE(next.status.ok()) << "a quarantined plugin must not mark items clean";
  EXPECT_THAT(next.status.message(), HasSubstr("quarantined"));
  // Another process (plugins list, the console) sees the same state.
  QuarantineBook reread(file, QuarantineRule{2, std::chrono::seconds(600)});
  bool any = false;
  auto plugin = OpenVerifiedPlugin(HostilePlugin("abort"), TrustStore(), {false, true});
  ASSERT_TRUE(plugin.ok());
  any = reread.IsQuarantined(plugin->sha256);
  EXPECT_TRUE(any);
  EXPECT_THAT(reread.Health(plugin->sha256).last_reason, HasSubstr("SIGABRT"));
}

TEST_F(Contained, RuntimeDescribesVendorPluginsInAWorker) {
  HostConfig config;
  config.supervision = TestOptions();
  config.trust_dir = dir_ / "keys";
  RuntimeFlags flags;
  flags.developer_mode = true;  // the hostile plugins are unsigned
  auto runtime = IsolationRuntime::Create(config, flags);
  ASSERT_TRUE(runtime.ok()) << runtime.status().message();
  host::PluginRegistry registry;
  registry.SetFileLoader(runtime.value()->FileLoader());
  registry.Load(HostilePlugin("segfault"));
  ASSERT_TRUE(registry.errors().empty()) << registry.errors()[0].status.message();
  ASSERT_EQ(registry.detectors().size(), 1u);
  const host::Detector& detector = registry.detectors()[0];
  EXPECT_EQ(detector.id(), "hostile.segfault");
  EXPECT_FALSE(detector.in_process()) << "vendor code must not be loaded in the host";
  EXPECT_EQ(detector.info().cost().max_ms(), 1000u);
  EXPECT_TRUE(registry.plugins().empty());
  auto analyzer = runtime.value()->AnalyzerFactory()(detector, vigil::v1::DetectorConfig());
  ASSERT_TRUE(analyzer.ok()) << analyzer.status().message();
  EXPECT_TRUE(analyzer.value()->Analyze(Item("fine")).status.ok());
  EXPECT_FALSE(analyzer.value()->Analyze(Item("attack")).status.ok());
}

TEST_F(Contained, UnsignedVendorPluginsAreRefused) {
  HostConfig config;
  config.supervision = TestOptions();
  config.trust_dir = dir_ / "keys";
  auto runtime = IsolationRuntime::Create(config, RuntimeFlags());
  ASSERT_TRUE(runtime.ok());
  host::PluginRegistry registry;
  registry.SetFileLoader(runtime.value()->FileLoader());
  registry.Load(HostilePlugin("segfault"));
  ASSERT_EQ(registry.errors().size(), 1u);
  EXPECT_THAT(registry.errors()[0].status.message(), HasSubstr("unsigned"));
  EXPECT_TRUE(registry.detectors().empty());
}

TEST_F(Contained, ImagesTravelThroughTheMemfd) {
  auto analyzer = Start("segfault");
  ASSERT_NE(analyzer, nullptr);
  std::vector<uint8_t> pixels(64 * 3 * 32, 7);
  vigil_image_view_t image{sizeof(vigil_image_view_t), 64, 32,           64 * 3,
                           VIGIL_PIXEL_RGB8,           1,  pixels.data()};
  std::string bytes(100000, 'b');  // over the inline limit: also in the memfd
  vigil_item_view_t view = Item(bytes);
  view.image = &image;
  host::AnalyzeOutcome outcome = analyzer->Analyze(view);
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.message();
  EXPECT_EQ(outcome.result.signals(0).value(), "100000");
  // A malformed image (stride too small) is refused by the worker, not read past.
  vigil_image_view_t bad = image;
  bad.stride = 10;
  view.image = &bad;
  EXPECT_FALSE(analyzer->Analyze(view).status.ok());
}

}  // namespace
}  // namespace vigil::isolation
