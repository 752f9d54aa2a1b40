// Issue 17 item 1: store/store_records.h, the records the Python package's vigil.Store
// returns (python/tests/test_store.py covers them through Python; this runs the C++
// under the sanitizers, where the extension is not built).
#include "store/store_records.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "temp_store.h"

namespace vigil::host {
namespace {

const RecordValue& Value(const Record& record, const std::string& column) {
  for (const auto& [name, value] : record) {
    if (name == column) return value;
  }
  ADD_FAILURE() << "no column " << column;
  static const RecordValue kNone;
  return kNone;
}

class StoreRecordsTest : public TempStoreTest {};

TEST_F(StoreRecordsTest, ItemsAndDetectionsWithTheirTypes) {
  ItemRecord record;
  record.sha256 = std::string(64, 'a');
  record.path = "/items/a.jpg";
  record.size = 1234;
  record.media_kind = "image";
  record.width = 640;
  DetectorRun run;
  run.detector = "vigil.pdq";
  auto* detection = run.result.add_detections();
  detection->set_label("hash-match");
  detection->set_score(0.75);
  detection->set_severity(vigil::v1::SEVERITY_HIGH);
  detection->mutable_match()->set_bank("demo");
  record.runs.push_back(run);
  record.outcome.disposition = Disposition::kReview;
  record.outcome.rule = "test rule";
  auto id = store_->RecordItem(record);
  ASSERT_TRUE(id.ok()) << id.status().message();

  auto items = ReadRecords(store_->db(), RecordTable::kItems);
  ASSERT_TRUE(items.ok()) << items.status().message();
  ASSERT_EQ(items->size(), 1u);
  const Record& item = items->front();
  ASSERT_EQ(item.size(), RecordColumns(RecordTable::kItems).size());
  EXPECT_EQ(item[0].first, "id");
  EXPECT_EQ(std::get<int64_t>(Value(item, "id")), id.value());
  EXPECT_EQ(std::get<std::string>(Value(item, "sha256")), record.sha256);
  EXPECT_EQ(std::get<int64_t>(Value(item, "size")), 1234);
  EXPECT_EQ(std::get<std::string>(Value(item, "outcome")), "review");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(Value(item, "error")));  // NULL

  auto detections = ReadRecords(store_->db(), RecordTable::kDetections);
  ASSERT_TRUE(detections.ok()) << detections.status().message();
  ASSERT_EQ(detections->size(), 1u);
  EXPECT_DOUBLE_EQ(std::get<double>(Value(detections->front(), "score")), 0.75);
  EXPECT_EQ(std::get<std::string>(Value(detections->front(), "bank")), "demo");
  EXPECT_EQ(std::get<int64_t>(Value(detections->front(), "item_id")), id.value());

  for (RecordTable empty : {RecordTable::kDecisions, RecordTable::kReveals}) {
    auto rows = ReadRecords(store_->db(), empty);
    ASSERT_TRUE(rows.ok()) << rows.status().message();
    EXPECT_TRUE(rows->empty()) << RecordTableName(empty);
  }
}

TEST_F(StoreRecordsTest, ATableThatIsNotThereIsAnErrorNamingIt) {
  ASSERT_TRUE(store_->db().Exec("DROP TABLE reveals").ok());
  auto rows = ReadRecords(store_->db(), RecordTable::kReveals);
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("reading reveals"), std::string::npos)
      << rows.status().message();
}

}  // namespace
}  // namespace vigil::host
