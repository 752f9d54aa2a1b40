// Issue 13's Done-when on the team store, with real logins and real `vigil
// queue` processes: four reviewers, each their own login, work 5,000 items at
// once (none claimed twice, no decision lost, each decided once, the audit
// chain verifies), and a reviewer killed with SIGKILL in the middle of a
// decision leaves nothing of it, its lease runs out and the item is served to
// the next reviewer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "store/audit_log.h"
#include "store/postgres_schema.h"
#include "store/store.h"
#include "team_process.h"

namespace vigil::host::testing {
namespace {

using ::testing::HasSubstr;

class TeamQueueScaleTest : public TeamProcessTest {
 protected:
  void SetUp() override {
    TeamProcessTest::SetUp();
    if (HasFatalFailure()) return;
    auto store = Store::Open(url_);  // the superuser migrates the store
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    TeamProcessTest::TearDown();
  }
  // `count` items the policy sent to review, seeded directly (one statement
  // each for the items and the queue), severities cycling 1..5 so that claim
  // order is not insertion order, each with its scan's audit entry. Their
  // ids, 1..count.
  void Seed(int count) {
    const std::string n = std::to_string(count);
    ASSERT_EQ(RunSql(store_->db(),
                     "INSERT INTO items (id, sha256, size, media_kind, first_path, "
                     "last_path, "
                     "first_seen, last_scanned, status, outcome, outcome_reason) "
                     "SELECT g, lpad(to_hex(g), 64, '0'), 100, 'image', '/items/' || g, "
                     "'/items/' || g, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z', "
                     "'ok', "
                     "'review', 'matched test list ' || g FROM generate_series(1, " +
                         n + ") g"),
              "");
    ASSERT_EQ(RunSql(store_->db(),
                     "INSERT INTO queue (item_id, state, priority, "
                     "severity, obscure_level, "
                     "category, reason, enqueued_at, updated_at) "
                     "SELECT g, 'pending', 10, "
                     "1 + g % 5, 5, CASE WHEN g % 2 = 1 THEN 'B1' ELSE "
                     "'A2' END, 'test', "
                     "'2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z' "
                     "FROM generate_series(1, " +
                         n + ") g"),
              "");
    // Each item's scan entry, as `vigil scan` writes it (audit verify accounts
    // for items).
    ASSERT_EQ(RunSql(store_->db(),
                     "INSERT INTO audit_log (seq, at, actor, action, item_id, details, "
                     "prev_hash, hash) SELECT 0, '', session_user, 'item.scanned', g, "
                     "'{\"outcome\":\"review\"}', '', '' FROM generate_series(1, " +
                         n + ") g ORDER BY g"),
              "");
  }
  int64_t Count(const std::string &sql) {
    const std::string text = Scalar(store_->db(), sql);
    return text.empty() ? -1 : std::stoll(text);
  }
  void ExpectAuditVerifies(const std::string &auditor) {
    Ran verify = Vigil(auditor, {"audit", "verify"}, "verify");
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    EXPECT_THAT(verify.out, HasSubstr("OK: "));
  }

  std::unique_ptr<Store> store_;
};

// Each reviewer loops `vigil queue claim --json` and `vigil queue decide`: one
// item at a time for the first rounds, then 50 at a time (`claim --count 50`,
// `decide --from`; each claim is still its own transaction and lease, racing
// the other three), since `vigil` takes 0.1-0.2 s to start on this busy 2-core
// machine.
TEST_F(TeamQueueScaleTest, FourReviewerLoginsWork5000ItemsOnce) {
#ifdef __SANITIZE_ADDRESS__
  constexpr int kItems = 1000;  // every process ~5x slower; the release run proves 5,000
#else
  constexpr int kItems = 5000;
#endif
  constexpr int kReviewers = 4;
  constexpr int kSingleRounds = 5;
  constexpr size_t kBatch = 50;
  std::vector<std::string> logins;
  for (int r = 0; r < kReviewers; ++r) {
    logins.push_back(MakeLogin("rev" + std::to_string(r), {"vigil_reviewer"}));
  }
  const std::string auditor = MakeLogin("audit", {"vigil_auditor"});
  Seed(kItems);
  ASSERT_FALSE(HasFatalFailure());
  const auto start = std::chrono::steady_clock::now();

  struct Work {
    std::vector<int64_t> claimed;
    std::vector<int64_t> decided;
    std::vector<std::string> errors;
  };
  std::vector<Work> work(kReviewers);
  const char *const kDecisions[] = {"A1", "A2", "B1", "B2"};
  auto reviewer_loop = [&](int r) {
    const std::string &who = logins[r];
    const std::string tag = "rev" + std::to_string(r);
    Work &mine = work[r];
    for (int round = 0;; ++round) {
      const bool single = round < kSingleRounds;
      std::vector<std::string> claim_args = {"queue", "claim", "--json"};
      if (!single) claim_args.insert(claim_args.end(), {"--count", std::to_string(kBatch)});
      Ran claim = Vigil(who, claim_args, tag);
      if (claim.exit_code == 3) break;  // nothing left
      if (claim.exit_code != 0) {
        mine.errors.push_back("claim: " + std::to_string(claim.exit_code) + " " + claim.err);
        return;
      }
      std::vector<int64_t> items;
      std::istringstream lines(claim.out);
      for (std::string line; std::getline(lines, line);) {
        auto json = nlohmann::json::parse(line, nullptr, false);
        if (json.is_discarded() || !json.contains("item") || json["reviewer"] != who) {
          mine.errors.push_back("claim printed " + line);
          return;
        }
        items.push_back(json["item"].get<int64_t>());
      }
      if (items.empty() || (single && items.size() != 1) || items.size() > kBatch) {
        mine.errors.push_back("claim printed " + std::to_string(items.size()) + " items");
        return;
      }
      mine.claimed.insert(mine.claimed.end(), items.begin(), items.end());
      Ran decide;
      if (single) {
        decide = Vigil(
            who, {"queue", "decide", std::to_string(items[0]), kDecisions[items[0] % 4], "--json"},
            tag);
      } else {
        const std::string batch_path = (scratch_ / (tag + ".jsonl")).string();
        std::ofstream batch(batch_path, std::ios::trunc);
        for (int64_t item : items) {
          batch << nlohmann::json{{"item", item}, {"decision", kDecisions[item % 4]}}.dump()
                << "\n";
        }
        batch.close();
        decide = Vigil(who, {"queue", "decide", "--from", batch_path, "--json"}, tag);
      }
      if (decide.exit_code != 0) mine.errors.push_back("decide: " + decide.err);
      std::istringstream decided(decide.out);
      for (std::string line; std::getline(decided, line);) {
        auto json = nlohmann::json::parse(line, nullptr, false);
        if (!json.is_discarded() && json.value("state", "") == "decided") {
          mine.decided.push_back(json["item"].get<int64_t>());
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (int r = 0; r < kReviewers; ++r) threads.emplace_back(reviewer_loop, r);
  for (auto &t : threads) t.join();
  // Reported, never asserted.
  std::printf("4 reviewer logins worked %d items in %.1f s\n", kItems,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());

  std::map<int64_t, int> claims;
  std::set<int64_t> decided;
  size_t reported = 0;
  for (int r = 0; r < kReviewers; ++r) {
    EXPECT_TRUE(work[r].errors.empty()) << logins[r] << ": " << work[r].errors.front();
    EXPECT_FALSE(work[r].claimed.empty()) << logins[r] << " never got an item";
    EXPECT_EQ(work[r].decided, work[r].claimed) << logins[r];
    for (int64_t item : work[r].claimed) ++claims[item];
    decided.insert(work[r].decided.begin(), work[r].decided.end());
    reported += work[r].decided.size();
  }
  EXPECT_EQ(claims.size(), static_cast<size_t>(kItems));
  int twice = 0;
  for (const auto &[item, n] : claims) twice += n > 1;
  EXPECT_EQ(twice, 0);
  EXPECT_EQ(decided.size(), static_cast<size_t>(kItems));
  EXPECT_EQ(*decided.begin(), 1);
  EXPECT_EQ(*decided.rbegin(), kItems);
  EXPECT_EQ(reported, static_cast<size_t>(kItems));
  // The store agrees: one decision per item, by the login whose claim returned
  // it, the decision it sent; one claim entry per item in the log, by that
  // login.
  EXPECT_EQ(Count("SELECT count(*) FROM decisions"), kItems);
  EXPECT_EQ(Count("SELECT count(DISTINCT item_id) FROM decisions"), kItems);
  EXPECT_EQ(Count("SELECT count(*) FROM queue WHERE state <> 'decided'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE decision <> "
                  "CASE item_id % 4 WHEN 0 THEN 'A1' WHEN 1 THEN 'A2' WHEN 2 THEN 'B1' "
                  "ELSE 'B2' END"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'queue.claimed'"), kItems);
  EXPECT_EQ(Count("SELECT count(DISTINCT item_id) FROM audit_log "
                  "WHERE action = 'queue.claimed'"),
            kItems);
  EXPECT_EQ(Count("SELECT count(*) FROM decisions d JOIN audit_log a ON "
                  "a.item_id = d.item_id "
                  "AND a.action = 'queue.claimed' WHERE a.actor <> d.reviewer"),
            0);
  for (int r = 0; r < kReviewers; ++r) {
    EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE reviewer = '" + logins[r] + "'"),
              static_cast<int64_t>(work[r].decided.size()));
  }
  ExpectAuditVerifies(auditor);
}

// The victim's decision is held at the audit chain's lock (the superuser holds
// it), the process is killed there; PostgreSQL rolls its transaction back when
// the connection drops. The lease runs out and the item is served to the next
// reviewer.
TEST_F(TeamQueueScaleTest, KilledReviewerMidDecisionItsItemIsServedAgain) {
  const std::string victim = MakeLogin("victim", {"vigil_reviewer"});
  const std::string rescuer = MakeLogin("rescuer", {"vigil_reviewer"});
  const std::string auditor = MakeLogin("audit", {"vigil_auditor"});
  Seed(1);
  ASSERT_FALSE(HasFatalFailure());
  // A lease long enough for the decision to reach the lock on a loaded machine (a decision
  // after the lease ran out is refused before it gets there), short enough to wait out.
  Ran claim = Vigil(victim, {"queue", "claim", "--json", "--lease", "15"});
  ASSERT_EQ(claim.exit_code, 0) << claim.err;
  auto lock = Connect("postgres");
  ASSERT_TRUE(lock);
  ASSERT_EQ(
      Scalar(*lock, "SELECT pg_advisory_lock(" + std::to_string(kAuditChainLock) + ") IS NOT NULL"),
      "t");
  Spawned decide = SpawnArgs(VigilArgs(victim, {"queue", "decide", "1", "A1"}),
                             scratch_ / "decide.out", scratch_ / "decide.err");
  ASSERT_GT(decide.pid, 0);
  // Wait until the decision is at the lock: its decision row inserted,
  // uncommitted.
  const std::string waiting = "SELECT count(*) FROM pg_stat_activity WHERE usename = '" + victim +
                              "' AND wait_event_type = 'Lock'";
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (Scalar(*lock, waiting) != "1" && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(Scalar(*lock, waiting), "1") << SlurpFile(scratch_ / "decide.err");
  ASSERT_EQ(::kill(decide.pid, SIGKILL), 0);
  EXPECT_EQ(WaitFor(decide).exit_code, -SIGKILL);
  ASSERT_EQ(Scalar(*lock, "SELECT pg_advisory_unlock(" + std::to_string(kAuditChainLock) +
                              ") IS NOT NULL"),
            "t");
  // The killed client's backend ends (its transaction rolled back).
  const std::string gone = "SELECT count(*) FROM pg_stat_activity WHERE usename = '" + victim + "'";
  while (Scalar(*lock, gone) != "0" && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(Scalar(*lock, gone), "0");
  EXPECT_EQ(Count("SELECT count(*) FROM decisions"), 0);
  EXPECT_EQ(Scalar(store_->db(), "SELECT state || '/' || lease_owner FROM queue"),
            "claimed/" + victim);

  // The rescuer polls until the lease runs out and the item is theirs.
  const auto served_by = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  Ran next;
  do {
    next = Vigil(rescuer, {"queue", "claim", "--json"});
    if (next.exit_code == 0) break;
    ASSERT_EQ(next.exit_code, 3) << next.err;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (std::chrono::steady_clock::now() < served_by);
  ASSERT_EQ(next.exit_code, 0) << "the item was never served again: " << next.err;
  EXPECT_EQ(nlohmann::json::parse(next.out)["item"], 1);
  Ran late = Vigil(victim, {"queue", "decide", "1", "A1"});
  EXPECT_EQ(late.exit_code, 4) << late.out << late.err;
  EXPECT_THAT(late.err, HasSubstr(rescuer + " holds it"));
  ASSERT_EQ(Vigil(rescuer, {"queue", "decide", "1", "A2"}).exit_code, 0);
  EXPECT_EQ(Scalar(store_->db(),
                   "SELECT string_agg(decision || '/' || reviewer, ',') "
                   "FROM decisions"),
            "A2/" + rescuer);
  ExpectAuditVerifies(auditor);
}

}  // namespace
}  // namespace vigil::host::testing
