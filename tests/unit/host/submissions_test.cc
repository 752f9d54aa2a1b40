// Submissions (store/submissions.h, issue 14): accepted, then finished exactly once by the
// item's record or by a failure, whatever is retried or delivered twice.
#include "store/submissions.h"

#include <gtest/gtest.h>

#include "temp_store.h"

namespace vigil::host {
namespace {

class SubmissionsTest : public TempStoreTest {
 protected:
  ItemRecord Item(const std::string& sha, const std::string& submission) {
    ItemRecord record;
    record.sha256 = sha;
    record.path = "/spool/" + submission;
    record.size = 10;
    record.media_kind = "image";
    record.outcome.disposition = Disposition::kReview;
    record.outcome.rule = "test rule";
    record.submission_id = submission;
    return record;
  }
  SubmissionRecord Find(const std::string& id) {
    auto found = FindSubmission(store_->db(), id);
    EXPECT_TRUE(found.ok()) << found.status().message();
    EXPECT_TRUE(found.ok() && found.value().has_value()) << id;
    return found.ok() && found.value() ? *found.value() : SubmissionRecord();
  }
  int64_t Count(const std::string& sql) {
    Statement count(store_->db(), sql);
    EXPECT_EQ(count.Step(), kRow);
    return count.ColumnInt(0);
  }
};

TEST_F(SubmissionsTest, AcceptedThenDoneWithItsItem) {
  SubmissionRecord s;
  s.id = "sub-1";
  s.name = "cat.jpg";
  s.uploader_id = "u1";
  ASSERT_TRUE(AcceptSubmission(store_->db(), s).ok());
  EXPECT_EQ(Find("sub-1").status, "accepted");
  EXPECT_EQ(Find("sub-1").item_id, 0);

  auto id = store_->RecordItem(Item("aa", "sub-1"));
  ASSERT_TRUE(id.ok()) << id.status().message();
  SubmissionRecord done = Find("sub-1");
  EXPECT_EQ(done.status, "done");
  EXPECT_EQ(done.item_id, id.value());
  EXPECT_EQ(done.name, "cat.jpg");  // what the accept said is kept
  EXPECT_EQ(done.sha256, "aa");
  EXPECT_FALSE(done.finished_at.empty());
}

TEST_F(SubmissionsTest, RecordedTwiceRecordsOnce) {
  ASSERT_TRUE(store_->RecordItem(Item("bb", "sub-2")).ok());
  const int64_t audit = Count("SELECT count(*) FROM audit_log");
  const int64_t decisions = Count("SELECT count(*) FROM queue");
  // A redelivery: the same submission recorded again, even with another outcome.
  ItemRecord again = Item("bb", "sub-2");
  again.outcome.disposition = Disposition::kClear;
  again.path = "/elsewhere";
  auto second = store_->RecordItem(again);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second.value(), Find("sub-2").item_id);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log"), audit);
  EXPECT_EQ(Count("SELECT count(*) FROM queue"), decisions);
  Statement item(store_->db(), "SELECT last_path, outcome FROM items WHERE sha256 = 'bb'");
  ASSERT_EQ(item.Step(), kRow);
  EXPECT_EQ(item.ColumnText(0), "/spool/sub-2");  // untouched by the second record
  EXPECT_EQ(item.ColumnText(1), "review");
}

TEST_F(SubmissionsTest, UnknownIdRecordedAsDone) {
  // A fleet worker can record before the server's accept is visible.
  auto id = store_->RecordItem(Item("cc", "sub-3"));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(Find("sub-3").status, "done");
  EXPECT_EQ(Find("sub-3").item_id, id.value());
  // A late accept does not reopen it.
  SubmissionRecord late;
  late.id = "sub-3";
  ASSERT_TRUE(AcceptSubmission(store_->db(), late).ok());
  EXPECT_EQ(Find("sub-3").status, "done");
}

TEST_F(SubmissionsTest, AlreadyScannedItemIsTheAnswer) {
  auto first = store_->RecordItem(Item("dd", "sub-4"));
  ASSERT_TRUE(first.ok());
  ItemRecord same = Item("dd", "sub-5");  // the same bytes submitted again
  same.already_scanned = true;
  same.runs.clear();
  auto second = store_->RecordItem(same);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second.value(), first.value());
  EXPECT_EQ(Find("sub-5").status, "done");
  EXPECT_EQ(Find("sub-5").item_id, first.value());
}

TEST_F(SubmissionsTest, FailedOnceAndNeverAfterDone) {
  SubmissionRecord s;
  s.id = "sub-6";
  ASSERT_TRUE(AcceptSubmission(store_->db(), s).ok());
  auto failed = FailSubmission(store_->db(), s, "max deliveries (5) exhausted: worker crashed");
  ASSERT_TRUE(failed.ok());
  EXPECT_TRUE(failed.value());
  EXPECT_EQ(Find("sub-6").status, "failed");
  EXPECT_EQ(Find("sub-6").reason, "max deliveries (5) exhausted: worker crashed");
  // Failing again, or recording it after, changes nothing.
  auto again = FailSubmission(store_->db(), s, "other");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value());
  auto recorded = store_->RecordItem(Item("ee", "sub-6"));
  ASSERT_TRUE(recorded.ok());
  EXPECT_EQ(recorded.value(), 0);
  EXPECT_EQ(Find("sub-6").status, "failed");
  EXPECT_EQ(Count("SELECT count(*) FROM items WHERE sha256 = 'ee'"), 0);

  ASSERT_TRUE(store_->RecordItem(Item("ff", "sub-7")).ok());
  SubmissionRecord done;
  done.id = "sub-7";
  auto late = FailSubmission(store_->db(), done, "late");
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late.value());
  EXPECT_EQ(Find("sub-7").status, "done");
}

TEST_F(SubmissionsTest, UnknownIdFailsAndMissingIdIsRefused) {
  SubmissionRecord s;
  s.id = "sub-8";
  auto failed = FailSubmission(store_->db(), s, "undecodable message");
  ASSERT_TRUE(failed.ok());
  EXPECT_TRUE(failed.value());
  EXPECT_EQ(Find("sub-8").status, "failed");
  auto none = FindSubmission(store_->db(), "sub-nope");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value().has_value());
  EXPECT_FALSE(AcceptSubmission(store_->db(), SubmissionRecord()).ok());
  EXPECT_FALSE(FailSubmission(store_->db(), SubmissionRecord(), "x").ok());
}

TEST_F(SubmissionsTest, BatchWithARedeliveryRecordsTheRest) {
  ASSERT_TRUE(store_->RecordItem(Item("g1", "sub-9")).ok());
  ItemRecord a = Item("g1", "sub-9"), b = Item("g2", "sub-10");
  auto ids = store_->RecordItems({&a, &b});
  ASSERT_TRUE(ids.ok()) << ids.status().message();
  EXPECT_EQ(ids.value()[0], Find("sub-9").item_id);
  EXPECT_EQ(ids.value()[1], Find("sub-10").item_id);
  EXPECT_EQ(Find("sub-10").status, "done");
}

}  // namespace
}  // namespace vigil::host
