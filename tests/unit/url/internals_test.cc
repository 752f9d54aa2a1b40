// White-box tests of the building blocks: repeated unescaping, IPv4/IPv6 parsing and
// serialisation, Punycode, UTF-8 repair and the expression generator's limits.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "ip_address.h"
#include "percent_encoding.h"
#include "punycode.h"
#include "utf8.h"
#include "vigil/url/safe_browsing.h"

namespace vigil::url {
namespace {

using namespace internal;  // NOLINT: the code under test

std::string NaiveUnescapeUntilFixpoint(std::string s) {
  while (true) {
    std::string next = PercentDecode(s);
    if (next == s) return s;
    s = std::move(next);
  }
}

TEST(UnescapeRepeatedly, SameFixpointAsRepeatedFullPasses) {
  std::mt19937 rng(1);
  const std::string alphabet = "%%%2554aAfF01x";
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 24, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    std::string fast;
    UnescapeRepeatedly(s, &fast);
    ASSERT_EQ(fast, NaiveUnescapeUntilFixpoint(s)) << s;
  }
  std::string out;
  UnescapeRepeatedly("%2525252525252525", &out);
  EXPECT_EQ(out, "%");
  UnescapeRepeatedly("%%%25%32%35asd%%", &out);
  EXPECT_EQ(out, "%%%asd%%");
}

TEST(UnescapeRepeatedly, LinearOnDeeplyNestedEscapes) {
  // 25 levels of "%25" nesting around 'A', 600 kB: quadratic code would take minutes.
  std::string s = "A";
  for (int i = 0; i < 25 && s.size() < 600000; ++i) {
    std::string next;
    for (char c : s) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      next += buf;
    }
    s = std::move(next);
  }
  std::string out;
  UnescapeRepeatedly(s, &out);
  EXPECT_EQ(out, "A");
}

TEST(Ipv4, EverySpellingAndTheFailures) {
  EXPECT_EQ(ParseIpv4("195.56.65.250"), 0xC33841FAu);
  EXPECT_EQ(ParseIpv4("0303.070.0101.0372"), 0xC33841FAu);
  EXPECT_EQ(ParseIpv4("0xc3.0x38.0x41.0xFA"), 0xC33841FAu);
  EXPECT_EQ(ParseIpv4("3275244026"), 0xC33841FAu);
  EXPECT_EQ(ParseIpv4("0xc33841fa"), 0xC33841FAu);
  EXPECT_EQ(ParseIpv4("195.56.16890"), 0xC33841FAu);
  EXPECT_EQ(ParseIpv4("195.3686906"), 0xC33841FAu);
  EXPECT_EQ(ParseIpv4("1.2.3.4."), 0x01020304u);
  EXPECT_EQ(ParseIpv4("0x"), 0u);
  EXPECT_FALSE(ParseIpv4("256.1.1.1"));
  EXPECT_FALSE(ParseIpv4("1.2.3.256"));
  EXPECT_FALSE(ParseIpv4("1.2.65536"));
  EXPECT_FALSE(ParseIpv4("4294967296"));
  EXPECT_FALSE(ParseIpv4("1.2.3.4.5"));
  EXPECT_FALSE(ParseIpv4("09.1.1.1"));
  EXPECT_FALSE(ParseIpv4("1..1"));
  EXPECT_FALSE(ParseIpv4(std::string(100000, '9')));
  EXPECT_TRUE(EndsInANumber("example.1"));
  EXPECT_TRUE(EndsInANumber("example.0x"));
  EXPECT_TRUE(EndsInANumber("1.2.3.4."));
  EXPECT_FALSE(EndsInANumber("example.com"));
  EXPECT_FALSE(EndsInANumber("example.9s"));
  EXPECT_FALSE(EndsInANumber("."));
  EXPECT_EQ(SerializeIpv4(0xC33841FAu), "195.56.65.250");
}

TEST(Ipv6, ParseAndSerialise) {
  auto v = ParseIpv6("FEDC:BA98:7654:3210:FEDC:BA98:7654:3210");
  ASSERT_TRUE(v);
  EXPECT_EQ(SerializeIpv6(*v), "fedc:ba98:7654:3210:fedc:ba98:7654:3210");
  EXPECT_EQ(SerializeIpv6(*ParseIpv6("::192.9.5.5")), "::c009:505");
  EXPECT_EQ(SerializeIpv6(*ParseIpv6("1:0:0:2::3:0")), "1::2:0:0:3:0");
  EXPECT_EQ(SerializeIpv6(*ParseIpv6("0::0")), "::");
  EXPECT_EQ(SerializeIpv6(*ParseIpv6("1:0::0:1")), "1::1");
  EXPECT_FALSE(ParseIpv6("1:2:3:4:5:6:7:8:9"));
  EXPECT_FALSE(ParseIpv6(":1"));
  EXPECT_FALSE(ParseIpv6("1::2::3"));
  EXPECT_FALSE(ParseIpv6("::1.2.3.256"));
  EXPECT_FALSE(ParseIpv6("::01.2.3.4"));
  EXPECT_FALSE(ParseIpv6("12345::"));
  EXPECT_FALSE(ParseIpv6(""));
}

TEST(Punycode, Rfc3492AndRoundTrip) {
  std::u32string cps;
  ASSERT_TRUE(
      DecodeUtf8("b\xC3\xBC"
                 "cher",
                 &cps));
  std::string encoded;
  ASSERT_TRUE(PunycodeEncode(cps, &encoded));
  EXPECT_EQ(encoded, "bcher-kva");
  std::u32string decoded;
  ASSERT_TRUE(PunycodeDecode("bcher-kva", &decoded));
  EXPECT_EQ(decoded, cps);
  std::mt19937 rng(3);
  for (int i = 0; i < 2000; ++i) {
    std::u32string s(1 + rng() % 20, U'a');
    for (char32_t& c : s) {
      c = (rng() % 3 == 0) ? static_cast<char32_t>('a' + rng() % 26)
                           : static_cast<char32_t>(0xA0 + rng() % 0x2FF00);
      if (c >= 0xD800 && c <= 0xDFFF) c = 0xE9;
    }
    std::string e;
    ASSERT_TRUE(PunycodeEncode(s, &e));
    std::u32string d;
    ASSERT_TRUE(PunycodeDecode(e, &d)) << e;
    ASSERT_EQ(d, s);
  }
  EXPECT_FALSE(PunycodeDecode("99999999999999999999", &decoded));
  EXPECT_FALSE(PunycodeDecode("a\xC3\xA9-b", &decoded));
  EXPECT_FALSE(PunycodeDecode("!", &decoded));
}

TEST(Utf8, ReplacesIllFormedSequencesOncePerMaximalSubpart) {
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(SanitizeUtf8("\xE2\x82"), "\xEF\xBF\xBD");                              // truncated
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(SanitizeUtf8("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");
  std::u32string cps;
  EXPECT_FALSE(DecodeUtf8("\xC0\xAF", &cps));  // overlong
  EXPECT_TRUE(DecodeUtf8("\xE2\x82\xAC", &cps));
  EXPECT_EQ(cps, std::u32string(1, U'\u20AC'));
}

TEST(Expressions, AtMostThirtyForTheSpecAndTheOfficialExample) {
  auto c = CanonicalizeUrl("http://a.b.c.d.e.f.g.h/1/2/3/4/5/6.html?x=1");
  ASSERT_TRUE(c.ok());
  LookupExpressions e;
  e.Generate(*c);
  EXPECT_EQ(e.size(), 30u);
  e.Generate(*c, true);
  EXPECT_EQ(e.size(), 32u);  // + the 7- and 6-label suffixes, root path only
  for (const auto& x : e) {
    if (x.flags & kExprBeyondSpecHost) {
      EXPECT_EQ(x.text.substr(x.host.size()), "/");
    }
  }
  auto d = CanonicalizeUrl("http://a.b.c/1/2.html?param=1");
  ASSERT_TRUE(d.ok());
  e.Generate(*d);
  const auto got = e.ToStrings();
  const std::set<std::string> want = {
      "a.b.c/1/2.html?param=1", "a.b.c/1/2.html", "a.b.c/", "a.b.c/1/",
      "b.c/1/2.html?param=1",   "b.c/1/2.html",   "b.c/",   "b.c/1/"};
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), want);
  std::string labels;
  for (int i = 0; i < 5000; ++i) labels += "a.";
  auto many = CanonicalizeUrl("http://" + labels + "example.com/");
  ASSERT_TRUE(many.ok());
  e.Generate(*many, true);
  EXPECT_EQ(e.size(), 5u + (127u - 5u));  // spec hosts, then suffixes of 6..127 labels
  auto ip = CanonicalizeUrl("http://1.2.3.4/1/");
  ASSERT_TRUE(ip.ok());
  e.Generate(*ip, true);
  EXPECT_EQ(e.size(), 2u);  // no host suffixes for an IP
}

}  // namespace
}  // namespace vigil::url
