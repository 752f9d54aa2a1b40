// Blocklist building, file round trip, entry kinds, metadata, hashed lists, importers
// and damaged files.
#include "vigil/url/blocklist.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "vigil/url/check.h"
#include "vigil/url/list_import.h"
#include "vigil/url/list_merge.h"

namespace vigil::url {
namespace {

EntryMetadata Meta(std::string id, uint8_t severity = 3) {
  EntryMetadata m;
  m.source = "TEST";
  m.category = "B1";
  m.severity = severity;
  m.date_added = "2026-11-29";
  m.entry_id = std::move(id);
  return m;
}

Blocklist MustBuild(const BlocklistBuilder& b) {
  auto list = Blocklist::FromBytes(b.Build());
  EXPECT_TRUE(list.ok()) << list.status().message();
  return std::move(list).value();
}

std::vector<std::string> Ids(UrlChecker& checker, std::string_view url) {
  std::vector<ListMatch> matches;
  const Status st = checker.Check(url, &matches);
  EXPECT_TRUE(st.ok()) << url << ": " << st.message();
  std::vector<std::string> ids;
  for (const auto& m : matches) ids.emplace_back(m.match.entry_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

class KindsTest : public ::testing::TestWithParam<ListFormat> {};

TEST_P(KindsTest, EachKindMatchesWhatItShouldAndNoMore) {
  BlocklistBuilder b(GetParam());
  ASSERT_TRUE(
      b.AddUrl("http://hacked.example.com/img/abuse.jpg", EntryKind::kUrl, Meta("u1")).ok());
  ASSERT_TRUE(b.AddUrl("http://files.example.net/dir/", EntryKind::kPathPrefix, Meta("p1")).ok());
  ASSERT_TRUE(b.AddDomain("dedicated.example.org", Meta("d1", 5)).ok());
  ASSERT_TRUE(b.AddUrl("http://q.example.com/page?id=7", EntryKind::kUrl, Meta("q1")).ok());
  const Blocklist list = MustBuild(b);
  EXPECT_EQ(list.size(), 4u);
  UrlChecker checker({&list});
  using V = std::vector<std::string>;
  // URL entry: the URL itself (any query), sub-domains per the spec; never the domain.
  EXPECT_EQ(Ids(checker, "http://hacked.example.com/img/abuse.jpg"), V{"u1"});
  EXPECT_EQ(Ids(checker, "http://hacked.example.com/img/abuse.jpg?x=1"), V{"u1"});
  EXPECT_EQ(Ids(checker, "http://hacked.example.com/"), V{});
  EXPECT_EQ(Ids(checker, "http://hacked.example.com/img/"), V{});
  EXPECT_EQ(Ids(checker, "http://hacked.example.com/img/other.jpg"), V{});
  EXPECT_EQ(Ids(checker, "http://hacked.example.com/img/abuse.jpg/x"), V{});
  // URL entry with a query matches only that query.
  EXPECT_EQ(Ids(checker, "http://q.example.com/page?id=7"), V{"q1"});
  EXPECT_EQ(Ids(checker, "http://q.example.com/page?id=8"), V{});
  EXPECT_EQ(Ids(checker, "http://q.example.com/page"), V{});
  // Prefix entry: everything below the directory.
  EXPECT_EQ(Ids(checker, "http://files.example.net/dir/"), V{"p1"});
  EXPECT_EQ(Ids(checker, "http://files.example.net/dir/a/b.html"), V{"p1"});
  EXPECT_EQ(Ids(checker, "http://files.example.net/other/"), V{});
  EXPECT_EQ(Ids(checker, "http://files.example.net/dir"), V{});
  // Domain entry: all paths, all sub-domains, even beyond the spec's 5 components.
  EXPECT_EQ(Ids(checker, "http://dedicated.example.org/"), V{"d1"});
  EXPECT_EQ(Ids(checker, "https://a.b.c.d.e.f.dedicated.example.org/x/y?z"), V{"d1"});
  EXPECT_EQ(Ids(checker, "http://notdedicated.example.org/"), V{});
  EXPECT_EQ(Ids(checker, "http://example.org/"), V{});
}

TEST_P(KindsTest, MetadataAndEveryMatchingEntryIsReturned) {
  BlocklistBuilder b(GetParam());
  ASSERT_TRUE(b.AddDomain("example.test", Meta("dom", 2)).ok());
  EntryMetadata other = Meta("other-source", 4);
  other.source = "SECOND";
  other.category = "A1";
  ASSERT_TRUE(b.AddDomain("example.test", other).ok());
  ASSERT_TRUE(b.AddUrl("http://www.example.test/a.html", EntryKind::kUrl, Meta("url", 5)).ok());
  ASSERT_TRUE(b.AddDomain("example.test", Meta("dom", 2)).ok());  // exact duplicate
  const Blocklist list = MustBuild(b);
  EXPECT_EQ(list.size(), 3u);
  UrlChecker checker({&list});
  std::vector<ListMatch> m;
  ASSERT_TRUE(checker.Check("HTTP://WWW.Example.TEST./a.html#frag", &m).ok());
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(checker.canonical().Spec(), "http://www.example.test/a.html");
  bool saw_second = false;
  for (const auto& lm : m) {
    if (lm.match.source == "SECOND") {
      saw_second = true;
      EXPECT_EQ(lm.match.category, "A1");
      EXPECT_EQ(lm.match.severity, 4);
      EXPECT_EQ(lm.match.kind, EntryKind::kDomain);
      EXPECT_EQ(lm.match.expression, "example.test/");
      EXPECT_EQ(lm.match.date_added, "2026-11-29");
    }
  }
  EXPECT_TRUE(saw_second);
}

INSTANTIATE_TEST_SUITE_P(PlainAndHashed, KindsTest,
                         ::testing::Values(ListFormat::kPlain, ListFormat::kHashed));

TEST(Blocklist, FileRoundTripAndBatch) {
  BlocklistBuilder b(ListFormat::kPlain);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(
        b.AddDomain("host" + std::to_string(i) + ".example.test", Meta(std::to_string(i))).ok());
  }
  const std::string path = std::string(VIGIL_BINARY_DIR) + "/url_roundtrip_test.vul";
  ASSERT_TRUE(b.WriteFile(path).ok());
  auto list = Blocklist::Open(path);
  ASSERT_TRUE(list.ok()) << list.status().message();
  EXPECT_EQ(list->size(), 5000u);
  UrlChecker checker({&*list});
  std::vector<CheckReport> reports;
  checker.CheckBatch({"http://host42.example.test/x", "http://host5000.example.test/",
                      "mailto:someone@example.test", "http://sub.host4999.example.test/"},
                     &reports);
  ASSERT_EQ(reports.size(), 4u);
  ASSERT_EQ(reports[0].hits.size(), 1u);
  EXPECT_EQ(reports[0].hits[0].entry_id, "42");
  EXPECT_TRUE(reports[1].status.ok());
  EXPECT_TRUE(reports[1].hits.empty());
  EXPECT_EQ(reports[2].status.code(), StatusCode::kUnsupported);
  ASSERT_EQ(reports[3].hits.size(), 1u);
  std::remove(path.c_str());
}

TEST(Blocklist, DamagedFilesAreRejectedOrHarmless) {
  BlocklistBuilder b(ListFormat::kHashed);
  ASSERT_TRUE(b.AddDomain("example.test", Meta("x")).ok());
  const std::vector<uint8_t> good = b.Build();
  EXPECT_EQ(Blocklist::FromBytes({}).status().code(), StatusCode::kCorruption);
  auto truncated = good;
  truncated.resize(good.size() - 1);
  EXPECT_EQ(Blocklist::FromBytes(truncated).status().code(), StatusCode::kCorruption);
  auto bad_magic = good;
  bad_magic[0] = 'X';
  EXPECT_EQ(Blocklist::FromBytes(bad_magic).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(Blocklist::Open("/nonexistent/list.vul").status().code(), StatusCode::kNotFound);
  // Flip every byte after the header in turn: open may fail, lookups must not crash.
  for (size_t i = 128; i < good.size(); i += 7) {
    auto damaged = good;
    damaged[i] ^= 0xFF;
    auto list = Blocklist::FromBytes(damaged);
    if (!list.ok()) continue;
    UrlChecker checker({&*list});
    std::vector<ListMatch> m;
    EXPECT_TRUE(checker.Check("http://www.example.test/", &m).ok());
  }
}

TEST(Blocklist, RejectsBadMetadata) {
  BlocklistBuilder b(ListFormat::kPlain);
  EXPECT_FALSE(b.AddDomain("example.test", Meta("x", 6)).ok());
  EntryMetadata m = Meta("x");
  m.date_added = "2026-13-01";
  EXPECT_FALSE(b.AddDomain("example.test", m).ok());
  EXPECT_FALSE(b.AddDigest(Sha256("example.test/"), EntryKind::kDomain, Meta("x")).ok());
  EXPECT_FALSE(b.AddUrl("mailto:a@example.test", EntryKind::kUrl, Meta("x")).ok());
}

TEST(ListImport, UrlListWithCommentsColumnsAndErrors) {
  const std::string text =
      "# IWF-style list\n"
      "http://hacked.example.com/a.jpg\n"
      "\n"
      "http://files.example.net/dir/\tkind=prefix\tseverity=5\tid=P-1\n"
      "http://bad.example.com/x\tseverity=9\n"
      "mailto:nobody@example.com\n"
      "http://999.1.1.1/\n"
      "http://ok.example.com/\tcolour=red\r\n"
      "http://last.example.com/no-newline";
  BlocklistBuilder b(ListFormat::kPlain);
  ImportOptions opt;
  opt.defaults = Meta("");
  auto report = ImportList(text, ImportFormat::kUrlList, opt, &b);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->lines, 9u);
  EXPECT_EQ(report->added, 3u);
  EXPECT_EQ(report->skipped, 2u);
  ASSERT_EQ(report->errors.size(), 4u);
  EXPECT_EQ(report->errors[0].line, 5u);
  EXPECT_EQ(report->errors[1].line, 6u);
  EXPECT_EQ(report->errors[2].line, 7u);
  EXPECT_EQ(report->errors[3].line, 8u);
  const Blocklist list = MustBuild(b);
  UrlChecker checker({&list});
  EXPECT_EQ(Ids(checker, "http://files.example.net/dir/sub/x"), std::vector<std::string>{"P-1"});
  EXPECT_EQ(Ids(checker, "http://hacked.example.com/a.jpg"), std::vector<std::string>{"line:2"});
}

TEST(ListImport, DomainAndSha256Lists) {
  BlocklistBuilder hashed(ListFormat::kHashed);
  ImportOptions opt;
  opt.defaults = Meta("");
  const std::string digest = DigestToHex(Sha256("evil.example.test/"));
  const std::string text = "# hashed\n" + digest + " kind=domain,id=H1,category=A1\n" + "abcd\n" +
                           std::string(64, 'g') + "\n" +
                           DigestToHex(Sha256("pages.example.test/p.html")) + "\tkind=url\n";
  auto report = ImportList(text, ImportFormat::kSha256List, opt, &hashed);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->added, 2u);
  ASSERT_EQ(report->errors.size(), 2u);
  EXPECT_EQ(report->errors[0].line, 3u);
  EXPECT_EQ(report->errors[1].line, 4u);
  const Blocklist list = MustBuild(hashed);
  UrlChecker checker({&list});
  EXPECT_EQ(Ids(checker, "http://www.evil.example.test/any"), std::vector<std::string>{"H1"});
  EXPECT_EQ(Ids(checker, "http://pages.example.test/p.html"), std::vector<std::string>{"line:5"});
  EXPECT_EQ(Ids(checker, "http://pages.example.test/"), std::vector<std::string>{});

  BlocklistBuilder plain(ListFormat::kPlain);
  EXPECT_FALSE(ImportList(text, ImportFormat::kSha256List, opt, &plain).ok());
  auto dom = ImportList("example.test\n..\nsub.example.org\tseverity=1\n",
                        ImportFormat::kDomainList, opt, &plain);
  ASSERT_TRUE(dom.ok());
  EXPECT_EQ(dom->added, 2u);
  ASSERT_EQ(dom->errors.size(), 1u);
  EXPECT_EQ(dom->errors[0].line, 2u);
  EXPECT_FALSE(ImportListFile("/nonexistent/list.txt", ImportFormat::kUrlList, opt, &plain).ok());
}

// "*.evil.test" is the whole domain (on main it was stored literally and matched nothing).
TEST(ListImport, WildcardDomainEntryMatchesTheDomainAndEverySubdomain) {
  BlocklistBuilder b(ListFormat::kPlain);
  ImportOptions opt;
  opt.defaults = Meta("");
  auto report = ImportList("*.evil.test\tid=W1\n*.B\u00fccher.example\tid=W2\n",
                           ImportFormat::kDomainList, opt, &b);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->errors.empty()) << report->errors[0].message;
  const Blocklist list = MustBuild(b);
  UrlChecker checker({&list});
  EXPECT_EQ(Ids(checker, "http://sub.evil.test/x"), std::vector<std::string>{"W1"});
  EXPECT_EQ(Ids(checker, "https://a.b.evil.test/"), std::vector<std::string>{"W1"});
  EXPECT_EQ(Ids(checker, "http://evil.test/"), std::vector<std::string>{"W1"});
  EXPECT_EQ(Ids(checker, "http://notevil.test/"), std::vector<std::string>{});
  EXPECT_EQ(Ids(checker, "http://www.xn--bcher-kva.example/"), std::vector<std::string>{"W2"});
}

// Host names that cannot exist are errors on their line (on main they were all accepted).
TEST(ListImport, InvalidHostNamesAreRefusedWithTheirLineNumbers) {
  BlocklistBuilder b(ListFormat::kPlain);
  ImportOptions opt;
  const std::string long_label(64, 'a');
  const std::string text =
      "good.example\n"            // 1
      "evil host.test\n"          // 2: space
      + long_label + ".test\n" +  // 3: label of 64 bytes
      std::string(63, 'b') +
      ".test\n"                 // 4: 63 is fine
      "a..b.test\n"             // 5: empty label
      "ev*l.test\n"             // 6: '*' inside
      "*.\n"                    // 7: nothing after '*.'
      "bad!name.test\n"         // 8
      "under_score.example\n";  // 9: underscores occur in real hosts
  auto report = ImportList(text, ImportFormat::kDomainList, opt, &b);
  ASSERT_TRUE(report.ok());
  std::vector<size_t> lines;
  for (const auto& e : report->errors) lines.push_back(e.line);
  EXPECT_EQ(lines, (std::vector<size_t>{2, 3, 5, 6, 7, 8}));
  EXPECT_EQ(report->added, 3u);
  ASSERT_GE(report->errors.size(), 2u);
  EXPECT_NE(report->errors[1].message.find("more than 63"), std::string::npos)
      << report->errors[1].message;
  EXPECT_EQ(DomainEntryHost("*.Evil.TEST").value(), "evil.test");
}

// Merging an import into a list: added, updated, unchanged; replace deletes the rest.
TEST(ListMerge, MergeAddsAndUpdatesReplaceKeepsOnlyTheImport) {
  BlocklistBuilder first(ListFormat::kPlain);
  ASSERT_TRUE(first.AddDomain("a.example", Meta("A", 3)).ok());
  ASSERT_TRUE(first.AddDomain("b.example", Meta("B", 3)).ok());
  ASSERT_TRUE(first.AddUrl("http://c.example/x", EntryKind::kUrl, Meta("C", 3)).ok());
  const Blocklist old = MustBuild(first);

  BlocklistBuilder second(ListFormat::kPlain);
  ASSERT_TRUE(second.AddDomain("a.example", Meta("A", 3)).ok());  // unchanged
  ASSERT_TRUE(second.AddDomain("b.example", Meta("B", 5)).ok());  // severity changed
  ASSERT_TRUE(second.AddDomain("d.example", Meta("D", 2)).ok());  // new

  BlocklistBuilder merged(ListFormat::kPlain);
  auto stats = MergeLists(&old, second, /*replace=*/false, &merged);
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  EXPECT_EQ(stats->added, 1u);
  EXPECT_EQ(stats->updated, 1u);
  EXPECT_EQ(stats->unchanged, 2u);  // a.example re-imported as it was, c.example kept
  EXPECT_EQ(stats->deleted, 0u);
  EXPECT_EQ(stats->total, 4u);
  const Blocklist after = MustBuild(merged);
  UrlChecker checker({&after});
  EXPECT_EQ(Ids(checker, "http://c.example/x"), std::vector<std::string>{"C"});  // kept
  EXPECT_EQ(Ids(checker, "http://d.example/"), std::vector<std::string>{"D"});
  std::vector<ListMatch> hits;
  ASSERT_TRUE(checker.Check("http://b.example/", &hits).ok());
  ASSERT_EQ(hits.size(), 1u);  // updated in place, not duplicated
  EXPECT_EQ(hits[0].match.severity, 5);

  BlocklistBuilder replaced(ListFormat::kPlain);
  auto rstats = MergeLists(&old, second, /*replace=*/true, &replaced);
  ASSERT_TRUE(rstats.ok());
  EXPECT_EQ(rstats->deleted, 1u);  // c.example
  EXPECT_EQ(rstats->total, 3u);
  const Blocklist only = MustBuild(replaced);
  UrlChecker only_checker({&only});
  EXPECT_EQ(Ids(only_checker, "http://c.example/x"), std::vector<std::string>{});

  BlocklistBuilder hashed_import(ListFormat::kHashed);
  ASSERT_TRUE(hashed_import.AddDomain("a.example", Meta("A", 3)).ok());
  BlocklistBuilder hashed_out(ListFormat::kHashed);
  EXPECT_FALSE(MergeLists(&old, hashed_import, false, &hashed_out).ok());
}

// Entries() reads back what was stored, for both formats.
TEST(ListMerge, EntriesRoundTripThroughAFile) {
  for (ListFormat format : {ListFormat::kPlain, ListFormat::kHashed}) {
    BlocklistBuilder b(format);
    ASSERT_TRUE(b.AddDomain("a.example", Meta("A", 4)).ok());
    ASSERT_TRUE(b.AddUrl("http://c.example/x?q", EntryKind::kUrl, Meta("C", 1)).ok());
    const Blocklist list = MustBuild(b);
    const std::vector<ListEntry> entries = list.Entries();
    ASSERT_EQ(entries.size(), 2u);
    BlocklistBuilder copy(format);
    for (const ListEntry& e : entries) ASSERT_TRUE(copy.AddEntry(e).ok());
    EXPECT_EQ(copy.Build(), b.Build());
  }
}

}  // namespace
}  // namespace vigil::url
