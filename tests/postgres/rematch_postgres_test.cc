// `vigil rematch` on a team store (issue 13): the same stored signals in a
// SQLite store and a PostgreSQL store, the same banks and policy: the rematch
// records the same hits (item, detector, signal type, bank, entry id, distance,
// in the same order), the same outcomes, queue entries and automatic decisions
// on both, run as the team store's scanner login; a second run adds nothing.
// The signals are written in a different order on each backend, so the hits
// cannot depend on the order rows were written (a PostgreSQL table has none).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "pg_test_server.h"
#include "policy/policy.h"
#include "store/rematch.h"
#include "store/store.h"
#include "vigil/hashbank/bank.h"

namespace vigil::host::testing {
namespace {

namespace fs = std::filesystem;
using hashbank::Entry;
using hashbank::SignalType;

constexpr int kThreshold = hashbank::kDefaultPdqThreshold;
constexpr int64_t kItems = 400;

std::string RandomHex(std::mt19937_64 &rng, size_t bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < 2 * bytes; ++i)
    out += kDigits[rng() & 15];
  return out;
}

// `hex` with exactly `bits` distinct bits flipped.
std::string FlipBits(const std::string &hex, int bits, std::mt19937_64 &rng) {
  hashbank::PdqWords words = hashbank::ParsePdqHex(hex).value();
  std::vector<int> positions(256);
  for (int i = 0; i < 256; ++i)
    positions[i] = i;
  std::shuffle(positions.begin(), positions.end(), rng);
  for (int b = 0; b < bits; ++b)
    words.w[positions[b] / 64] ^= uint64_t{1} << (positions[b] % 64);
  return hashbank::PdqHex(words);
}

struct SignalRow {
  int64_t item;
  std::string detector, type, value;
  int quality; // -1: NULL
};

// What a rematch recorded, in its order.
using Recorded = std::tuple<int64_t, std::string, std::string, std::string,
                            std::string, int64_t>;

class RematchPostgres : public PgTestServer {
protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure())
      return;
    dir_ = fs::temp_directory_path() /
           ("vigil-rematch-pg-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::mt19937_64 rng(20261207);
    std::vector<std::string> pdq(kItems + 1), md5(kItems + 1);
    for (int64_t id = 1; id <= kItems; ++id) {
      pdq[id] = RandomHex(rng, 32);
      md5[id] = RandomHex(rng, 16);
      signals_.push_back(
          {id, "vigil.pdq", "pdq", pdq[id], id % 11 == 0 ? 30 : 90});
      signals_.push_back({id, "vigil.exact", "md5", md5[id], -1});
      // A second detector's copy of the same hash: which detector records it is
      // the key's order (vigil.pdq before vigil.pdq.alt), not the order
      // written.
      if (id % 7 == 0)
        signals_.push_back({id, "vigil.pdq.alt", "pdq", pdq[id], 80});
      signals_.push_back({id, "vigil.exact", "sha1", RandomHex(rng, 20), -1});
    }
    // Entries near the threshold on both sides, records whose PDQ and MD5 share
    // an id, both banks, filler.
    std::vector<Entry> alpha, beta;
    auto entry = [&](SignalType type, const std::string &hex,
                     const std::string &id) {
      Entry e;
      e.value = hashbank::ParseHashValue(type, hex).value();
      e.source = "test";
      e.category = rng() % 2 ? "A1" : "B2";
      e.severity = static_cast<int>(2 + rng() % 4);
      e.added_unix = 1796083200;
      e.external_id = id;
      return e;
    };
    for (int i = 0; i < 120; ++i) {
      const int64_t id = 1 + static_cast<int64_t>(rng() % kItems);
      const std::string rec = "rec-" + std::to_string(i);
      const int delta = static_cast<int>(rng() % 3) - 1;
      std::vector<Entry> &bank = rng() % 3 == 0 ? beta : alpha;
      bank.push_back(entry(SignalType::kPdq,
                           FlipBits(pdq[id], kThreshold + delta, rng), rec));
      if (i % 2 == 0)
        bank.push_back(entry(SignalType::kMd5, md5[id], rec));
      if (i % 5 == 0)
        beta.push_back(entry(SignalType::kPdq, FlipBits(pdq[id], 4, rng), rec));
    }
    for (int i = 0; i < 500; ++i) {
      alpha.push_back(entry(SignalType::kPdq, RandomHex(rng, 32),
                            "filler-" + std::to_string(i)));
    }
    for (const auto &[name, entries] :
         {std::pair{"alpha", &alpha}, std::pair{"beta", &beta}}) {
      const std::string path = (dir_ / (std::string(name) + ".bank")).string();
      ASSERT_TRUE(hashbank::WriteBankFile(path, name, *entries).ok());
      auto bank = hashbank::Bank::Open(path);
      ASSERT_TRUE(bank.ok()) << bank.status().message();
      banks_.push_back(std::move(bank).value());
    }
  }
  void TearDown() override {
    fs::remove_all(dir_);
    PgTestServer::TearDown();
  }

  // The items, their detector runs and signals (signals in the given order).
  void Seed(Store &store, const std::vector<SignalRow> &signals) {
    Database &db = store.db();
    Transaction tx(db);
    ASSERT_TRUE(tx.Begin().ok());
    for (int64_t id = 1; id <= kItems; ++id) {
      Statement item(db, "INSERT INTO items (id, sha256, size, media_kind, "
                         "first_path, last_path, "
                         "first_seen, last_scanned, status, outcome) VALUES "
                         "(?1, ?2, 1000, 'image', "
                         "?3, ?3, '2026-12-01T00:00:00Z', "
                         "'2026-12-01T00:00:00Z', 'ok', 'clear')");
      item.Bind(1, id)
          .Bind(2, std::string(64 - std::to_string(id).size(), '0') +
                       std::to_string(id))
          .Bind(3, "/s/" + std::to_string(id) + ".png");
      ASSERT_EQ(item.Step(), kDone) << item.Error("item").message();
      for (const char *detector :
           {"vigil.pdq.alt", "vigil.exact", "vigil.pdq"}) {
        Statement run(db, "INSERT INTO detector_runs (item_id, detector, "
                          "status, ran_at) VALUES "
                          "(?1, ?2, 'ok', '2026-12-01T00:00:00Z')");
        run.Bind(1, id).Bind(2, detector);
        ASSERT_EQ(run.Step(), kDone) << run.Error("run").message();
      }
    }
    for (const SignalRow &s : signals) {
      Statement signal(db, "INSERT INTO signals (item_id, detector, type, "
                           "value, quality) VALUES "
                           "(?1, ?2, ?3, ?4, ?5)");
      signal.Bind(1, s.item)
          .Bind(2, s.detector)
          .Bind(3, s.type)
          .Bind(4, s.value);
      if (s.quality < 0) {
        signal.BindNull(5);
      } else {
        signal.Bind(5, static_cast<int64_t>(s.quality));
      }
      ASSERT_EQ(signal.Step(), kDone) << signal.Error("signal").message();
    }
    ASSERT_TRUE(tx.Commit().ok());
  }

  struct Result {
    RematchReport report;
    std::vector<Recorded> recorded;
    std::vector<std::string> queue, outcomes, decisions;
    int64_t audited = 0;
  };

  Result RunRematch(Store &store) {
    RematchOptions options;
    options.first_party = {"vigil.pdq", "vigil.exact"};
    std::vector<const hashbank::Bank *> banks;
    for (const auto &b : banks_)
      banks.push_back(b.get());
    auto report = Rematch(store, banks, Policy::Default(), options);
    EXPECT_TRUE(report.ok()) << report.status().message();
    Result result;
    if (!report.ok())
      return result;
    result.report = *report;
    Database &db = store.db();
    Statement det(
        db,
        "SELECT item_id, detector, signal_type, bank, entry_id, distance FROM "
        "detections ORDER BY id");
    while (det.Step() == kRow) {
      result.recorded.push_back({det.ColumnInt(0), det.ColumnText(1),
                                 det.ColumnText(2), det.ColumnText(3),
                                 det.ColumnText(4), det.ColumnInt(5)});
    }
    Statement queue(db, "SELECT item_id, state, priority, severity, category, "
                        "queue_name FROM queue "
                        "ORDER BY item_id");
    while (queue.Step() == kRow) {
      result.queue.push_back(std::to_string(queue.ColumnInt(0)) + " " +
                             queue.ColumnText(1) + " " +
                             std::to_string(queue.ColumnInt(2)) + " " +
                             std::to_string(queue.ColumnInt(3)) + " " +
                             queue.ColumnText(4) + " " + queue.ColumnText(5));
    }
    Statement items(db, "SELECT id, outcome, coalesce(outcome_rule, '') FROM "
                        "items ORDER BY id");
    while (items.Step() == kRow) {
      result.outcomes.push_back(std::to_string(items.ColumnInt(0)) + " " +
                                items.ColumnText(1) + " " +
                                items.ColumnText(2));
    }
    Statement decisions(
        db,
        "SELECT item_id, reviewer, decision FROM decisions ORDER BY item_id");
    while (decisions.Step() == kRow) {
      result.decisions.push_back(std::to_string(decisions.ColumnInt(0)) + " " +
                                 decisions.ColumnText(1) + " " +
                                 decisions.ColumnText(2));
    }
    Statement audited(
        db, "SELECT count(*) FROM audit_log WHERE action = 'item.rematched'");
    EXPECT_EQ(audited.Step(), kRow);
    result.audited = audited.ColumnInt(0);
    // A second run over the same store finds nothing new.
    auto again = Rematch(store, banks, Policy::Default(), options);
    EXPECT_TRUE(again.ok()) << again.status().message();
    if (again.ok()) {
      EXPECT_EQ(again->new_matches, 0);
    }
    return result;
  }

  fs::path dir_;
  std::vector<SignalRow> signals_;
  std::vector<std::unique_ptr<hashbank::Bank>> banks_;
};

TEST_F(RematchPostgres, RecordsTheSameHitsOnBothBackends) {
  auto sqlite = Store::Open(dir_ / "store.db");
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().message();
  Seed(**sqlite, signals_);
  // The team store: made by the superuser, seeded in the reverse order,
  // rematched by the scanner's own login (its GRANTs are enough).
  {
    auto made = Store::Open(url_);
    ASSERT_TRUE(made.ok()) << made.status().message();
    std::vector<SignalRow> reversed(signals_.rbegin(), signals_.rend());
    Seed(**made, reversed);
  }
  if (HasFatalFailure())
    return;
  const std::string scanner = MakeLogin("scanner", {"vigil_scanner"});
  auto team = Store::Open(UrlFor(scanner, database_));
  ASSERT_TRUE(team.ok()) << team.status().message();

  const Result expected = RunRematch(**sqlite);
  const Result got = RunRematch(**team);
  // The planted cases are there: both banks, PDQ and MD5, at the threshold and
  // one below.
  std::set<std::string> banks, types, detectors;
  std::set<int64_t> distances;
  for (const Recorded &r : expected.recorded) {
    banks.insert(std::get<3>(r));
    types.insert(std::get<2>(r));
    detectors.insert(std::get<1>(r));
    distances.insert(std::get<5>(r));
  }
  ASSERT_GT(expected.recorded.size(), 60u);
  EXPECT_EQ(banks.size(), 2u);
  EXPECT_TRUE(types.count("pdq") && types.count("md5"));
  EXPECT_TRUE(distances.count(kThreshold) && distances.count(kThreshold - 1));
  EXPECT_FALSE(distances.count(kThreshold + 1));

  EXPECT_EQ(got.recorded, expected.recorded);
  EXPECT_EQ(got.queue, expected.queue);
  EXPECT_EQ(got.outcomes, expected.outcomes);
  EXPECT_EQ(got.decisions, expected.decisions);
  EXPECT_FALSE(expected.queue.empty());
  EXPECT_EQ(got.audited, expected.audited);
  EXPECT_EQ(got.audited, expected.report.items_matched);
  EXPECT_EQ(got.report.new_matches, expected.report.new_matches);
  EXPECT_EQ(got.report.items_matched, expected.report.items_matched);
  EXPECT_EQ(got.report.items_checked, expected.report.items_checked);
  EXPECT_EQ(got.report.signals_checked, expected.report.signals_checked);
  EXPECT_EQ(got.report.queued, expected.report.queued);
  EXPECT_EQ(got.report.auto_actioned, expected.report.auto_actioned);
  // The rematch's audit entries on the team store name the scanner's login.
  auto admin = Connect("postgres");
  EXPECT_EQ(Scalar(*admin, "SELECT count(*) FROM audit_log WHERE action = "
                           "'item.rematched' AND actor = '" +
                               scanner + "'"),
            std::to_string(got.audited));
}

} // namespace
} // namespace vigil::host::testing
