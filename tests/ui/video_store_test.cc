// A video detection's time ranges and the storyboard's exposure through the store, on
// SQLite and PostgreSQL (issue 16 item 4; migrations SQLite 18 / PostgreSQL 16): what a
// scan records comes back where the console loads an item's detections, and the ledger
// reads back the video frames and seconds it recorded.
#include <gtest/gtest.h>

#include <vector>

#include "fixture_store.h"
#include "model/exposure_ledger.h"
#include "model/item_details.h"
#include "store/review_queue.h"
#include "store_backend.h"

namespace vigil::review {
namespace {

using host::TimeSpan;

class VideoStoreTest : public host::StoreBackendTest {};

TEST_P(VideoStoreTest, RangesAndVideoExposureRoundTrip) {
  host::ItemRecord record;
  record.sha256 = std::string(63, 'a') + "1";
  record.path = (dir_ / "clip.mp4").string();
  record.media_kind = "video";
  record.format = "mp4";
  record.outcome.disposition = host::Disposition::kReview;
  record.outcome.severity = 4;
  record.outcome.rule = "test";
  host::DetectorRun run;
  run.detector = "vigil.vpdq";
  auto* d = run.result.add_detections();
  d->set_label("hash-match");
  d->set_score(1.0);
  d->set_severity(v1::SEVERITY_HIGH);
  auto* range = d->add_item_ranges();
  range->set_start_seconds(0);
  range->set_end_seconds(9);
  auto* match = d->mutable_match();
  match->set_bank("demo");
  match->set_entry_id("chair-orig");
  auto* listed = match->add_ranges();
  listed->set_start_seconds(6.0333333);
  listed->set_end_seconds(15.2666666);
  auto* bad = d->add_item_ranges();  // a hostile plugin's: dropped
  bad->set_start_seconds(-3);
  bad->set_end_seconds(1e300);
  record.runs.push_back(std::move(run));
  auto id = store_->RecordItem(record);
  ASSERT_TRUE(id.ok()) << id.status().message();

  auto details = LoadItemDetails(*store_, id.value());
  ASSERT_TRUE(details.ok()) << details.status().message();
  ASSERT_EQ(details.value().detections.size(), 1u);
  const DetectionRow& row = details.value().detections[0];
  EXPECT_EQ(row.item_ranges, (std::vector<TimeSpan>{{0, 9}}));
  EXPECT_EQ(row.match_ranges, (std::vector<TimeSpan>{{6.033, 15.267}}));
  EXPECT_EQ(details.value().MatchedRanges(), (std::vector<TimeSpan>{{0, 9}}));

  host::ReviewQueue queue(*store_);
  ASSERT_TRUE(queue.RecordExposure("alice", id.value(), 4, 2.5, 2, 1, 2.5).ok());
  ASSERT_TRUE(queue.RecordExposure("alice", id.value(), 4, 1.0, 1).ok());  // an image's way
  auto totals = ExposureLedger::LoadFromStore(*store_, "alice", "");
  ASSERT_TRUE(totals.ok()) << totals.status().message();
  EXPECT_EQ(totals.value()[4].items, 2);
  EXPECT_EQ(totals.value()[4].reveals, 3);
  EXPECT_NEAR(totals.value()[4].seconds_unobscured, 3.5, 1e-3);
  EXPECT_EQ(totals.value()[4].video_frames_revealed, 1);
  EXPECT_NEAR(totals.value()[4].video_seconds_unobscured, 2.5, 1e-3);
}

VIGIL_ON_BOTH_STORES(VideoStoreTest);

}  // namespace
}  // namespace vigil::review
