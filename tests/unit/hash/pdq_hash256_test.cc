// Hash256: the reference's bit layout and hex text, strict parsing, Hamming distance.
#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "vigil/pdq/hash256.h"

namespace vigil::pdq {
namespace {

TEST(PdqHash256, ZeroHashIsSixtyFourZeros) {
  Hash256 h;
  EXPECT_TRUE(h.IsZero());
  EXPECT_EQ(h.ToHex(), std::string(64, '0'));
}

TEST(PdqHash256, HexPrintsHighWordFirst) {
  // Bit 0 is the lowest bit of words[0], which the reference prints last.
  Hash256 low;
  low.SetBit(0);
  EXPECT_EQ(low.ToHex(), std::string(63, '0') + "1");
  // Bit 255 is the top bit of words[15], printed first.
  Hash256 high;
  high.SetBit(255);
  EXPECT_EQ(high.ToHex(), "8" + std::string(63, '0'));
  // Bit 16 starts words[1]: the 4th group of four digits from the end.
  Hash256 second;
  second.SetBit(16);
  EXPECT_EQ(second.ToHex(), std::string(59, '0') + "10000");
}

TEST(PdqHash256, HexRoundTripsAndAcceptsUpperCase) {
  const std::string hex = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
  auto parsed = Hash256::FromHex(hex);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->ToHex(), hex);
  EXPECT_EQ(parsed->words[15], 0xd8f8);
  EXPECT_EQ(parsed->words[0], 0x9b22);
  EXPECT_EQ(parsed->PopCount(), 128);

  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto parsed_upper = Hash256::FromHex(upper);
  ASSERT_TRUE(parsed_upper.ok());
  EXPECT_EQ(parsed_upper.value(), parsed.value());
}

TEST(PdqHash256, MalformedHexIsRefusedWithAReason) {
  const std::string good(64, 'a');
  const std::string cases[] = {
      "",                                                 // empty
      std::string(63, 'a'),                               // one short
      std::string(65, 'a'),                               // one long
      "0x" + std::string(62, 'a'),                        // prefix
      "+" + std::string(63, 'a'),                         // sign (sscanf %hx would take it)
      " " + std::string(63, 'a'),                         // leading space (sscanf would skip it)
      std::string(63, 'a') + "\n",                        // trailing newline
      std::string(32, 'a') + "g" + std::string(31, 'a'),  // non-hex digit
      std::string(32, 'a') + std::string(1, '\0') + std::string(31, 'a'),  // embedded NUL
  };
  for (const std::string& text : cases) {
    auto r = Hash256::FromHex(text);
    EXPECT_FALSE(r.ok()) << "accepted \"" << text << "\"";
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
      EXPECT_NE(r.status().message().find("64 hex digits"), std::string::npos);
    }
  }
  EXPECT_TRUE(Hash256::FromHex(good).ok());
}

TEST(PdqHash256, HammingDistanceCountsDifferingBits) {
  Hash256 a;
  Hash256 b;
  EXPECT_EQ(HammingDistance(a, b), 0);
  b.SetBit(3);
  b.SetBit(77);
  b.SetBit(255);
  EXPECT_EQ(HammingDistance(a, b), 3);
  EXPECT_EQ(HammingDistance(b, a), 3);
  b.FlipBit(77);
  EXPECT_EQ(HammingDistance(a, b), 2);

  auto zeros = Hash256::FromHex(std::string(64, '0'));
  auto ones = Hash256::FromHex(std::string(64, 'f'));
  ASSERT_TRUE(zeros.ok() && ones.ok());
  EXPECT_EQ(HammingDistance(zeros.value(), ones.value()), 256);
}

}  // namespace
}  // namespace vigil::pdq
