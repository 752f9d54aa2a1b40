// The PDQ index is exact: for every query and threshold it returns what comparing against
// every entry returns. Random and clustered banks, queries at distances 0..40 from banked
// hashes, every segment layout, every popcount path, dihedral variants.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "bank_test_util.h"
#include "vigil/hashbank/bank.h"
#include "vigil/hashbank/popcount.h"

namespace vigil::hashbank {
namespace {

using testing::TempDir;

std::unique_ptr<Bank> BuildBank(const TempDir& dir, const std::vector<PdqWords>& hashes,
                                int per_word = 0) {
  std::vector<Entry> entries;
  entries.reserve(hashes.size());
  for (const PdqWords& h : hashes) entries.push_back(testing::PdqEntry(h));
  BankBuildOptions options;
  options.segments_per_word = per_word;
  const std::string path = dir.File("bank-" + std::to_string(per_word) + ".vbank");
  Status s = WriteBankFile(path, "recall", entries, options);
  EXPECT_TRUE(s.ok()) << s.message();
  Result<std::unique_ptr<Bank>> bank = Bank::Open(path);
  EXPECT_TRUE(bank.ok()) << bank.status().message();
  return bank.ok() ? std::move(bank).value() : nullptr;
}

// Queries: banked hashes moved by 0..40 bits, plus uniform random hashes.
std::vector<PdqWords> Queries(const std::vector<PdqWords>& bank, size_t per_distance,
                              uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<PdqWords> out;
  for (int d = 0; d <= 40; ++d) {
    for (size_t i = 0; i < per_distance; ++i)
      out.push_back(testing::FlipBits(bank[rng() % bank.size()], d, rng));
  }
  for (size_t i = 0; i < per_distance * 4; ++i) out.push_back(testing::RandomPdq(rng));
  return out;
}

void ExpectExact(const Bank& bank, const std::vector<PdqWords>& queries, int threshold,
                 size_t* total_hits) {
  for (size_t i = 0; i < queries.size(); ++i) {
    Result<std::vector<PdqHit>> fast = bank.QueryPdq(&queries[i], 1, threshold);
    Result<std::vector<PdqHit>> slow = bank.QueryPdqBruteForce(&queries[i], 1, threshold);
    ASSERT_TRUE(fast.ok() && slow.ok());
    ASSERT_EQ(fast.value(), slow.value()) << "query " << i << " threshold " << threshold;
    *total_hits += fast->size();
  }
}

TEST(PdqIndexRecallTest, RandomBankEqualsBruteForceAtEveryThreshold) {
  TempDir dir;
  const std::vector<PdqWords> hashes = testing::RandomHashes(100000, 1);
  std::unique_ptr<Bank> bank = BuildBank(dir, hashes);
  ASSERT_NE(bank, nullptr);
  const std::vector<PdqWords> queries = Queries(hashes, 8, 2);
  size_t hits = 0;
  for (int threshold : {0, 1, 15, 16, 31, 32, 40, 47})
    ExpectExact(*bank, queries, threshold, &hits);
  EXPECT_GT(hits, queries.size());  // the queries near banked hashes do hit
  // And against a reference that shares no code with the library's kernels.
  for (size_t i = 0; i < queries.size(); i += 7) {
    std::vector<PdqHit> naive;
    for (size_t e = 0; e < hashes.size(); ++e) {
      int d = 0;
      for (int w = 0; w < 4; ++w) {
        for (uint64_t x = queries[i].w[w] ^ hashes[e].w[w]; x != 0; x &= x - 1) ++d;
      }
      if (d <= 31) naive.push_back({static_cast<uint32_t>(e), static_cast<uint16_t>(d), 0});
    }
    std::sort(naive.begin(), naive.end(), [](const PdqHit& a, const PdqHit& b) {
      return a.distance != b.distance ? a.distance < b.distance : a.entry < b.entry;
    });
    ASSERT_EQ(bank->QueryPdq(&queries[i], 1).value(), naive) << "query " << i;
  }
}

TEST(PdqIndexRecallTest, ClusteredBankEqualsBruteForce) {
  TempDir dir;
  const std::vector<PdqWords> hashes = testing::ClusteredHashes(100000, 3);
  std::unique_ptr<Bank> bank = BuildBank(dir, hashes);
  ASSERT_NE(bank, nullptr);
  const std::vector<PdqWords> queries = Queries(hashes, 8, 4);
  size_t hits = 0;
  for (int threshold : {31, 24, 40}) ExpectExact(*bank, queries, threshold, &hits);
  EXPECT_GT(hits, 10 * queries.size());  // families: many matches per query
}

TEST(PdqIndexRecallTest, EverySegmentLayoutIsExact) {
  TempDir dir;
  const std::vector<PdqWords> hashes = testing::ClusteredHashes(20000, 5);
  const std::vector<PdqWords> queries = Queries(hashes, 3, 6);
  for (int per_word = 2; per_word <= 5; ++per_word) {
    std::unique_ptr<Bank> bank = BuildBank(dir, hashes, per_word);
    ASSERT_NE(bank, nullptr);
    EXPECT_EQ(bank->pdq_index_info().segments, 4 * per_word);
    size_t hits = 0;
    for (int threshold : {0, 7, 31, 33}) ExpectExact(*bank, queries, threshold, &hits);
  }
}

TEST(PdqIndexRecallTest, EveryPopcountPathGivesIdenticalResults) {
  TempDir dir;
  const std::vector<PdqWords> hashes = testing::ClusteredHashes(30000, 7);
  std::unique_ptr<Bank> bank = BuildBank(dir, hashes);
  ASSERT_NE(bank, nullptr);
  const std::vector<PdqWords> queries = Queries(hashes, 3, 8);
  const PopcountPath original = ActivePopcountPath();
  const std::vector<PopcountPath> paths = AvailablePopcountPaths();
  ASSERT_GE(paths.size(), 1u);
  std::vector<std::vector<PdqHit>> reference;
  for (PopcountPath path : paths) {
    ASSERT_TRUE(ForcePopcountPath(path));
    SCOPED_TRACE(std::string(PopcountPathName(path)));
    for (size_t i = 0; i < queries.size(); ++i) {
      for (int threshold : {31, 80, 256}) {  // 80 and 256 use the scan kernel
        Result<std::vector<PdqHit>> hits = bank->QueryPdq(&queries[i], 1, threshold);
        ASSERT_TRUE(hits.ok());
        if (path == paths.front()) {
          reference.push_back(hits.value());
        } else {
          ASSERT_EQ(hits.value(), reference[i * 3 + (threshold == 31   ? 0
                                                     : threshold == 80 ? 1
                                                                       : 2)]);
        }
      }
    }
  }
  ForcePopcountPath(original);
  std::printf("popcount paths compared:");
  for (PopcountPath p : paths) std::printf(" %s", std::string(PopcountPathName(p)).c_str());
  std::printf("\n");
}

TEST(PdqIndexTest, ReportsTheVariantAndKeepsTheSmallestDistancePerEntry) {
  TempDir dir;
  std::mt19937_64 rng(9);
  std::vector<PdqWords> hashes = testing::RandomHashes(5000, 10);
  std::unique_ptr<Bank> bank = BuildBank(dir, hashes);
  ASSERT_NE(bank, nullptr);
  // Eight "dihedral variants": unrelated hashes except variant 5 (10 bits from entry 1234)
  // and variant 2 (20 bits from the same entry).
  PdqWords variants[8];
  for (PdqWords& v : variants) v = testing::RandomPdq(rng);
  variants[5] = testing::FlipBits(hashes[1234], 10, rng);
  variants[2] = testing::FlipBits(hashes[1234], 20, rng);
  Result<std::vector<PdqHit>> hits = bank->QueryPdq(variants, 8);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits->at(0).entry, 1234u);
  EXPECT_EQ(hits->at(0).distance, 10);
  EXPECT_EQ(hits->at(0).variant, 5);
  // Ties go to the lowest variant index.
  variants[1] = variants[5];
  hits = bank->QueryPdq(variants, 8);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->at(0).variant, 1);
  Result<std::vector<Match>> matches = bank->MatchPdq(variants, 8);
  ASSERT_TRUE(matches.ok());
  ASSERT_EQ(matches->size(), 1u);
  EXPECT_EQ(matches->at(0).bank, "recall");
  EXPECT_EQ(matches->at(0).distance, 10);
  EXPECT_EQ(matches->at(0).entry.value.ToHex(), PdqHex(hashes[1234]));
  // Results are sorted by distance, then entry.
  variants[0] = hashes[77];
  hits = bank->QueryPdq(variants, 8);
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ(hits->at(0).entry, 77u);
  EXPECT_EQ(hits->at(0).distance, 0);
}

TEST(PdqIndexTest, RejectsBadQueryArguments) {
  TempDir dir;
  std::unique_ptr<Bank> bank = BuildBank(dir, testing::RandomHashes(10, 1));
  ASSERT_NE(bank, nullptr);
  PdqWords q[9] = {};
  EXPECT_FALSE(bank->QueryPdq(q, 0).ok());
  EXPECT_FALSE(bank->QueryPdq(q, 9).ok());
  EXPECT_FALSE(bank->QueryPdq(q, 1, -1).ok());
  EXPECT_FALSE(bank->QueryPdq(q, 1, 257).ok());
  EXPECT_EQ(bank->QueryPdq(q, 1, 256)->size(), 10u);
}

TEST(PdqIndexTest, ChoosesLayoutFromBankSize) {
  TempDir dir;
  std::unique_ptr<Bank> small = BuildBank(dir, testing::RandomHashes(1000, 1));
  ASSERT_NE(small, nullptr);
  const PdqIndexInfo info = small->pdq_index_info();
  EXPECT_EQ(info.hashes, 1000u);
  EXPECT_EQ(info.segments, 16);
  EXPECT_EQ(info.segment_bits[0], 16);
  EXPECT_LT(info.directory_bits[0], 16);  // a small bank gets a narrow directory
}

}  // namespace
}  // namespace vigil::hashbank
