// Detector squatting (issue 18, item 3): ids starting with "vigil." belong to first-party
// plugins, and on any id clash the plugin that is not first-party is refused, never the
// first-party one, whatever the load order. The plugins are the suite's hostile
// squatter (declares vigil.pdq, finds nothing) and forger (acme.forger), loaded in
// process here: only the registry's bookkeeping is under test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "loader/plugin_library.h"
#include "loader/plugin_registry.h"

namespace vigil::host {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kHostile = fs::path(VIGIL_TEST_PLUGIN_DIR) / "hostile";
const fs::path kSquatter = kHostile / "hostile-squat-pdq.so";
const fs::path kForger = kHostile / "hostile-forge-hash-match.so";
const fs::path kPdq = fs::path(VIGIL_PLUGIN_DIR) / "vigil-pdq.so";

// A loader that opens plugins in process and marks those in `first_party` first-party,
// as the isolation runtime does from the host config.
PluginFileLoader LoaderTrusting(std::set<fs::path> first_party) {
  return [first_party](const fs::path& path) -> StatusOr<LoadedPlugin> {
    auto library = PluginLibrary::Open(path);
    if (!library.ok()) return library.status();
    LoadedPlugin loaded;
    loaded.library = library.value();
    loaded.abi = loaded.library->abi();
    loaded.detectors = loaded.library->Detectors();
    loaded.first_party = first_party.count(fs::weakly_canonical(path)) > 0;
    return loaded;
  };
}

std::string ErrorFor(const PluginRegistry& registry, const fs::path& path) {
  for (const auto& error : registry.errors()) {
    if (error.path == fs::weakly_canonical(path)) return error.status.message();
  }
  return "";
}

class SquatRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const fs::path& p : {kSquatter, kForger, kPdq}) {
      ASSERT_TRUE(fs::exists(p)) << "missing " << p;
    }
  }
};

TEST_F(SquatRegistryTest, SquatterLoadedFirstIsRefusedAndTheRealPdqLoads) {
  PluginRegistry registry;
  registry.SetFileLoader(LoaderTrusting({fs::weakly_canonical(kPdq)}));
  registry.Load(kSquatter);  // --plugin-dir comes before the installed plugins
  registry.Load(kPdq);
  const Detector* pdq = registry.Find("vigil.pdq");
  ASSERT_NE(pdq, nullptr);
  EXPECT_EQ(pdq->plugin_path(), fs::weakly_canonical(kPdq));
  EXPECT_TRUE(registry.IsFirstPartyDetector("vigil.pdq"));
  EXPECT_THAT(ErrorFor(registry, kSquatter),
              HasSubstr("declares detector id 'vigil.pdq', but ids starting with 'vigil.' are "
                        "reserved to Vigil's first-party plugins; refused"));
  EXPECT_EQ(ErrorFor(registry, kPdq), "");
  EXPECT_EQ(registry.files().size(), 1u);
  EXPECT_EQ(registry.FirstPartyDetectorIds(), (std::set<std::string>{"vigil.pdq"}));
}

TEST_F(SquatRegistryTest, SquatterLoadedLastIsRefusedToo) {
  PluginRegistry registry;
  registry.SetFileLoader(LoaderTrusting({fs::weakly_canonical(kPdq)}));
  registry.Load(kPdq);
  registry.Load(kSquatter);
  ASSERT_NE(registry.Find("vigil.pdq"), nullptr);
  EXPECT_EQ(registry.Find("vigil.pdq")->plugin_path(), fs::weakly_canonical(kPdq));
  EXPECT_THAT(ErrorFor(registry, kSquatter), HasSubstr("reserved to Vigil's first-party"));
}

TEST_F(SquatRegistryTest, ClashWithAFirstPartyPluginEvictsTheUntrustedOne) {
  // The same plugin file under a second name marked first-party: both declare
  // acme.forger, a non-reserved id. The vendor copy loaded first must make way.
  const fs::path dir = fs::temp_directory_path() / ("vigil-squat-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path vendor = dir / "vendor.so";
  const fs::path shipped = dir / "shipped.so";
  fs::copy_file(kForger, vendor);
  fs::copy_file(kForger, shipped);
  {
    PluginRegistry registry;
    registry.SetFileLoader(LoaderTrusting({fs::weakly_canonical(shipped)}));
    registry.Load(vendor);
    ASSERT_NE(registry.Find("acme.forger"), nullptr);
    registry.Load(shipped);
    ASSERT_NE(registry.Find("acme.forger"), nullptr);
    EXPECT_EQ(registry.Find("acme.forger")->plugin_path(), fs::weakly_canonical(shipped));
    EXPECT_EQ(registry.detectors().size(), 1u);
    EXPECT_EQ(registry.files().size(), 1u);
    EXPECT_EQ(registry.plugins().size(), 1u);
    EXPECT_THAT(ErrorFor(registry, vendor),
                HasSubstr("detector id 'acme.forger' belongs to the first-party plugin " +
                          fs::weakly_canonical(shipped).string() + "; the plugin was refused"));
  }
  {
    // The other order: the first-party plugin stays, the vendor's is refused.
    PluginRegistry registry;
    registry.SetFileLoader(LoaderTrusting({fs::weakly_canonical(shipped)}));
    registry.Load(shipped);
    registry.Load(vendor);
    EXPECT_EQ(registry.Find("acme.forger")->plugin_path(), fs::weakly_canonical(shipped));
    EXPECT_THAT(ErrorFor(registry, vendor),
                HasSubstr("is already provided by the first-party plugin"));
  }
  {
    // Two vendor plugins: first come, first served, as before.
    PluginRegistry registry;
    registry.SetFileLoader(LoaderTrusting({}));
    registry.Load(vendor);
    registry.Load(shipped);
    EXPECT_EQ(registry.Find("acme.forger")->plugin_path(), fs::weakly_canonical(vendor));
    EXPECT_THAT(ErrorFor(registry, shipped), HasSubstr("remove one of the two plugins"));
    EXPECT_TRUE(registry.FirstPartyDetectorIds().empty());
  }
  fs::remove_all(dir);
}

TEST_F(SquatRegistryTest, WithoutAnIsolationLayerPluginsAreTrustedLikeTheCaller) {
  PluginRegistry registry;  // the default in-process loader: tests and benches
  registry.Load(kPdq);
  EXPECT_TRUE(registry.IsFirstPartyDetector("vigil.pdq"));
  EXPECT_FALSE(registry.IsFirstPartyDetector("acme.forger"));
}

}  // namespace
}  // namespace vigil::host
