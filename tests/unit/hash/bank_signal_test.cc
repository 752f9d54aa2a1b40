// Signal values: hex lengths per type, bad digits, round trips; timestamps.
#include <gtest/gtest.h>

#include "import_common.h"
#include "vigil/hashbank/signal.h"

namespace vigil::hashbank {
namespace {

TEST(HashValueTest, AcceptsEachTypeAtItsLengthOnly) {
  struct Case {
    SignalType type;
    size_t hex_digits;
  } cases[] = {{SignalType::kPdq, 64},
               {SignalType::kMd5, 32},
               {SignalType::kSha1, 40},
               {SignalType::kSha256, 64}};
  for (const Case& c : cases) {
    const std::string ok(c.hex_digits, 'a');
    Result<HashValue> v = ParseHashValue(c.type, ok);
    ASSERT_TRUE(v.ok()) << v.status().message();
    EXPECT_EQ(v->ToHex(), ok);
    for (size_t len : {size_t{0}, c.hex_digits - 1, c.hex_digits + 1, c.hex_digits * 2}) {
      Result<HashValue> bad = ParseHashValue(c.type, std::string(len, 'a'));
      ASSERT_FALSE(bad.ok()) << SignalTypeName(c.type) << " length " << len;
      EXPECT_NE(bad.status().message().find("expected " + std::to_string(c.hex_digits)),
                std::string::npos)
          << bad.status().message();
    }
  }
}

TEST(HashValueTest, RejectsNonHexAndNamesThePosition) {
  std::string hex(32, '0');
  hex[7] = 'g';
  Result<HashValue> v = ParseHashValue(SignalType::kMd5, hex);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("position 8"), std::string::npos) << v.status().message();
  hex[7] = '\0';
  EXPECT_FALSE(ParseHashValue(SignalType::kMd5, hex).ok());
  EXPECT_FALSE(ParseHashValue(SignalType::kMd5, " " + std::string(31, '0')).ok());
}

TEST(HashValueTest, UpperCaseIsCanonicalisedToLower) {
  Result<HashValue> v =
      ParseHashValue(SignalType::kSha1, "EA45D7166B30F98AAC6AF52F952193CE3083CB4C");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->ToHex(), "ea45d7166b30f98aac6af52f952193ce3083cb4c");
}

TEST(PdqWordsTest, HexRoundTripHighWordFirst) {
  const std::string hex = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
  Result<PdqWords> w = ParsePdqHex(hex);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->w[0], 0xd8f8f0cee0f4a84fULL);
  EXPECT_EQ(w->w[3], 0x33e6339c4e9c9b22ULL);
  EXPECT_EQ(PdqHex(w.value()), hex);
  PdqWords other = w.value();
  other.w[2] ^= 0x8001;
  EXPECT_EQ(PdqDistance(w.value(), other), 2);
}

TEST(SignalTypeTest, ParsesExchangeSpellings) {
  EXPECT_EQ(ParseSignalType("HASH_PDQ"), SignalType::kPdq);
  EXPECT_EQ(ParseSignalType("pdq"), SignalType::kPdq);
  EXPECT_EQ(ParseSignalType("ImagePDQ"), SignalType::kPdq);
  EXPECT_EQ(ParseSignalType("video_md5"), SignalType::kMd5);
  EXPECT_EQ(ParseSignalType("SHA-256"), SignalType::kSha256);
  EXPECT_EQ(ParseSignalType("photodna"), std::nullopt);
  EXPECT_EQ(ParseSignalType(""), std::nullopt);
}

TEST(TimestampTest, ReadsTheFormatsTheExchangesUse) {
  EXPECT_EQ(internal::ParseTimestamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(internal::ParseTimestamp("2019-11-24T15:10:00Z"), 1574608200);
  EXPECT_EQ(internal::ParseTimestamp("2020-07-01T18:31:15+0000"), 1593628275);
  EXPECT_EQ(internal::ParseTimestamp("2020-07-01T20:31:15+02:00"), 1593628275);
  EXPECT_EQ(internal::ParseTimestamp("2023-06-07T02:31:49.8300Z"), 1686105109);
  EXPECT_EQ(internal::ParseTimestamp("1625175071"), 1625175071);
  EXPECT_EQ(internal::ParseTimestamp("2019-11-24"), 1574553600);
  EXPECT_EQ(internal::ParseTimestamp("2019-13-24"), std::nullopt);
  EXPECT_EQ(internal::ParseTimestamp("yesterday"), std::nullopt);
  EXPECT_EQ(internal::ParseTimestamp("2019-11-24T15:10:00Zjunk"), std::nullopt);
}

}  // namespace
}  // namespace vigil::hashbank
