// The loader refuses or survives every deliberately broken plugin with a clear message,
// and loads well-formed ones, including two that share the vigil.v1 message library.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "loader/plugin_library.h"
#include "loader/plugin_registry.h"
#include "test_paths.h"
#include "vigil/v1/item.pb.h"

namespace vigil::host {
namespace {

using ::testing::HasSubstr;
using vigil::testing::FirstPartyPlugin;
using vigil::testing::TestPlugin;

vigil_item_view_t BytesItem(const std::string& bytes) {
  vigil_item_view_t view{};
  view.struct_size = sizeof(view);
  view.media_kind = VIGIL_MEDIA_BINARY;
  view.bytes = reinterpret_cast<const uint8_t*>(bytes.data());
  view.bytes_size = bytes.size();
  return view;
}

Status OpenStatus(const std::string& name) { return PluginLibrary::Open(TestPlugin(name)).status(); }

TEST(LoaderTest, RefusesPluginWithoutEntry) {
  Status s = OpenStatus("no-entry");
  EXPECT_EQ(s.code(), Status::Code::kPluginError);
  EXPECT_THAT(s.message(), HasSubstr("is not a Vigil plugin: it does not export vigil_entry_v1"));
}

TEST(LoaderTest, RefusesMajor2BySymbolAndByField) {
  Status by_symbol = OpenStatus("major2-symbol");
  EXPECT_EQ(by_symbol.code(), Status::Code::kAbiMismatch);
  EXPECT_THAT(by_symbol.message(), HasSubstr("built for Vigil ABI 2 (exports vigil_entry_v2)"));
  Status by_field = OpenStatus("major2-field");
  EXPECT_EQ(by_field.code(), Status::Code::kAbiMismatch);
  EXPECT_THAT(by_field.message(), HasSubstr("declares Vigil ABI 2.0; this host speaks ABI 1.1"));
}

TEST(LoaderTest, RefusesPluginThatNeedsNewerMinor) {
  Status s = OpenStatus("needs-minor99");
  EXPECT_EQ(s.code(), Status::Code::kAbiMismatch);
  EXPECT_THAT(s.message(), HasSubstr("needs ABI 1.99, this host speaks 1.1"));
}

TEST(LoaderTest, RefusesMalformedDetectorTables) {
  EXPECT_THAT(OpenStatus("null-table").message(),
              HasSubstr("get_detector() returned NULL although detector_count() is 2"));
  EXPECT_THAT(OpenStatus("small-struct").message(),
              HasSubstr("struct_size 8 is smaller than ABI 1.0's"));
  EXPECT_THAT(OpenStatus("null-function").message(), HasSubstr("has a NULL function pointer"));
  EXPECT_THAT(OpenStatus("duplicate-in-one").message(),
              HasSubstr("offers detector id 'test.ok' twice"));
  EXPECT_THAT(OpenStatus("bad-describe").message(),
              HasSubstr("describe() output is not a vigil.v1.DetectorInfo"));
}

TEST(LoaderTest, RefusesFilesThatAreNotLibraries) {
  EXPECT_EQ(PluginLibrary::Open("/nonexistent/plugin.so").status().code(),
            Status::Code::kNotFound);
  Status s = PluginLibrary::Open(std::string(VIGIL_SOURCE_DIR) + "/CMakeLists.txt").status();
  EXPECT_EQ(s.code(), Status::Code::kPluginError);
  EXPECT_THAT(s.message(), HasSubstr("cannot be loaded as a shared library"));
}

TEST(LoaderTest, DuplicateDetectorIdAcrossPluginsIsRefused) {
  PluginRegistry registry;
  registry.Load(TestPlugin("dup-a"));
  registry.Load(TestPlugin("dup-b"));
  ASSERT_EQ(registry.detectors().size(), 1u);
  ASSERT_EQ(registry.errors().size(), 1u);
  EXPECT_THAT(registry.errors()[0].status.message(),
              HasSubstr("detector id 'test.dup' is already provided by"));
  EXPECT_THAT(registry.errors()[0].status.message(), HasSubstr("test-dup-a.so"));
}

TEST(LoaderTest, GarbageResultsFailTheItemWithAMessage) {
  auto library = PluginLibrary::Open(TestPlugin("garbage"));
  ASSERT_TRUE(library.ok()) << library.status().message();
  auto instance = library.value()->Detectors()[0].Create({});
  ASSERT_TRUE(instance.ok());
  AnalyzeOutcome outcome = instance.value()->Analyze(BytesItem("hello"));
  EXPECT_EQ(outcome.status.code(), Status::Code::kCorruption);
  EXPECT_THAT(outcome.status.message(), HasSubstr("not a vigil.v1.AnalysisResult"));
}

TEST(LoaderTest, WritingPastTheSinkFailsTheItem) {
  auto library = PluginLibrary::Open(TestPlugin("overflow"));
  ASSERT_TRUE(library.ok()) << library.status().message();
  auto instance = library.value()->Detectors()[0].Create({});
  ASSERT_TRUE(instance.ok());
  AnalyzeOutcome outcome = instance.value()->Analyze(BytesItem("hello"));
  EXPECT_EQ(outcome.status.code(), Status::Code::kResource);
  EXPECT_THAT(outcome.status.message(), HasSubstr("tried to write more than 16777216 bytes"));
}

TEST(LoaderTest, ExceptionEscapingARawPluginIsCaught) {
  auto library = PluginLibrary::Open(TestPlugin("throws-raw"));
  ASSERT_TRUE(library.ok()) << library.status().message();
  auto instance = library.value()->Detectors()[0].Create({});
  ASSERT_TRUE(instance.ok());
  AnalyzeOutcome outcome = instance.value()->Analyze(BytesItem("x"));
  EXPECT_EQ(outcome.status.code(), Status::Code::kPluginError);
  EXPECT_THAT(outcome.status.message(), HasSubstr("threw a C++ exception across the ABI"));
  EXPECT_THAT(outcome.status.message(), HasSubstr("raw plugin exception"));
}

TEST(LoaderTest, HelperTurnsExceptionsIntoStatuses) {
  auto library = PluginLibrary::Open(TestPlugin("throws-helper"));
  ASSERT_TRUE(library.ok()) << library.status().message();
  Detector detector = library.value()->Detectors()[0];
  vigil::v1::DetectorConfig failing;
  (*failing.mutable_params())["fail"] = "1";
  auto refused = detector.Create(failing);
  EXPECT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("VIGIL_ERR_CONFIG): asked to fail"));

  auto instance = detector.Create({});
  ASSERT_TRUE(instance.ok());
  AnalyzeOutcome internal = instance.value()->Analyze(BytesItem("x"));
  EXPECT_THAT(internal.status.message(), HasSubstr("(VIGIL_ERR_INTERNAL): helper plugin exception"));
  AnalyzeOutcome bad = instance.value()->Analyze(BytesItem("bad input"));
  EXPECT_THAT(bad.status.message(), HasSubstr("(VIGIL_ERR_BAD_INPUT): bad bytes"));
}

TEST(LoaderTest, FailureWithoutReasonSaysSo) {
  auto library = PluginLibrary::Open(TestPlugin("no-reason"));
  ASSERT_TRUE(library.ok());
  auto instance = library.value()->Detectors()[0].Create({});
  ASSERT_TRUE(instance.ok());
  EXPECT_THAT(instance.value()->Analyze(BytesItem("x")).status.message(),
              HasSubstr("the plugin gave no reason"));
}

TEST(LoaderTest, TwoPluginsSharingTheMessageLibraryLoadInOneProcess) {
  // vigil.exact and sample.magic are both C++ plugins linking libvigil_proto.so; with a
  // second copy of the generated code, protobuf would abort ("File already exists in
  // database") while loading the second.
  auto exact = PluginLibrary::Open(FirstPartyPlugin("vigil-exact.so"));
  auto magic = PluginLibrary::Open(FirstPartyPlugin("sample-magic-cpp.so"));
  ASSERT_TRUE(exact.ok()) << exact.status().message();
  ASSERT_TRUE(magic.ok()) << magic.status().message();
  auto exact_instance = exact.value()->Detectors()[0].Create({});
  auto magic_instance = magic.value()->Detectors()[0].Create({});
  ASSERT_TRUE(exact_instance.ok() && magic_instance.ok());
  AnalyzeOutcome digests = exact_instance.value()->Analyze(BytesItem("abc"));
  ASSERT_TRUE(digests.status.ok()) << digests.status.message();
  ASSERT_EQ(digests.result.signals_size(), 3);
  EXPECT_EQ(digests.result.signals(0).value(), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(digests.result.signals(1).value(), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(digests.result.signals(2).value(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  AnalyzeOutcome type = magic_instance.value()->Analyze(BytesItem("\x7f" "ELF...."));
  ASSERT_TRUE(type.status.ok()) << type.status.message();
  EXPECT_EQ(type.result.signals(0).value(), "elf-executable");
  ASSERT_EQ(type.result.detections_size(), 1);
  EXPECT_EQ(type.result.detections(0).detector(), "sample.magic");
}

TEST(LoaderTest, InstanceKeepsItsLibraryLoaded) {
  std::unique_ptr<DetectorInstance> instance;
  {
    PluginRegistry registry;
    registry.Load(FirstPartyPlugin("vigil-exact.so"));
    ASSERT_EQ(registry.detectors().size(), 1u);
    auto created = registry.detectors()[0].Create({});
    ASSERT_TRUE(created.ok());
    instance = std::move(created).value();
  }  // the registry and its handles are gone; the instance must still work
  EXPECT_TRUE(instance->Analyze(BytesItem("abc")).status.ok());
}

TEST(LoaderTest, DiscoversPluginsFromVigilPluginPath) {
  std::string value = std::string(VIGIL_TEST_PLUGIN_DIR) + "/test-ok.so:/nonexistent-dir";
  ASSERT_EQ(setenv("VIGIL_PLUGIN_PATH", value.c_str(), 1), 0);
  PluginRegistry registry;
  registry.LoadAll(PluginRegistry::DefaultSearchPath("/nonexistent/bin"));
  unsetenv("VIGIL_PLUGIN_PATH");
  ASSERT_NE(registry.Find("test.ok"), nullptr);
  ASSERT_EQ(registry.errors().size(), 1u);  // the missing directory, reported not fatal
  EXPECT_THAT(registry.errors()[0].status.message(), HasSubstr("no such file"));
}

TEST(LoaderTest, LoadingADirectoryReportsEachBrokenPluginAndKeepsTheRest) {
  PluginRegistry registry;
  registry.Load(VIGIL_TEST_PLUGIN_DIR);
  EXPECT_NE(registry.Find("test.ok"), nullptr);
  EXPECT_NE(registry.Find("test.throws"), nullptr);
  // no-entry, major2 x2, minor99, null-table, small-struct, null-function,
  // duplicate-in-one, bad-describe, and the clashes with test.ok / test.dup.
  EXPECT_GE(registry.errors().size(), 9u);
}

}  // namespace
}  // namespace vigil::host
