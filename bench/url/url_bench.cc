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
#include <ctime>
#include <string>
#include <vector>

#include "vigil/url/blocklist.h"
#include "vigil/url/check.h"
#include "vigil/url/safe_browsing.h"
#include "vigil/url/whatwg_url.h"

namespace {

// Thread CPU time, not wall time: the benchmark machine is shared, and time spent
// descheduled would otherwise count as ours. (Cache contention still shows.)
struct Clock {
  using time_point = std::chrono::duration<double>;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9);
  }
};
using Wall = std::chrono::steady_clock;
using vigil::url::Blocklist;
using vigil::url::BlocklistBuilder;
using vigil::url::CanonicalUrl;
using vigil::url::EntryKind;
using vigil::url::EntryMetadata;
using vigil::url::ListFormat;
using vigil::url::LookupExpressions;
using vigil::url::Match;

double Seconds(Clock::time_point a, Clock::time_point b) { return (b - a).count(); }
double Seconds(Wall::time_point a, Wall::time_point b) {
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
  const std::string plain_path =
      MakeList(ListFormat::kPlain, n_entries, dir + "/vigil_bench_plain.vul");
  auto t1 = Clock::now();
  const std::string hashed_path =
      MakeList(ListFormat::kHashed, n_entries, dir + "/vigil_bench_hashed.vul");
  auto t2 = Clock::now();
  std::printf("build+write (CPU): plain %.2f s, hashed %.2f s\n", Seconds(t0, t1), Seconds(t1, t2));

  const auto w0 = Wall::now();
  auto plain = Blocklist::Open(plain_path);
  const auto w1 = Wall::now();
  auto hashed = Blocklist::Open(hashed_path);
  const auto w2 = Wall::now();
  if (!plain.ok() || !hashed.ok()) {
    std::fprintf(stderr, "open failed\n");
    return 1;
  }
  std::printf("open (mmap + validate, wall time): plain %.3f ms, hashed %.3f ms\n",
              Seconds(w0, w1) * 1e3, Seconds(w1, w2) * 1e3);
  // First lookup on a cold mapping pays the page faults; time a full first pass too.

  const std::vector<std::string> urls = MakeUrls(n_urls, n_entries);
  size_t sink = 0;

  // Warm the page cache and tables once, as a running detector would be.
  const auto warm0 = Wall::now();
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
  std::printf("first pass over all URLs on the fresh mappings (wall): %.1f ms\n",
              Seconds(warm0, Wall::now()) * 1e3);
  std::printf("(times below are thread CPU time per URL)\n");

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
  // Stages are timed with one reused scratch object each, as UrlChecker uses them;
  // the results are then stored (untimed) to feed the next stage.
  CanonicalUrl scratch_canon;
  t0 = Clock::now();
  for (const auto& u : urls) sink += vigil::url::CanonicalizeUrl(u, &scratch_canon).ok();
  t1 = Clock::now();
  Report("canonicalise (Safe Browsing)", Seconds(t0, t1), urls.size());
  std::vector<CanonicalUrl> canon(urls.size());
  for (size_t i = 0; i < urls.size(); ++i) (void)vigil::url::CanonicalizeUrl(urls[i], &canon[i]);

  LookupExpressions scratch_exprs;
  size_t n_expr = 0;
  t0 = Clock::now();
  for (const auto& c : canon) {
    scratch_exprs.Generate(c, true);
    n_expr += scratch_exprs.size();
  }
  t1 = Clock::now();
  Report("expressions", Seconds(t0, t1), urls.size());
  std::printf("  (%.1f expressions per URL)\n", static_cast<double>(n_expr) / urls.size());
  std::vector<LookupExpressions> exprs(urls.size());
  for (size_t i = 0; i < urls.size(); ++i) exprs[i].Generate(canon[i], true);

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
  Report("lookup, plain list", t_plain, urls.size());
  t0 = Clock::now();
  for (const auto& e : exprs) {
    matches.clear();
    hashed->Lookup(e, &matches);
    hashed_hits += !matches.empty();
  }
  t1 = Clock::now();
  const double t_hashed = Seconds(t0, t1);
  Report("lookup, hashed list (SHA-256)", t_hashed, urls.size());
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
