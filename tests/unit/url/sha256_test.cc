// The expression hash must be bit-exact SHA-256 on both code paths: compared with
// OpenSSL on every length across the one/two-block boundaries and on random bytes.
#include "vigil/url/sha256.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <string_view>
#include <vector>

namespace vigil::url {
namespace {

Sha256Digest OpenSsl(const std::string& s) {
  Sha256Digest d{};
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(s.data(), s.size(), d.data(), &len, EVP_sha256(), nullptr), 1);
  return d;
}

TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(DigestToHex(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(DigestToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(DigestToHex(Sha256Portable("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, MatchesOpenSslOnAllShortLengthsAndRandomInput) {
  std::mt19937 rng(42);
  for (size_t len = 0; len <= 300; ++len) {
    for (int round = 0; round < 4; ++round) {
      std::string s(len, '\0');
      for (char& c : s) c = static_cast<char>(rng());
      const Sha256Digest want = OpenSsl(s);
      ASSERT_EQ(Sha256(s), want) << "len " << len;
      ASSERT_EQ(Sha256Portable(s), want) << "len " << len;
    }
  }
}

TEST(Sha256, BatchMatchesSingleForMixedLengths) {
  std::mt19937 rng(7);
  std::vector<std::string> inputs;
  for (int i = 0; i < 41; ++i) {
    std::string s(rng() % 200, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    inputs.push_back(std::move(s));
  }
  std::vector<std::string_view> views(inputs.begin(), inputs.end());
  std::vector<Sha256Digest> out(views.size());
  Sha256Batch(views.data(), views.size(), out.data());
  for (size_t i = 0; i < inputs.size(); ++i) EXPECT_EQ(out[i], OpenSsl(inputs[i])) << i;
}

TEST(Sha256, HexRoundTripAndRejects) {
  const Sha256Digest d = Sha256("example.test/");
  EXPECT_EQ(DigestFromHex(DigestToHex(d)), d);
  std::string upper = DigestToHex(d);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(DigestFromHex(upper), d);
  EXPECT_FALSE(DigestFromHex(upper.substr(1)).has_value());
  EXPECT_FALSE(DigestFromHex(upper + "0").has_value());
  upper[10] = 'g';
  EXPECT_FALSE(DigestFromHex(upper).has_value());
}

}  // namespace
}  // namespace vigil::url
