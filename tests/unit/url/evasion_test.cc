// Evasion tricks against a list holding the plain form (each must match), look-alike
// domains (must not match), and hostile input (clean error or no match, no crash).
#include <gtest/gtest.h>

#include "vigil/url/blocklist.h"
#include "vigil/url/check.h"
#include "vigil/url/whatwg_url.h"

namespace vigil::url {
namespace {

class EvasionTest : public ::testing::TestWithParam<ListFormat> {
 protected:
  void SetUp() override {
    BlocklistBuilder b(GetParam());
    EntryMetadata m;
    m.source = "TEST";
    m.entry_id = "page";
    ASSERT_TRUE(b.AddUrl("http://blocked.example.com/abuse/page.html", EntryKind::kUrl, m).ok());
    m.entry_id = "domain";
    ASSERT_TRUE(b.AddDomain("evil.example.org", m).ok());
    m.entry_id = "ip";
    ASSERT_TRUE(b.AddUrl("http://195.56.65.250/x.html", EntryKind::kUrl, m).ok());
    m.entry_id = "idn";
    ASSERT_TRUE(b.AddDomain("b\xC3\xBC"
                            "cher.example",
                            m)
                    .ok());
    auto list = Blocklist::FromBytes(b.Build());
    ASSERT_TRUE(list.ok());
    list_ = std::make_unique<Blocklist>(std::move(list).value());
  }
  std::string FirstId(std::string_view url) {
    UrlChecker checker({list_.get()});
    std::vector<ListMatch> m;
    const Status st = checker.Check(url, &m);
    if (!st.ok()) return "<error: " + st.message() + ">";
    return m.empty() ? "" : std::string(m[0].match.entry_id);
  }
  std::unique_ptr<Blocklist> list_;
};

TEST_P(EvasionTest, EveryTrickStillMatches) {
  const std::pair<const char*, const char*> cases[] = {
      // percent-encoding, single and double, in host and path
      {"http://blocked.example.com/%61buse/page%2Ehtml", "page"},
      {"http://blocked%2Eexample%2Ecom/abuse/page.html", "page"},
      {"http://blocked.example.com/%2561buse/page.html", "page"},
      // IPv4 in decimal, octal, hex, mixed and short forms
      {"http://3275244026/x.html", "ip"},
      {"http://0303.0070.0101.0372/x.html", "ip"},
      {"http://0xc3.0x38.0x41.0xfa/x.html", "ip"},
      {"http://0xc33841fa/x.html", "ip"},
      {"http://195.56.16890/x.html", "ip"},
      {"http://195.0x38.0101.250./x.html", "ip"},
      // trailing and doubled dots, upper case
      {"http://blocked.example.com./abuse/page.html", "page"},
      {"http://blocked..example.com.../abuse/page.html", "page"},
      {"HTTP://BLOCKED.EXAMPLE.COM/abuse/page.html", "page"},
      // userinfo
      {"http://user:pass@blocked.example.com/abuse/page.html", "page"},
      {"http://blocked.example.com@evil.example.org/", "domain"},
      // backslashes, tabs and newlines, dot segments, doubled slashes, fragments, ports
      {"http:\\\\blocked.example.com\\abuse\\page.html", "page"},
      {"http://blocked.exa\tmple.com/abu\nse/page.html", "page"},
      {"http://blocked.example.com/abuse/./x/../page.html", "page"},
      {"http://blocked.example.com//abuse//page.html#top", "page"},
      {"http://blocked.example.com:8080/abuse/page.html", "page"},
      {"  blocked.example.com/abuse/page.html  ", "page"},
      // full-width letters and dots (UTS #46 maps them)
      {"http://\xEF\xBD\x82\xEF\xBD\x8C\xEF\xBD\x8F\xEF\xBD\x83\xEF\xBD\x8B\xEF\xBD\x85\xEF\xBD\x84"
       "\xEF\xBC\x8E"
       "example.com/abuse/page.html",
       "page"},
      {"http://evil\xE3\x80\x82"
       "example.org/",
       "domain"},
      // zero-width / ignored code points (U+200B, U+00AD, U+FEFF)
      {"http://blo\xE2\x80\x8B"
       "cked.example.com/abuse/page.html",
       "page"},
      {"http://ev\xC2\xAD"
       "il.example.org/",
       "domain"},
      {"http://evil\xEF\xBB\xBF.example.org/", "domain"},
      // IDN in Unicode, upper case and A-label form
      {"http://www.b\xC3\xBC"
       "cher.example/",
       "idn"},
      {"http://B\xC3\x9C"
       "CHER.example/x",
       "idn"},
      {"http://xn--bcher-kva.example/", "idn"},
      {"http://%62%C3%BC%63her.example/", "idn"},
  };
  for (const auto& [url, id] : cases) EXPECT_EQ(FirstId(url), id) << url;
}

TEST_P(EvasionTest, LookAlikesDoNotMatch) {
  const char* cases[] = {
      "http://blocked.ex\xD0\xB0mple.com/abuse/page.html",  // Cyrillic a
      "http://bl\xD0\xBE"
      "cked.example.com/abuse/page.html",  // Cyrillic o
      "http://evil.ex\xD0\xB0mple.org/",
      "http://\xD0\xB5vil.example.org/",  // Cyrillic ie
      "http://evil.example.org.attacker.test/",
      "http://evilexample.org/",
      "http://195.56.65.251/x.html",
      "http://bucher.example/",
  };
  for (const char* url : cases) {
    const std::string id = FirstId(url);
    EXPECT_TRUE(id.empty() || id.rfind("<error", 0) == 0) << url << " matched " << id;
  }
}

INSTANTIATE_TEST_SUITE_P(PlainAndHashed, EvasionTest,
                         ::testing::Values(ListFormat::kPlain, ListFormat::kHashed));

TEST(HostileInput, NeverCrashesAndFailsCleanly) {
  BlocklistBuilder b(ListFormat::kPlain);
  ASSERT_TRUE(b.AddDomain("example.com", EntryMetadata{}).ok());
  auto list = Blocklist::FromBytes(b.Build());
  ASSERT_TRUE(list.ok());
  UrlChecker checker({&*list});
  std::string dots(10000, '.');
  std::string many_labels;
  for (int i = 0; i < 5000; ++i) many_labels += "a.";
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "/a";
  std::string escapes;
  for (int i = 0; i < 200000; ++i) escapes += "%25";
  const std::vector<std::string> inputs = {
      "http://example.com/" + std::string(1 << 20, 'a'),
      "http://" + std::string(1 << 20, 'a') + ".com/",
      std::string("http://exa\0mple.com/\0x", 22),
      std::string("\0\0\0", 3),
      "http://\xFF\xFE\xFD.example.com/\xC3",
      "http://example.com/\xED\xA0\x80\xF4\x90\x80\x80",
      "http://" + dots + "/",
      "http://" + many_labels + "example.com/",
      "http://example.com" + deep,
      "http://example.com/" + escapes,
      "http://[" + std::string(5000, ':') + "]/",
      "http://[::1" + std::string(3000, '1') + "]/",
      "http://" + std::string(100000, '1') + "/",
      "http://0x" + std::string(100000, 'f') + "/",
      "http://xn--" + std::string(5000, 'a') + "\xC3\xA9.com/",
      "http://\xEF\xBC\x8E\xEF\xBC\x8E\xEF\xBC\x8E/",
      std::string(1 << 20, '%'),
      "",
      "http://",
      "http://@/",
      "http://:@:/",
  };
  for (const std::string& in : inputs) {
    std::vector<ListMatch> m;
    const Status st = checker.Check(in, &m);
    if (!st.ok()) {
      EXPECT_FALSE(st.message().empty());
    }
    auto parsed = ParseUrl(in);
    if (!parsed.ok()) {
      EXPECT_FALSE(parsed.status().message().empty());
    }
  }
  // A 1 MB path under a listed domain still matches the domain entry.
  std::vector<ListMatch> m;
  ASSERT_TRUE(checker.Check("http://example.com/" + std::string(1 << 20, 'a'), &m).ok());
  EXPECT_EQ(m.size(), 1u);
}

}  // namespace
}  // namespace vigil::url
