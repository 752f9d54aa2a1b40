// Issue 12, item 6 (last gap): the scan key covers what decides the results, not only
// the detectors' names and versions. A plugin binary or a model file replaced without a
// new version is a different detector set; the ledger says why an item the store had is
// analysed again, and the record keeps what the key covered.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "store/db/database.h"
#include "store/scan_ledger.h"
#include "store/store.h"
#include "store_backend.h"

namespace vigil::host {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kPluginA(64, 'a');
const std::string kPluginB(64, 'b');
const std::string kModelA(64, 'c');
const std::string kModelB(64, 'd');

DetectorSet BaseSet() {
  DetectorSet set;
  set.versions = {{"acme.nudity", "2.1.0"}, {"vigil.exact", "1.0.0"}};
  set.plugins = {{"acme.nudity", kPluginA}, {"vigil.exact", kPluginA}};
  set.models = {{"acme.nudity", {{"manifest.json", kModelA}, {"model.onnx", kModelA}}}};
  set.policy_text = "[policy]\n";
  return set;
}

TEST(ScanKey, APluginOrModelFileChangedWithTheSameVersionIsADifferentSet) {
  const DetectorSet base = BaseSet();
  DetectorSet plugin = base;
  plugin.plugins["acme.nudity"] = kPluginB;
  DetectorSet model = base;
  model.models["acme.nudity"]["model.onnx"] = kModelB;
  DetectorSet manifest = base;
  manifest.models["acme.nudity"]["manifest.json"] = kModelB;
  DetectorSet no_model = base;
  no_model.models.clear();
  for (const DetectorSet* changed : {&plugin, &model, &manifest, &no_model}) {
    EXPECT_EQ(changed->versions, base.versions);
    EXPECT_NE(changed->Key(), base.Key()) << changed->Describe();
  }
  // The same set is the same key, and why an item was rescanned is not part of it.
  EXPECT_EQ(BaseSet().Key(), base.Key());
  EXPECT_NE(base.Describe("model changed (acme.nudity)"), base.Describe());
}

TEST(ScanKey, TheRecordSaysWhatTheKeyCovered) {
  const nlohmann::json with = nlohmann::json::parse(BaseSet().Describe());
  const nlohmann::json& nudity = with["detectors"]["acme.nudity"];
  EXPECT_EQ(nudity["version"], "2.1.0");
  EXPECT_EQ(nudity["plugin"], kPluginA);
  EXPECT_EQ(nudity["model"]["manifest.json"], kModelA);
  EXPECT_EQ(nudity["model"]["model.onnx"], kModelA);
  EXPECT_FALSE(with["detectors"]["vigil.exact"].contains("model")) << with.dump();
  EXPECT_EQ(with["detectors"]["vigil.exact"]["plugin"], kPluginA);
  for (const char* key : {"settings", "policy", "data"}) EXPECT_TRUE(with.contains(key)) << key;
  EXPECT_FALSE(with.contains("rescanned"));
  const nlohmann::json rescanned =
      nlohmann::json::parse(BaseSet().Describe("model changed (acme.nudity)"));
  EXPECT_EQ(rescanned["rescanned"], "model changed (acme.nudity)");
}

TEST(ScanKey, TheReasonNamesWhatChanged) {
  const DetectorSet base = BaseSet();
  const std::string before = base.Describe();
  auto reason = [&before](const DetectorSet& now) { return RescanReason(before, now.Describe()); };

  DetectorSet model = base;
  model.models["acme.nudity"]["model.onnx"] = kModelB;
  EXPECT_EQ(reason(model), "model changed (acme.nudity)");
  DetectorSet plugin = base;
  plugin.plugins["acme.nudity"] = kPluginB;
  plugin.plugins["vigil.exact"] = kPluginB;
  EXPECT_EQ(reason(plugin), "plugin changed (acme.nudity, vigil.exact)");
  // A new version is named as such (its plugin file changing with it goes without saying).
  DetectorSet version = base;
  version.versions["vigil.exact"] = "1.1.0";
  version.plugins["vigil.exact"] = kPluginB;
  EXPECT_EQ(reason(version), "version changed (vigil.exact)");
  DetectorSet added = base;
  added.versions["vigil.pdq"] = "1.0.0";
  EXPECT_EQ(reason(added), "detectors added (vigil.pdq)");
  DetectorSet removed = base;
  removed.versions.erase("vigil.exact");
  EXPECT_EQ(reason(removed), "detectors removed (vigil.exact)");
  DetectorSet several = base;
  several.settings = {"vigil.pdq.threshold=20"};
  several.policy_text += "# edited\n";
  several.data_state = "banks/known.bank\t136\t1\n";
  several.models["acme.nudity"]["manifest.json"] = kModelB;
  EXPECT_EQ(reason(several),
            "model changed (acme.nudity), settings changed, policy changed, "
            "lists changed");
  // What an earlier run recorded about its own rescan does not make a difference.
  EXPECT_EQ(RescanReason(base.Describe("--rescan"), model.Describe()),
            "model changed (acme.nudity)");

  // A record from before plugins and models were covered: {"detectors": {id: version}}.
  nlohmann::json old = nlohmann::json::parse(before);
  for (auto& [id, detector] : old["detectors"].items()) detector = detector["version"];
  EXPECT_EQ(RescanReason(old.dump(), base.Describe()), "recorded without plugin and model digests");
  EXPECT_EQ(RescanReason(old.dump(), version.Describe()),
            "version changed (vigil.exact), recorded without plugin and model digests");
  // Unreadable text says no more than that the key changed.
  EXPECT_EQ(RescanReason("", base.Describe()), "scan key changed");
  EXPECT_EQ(RescanReason("[1, 2]", base.Describe()), "scan key changed");
  EXPECT_EQ(RescanReason(R"({"detectors": 7})", base.Describe()),
            "detectors added (acme.nudity, vigil.exact), settings changed, policy changed, "
            "lists changed");
}

// The ledger on both stores (issue 13, item 1): its own read-only connection to the file or
// the database.
class LedgerTest : public StoreBackendTest {
 protected:
  std::unique_ptr<ScanLedger> Ledger(const DetectorSet& set) {
    auto opened = ScanLedger::Open(location_, set.Key(), set.Describe());
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }
  // Records an item as `vigil scan` does after analysing it with `set` in `ledger`'s run.
  void Record(const std::string& sha256, const DetectorSet& set, const ScanLedger& ledger,
              Status status = Status::Ok(), const std::string& rescanned = "") {
    ItemRecord r;
    r.sha256 = sha256;
    r.path = "/items/" + sha256.substr(0, 8);
    r.size = 1;
    r.media_kind = "binary";
    r.status = std::move(status);
    r.scan_key = set.Key();
    r.scanned_with = set.Describe(rescanned);
    r.scan_run = ledger.run();
    auto recorded = store_->RecordItem(r);
    ASSERT_TRUE(recorded.ok()) << recorded.status().message();
  }
};

TEST_P(LedgerTest, AnItemTheStoreHadIsSkippedOrRescannedWithItsReason) {
  const DetectorSet base = BaseSet();
  const std::string ok(64, '1'), failed(64, '2'), fresh(64, '3');
  {
    auto first = Ledger(base);
    ASSERT_NE(first, nullptr);
    EXPECT_FALSE(first->AlreadyScanned(ok));
    EXPECT_EQ(first->TakeRescanReason(ok), "");  // new to the store: no reason
    Record(ok, base, *first);
    Record(failed, base, *first, Status::Corruption("not decodable"));
    // Its own twin, met again in the same run, is analysed again without a reason.
    EXPECT_FALSE(first->AlreadyScanned(ok));
    EXPECT_EQ(first->TakeRescanReason(ok), "");
  }
  // The same set again: the clean item is skipped, the failed one is retried.
  auto same = Ledger(base);
  EXPECT_TRUE(same->AlreadyScanned(ok));
  EXPECT_EQ(same->TakeRescanReason(ok), "");
  EXPECT_FALSE(same->AlreadyScanned(failed));
  EXPECT_EQ(same->TakeRescanReason(failed), "failed before");
  EXPECT_EQ(same->TakeRescanReason(failed), "");  // given once
  EXPECT_FALSE(same->AlreadyScanned(fresh));
  EXPECT_EQ(same->TakeRescanReason(fresh), "");

  // The model file replaced, the version the same: analysed again, and why.
  DetectorSet model = base;
  model.models["acme.nudity"]["model.onnx"] = kModelB;
  auto changed = Ledger(model);
  EXPECT_FALSE(changed->AlreadyScanned(ok));
  EXPECT_EQ(changed->TakeRescanReason(ok), "model changed (acme.nudity)");
  EXPECT_EQ(changed->TakeRescanReason(ok), "");
  DetectorSet plugin = base;
  plugin.plugins["acme.nudity"] = kPluginB;
  auto rebuilt = Ledger(plugin);
  EXPECT_FALSE(rebuilt->AlreadyScanned(ok));
  EXPECT_EQ(rebuilt->TakeRescanReason(ok), "plugin changed (acme.nudity)");

  // --rescan: the same set, analysed all the same.
  auto forced = Ledger(base);
  forced->ForceRescan();
  EXPECT_FALSE(forced->AlreadyScanned(ok));
  EXPECT_EQ(forced->TakeRescanReason(ok), "--rescan");

  // The same bytes twice in the tree are both rescanned: met before either is recorded...
  EXPECT_FALSE(changed->AlreadyScanned(ok));
  EXPECT_FALSE(changed->AlreadyScanned(ok));
  EXPECT_EQ(changed->TakeRescanReason(ok), "model changed (acme.nudity)");
  EXPECT_EQ(changed->TakeRescanReason(ok), "model changed (acme.nudity)");
  EXPECT_EQ(changed->TakeRescanReason(ok), "");
  // ...or after the first is, which keeps the reason in its record.
  Record(ok, model, *changed, Status::Ok(), "model changed (acme.nudity)");
  EXPECT_FALSE(changed->AlreadyScanned(ok));
  EXPECT_EQ(changed->TakeRescanReason(ok), "model changed (acme.nudity)");
  // A new item met twice in one run is rescanned by neither.
  Record(fresh, model, *changed);
  EXPECT_FALSE(changed->AlreadyScanned(fresh));
  EXPECT_EQ(changed->TakeRescanReason(fresh), "");
}

TEST_P(LedgerTest, AStoreWithoutTheLedgerIsAnErrorNotASilentRescan) {
  // The lookup is checked when the ledger opens: a store that is not one is refused.
  {
    Statement drop(store_->db(), "DROP TABLE item_scans");
    ASSERT_EQ(drop.Step(), kDone);
  }
  auto opened = ScanLedger::Open(location_, BaseSet().Key());
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.status().message(), HasSubstr("cannot read the store's scan ledger"));
}

VIGIL_ON_BOTH_STORES(LedgerTest);

}  // namespace
}  // namespace vigil::host
