// Issue 13, item 1: "the audit chain stays one verifiable chain per store under concurrent
// writers", on both stores. Each writer is its own Store (its own connection, as separate
// `vigil scan` and `vigil queue` processes have): scanners record items while reviewers
// claim and decide them. After: every item recorded and decided exactly once, the chain
// verifies, every entry follows exactly one other (no fork: no two entries share a
// previous hash) and the sequence has no gap.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/audit_log.h"
#include "store/review_queue.h"
#include "store/store.h"
#include "store_backend.h"

namespace vigil::host {
namespace {

using ::testing::IsEmpty;

class StoreConcurrencyTest : public StoreBackendTest {};

TEST_P(StoreConcurrencyTest, ScannersAndReviewersOnTheirOwnConnectionsKeepOneChain) {
  constexpr int kScanners = 3;
  constexpr int kReviewers = 3;
  constexpr int kItemsPerScanner = 20;
  constexpr int kItems = kScanners * kItemsPerScanner;

  // Scanners in the scanner role, reviewers in the reviewer role (on PostgreSQL each
  // their own login; on SQLite each their own connection).
  std::vector<Person*> people;
  for (int s = 0; s < kScanners; ++s)
    people.push_back(&P("scanner" + std::to_string(s), {"vigil_scanner"}));
  for (int r = 0; r < kReviewers; ++r) people.push_back(&P("reviewer" + std::to_string(r)));
  ASSERT_FALSE(HasFailure());
  std::vector<std::string> errors(kScanners + kReviewers);
  std::atomic<int> scanners_done{0};
  std::atomic<int> decided{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < kScanners; ++s) {
    threads.emplace_back([&, s] {
      for (int n = 0; n < kItemsPerScanner && errors[s].empty(); ++n) {
        ItemRecord record;
        record.sha256 = "w" + std::to_string(s) + "-" + std::to_string(n);
        record.path = "/items/" + record.sha256;
        record.media_kind = "image";
        record.outcome.disposition = Disposition::kReview;
        record.outcome.severity = 1 + n % 5;
        record.outcome.rule = "test rule";
        auto id = people[s]->store->RecordItem(record);
        if (!id.ok()) errors[s] = "record: " + id.status().message();
      }
      ++scanners_done;
    });
  }
  for (int r = 0; r < kReviewers; ++r) {
    const int w = kScanners + r;
    threads.emplace_back([&, w] {
      ReviewQueue& queue = *people[w]->queue;
      const std::string reviewer = people[w]->id;
      // Until the scanners are done and the queue is empty.
      while (errors[w].empty()) {
        const bool scanning = scanners_done.load() < kScanners;
        auto claimed = queue.Claim(reviewer, {});
        if (!claimed.ok()) {
          errors[w] = "claim: " + claimed.status().message();
          break;
        }
        if (!claimed.value().has_value()) {
          if (!scanning) break;
          std::this_thread::yield();
          continue;
        }
        Status s = queue.Decide(claimed.value()->item_id, reviewer, "B1", "");
        if (!s.ok()) {
          errors[w] = "decide: " + s.message();
          break;
        }
        ++decided;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t w = 0; w < errors.size(); ++w) EXPECT_EQ(errors[w], "") << "writer " << w;

  EXPECT_EQ(decided.load(), kItems);
  EXPECT_EQ(Count("SELECT count(*) FROM items"), kItems);
  EXPECT_EQ(Count("SELECT count(*) FROM decisions"), kItems);
  EXPECT_EQ(Count("SELECT count(DISTINCT item_id) FROM decisions"), kItems)
      << "no item decided twice";
  EXPECT_EQ(Count("SELECT count(*) FROM queue WHERE state <> 'decided'"), 0);

  auto report = VerifyAudit(store_->db());
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_THAT(report.value().problems, IsEmpty());
  // A scan, a claim and a decision per item.
  EXPECT_EQ(report.value().entries, 3 * kItems);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log"), 3 * kItems);
  EXPECT_EQ(Count("SELECT max(seq) - min(seq) + 1 FROM audit_log"), 3 * kItems) << "a gap";
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log a JOIN audit_log b "
                  "ON a.prev_hash = b.prev_hash AND a.seq < b.seq"),
            0)
      << "two entries follow the same entry: the chain forked";
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log a JOIN audit_log b "
                  "ON b.seq = a.seq + 1 WHERE b.prev_hash <> a.hash"),
            0)
      << "an entry does not follow the one before it";
}

VIGIL_ON_BOTH_STORES(StoreConcurrencyTest);

}  // namespace
}  // namespace vigil::host
