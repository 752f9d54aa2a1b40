// Issue 12, item 7: the fast rematch (an index over the stored PDQ hashes queried with the
// bank's entries, or the bank's own index queried with the stored hashes; two threads; the
// signals read through the covering index and the matched rows read back) records exactly
// what a brute-force reference does: every stored signal row in key order, each bank in
// order, every entry compared (PdqDistance, equal digests), entries before --since left
// out, hashes below the quality floor never matched, and a hit already recorded for the
// item, bank and entry id not recorded again.
//
// A few thousand random stored hashes, with bank entries planted at threshold - 1,
// threshold and threshold + 1 bits from stored hashes, the rotated and mirrored PDQ hashes
// of drawn images whose original orientation is stored (a rematch compares the stored
// orientation only, so they match only when within the threshold of it), exact digests,
// records whose PDQ and MD5 entries share an id, entries in both banks, and old and new
// entries.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "bank_set.h"
#include "policy/policy.h"
#include "store/rematch.h"
#include "store/db/database.h"
#include "store/store.h"
#include "vigil/hashbank/bank.h"
#include "vigil/hashbank/pdq_index.h"
#include "vigil/pdq/pdq.h"
#include "vigil/plugin.hpp"

namespace vigil::host {
namespace {

namespace fs = std::filesystem;
using hashbank::Entry;
using hashbank::SignalType;

constexpr int kThreshold = hashbank::kDefaultPdqThreshold;
constexpr int64_t kOld = 1764979200;  // 2025-12-06
constexpr int64_t kNew = 1796083200;  // 2026-12-01

std::string RandomHex(std::mt19937_64& rng, size_t bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < 2 * bytes; ++i) out += kDigits[rng() & 15];
  return out;
}

// `hex` with exactly `bits` distinct bits flipped.
std::string FlipBits(const std::string& hex, int bits, std::mt19937_64& rng) {
  hashbank::PdqWords words = hashbank::ParsePdqHex(hex).value();
  std::vector<int> positions(256);
  for (int i = 0; i < 256; ++i) positions[i] = i;
  std::shuffle(positions.begin(), positions.end(), rng);
  for (int b = 0; b < bits; ++b) words.w[positions[b] / 64] ^= uint64_t{1} << (positions[b] % 64);
  return hashbank::PdqHex(words);
}

// The 8 dihedral PDQ hashes of a drawn, benign image (smooth gradients and a bright
// rectangle, different per seed).
std::vector<std::string> DihedralHexes(int seed) {
  const uint32_t w = 96, h = 64;
  std::vector<uint8_t> pixels(size_t{w} * h * 3);
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) {
      const double v = 127 + 60 * std::sin((x + 3.0 * seed) / (5.0 + seed % 7)) +
                       60 * std::cos((y * (1 + seed % 3)) / 9.0);
      const bool box = x > 5u + seed % 20 && x < 30u + seed % 15 && y > 8 && y < 30;
      const uint8_t g = static_cast<uint8_t>(std::clamp(box ? 250.0 : v, 0.0, 255.0));
      uint8_t* p = &pixels[(size_t{y} * w + x) * 3];
      p[0] = g;
      p[1] = static_cast<uint8_t>(255 - g);
      p[2] = static_cast<uint8_t>((g + 40 * seed) & 255);
    }
  }
  pdq::ImageView view;
  view.pixels = pixels.data();
  view.size_bytes = pixels.size();
  view.width = w;
  view.height = h;
  view.stride = size_t{w} * 3;
  view.format = pdq::PixelFormat::kRgb8;
  pdq::PdqHasher hasher;
  auto hashes = hasher.HashDihedral(view);
  EXPECT_TRUE(hashes.ok());
  std::vector<std::string> out;
  for (const pdq::Hash256& hash : hashes.value().hashes) out.push_back(hash.ToHex());
  return out;
}

struct SignalRow {
  int64_t rowid;
  int64_t item_id;
  std::string detector;
  std::string type;
  std::string value;
  bool has_quality;
  int quality;
};

// What a rematch records per hit, in the order it records them.
using Recorded = std::tuple<int64_t, std::string, std::string, std::string, std::string, int>;

class RematchEquivalenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-rematch-eq-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    BuildStoreAndBanks();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void BuildStoreAndBanks() {
    std::mt19937_64 rng(20261207);
    std::vector<std::string> pdq_of(kItems + 1), md5_of(kItems + 1);
    std::vector<std::vector<std::string>> drawn;  // dihedral hashes of drawn images
    {
      auto store = Store::Open(dir_ / "base.db");
      ASSERT_TRUE(store.ok()) << store.status().message();
      Database& db = store.value()->db();
      Transaction tx(db);
      ASSERT_TRUE(tx.Begin().ok());
      for (int64_t id = 1; id <= kItems; ++id) {
        Statement item(db,
                       "INSERT INTO items (id, sha256, size, media_kind, first_path, last_path, "
                       "first_seen, last_scanned, status, outcome) VALUES (?1, ?2, 1000, "
                       "'image', ?3, ?3, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z', 'ok', "
                       "'clear')");
        item.Bind(1, id).Bind(2, RandomHex(rng, 32)).Bind(3, "/s/" + std::to_string(id) + ".png");
        ASSERT_EQ(item.Step(), kDone);
        for (const char* detector : {"vigil.pdq", "vigil.exact"}) {
          Statement run(db,
                        "INSERT INTO detector_runs (item_id, detector, status, ran_at) VALUES "
                        "(?1, ?2, 'ok', '2026-12-01T00:00:00Z')");
          run.Bind(1, id).Bind(2, detector);
          ASSERT_EQ(run.Step(), kDone);
        }
        if (id <= kDrawn) {
          drawn.push_back(DihedralHexes(static_cast<int>(id)));
          pdq_of[id] = drawn.back()[0];  // a scan stores the original orientation
        } else {
          pdq_of[id] = RandomHex(rng, 32);
        }
        md5_of[id] = RandomHex(rng, 16);
        auto add_signal = [&](const char* detector, const char* type, const std::string& value,
                              int quality) {
          Statement signal(db,
                           "INSERT INTO signals (item_id, detector, type, value, quality) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)");
          signal.Bind(1, id).Bind(2, detector).Bind(3, type).Bind(4, value);
          if (quality < 0) {
            signal.BindNull(5);
          } else {
            signal.Bind(5, static_cast<int64_t>(quality));
          }
          ASSERT_EQ(signal.Step(), kDone);
        };
        // Digests written first for some items: the key order (detector, type, value), not
        // the order written, decides which of a record's entries is recorded.
        const bool digest_first = id % 5 == 0;
        if (digest_first) add_signal("vigil.exact", "md5", md5_of[id], -1);
        // Every 11th hash is below the quality floor; every 13th has no quality at all.
        add_signal("vigil.pdq", "pdq", pdq_of[id], id % 11 == 0 ? 30 : (id % 13 == 0 ? -1 : 90));
        if (!digest_first) add_signal("vigil.exact", "md5", md5_of[id], -1);
        // Some items carry a second detector's copy of the same hash (one value, two rows).
        if (id % 17 == 0) add_signal("vigil.pdq.alt", "pdq", pdq_of[id], 80);
        add_signal("vigil.exact", "sha1", RandomHex(rng, 20), -1);
        // An unparsable value is skipped, as before.
        if (id % 97 == 0) add_signal("vigil.pdq.alt", "pdq", "not-a-hash", 100);
      }
      // A hit recorded before (by a scan): not recorded again.
      Statement det(db,
                    "INSERT INTO detections (item_id, detector, label, score, severity, "
                    "signal_type, bank, entry_id, category, distance, dihedral, reason) VALUES "
                    "(?1, 'vigil.pdq', 'hash-match', 1.0, 3, 'pdq', 'alpha', ?2, 'B2', 0, 0, "
                    "'seeded')");
      det.Bind(1, int64_t{kDrawn + 1}).Bind(2, "rec-0");
      ASSERT_EQ(det.Step(), kDone);
      ASSERT_TRUE(tx.Commit().ok());
    }

    // Entries: planted near the threshold, dihedral variants, digests, filler.
    std::vector<Entry> alpha, beta;
    int record = 0;
    auto entry = [&](SignalType type, const std::string& hex, int64_t added,
                     const std::string& id) {
      Entry e;
      e.value = hashbank::ParseHashValue(type, hex).value();
      e.source = "test";
      e.category = rng() % 2 ? "A1" : "B2";
      e.severity = static_cast<int>(3 + rng() % 3);  // medium to critical: queued
      e.added_unix = added;
      e.external_id = id;
      return e;
    };
    auto place = [&](const Entry& e) {
      switch (rng() % 5) {
        case 0:
          beta.push_back(e);
          break;
        case 1:
          alpha.push_back(e);
          beta.push_back(e);
          break;  // in both banks
        default:
          alpha.push_back(e);
          break;
      }
    };
    for (int i = 0; i < 400; ++i) {
      const int64_t id = kDrawn + 1 + static_cast<int64_t>(rng() % (kItems - kDrawn));
      const int delta = static_cast<int>(rng() % 3) - 1;  // threshold - 1, threshold, + 1
      const std::string rec = "rec-" + std::to_string(record++);
      const int64_t added = rng() % 2 ? kOld : kNew;
      place(entry(SignalType::kPdq, FlipBits(pdq_of[id], kThreshold + delta, rng), added, rec));
      // Half the records also carry the item's MD5 under the same id.
      if (i % 2 == 0) place(entry(SignalType::kMd5, md5_of[id], added, rec));
      // A few well inside the threshold, without an id (recorded by entry index).
      if (i % 9 == 0) {
        place(entry(SignalType::kPdq, FlipBits(pdq_of[id], 3 + i % 20, rng), added, ""));
      }
    }
    for (size_t d = 0; d < drawn.size(); ++d) {
      for (int v = 1; v < pdq::kDihedralCount; ++v) {
        place(entry(SignalType::kPdq, drawn[d][v], d % 2 ? kOld : kNew,
                    "dih-" + std::to_string(d) + "-" + std::to_string(v)));
      }
      if (d % 3 == 0) {  // and the original orientation itself, a little changed
        place(entry(SignalType::kPdq, FlipBits(drawn[d][0], 5, rng), kNew,
                    "dih-" + std::to_string(d) + "-0"));
      }
    }
    for (int i = 0; i < 100; ++i) {
      const int64_t id = 1 + static_cast<int64_t>(rng() % kItems);
      place(entry(SignalType::kMd5, md5_of[id], i % 2 ? kOld : kNew, ""));
    }
    for (int i = 0; i < 2500; ++i) {
      place(entry(SignalType::kPdq, RandomHex(rng, 32), i % 2 ? kOld : kNew,
                  "filler-" + std::to_string(i)));
    }
    for (int i = 0; i < 300; ++i) {
      place(entry(SignalType::kMd5, RandomHex(rng, 16), kNew, ""));
    }
    for (const auto& [name, entries] : {std::pair{"alpha", &alpha}, std::pair{"beta", &beta}}) {
      const std::string path = (dir_ / (std::string(name) + ".bank")).string();
      ASSERT_TRUE(hashbank::WriteBankFile(path, name, *entries).ok());
      auto bank = hashbank::Bank::Open(path);
      ASSERT_TRUE(bank.ok()) << bank.status().message();
      banks_.push_back(std::move(bank).value());
    }
  }

  std::vector<const hashbank::Bank*> Banks() const {
    std::vector<const hashbank::Bank*> out;
    for (const auto& b : banks_) out.push_back(b.get());
    return out;
  }

  // The brute-force reference: what the rematch must record, in its order.
  std::vector<Recorded> Reference(int64_t since, int min_quality) {
    auto store = Store::Open(dir_ / "base.db");
    EXPECT_TRUE(store.ok());
    Database& db = store.value()->db();
    std::set<std::tuple<int64_t, std::string, std::string>> known;
    Statement seeded(db,
                     "SELECT item_id, bank, entry_id FROM detections WHERE label = 'hash-match'");
    while (seeded.Step() == kRow) {
      known.insert({seeded.ColumnInt(0), seeded.ColumnText(1), seeded.ColumnText(2)});
    }
    std::vector<SignalRow> rows;
    Statement all(db,
                  "SELECT rowid, item_id, detector, type, value, quality FROM signals "
                  "ORDER BY rowid");
    while (all.Step() == kRow) {
      rows.push_back({all.ColumnInt(0), all.ColumnInt(1), all.ColumnText(2), all.ColumnText(3),
                      all.ColumnText(4), all.ColumnType(5) != "null",
                      static_cast<int>(all.ColumnInt(5))});
    }
    // Per item in the signals' key order (detector, type, value, as bytes): the order both
    // backends give (a PostgreSQL table has no rowid), not the order the rows were written.
    std::stable_sort(rows.begin(), rows.end(), [](const SignalRow& a, const SignalRow& b) {
      return std::tie(a.item_id, a.detector, a.type, a.value) <
             std::tie(b.item_id, b.detector, b.type, b.value);
    });
    struct BankEntries {
      std::vector<Entry> entries;
      std::vector<hashbank::PdqWords> words;
    };
    std::vector<BankEntries> bank_entries;
    for (const auto& bank : banks_) {
      BankEntries b;
      b.entries = bank->Entries();
      for (const Entry& e : b.entries) {
        b.words.push_back(hashbank::PdqWordsFromBytes(e.value.bytes.data()));
      }
      bank_entries.push_back(std::move(b));
    }
    std::map<int64_t, std::vector<Recorded>> by_item;
    for (const SignalRow& row : rows) {
      const auto type = hashbank::ParseSignalType(row.type);
      if (!type) continue;
      auto value = hashbank::ParseHashValue(*type, row.value);
      if (!value.ok()) continue;
      if (*type == SignalType::kPdq && row.has_quality && row.quality < min_quality) continue;
      const hashbank::PdqWords words = hashbank::PdqWordsFromBytes(value.value().bytes.data());
      for (size_t b = 0; b < banks_.size(); ++b) {
        const auto& bank = banks_[b];
        std::vector<std::pair<int, uint32_t>> found;  // (distance, entry)
        for (uint32_t e = 0; e < bank->size(); ++e) {
          const Entry& entry = bank_entries[b].entries[e];
          if (entry.value.type != *type || entry.added_unix < since) continue;
          if (*type == SignalType::kPdq) {
            const int d = hashbank::PdqDistance(bank_entries[b].words[e], words);
            if (d <= kThreshold) found.push_back({d, e});
          } else if (entry.value == value.value()) {
            found.push_back({0, e});
          }
        }
        std::sort(found.begin(), found.end());
        for (const auto& [distance, e] : found) {
          const Entry& entry = bank_entries[b].entries[e];
          const std::string id = entry.external_id.empty() ? std::to_string(e) : entry.external_id;
          if (!known.insert({row.item_id, bank->name(), id}).second) continue;
          by_item[row.item_id].push_back(
              {row.item_id, row.detector, row.type, bank->name(), id, distance});
        }
      }
    }
    std::vector<Recorded> out;
    for (auto& [item, hits] : by_item) out.insert(out.end(), hits.begin(), hits.end());
    return out;
  }

  struct Run {
    RematchReport report;
    std::vector<Recorded> recorded;
    std::vector<std::tuple<int64_t, std::string, int64_t, int64_t>> queue;
  };

  // Rematch on a fresh copy of the store.
  Run RunRematch(const RematchOptions& options, const std::string& copy) {
    const fs::path path = dir_ / copy;
    fs::copy_file(dir_ / "base.db", path, fs::copy_options::overwrite_existing);
    auto store = Store::Open(path);
    EXPECT_TRUE(store.ok());
    auto report = Rematch(*store.value(), Banks(), Policy::Default(), options);
    EXPECT_TRUE(report.ok()) << report.status().message();
    Run run;
    if (!report.ok()) return run;
    run.report = report.value();
    Database& db = store.value()->db();
    Statement det(db,
                  "SELECT item_id, detector, signal_type, bank, entry_id, distance FROM "
                  "detections WHERE reason != 'seeded' ORDER BY id");
    while (det.Step() == kRow) {
      run.recorded.push_back({det.ColumnInt(0), det.ColumnText(1), det.ColumnText(2),
                              det.ColumnText(3), det.ColumnText(4),
                              static_cast<int>(det.ColumnInt(5))});
    }
    Statement queue(db, "SELECT item_id, state, priority, severity FROM queue ORDER BY item_id");
    while (queue.Step() == kRow) {
      run.queue.push_back(
          {queue.ColumnInt(0), queue.ColumnText(1), queue.ColumnInt(2), queue.ColumnInt(3)});
    }
    // A second run over the same store finds nothing new.
    auto again = Rematch(*store.value(), Banks(), Policy::Default(), options);
    EXPECT_TRUE(again.ok());
    if (again.ok()) {
      EXPECT_EQ(again.value().new_matches, 0);
    }
    return run;
  }

  void ExpectAllStrategiesMatchReference(int64_t since, int min_quality) {
    const std::vector<Recorded> expected = Reference(since, min_quality);
    // The planted cases are all there: near the threshold on both sides, rotated entries
    // within it or not, digests, quality floor, more than one bank.
    std::set<int> distances;
    std::set<std::string> banks, types;
    for (const Recorded& r : expected) {
      distances.insert(std::get<5>(r));
      banks.insert(std::get<3>(r));
      types.insert(std::get<2>(r));
    }
    ASSERT_GT(expected.size(), 100u);
    EXPECT_TRUE(distances.count(kThreshold) && distances.count(kThreshold - 1));
    EXPECT_EQ(banks.size(), 2u);
    EXPECT_TRUE(types.count("pdq") && types.count("md5"));

    std::vector<Run> runs;
    using Strategy = RematchOptions::PdqStrategy;
    for (auto [strategy, threads] :
         {std::pair{Strategy::kIndexStored, 1}, std::pair{Strategy::kIndexStored, 2},
          std::pair{Strategy::kQueryBanks, 2}, std::pair{Strategy::kAuto, 2}}) {
      RematchOptions options;
      options.first_party = {"vigil.pdq", "vigil.exact"};
      options.entries_since_unix = since;
      options.pdq_min_quality = min_quality;
      options.pdq_strategy = strategy;
      options.threads = threads;
      SCOPED_TRACE("strategy " + std::to_string(static_cast<int>(strategy)) + ", threads " +
                   std::to_string(threads));
      Run run = RunRematch(options, "run.db");
      EXPECT_EQ(run.recorded, expected);
      EXPECT_EQ(run.report.new_matches, static_cast<int64_t>(expected.size()));
      EXPECT_EQ(run.report.items_checked, kItems);
      if (!runs.empty()) {
        EXPECT_EQ(run.queue, runs.front().queue);
        EXPECT_EQ(run.report.items_matched, runs.front().report.items_matched);
        EXPECT_EQ(run.report.queued, runs.front().report.queued);
        EXPECT_EQ(run.report.signals_checked, runs.front().report.signals_checked);
      }
      runs.push_back(std::move(run));
    }
    // Every item with an expected hit is queued or decided.
    std::set<int64_t> hit_items, queued_items;
    for (const Recorded& r : expected) hit_items.insert(std::get<0>(r));
    for (const auto& q : runs.front().queue) queued_items.insert(std::get<0>(q));
    EXPECT_EQ(queued_items, hit_items);
  }

  static constexpr int64_t kItems = 3000;
  static constexpr int64_t kDrawn = 24;
  fs::path dir_;
  std::vector<std::unique_ptr<hashbank::Bank>> banks_;
};

TEST_F(RematchEquivalenceTest, EveryBankEntryMatchesAsTheBruteForceReference) {
  ExpectAllStrategiesMatchReference(0, 50);
}

TEST_F(RematchEquivalenceTest, SinceMatchesOnlyTheNewEntriesAsTheBruteForceReference) {
  ExpectAllStrategiesMatchReference(kNew, 50);
}

TEST_F(RematchEquivalenceTest, RotatedEntriesAreComparedInTheStoredOrientationOnly) {
  // The drawn images' rotated and mirrored hashes are bank entries; the store holds the
  // original orientation only (a scan keeps that one). They are far from it (the PDQ of a
  // rotated image is not a near-duplicate hash), so the rematch records the slightly
  // changed original-orientation entries ("dih-N-0") and none of the rotated ones.
  for (int seed = 1; seed <= kDrawn; ++seed) {
    const std::vector<std::string> hexes = DihedralHexes(seed);
    const auto original = hashbank::ParsePdqHex(hexes[0]).value();
    for (int v = 1; v < pdq::kDihedralCount; ++v) {
      EXPECT_GT(hashbank::PdqDistance(original, hashbank::ParsePdqHex(hexes[v]).value()),
                kThreshold)
          << seed << " " << v;
    }
  }
  RematchOptions options;
  options.first_party = {"vigil.pdq", "vigil.exact"};
  const Run run = RunRematch(options, "rotated.db");
  std::set<std::string> original_hits, rotated_hits;
  for (const Recorded& r : run.recorded) {
    const std::string& id = std::get<4>(r);
    if (id.rfind("dih-", 0) != 0) continue;
    (id.substr(id.size() - 2) == "-0" ? original_hits : rotated_hits).insert(id);
    EXPECT_EQ(std::get<0>(r), std::stoi(id.substr(4)) + 1) << id;  // drawn image d is item d+1
  }
  // Every third image has one, matched unless its item's hash is below the quality floor.
  std::set<std::string> expected_original;
  for (int d = 0; d < kDrawn; d += 3) {
    if ((d + 1) % 11 != 0) expected_original.insert("dih-" + std::to_string(d) + "-0");
  }
  EXPECT_EQ(original_hits, expected_original);
  EXPECT_TRUE(rotated_hits.empty());
}

TEST(PdqIndexTest, QueryIsTheBruteForceAnswerAtEveryDistanceNearTheThreshold) {
  std::mt19937_64 rng(7);
  std::vector<hashbank::PdqWords> codes(5000);
  for (auto& c : codes) {
    for (auto& w : c.w) w = rng();
  }
  // Codes at every distance 0..40 from a few queries.
  std::vector<hashbank::PdqWords> queries(8);
  for (auto& q : queries) {
    for (auto& w : q.w) w = rng();
    for (int d = 0; d <= 40; ++d) {
      hashbank::PdqWords c = q;
      std::vector<int> bits(256);
      for (int i = 0; i < 256; ++i) bits[i] = i;
      std::shuffle(bits.begin(), bits.end(), rng);
      for (int b = 0; b < d; ++b) c.w[bits[b] / 64] ^= uint64_t{1} << (bits[b] % 64);
      codes.push_back(c);
    }
  }
  const hashbank::PdqIndex index(codes);
  ASSERT_EQ(index.size(), codes.size());
  std::vector<hashbank::PdqIndexHit> fast, slow;
  for (const auto& q : queries) {
    for (int threshold : {0, 1, 15, 30, 31, 32, 40, 256}) {
      index.Query(q, threshold, fast);
      index.QueryBruteForce(q, threshold, slow);
      ASSERT_EQ(fast.size(), slow.size()) << threshold;
      for (size_t i = 0; i < fast.size(); ++i) {
        EXPECT_EQ(fast[i].index, slow[i].index);
        EXPECT_EQ(fast[i].distance, slow[i].distance);
        EXPECT_EQ(static_cast<int>(fast[i].distance),
                  hashbank::PdqDistance(q, codes[fast[i].index]));
      }
      if (threshold <= 40) {
        EXPECT_GE(fast.size(), size_t(threshold + 1));
      }
    }
    index.Query(q, 257, fast);  // out of range: nothing
    EXPECT_TRUE(fast.empty());
  }
}

// `vigil rematch --bank` opens its banks through the loader the hash detectors use, with
// a name filter: only the named banks are opened (a damaged bank not named is not read),
// and an unknown name is an error naming the banks there are.
TEST(BankSetTest, NameFilterOpensOnlyTheNamedBanks) {
  const fs::path data = fs::temp_directory_path() / ("vigil-bankset-" + std::to_string(::getpid()));
  fs::remove_all(data);
  fs::create_directories(hashdetect::BankDirectory(data.string()));
  Entry e;
  e.value = hashbank::ParseHashValue(SignalType::kMd5, std::string(32, 'a')).value();
  for (const char* name : {"one", "two"}) {
    ASSERT_TRUE(hashbank::WriteBankFile(hashdetect::BankPath(data.string(), name), name, {e}).ok());
  }
  {  // a damaged bank, named "zz-broken"
    FILE* f = std::fopen(hashdetect::BankPath(data.string(), "zz-broken").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("not a bank", f);
    std::fclose(f);
  }
  EXPECT_EQ(hashdetect::BankSet::Names(data.string()),
            (std::vector<std::string>{"one", "two", "zz-broken"}));
  const hashdetect::BankSet two(data.string(), {"two"});
  ASSERT_EQ(two.banks().size(), 1u);
  EXPECT_EQ(two.banks()[0]->name(), "two");
  const hashdetect::BankSet both(data.string(), {"two", "one"});
  ASSERT_EQ(both.banks().size(), 2u);
  EXPECT_EQ(both.banks()[0]->name(), "one");  // directory order, as a scan opens them
  try {
    hashdetect::BankSet unknown(data.string(), {"nosuch"});
    ADD_FAILURE() << "an unknown bank name was accepted";
  } catch (const sdk::ConfigError& error) {
    EXPECT_STREQ(error.what(), "no bank named 'nosuch'; banks: one, two, zz-broken");
  }
  // Without a filter every bank is opened, so the damaged one is refused, naming it.
  try {
    hashdetect::BankSet all(data.string());
    ADD_FAILURE() << "a damaged bank was accepted";
  } catch (const sdk::ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("zz-broken.bank cannot be used"), std::string::npos)
        << error.what();
  }
  fs::remove_all(data);
}

}  // namespace
}  // namespace vigil::host
