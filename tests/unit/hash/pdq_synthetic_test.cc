// Conformance (a): the 59 synthetic PNGs must hash bit for bit like the reference,
// quality included. PNG decodes to the same pixels everywhere, so this is the "same
// decoded pixels" test; it covers the 512x512 resize, the grey (PGM/PBM) path, the
// 64x64 shortcut and the under-5-px rule.
#include <gtest/gtest.h>

#include "pdq_test_data.h"

namespace vigil::pdq::testing {
namespace {

constexpr size_t kSyntheticImages = 59;

TEST(PdqSynthetic, EveryImageIsBitExactWithTheReference) {
  const auto rows = ReadExpectedCsv(PdqDataPath("synthetic/expected.csv"));
  ASSERT_EQ(rows.size(), kSyntheticImages) << "synthetic/expected.csv should list 59 images";
  PdqHasher hasher;
  int exact = 0;
  for (const ExpectedRow& row : rows) {
    decode::DecodedImage image;
    if (!DecodeFile(PdqDataPath("synthetic/" + row.path), &image)) continue;
    EXPECT_EQ(image.format, decode::ImageFormat::kPng) << row.path;
    auto got = hasher.Hash(ViewOf(image));
    ASSERT_TRUE(got.ok()) << row.path << ": " << got.status().message();
    EXPECT_EQ(got->hash.ToHex(), row.hash.ToHex())
        << row.path << ": " << HammingDistance(got->hash, row.hash) << " bits differ";
    EXPECT_EQ(got->quality, row.quality) << row.path;
    if (got->hash == row.hash && got->quality == row.quality) ++exact;
  }
  EXPECT_EQ(exact, static_cast<int>(kSyntheticImages));
}

}  // namespace
}  // namespace vigil::pdq::testing
