// Issue 12, items 4, 5, 6 and 8 (paths): the queue is ordered by severity, then
// confidence, then age; a claimed image that does not decode is failed, never clear; a
// repeated scan skips what the store already has from the same detector set; paths are
// real paths.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "intake/intake.h"
#include "loader/plugin_registry.h"
#include "pipeline/pipeline.h"
#include "policy/policy.h"
#include "scan/image_claim.h"
#include "store/db/database.h"
#include "store/review_queue.h"
#include "store/scan_ledger.h"
#include "store/store.h"
#include "store_backend.h"

namespace vigil::host {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class ScratchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-i12-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& bytes) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return dir_ / name;
  }
  static std::string RandomBytes(size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(rng() & 0xff);
    // Never a JPEG/PNG/GIF/BMP/WebP start by accident.
    out[0] = 'Z';
    return out;
  }

  fs::path dir_;
};

// ---------------------------------------------------------------------------------------
// Item 4: queue order.

ItemRecord WithDetection(const std::string& sha, const std::string& detector,
                         const std::string& label, int severity, double score) {
  ItemRecord record;
  record.sha256 = sha;
  record.path = "/items/" + sha;
  record.media_kind = "image";
  DetectorRun run;
  run.detector = detector;
  auto* d = run.result.add_detections();
  d->set_label(label);
  d->set_severity(static_cast<vigil::v1::Severity>(severity));
  d->set_score(static_cast<float>(score));
  if (label == "hash-match") {
    d->mutable_match()->set_bank("known");
    d->mutable_match()->set_category("B2");
  }
  record.runs.push_back(run);
  return record;
}

// On both stores (issue 13, item 1).
class QueueOrderTest : public StoreBackendTest {
 protected:
  // Decides with the default policy, records, and dates the queue entry `age_s` ago.
  int64_t Add(ItemRecord record, int age_s) {
    record.outcome = Policy::Default().Decide(record, {"vigil.pdq", "vigil.exact", "vigil.url"});
    auto id = store_->RecordItem(record);
    EXPECT_TRUE(id.ok()) << id.status().message();
    if (postgres()) {
      Statement date(store_->db(),
                     "UPDATE queue SET enqueued_at = to_char(now() AT TIME ZONE 'UTC' - "
                     "CAST(?2 AS BIGINT) * interval '1 second', "
                     "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') WHERE item_id = ?1");
      date.Bind(1, id.value()).Bind(2, static_cast<int64_t>(age_s));
      EXPECT_EQ(date.Step(), host::kDone) << date.Error("dating").message();
    } else {
      Statement date(store_->db(),
                     "UPDATE queue SET enqueued_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?2) "
                     "WHERE item_id = ?1");
      date.Bind(1, id.value()).Bind(2, "-" + std::to_string(age_s) + " seconds");
      EXPECT_EQ(date.Step(), host::kDone);
    }
    return id.value();
  }
};

TEST_P(QueueOrderTest, SeverityFirstThenConfidenceThenAgeWhateverTheRulePriorities) {
  // Added in a shuffled order; the rule priorities (hash match 500, URL 300, classifier
  // 200, low findings 20) would put the low-severity hash matches on top.
  std::map<int64_t, std::string> names;
  names[Add(WithDetection("low-hash-new", "vigil.exact", "hash-match", 2, 1.0), 10)] =
      "low-hash-new";
  names[Add(WithDetection("crit-url", "vigil.url", "url-listed", 5, 1.0), 5)] = "crit-url";
  names[Add(WithDetection("low-hash-old", "vigil.exact", "hash-match", 2, 1.0), 500)] =
      "low-hash-old";
  names[Add(WithDetection("high-0.6", "vigil.classifier", "nudity", 4, 0.6), 1000)] = "high-0.6";
  names[Add(WithDetection("high-0.9", "vigil.classifier", "nudity", 4, 0.9), 1)] = "high-0.9";
  names[Add(WithDetection("med-0.7", "vigil.classifier", "weapon", 3, 0.7), 50)] = "med-0.7";
  names[Add(WithDetection("crit-url-old", "vigil.url", "url-listed", 5, 1.0), 3000)] =
      "crit-url-old";
  names[Add(WithDetection("low-0.99", "sample.magic", "odd", 2, 0.99), 2)] = "low-0.99";
  ReviewQueue queue(*store_);
  auto listed = queue.List("pending", QueueOrder::kPriority, 100);
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  std::vector<std::string> order;
  for (const QueueEntry& e : listed.value()) order.push_back(names[e.item_id]);
  EXPECT_EQ(order,
            (std::vector<std::string>{"crit-url-old", "crit-url", "high-0.9", "high-0.6", "med-0.7",
                                      "low-hash-old", "low-hash-new", "low-0.99"}));

  // What the console does: claims come out in the same order. (On PostgreSQL by a senior:
  // the default policy routes hash matches and URLs to named queues this store has no
  // definition of, which only seniors may work.)
  P("reviewer", {"vigil_senior"});
  std::vector<std::string> claimed;
  while (true) {
    auto next = QueueOf("reviewer").Claim(Who("reviewer"), ClaimOptions{});
    ASSERT_TRUE(next.ok()) << next.status().message();
    if (!next.value()) break;
    claimed.push_back(names[next.value()->item_id]);
  }
  EXPECT_EQ(claimed, order);
}

VIGIL_ON_BOTH_STORES(QueueOrderTest);

TEST_F(ScratchTest, ConfidenceIsTheBestScoreAmongTheMostSevereDetections) {
  ItemRecord record = WithDetection("mixed", "vigil.classifier", "nudity", 4, 0.55);
  auto* extra = record.runs[0].result.add_detections();
  extra->set_label("nudity-2");
  extra->set_severity(vigil::v1::Severity(4));
  extra->set_score(0.8f);
  auto* weaker = record.runs[0].result.add_detections();
  weaker->set_label("other");
  weaker->set_severity(vigil::v1::Severity(2));
  weaker->set_score(0.99f);  // less severe: does not count
  Outcome o = Policy::Default().Decide(record, {});
  EXPECT_EQ(o.severity, 4);
  EXPECT_FLOAT_EQ(static_cast<float>(o.confidence), 0.8f);
}

TEST_F(ScratchTest, AFailedItemIsQueuedAtLeastAtMedium) {
  ItemRecord failed;
  failed.sha256 = "failed";
  failed.path = "/items/failed.jpg";
  failed.status = Status::Corruption("declared jpeg by extension (.jpg); not decodable: x");
  Outcome o = Policy::Default().Decide(failed, {});
  EXPECT_EQ(o.disposition, Disposition::kFailed);
  EXPECT_EQ(o.severity, 3);  // medium: above every low-severity finding
  auto bad = Policy::Parse("[defaults]\nfailed_severity = \"severe\"\n", "p.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("'failed_severity' must be none, low"));
  auto low = Policy::Parse("[defaults]\nfailed_severity = \"low\"\n", "p.toml");
  ASSERT_TRUE(low.ok()) << low.status().message();
  EXPECT_EQ(low.value().Decide(failed, {}).severity, 2);
}

// ---------------------------------------------------------------------------------------
// Item 5: claimed images that do not decode.

class ImageClaimTest : public ScratchTest {
 protected:
  void SetUp() override {
    ScratchTest::SetUp();
    registry_.Load(fs::path(VIGIL_PLUGIN_DIR) / "vigil-exact.so");
    ASSERT_EQ(registry_.detectors().size(), 1u);
  }
  std::map<std::string, ItemRecord> Scan(std::vector<IntakeItem> items) {
    auto pipeline = Pipeline::Create(registry_.detectors(), {}, {});
    EXPECT_TRUE(pipeline.ok());
    std::map<std::string, ItemRecord> out;
    Status s = pipeline.value()->Run(std::move(items), [&](ItemRecord& r) {
      r.outcome = Policy::Default().Decide(r, {"vigil.exact"});
      out[fs::path(r.path).filename().string()] = r;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return out;
  }
  // The exact digests were computed (evidence: a listed digest must still match).
  static void ExpectDigests(const ItemRecord& r) {
    ASSERT_EQ(r.runs.size(), 1u) << r.path;
    EXPECT_EQ(r.runs[0].detector, "vigil.exact");
    EXPECT_TRUE(r.runs[0].status.ok());
    EXPECT_GE(r.runs[0].result.signals_size(), 1) << r.path;
  }
  PluginRegistry registry_;
};

TEST_F(ImageClaimTest, EachClaimSourceFailsTheItemWithItsReasonAndKeepsTheDigests) {
  Write("random.jpg", RandomBytes(4096, 1));
  Write("text.PNG", "just some text, nothing else\n");
  Write("upload.bin", RandomBytes(2048, 2));
  Write("cut-jpeg", std::string("\xFF\xD8", 2) + RandomBytes(100, 3));
  Write("cut-png", std::string("\x89PNG\r\n", 6));
  Write("genuine.bin", RandomBytes(4096, 4));
  Write("notes.txt", "meeting notes\n");
  std::vector<IntakeItem> items =
      ItemsFromPaths({dir_ / "random.jpg", dir_ / "text.PNG", dir_ / "cut-jpeg", dir_ / "cut-png",
                      dir_ / "genuine.bin", dir_ / "notes.txt"});
  std::istringstream manifest(R"({"path": ")" + (dir_ / "upload.bin").string() +
                              R"(", "content_type": "image/jpeg"})"
                              "\n");
  for (auto& item : ItemsFromManifest(manifest, "m.jsonl")) items.push_back(item);
  auto by_name = Scan(items);
  ASSERT_EQ(by_name.size(), 7u);

  const std::map<std::string, std::string> reasons = {
      {"random.jpg", "declared jpeg by extension (.jpg); not decodable: "},
      {"text.PNG", "declared png by extension (.png); not decodable: "},
      {"upload.bin", "declared jpeg by manifest type (image/jpeg); not decodable: "},
      {"cut-jpeg", "declared jpeg by header (starts like JPEG"},
      {"cut-png", "declared png by header (starts like PNG"},
  };
  for (const auto& [name, reason] : reasons) {
    const ItemRecord& r = by_name[name];
    EXPECT_TRUE(r.failed()) << name;
    EXPECT_THAT(r.status.message(), HasSubstr(reason)) << name;
    EXPECT_THAT(r.status.message(), HasSubstr("not decodable")) << name;
    EXPECT_EQ(r.media_kind, "binary") << name;
    EXPECT_EQ(r.outcome.disposition, Disposition::kFailed) << name << ": never clear";
    ExpectDigests(r);
  }
  // No image claim: real non-image files stay ordinary binary items.
  for (const char* name : {"genuine.bin", "notes.txt"}) {
    const ItemRecord& r = by_name[name];
    EXPECT_FALSE(r.failed()) << name << ": " << r.status.message();
    EXPECT_EQ(r.media_kind, "binary") << name;
    EXPECT_EQ(r.outcome.disposition, Disposition::kClear) << name;
    ExpectDigests(r);
  }
}

TEST_F(ImageClaimTest, ARealImageUnderAnotherNameIsStillAnImage) {
  // Content wins when it decodes: a PNG named .jpg is a PNG, not a failure.
  const fs::path png = fs::path(VIGIL_TESTDATA) / "pdq" / "synthetic" / "r_64x64.png";
  ASSERT_TRUE(fs::exists(png)) << png;
  fs::copy_file(png, dir_ / "photo.jpg");
  auto by_name = Scan(ItemsFromPaths({dir_ / "photo.jpg"}));
  EXPECT_FALSE(by_name["photo.jpg"].failed()) << by_name["photo.jpg"].status.message();
  EXPECT_EQ(by_name["photo.jpg"].media_kind, "image");
  EXPECT_EQ(by_name["photo.jpg"].format, "png");
}

TEST(ImageClaim, SourcesInOrderAndWhatIsNotAClaim) {
  EXPECT_EQ(ClaimedImage("/a/b.JPEG", "", "x")->Describe(), "declared jpeg by extension (.jpeg)");
  EXPECT_EQ(ClaimedImage("/a/b.jpg", "image/png; q=1", "x")->source, "manifest type");
  EXPECT_EQ(ClaimedImage("/a/b.bin", "image/heic", "x")->format, "heic");
  EXPECT_EQ(ClaimedImage("/a/b", "", "GIF8junk")->format, "gif");
  EXPECT_FALSE(ClaimedImage("/a/b.bin", "application/pdf", "x"));
  EXPECT_FALSE(ClaimedImage("/a/b.txt", "", "BMW and GIF are words"));
  EXPECT_FALSE(ClaimedImage("/a/b.heic", "", "x"));  // not a format Vigil decodes
  EXPECT_FALSE(ClaimedImage("", "image/", "x"));
  EXPECT_FALSE(ClaimedImage("/a/jpg", "", ""));
}

// ---------------------------------------------------------------------------------------
// Item 6: a repeated scan skips what the store already has from the same detector set.

// Runs a real detector and counts its calls.
class CountingAnalyzer : public Analyzer {
 public:
  CountingAnalyzer(std::unique_ptr<Analyzer> inner, std::atomic<int>* calls)
      : inner_(std::move(inner)), calls_(calls) {}
  AnalyzeOutcome Analyze(const vigil_item_view_t& item) override {
    ++*calls_;
    return inner_->Analyze(item);
  }
  const std::string& detector_id() const override { return inner_->detector_id(); }

 private:
  std::unique_ptr<Analyzer> inner_;
  std::atomic<int>* calls_;
};

// On both stores (issue 13, item 1): the scan writes through the store, the ledger reads
// on its own connection.
class ResumeTest : public StoreBackendTest {
 protected:
  void SetUp() override {
    StoreBackendTest::SetUp();
    if (HasFatalFailure()) return;
    registry_.Load(fs::path(VIGIL_PLUGIN_DIR) / "vigil-exact.so");
    registry_.Load(fs::path(VIGIL_PLUGIN_DIR) / "sample-magic-cpp.so");
    ASSERT_EQ(registry_.detectors().size(), 2u);
    for (int i = 0; i < 20; ++i)
      Write("items/f" + std::to_string(i) + ".bin", "item " + std::to_string(i));
    Write("items/bad.jpg", "not a jpeg");
  }
  fs::path Write(const std::string& name, const std::string& bytes) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return dir_ / name;
  }
  DetectorSet Set() const {
    DetectorSet set;
    for (const Detector& d : registry_.detectors()) set.versions[d.id()] = d.info().version();
    set.policy_text = kDefaultPolicyToml;
    return set;
  }
  struct Result {
    int calls = 0;
    int already = 0;
    int written = 0;
  };
  // One scan of items/ into the store, as `vigil scan` does it.
  Result ScanOnce(const DetectorSet& set, bool rescan, const std::string& folder = "items") {
    Result result;
    std::atomic<int> calls{0};
    PipelineOptions options;
    options.threads = 2;
    options.make_analyzer =
        [&calls](const Detector& d,
                 const vigil::v1::DetectorConfig& config) -> StatusOr<std::unique_ptr<Analyzer>> {
      auto inner = d.Create(config);
      if (!inner.ok()) return inner.status();
      return std::unique_ptr<Analyzer>(
          std::make_unique<CountingAnalyzer>(std::move(inner).value(), &calls));
    };
    auto opened = ScanLedger::Open(location_, set.Key());
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    std::unique_ptr<ScanLedger> ledger = std::move(opened).value();
    if (!rescan) {
      options.already_scanned = [&ledger](const std::string& sha) {
        return ledger->AlreadyScanned(sha);
      };
    }
    auto pipeline = Pipeline::Create(registry_.detectors(), {}, options);
    EXPECT_TRUE(pipeline.ok());
    Status s = pipeline.value()->Run(ItemsFromPaths({dir_ / folder}), [&](ItemRecord& r) {
      if (r.already_scanned) {
        EXPECT_TRUE(r.runs.empty()) << r.path;
        ++result.already;
        return Status::Ok();
      }
      r.outcome = Policy::Default().Decide(r, {});
      r.scan_key = set.Key();
      r.scanned_with = set.Describe();
      r.scan_run = ledger->run();
      ++result.written;
      return store_->RecordItem(r).status();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    result.calls = calls;
    return result;
  }
  int64_t AuditEntries() {
    Statement count(store_->db(), "SELECT count(*) FROM audit_log");
    EXPECT_EQ(count.Step(), host::kRow);
    return count.ColumnInt(0);
  }
  PluginRegistry registry_;
};

TEST_P(ResumeTest, TheSameScanAgainRunsNoDetectorAndRescanRunsThemAll) {
  const DetectorSet set = Set();
  Result first = ScanOnce(set, false);
  EXPECT_EQ(first.already, 0);
  EXPECT_EQ(first.written, 21);
  EXPECT_EQ(first.calls, 42);  // 21 items x 2 detectors
  const int64_t audit = AuditEntries();

  // Again: every item that scanned cleanly is read and hashed, and nothing else. The
  // failed item (bad.jpg) is scanned again: a failure may be passing.
  Result second = ScanOnce(set, false);
  EXPECT_EQ(second.already, 20);
  EXPECT_EQ(second.written, 1);
  EXPECT_EQ(second.calls, 2);
  EXPECT_EQ(AuditEntries(), audit + 1);

  // --rescan: everything runs again.
  Result forced = ScanOnce(set, true);
  EXPECT_EQ(forced.already, 0);
  EXPECT_EQ(forced.calls, 42);

  // What an item was scanned with is in the store, for a person.
  Statement with(store_->db(), "SELECT scanned_with FROM item_scans LIMIT 1");
  ASSERT_EQ(with.Step(), host::kRow);
  EXPECT_THAT(with.ColumnText(0), HasSubstr("\"vigil.exact\":"));
  EXPECT_THAT(with.ColumnText(0), HasSubstr("\"sample.magic\":"));
}

TEST_P(ResumeTest, TheSameBytesTwiceInOneRunAreBothAnalysed) {
  // Only what an earlier run recorded is skipped: a duplicate met later in the same run
  // is analysed and printed like its twin (whatever the order the threads finish in).
  for (int i = 0; i < 10; ++i) Write("dups/copy" + std::to_string(i) + ".bin", "same bytes");
  const DetectorSet set = Set();
  Result first = ScanOnce(set, false, "dups");
  EXPECT_EQ(first.already, 0);
  EXPECT_EQ(first.calls, 20);
  Result second = ScanOnce(set, false, "dups");
  EXPECT_EQ(second.already, 10);
  EXPECT_EQ(second.calls, 0);
}

TEST_P(ResumeTest, AChangedVersionANewDetectorSettingsPolicyOrListsMeanRescan) {
  const DetectorSet set = Set();
  ASSERT_EQ(ScanOnce(set, false).calls, 42);
  ASSERT_EQ(ScanOnce(set, false).calls, 2);

  DetectorSet newer = set;
  newer.versions["vigil.exact"] = "99.0.0";
  DetectorSet added = set;
  added.versions["acme.new"] = "1.0.0";
  DetectorSet setting = set;
  setting.settings = {"vigil.pdq.threshold=20"};
  DetectorSet policy = set;
  policy.policy_text += "\n# edited\n";
  DetectorSet lists = set;
  lists.data_state = "banks/known.bank\t136\t1\n";
  for (const DetectorSet* changed : {&newer, &added, &setting, &policy, &lists}) {
    EXPECT_NE(changed->Key(), set.Key());
    Result again = ScanOnce(*changed, false);
    EXPECT_EQ(again.already, 0) << changed->Describe();
    EXPECT_EQ(again.calls, 42) << changed->Describe();
    // Recorded with the new set: the set before is now the different one.
    EXPECT_EQ(ScanOnce(*changed, false).calls, 2);
  }
}

TEST_F(ScratchTest, TheDataFolderStateFollowsImports) {
  const fs::path lists = dir_ / "lists";
  EXPECT_EQ(DataFolderState(lists), "");  // no folder: no lists
  Write("lists/banks/a.bank", "one");
  const std::string one = DataFolderState(lists);
  EXPECT_THAT(one, HasSubstr("banks/a.bank\t3\t"));
  // A reader re-checking the bank rewrites its marker; an import leaves temp files.
  Write("lists/banks/a.bank.verified", "marker");
  Write("lists/banks/a.bank.tmp-4242-Ab12Cd", "half a bank");
  Write("lists/urls/u.list.tmp", "old-style temp");
  EXPECT_EQ(DataFolderState(lists), one);
  Write("lists/banks/a.bank", "three");
  EXPECT_NE(DataFolderState(lists), one);
}

VIGIL_ON_BOTH_STORES(ResumeTest);

// ---------------------------------------------------------------------------------------
// Item 8 (part): paths are real paths.

TEST_F(ScratchTest, PathsArePrintedAndStoredAsRealPaths) {
  Write("shared/a.png", "a");
  fs::create_directories(dir_ / "scans");
  auto items = ItemsFromPaths({dir_ / "scans" / ".." / "shared" / "a.png"});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].path, (fs::canonical(dir_) / "shared" / "a.png").string());
  EXPECT_TRUE(items[0].error.ok());

  // A folder given with "..", and a link inside it to a file elsewhere: the link is
  // resolved to the file it names (decision: the printed path is the file read).
  Write("elsewhere/target.bin", "t");
  fs::create_symlink(dir_ / "elsewhere" / "target.bin", dir_ / "shared" / "link.bin");
  items = ItemsFromPaths({dir_ / "scans" / ".." / "shared"});
  ASSERT_EQ(items.size(), 2u);
  std::set<std::string> paths = {items[0].path, items[1].path};
  EXPECT_EQ(paths,
            (std::set<std::string>{(fs::canonical(dir_) / "shared" / "a.png").string(),
                                   (fs::canonical(dir_) / "elsewhere" / "target.bin").string()}));

  // A relative path becomes absolute; a missing one is still normalised, and fails.
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_ / "scans");
  items = ItemsFromPaths({"../shared/./a.png", "../nowhere/../missing.png"});
  fs::current_path(cwd);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].path, (fs::canonical(dir_) / "shared" / "a.png").string());
  EXPECT_EQ(items[1].path, (fs::canonical(dir_) / "missing.png").string());
  EXPECT_EQ(items[1].error.code(), Status::Code::kNotFound);

  // The list on stdin and a manifest's paths alike.
  std::istringstream list((dir_ / "scans" / ".." / "shared" / "a.png").string() + "\n");
  items = ItemsFromList(list);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].path, (fs::canonical(dir_) / "shared" / "a.png").string());
  std::istringstream manifest(R"({"path": ")" +
                              (dir_ / "scans" / ".." / "shared" / "a.png").string() + "\"}\n");
  items = ItemsFromManifest(manifest, "m.jsonl");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].path, (fs::canonical(dir_) / "shared" / "a.png").string());
}

}  // namespace
}  // namespace vigil::host
