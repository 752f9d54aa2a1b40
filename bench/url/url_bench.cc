// Measures the URL detector stages on one core:
//   parse          WHATWG ParseUrl (browser-exact parse), vs Boost.URL parse_uri and
//                  uriparser on the same URLs
//   canonicalise   Safe Browsing canonicalisation (the lookup pipeline's first step)
//   expressions    host-suffix x path-prefix generation
//   lookup         plain and hashed 1M-entry lists (memory-mapped files)
// and the list open time. Lists use reserved names (*.example.test).
// Usage: vigil_url_bench [urls=200000] [entries=1000000] [dir=/tmp]
#include <uriparser/Uri.h>

#include <boost/url/parse.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "vigil/url/blocklist.h"
#include "vigil/url/check.h"
#include "vigil/url/safe_browsing.h"
#include "vigil/url/whatwg_url.h"

namespace {

using Clock = std::chrono::steady_clock;
using vigil::url::Blocklist;
using vigil::url::BlocklistBuilder;
using vigil::url::CanonicalUrl;
using vigil::url::EntryKind;
using vigil::url::EntryMetadata;
using vigil::url::ListFormat;
using vigil::url::LookupExpressions;
using vigil::url::Match;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Deterministic pseudo-random numbers (no global state).
struct Rng {
  uint64_t s;
  uint64_t Next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

std::string MakeList(ListFormat format, size_t entries, const std::string& path) {
  BlocklistBuilder b(format);
  EntryMetadata m;
  m.source = "BENCH";
  m.category = "B1";
  m.severity = 3;
  m.date_added = "2026-11-29";
  for (size_t i = 0; i < entries; ++i) {
    m.entry_id = std::to_string(i);
    if (i % 2 == 0) {
      (void)b.AddDomain("host" + std::to_string(i) + ".example.test", m);
    } else {
      (void)b.AddUrl("http://site" + std::to_string(i) + ".example.test/path/" + std::to_string(i) +
                         "/page.html",
                     EntryKind::kUrl, m);
    }
  }
  const auto st = b.WriteFile(path);
  if (!st.ok()) {
    std::fprintf(stderr, "cannot write %s: %s\n", path.c_str(), st.message().c_str());
    std::exit(1);
  }
  return path;
}

std::vector<std::string> MakeUrls(size_t n, size_t entries) {
  Rng rng{0x9e3779b97f4a7c15ULL};
  std::vector<std::string> urls;
  urls.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t r = rng.Next();
    const uint64_t k = (r >> 8) % (entries * 4);  // about 1 in 4 names exists in the list
    switch (r % 4) {
      case 0:
        urls.push_back("http://host" + std::to_string(k) + ".example.test/index.html");
        break;
      case 1:
        urls.push_back("https://www.site" + std::to_string(k) + ".example.test/path/" +
                       std::to_string(k) + "/page.html?ref=mail&id=" + std::to_string(r % 1000));
        break;
      case 2:
        urls.push_back("http://cdn.img" + std::to_string(k) + ".example.test/a/b/c/d/e.jpg");
        break;
      default:
        urls.push_back("http://Site" + std::to_string(k) + ".Example.Test./path/%70age.html#top");
        break;
    }
  }
  return urls;
}

void Report(const char* stage, double seconds, size_t n) {
  std::printf("  %-34s %8.1f ns/URL  %12.0f URLs/s\n", stage, seconds * 1e9 / n, n / seconds);
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n_urls = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 200000;
  const size_t n_entries = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1000000;
  const std::string dir = argc > 3 ? argv[3] : "/tmp";

  std::printf("vigil_url_bench: %zu URLs, %zu-entry lists\n", n_urls, n_entries);
  auto t0 = Clock::now();
  const std::string plain_path = MakeList(ListFormat::kPlain, n_entries, dir + "/vigil_bench_plain.vul");
  auto t1 = Clock::now();
  const std::string hashed_path = MakeList(ListFormat::kHashed, n_entries, dir + "/vigil_bench_hashed.vul");
  auto t2 = Clock::now();
  std::printf("build+write: plain %.2f s, hashed %.2f s\n", Seconds(t0, t1), Seconds(t1, t2));

  t0 = Clock::now();
  auto plain = Blocklist::Open(plain_path);
  t1 = Clock::now();
  auto hashed = Blocklist::Open(hashed_path);
  t2 = Clock::now();
  if (!plain.ok() || !hashed.ok()) {
    std::fprintf(stderr, "open failed\n");
    return 1;
  }
  std::printf("open (mmap + validate): plain %.3f ms, hashed %.3f ms\n", Seconds(t0, t1) * 1e3,
              Seconds(t1, t2) * 1e3);

  const std::vector<std::string> urls = MakeUrls(n_urls, n_entries);
  size_t sink = 0;

  // Warm the page cache and tables once, as a running detector would be.
  {
    CanonicalUrl c;
    LookupExpressions e;
    std::vector<Match> m;
    for (const auto& u : urls) {
      if (vigil::url::CanonicalizeUrl(u, &c).ok()) {
        e.Generate(c, true);
        plain->Lookup(e, &m);
        hashed->Lookup(e, &m);
        m.clear();
      }
    }
  }

  std::printf("parsing (same URLs):\n");
  t0 = Clock::now();
  for (const auto& u : urls) sink += vigil::url::ParseUrl(u).ok();
  t1 = Clock::now();
  Report("vigil WHATWG ParseUrl", Seconds(t0, t1), urls.size());
  t0 = Clock::now();
  for (const auto& u : urls) sink += boost::urls::parse_uri(u).has_value();
  t1 = Clock::now();
  Report("Boost.URL parse_uri (RFC 3986)", Seconds(t0, t1), urls.size());
  t0 = Clock::now();
  for (const auto& u : urls) {
    UriUriA uri;
    const char* err = nullptr;
    if (uriParseSingleUriA(&uri, u.c_str(), &err) == URI_SUCCESS) {
      ++sink;
      uriFreeUriMembersA(&uri);
    }
  }
  t1 = Clock::now();
  Report("uriparser uriParseSingleUriA", Seconds(t0, t1), urls.size());

  std::printf("lookup pipeline stages:\n");
  std::vector<CanonicalUrl> canon(urls.size());
  t0 = Clock::now();
  for (size_t i = 0; i < urls.size(); ++i) sink += vigil::url::CanonicalizeUrl(urls[i], &canon[i]).ok();
  t1 = Clock::now();
  const double t_canon = Seconds(t0, t1);
  Report("canonicalise (Safe Browsing)", t_canon, urls.size());

  std::vector<LookupExpressions> exprs(urls.size());
  t0 = Clock::now();
  size_t n_expr = 0;
  for (size_t i = 0; i < urls.size(); ++i) {
    exprs[i].Generate(canon[i], true);
    n_expr += exprs[i].size();
  }
  t1 = Clock::now();
  const double t_expr = Seconds(t0, t1);
  Report("expressions", t_expr, urls.size());
  std::printf("  (%.1f expressions per URL)\n", static_cast<double>(n_expr) / urls.size());

  std::vector<Match> matches;
  size_t plain_hits = 0, hashed_hits = 0;
  t0 = Clock::now();
  for (const auto& e : exprs) {
    matches.clear();
    plain->Lookup(e, &matches);
    plain_hits += !matches.empty();
  }
  t1 = Clock::now();
  const double t_plain = Seconds(t0, t1);
  Report("lookup, plain 1M list", t_plain, urls.size());
  t0 = Clock::now();
  for (const auto& e : exprs) {
    matches.clear();
    hashed->Lookup(e, &matches);
    hashed_hits += !matches.empty();
  }
  t1 = Clock::now();
  const double t_hashed = Seconds(t0, t1);
  Report("lookup, hashed 1M list (SHA-256)", t_hashed, urls.size());
  std::printf("  (URLs with a match: plain %zu, hashed %zu of %zu)\n", plain_hits, hashed_hits,
              urls.size());

  std::printf("end to end (UrlChecker: canonicalise + expressions + lookup):\n");
  for (const Blocklist* list : {&*plain, &*hashed}) {
    vigil::url::UrlChecker checker({list});
    std::vector<vigil::url::ListMatch> lm;
    t0 = Clock::now();
    for (const auto& u : urls) sink += checker.Check(u, &lm).ok() + lm.size();
    t1 = Clock::now();
    Report(list == &*plain ? "plain list" : "hashed list", Seconds(t0, t1), urls.size());
  }
  std::printf("(checksum %zu)\n", sink);
  std::remove(plain_path.c_str());
  std::remove(hashed_path.c_str());
  return 0;
}
