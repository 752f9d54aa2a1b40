// Submissions on the team store (issue 14): two fleet workers recording the same
// submissions at once (a redelivery racing the first delivery) finish each exactly once,
// as the scanner role the workers log in with; reviewers cannot touch them.
#include <gtest/gtest.h>

#include <thread>

#include "pg_test_server.h"
#include "store/store.h"
#include "store/submissions.h"

namespace vigil::host::testing {
namespace {

class TeamSubmissions : public PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    auto store = Store::Open(url_);  // migrates, as the superuser
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    PgTestServer::TearDown();
  }
  std::unique_ptr<Store> As(const std::string& login) {
    auto store = Store::Open(UrlFor(login, database_));
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  static ItemRecord Item(int n) {
    ItemRecord record;
    record.sha256 = "sha-" + std::to_string(n);
    record.path = "/spool/sub-" + std::to_string(n);
    record.size = 100;
    record.media_kind = "image";
    record.outcome.disposition = n % 2 ? Disposition::kReview : Disposition::kAutoAction;
    record.outcome.category = "A1";
    record.outcome.rule = "test rule";
    record.submission_id = "sub-" + std::to_string(n);
    return record;
  }
  std::unique_ptr<Store> store_;
};

TEST_F(TeamSubmissions, TwoWorkersRacingRecordEachOnce) {
  const std::string scanner = MakeLogin("scanner", {"vigil_scanner"});
  constexpr int kItems = 200;
  for (int n = 0; n < kItems; ++n) {
    SubmissionRecord accepted;
    accepted.id = "sub-" + std::to_string(n);
    ASSERT_TRUE(AcceptSubmission(store_->db(), accepted).ok());
  }
  const std::string audit_before = Scalar(store_->db(), "SELECT count(*) FROM audit_log");
  auto worker = [&](bool reverse, std::vector<int64_t>* ids) {
    auto store = As(scanner);
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < kItems; i += 8) {  // batches of 8, as a worker records them
      std::vector<ItemRecord> batch;
      for (int k = 0; k < 8; ++k) batch.push_back(Item(reverse ? kItems - 1 - i - k : i + k));
      std::vector<const ItemRecord*> pointers;
      for (const ItemRecord& r : batch) pointers.push_back(&r);
      auto recorded = store->RecordItems(pointers);
      ASSERT_TRUE(recorded.ok()) << recorded.status().message();
      ids->insert(ids->end(), recorded->begin(), recorded->end());
    }
  };
  std::vector<int64_t> a, b;
  std::thread first(worker, false, &a), second(worker, true, &b);
  first.join();
  second.join();
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM submissions WHERE status = 'done'"),
            std::to_string(kItems));
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM submissions WHERE item_id IS NULL"), "0");
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM items"), std::to_string(kItems));
  // One queue row, one automatic decision each: nothing recorded twice.
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM queue"), std::to_string(kItems));
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM decisions"), std::to_string(kItems / 2));
  // Every id either worker got back is the submission's item.
  EXPECT_EQ(Scalar(store_->db(),
                   "SELECT count(*) FROM submissions s JOIN items i ON i.id = s.item_id "
                   "WHERE 'sha-' || substr(s.id, 5) = i.sha256"),
            std::to_string(kItems));
  EXPECT_EQ(a.size(), static_cast<size_t>(kItems));
  EXPECT_EQ(b.size(), static_cast<size_t>(kItems));
  EXPECT_NE(Scalar(store_->db(), "SELECT count(*) FROM audit_log"), audit_before);
}

TEST_F(TeamSubmissions, OnlyTheScannerAndAdminsWriteThem) {
  const std::string scanner = MakeLogin("scanner", {"vigil_scanner"});
  const std::string alice = MakeLogin("alice", {"vigil_reviewer"});
  auto as_scanner = As(scanner);
  auto as_alice = As(alice);
  ASSERT_TRUE(as_scanner && as_alice);
  SubmissionRecord s;
  s.id = "sub-x";
  EXPECT_TRUE(AcceptSubmission(as_scanner->db(), s).ok());
  auto failed = FailSubmission(as_scanner->db(), s, "exhausted");
  ASSERT_TRUE(failed.ok()) << failed.status().message();
  EXPECT_TRUE(failed.value());
  // A finished submission stays finished, even for its writer (row security hides it
  // from the UPDATE).
  EXPECT_EQ(RunSql(as_scanner->db(), "UPDATE submissions SET status = 'accepted'"), "");
  EXPECT_EQ(Scalar(store_->db(), "SELECT status FROM submissions WHERE id = 'sub-x'"), "failed");
  SubmissionRecord other;
  other.id = "sub-y";
  EXPECT_FALSE(AcceptSubmission(as_alice->db(), other).ok());
}

}  // namespace
}  // namespace vigil::host::testing
