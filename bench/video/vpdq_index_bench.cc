// Issue 16 "Measure": query time of one scanned video against 100,000 listed videos,
// indexed (VideoIndex: listed frames in the hash banks' exact PDQ index, candidates only
// through MatchVideos) against brute force (MatchVideos with every listed video), in one
// run, and the index's memory.
//
// Listed videos: random PDQ frames (one in ten under quality 50, one in ten a repeat), and
// `planted` of them near-copies of one source video (each frame up to 12 bits away). The
// queries are 60-frame excerpts of the source with up to 16 bits of noise per frame, so
// every query must find all planted copies. Both answers are compared; a difference exits 1.
//
//   build/release/bench/vpdq_index_bench [videos=100000] [frames=100] [query_frames=60]
//                                        [indexed_queries=50] [brute_queries=3]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "vigil/vpdq/vpdq_index.h"

namespace {

using Clock = std::chrono::steady_clock;
using vigil::vpdq::FrameHash;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

long PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

vigil::pdq::Hash256 RandomHash(std::mt19937_64& rng) {
  vigil::pdq::Hash256 h;
  for (auto& w : h.words) w = static_cast<uint16_t>(rng());
  return h;
}

vigil::pdq::Hash256 Noisy(vigil::pdq::Hash256 h, int max_bits, std::mt19937_64& rng) {
  const int bits = static_cast<int>(rng() % (max_bits + 1));
  for (int k = 0; k < bits; ++k) h.FlipBit(static_cast<int>(rng() % 256));
  return h;
}

std::vector<FrameHash> RandomVideo(int frames, std::mt19937_64& rng) {
  std::vector<FrameHash> v(static_cast<size_t>(frames));
  for (int i = 0; i < frames; ++i) {
    v[i].frame_number = i;
    v[i].timestamp_seconds = i;
    // Mostly usable frames, one in ten under the quality threshold (dark or flat frames).
    v[i].quality = rng() % 10 == 0 ? 20 + static_cast<int>(rng() % 30) : 50 + static_cast<int>(rng() % 51);
    v[i].hash = (i > 0 && rng() % 10 == 0) ? v[i - 1].hash : RandomHash(rng);
  }
  return v;
}

std::vector<FrameHash> NoisyCopy(const std::vector<FrameHash>& source, size_t from, size_t count,
                                 int max_bits, std::mt19937_64& rng) {
  std::vector<FrameHash> v;
  for (size_t i = from; i < source.size() && v.size() < count; ++i) {
    FrameHash f = source[i];
    f.frame_number = static_cast<int64_t>(v.size());
    f.timestamp_seconds = static_cast<double>(v.size());
    f.quality = 100;
    f.hash = Noisy(f.hash, max_bits, rng);
    v.push_back(f);
  }
  return v;
}

bool Same(const std::vector<vigil::vpdq::VideoMatch>& a,
          const std::vector<vigil::vpdq::VideoMatch>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].video != b[i].video ||
        a[i].result.query_frames_matched != b[i].result.query_frames_matched ||
        a[i].result.compared_frames_matched != b[i].result.compared_frames_matched) {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  auto arg = [&](int i, long fallback) { return argc > i ? std::atol(argv[i]) : fallback; };
  const long videos = arg(1, 100000), frames = arg(2, 100), query_frames = arg(3, 60);
  const long indexed_queries = arg(4, 50), brute_queries = arg(5, 3);
  const long planted = std::min<long>(20, videos);
  std::mt19937_64 rng(16);

  auto t = Clock::now();
  const auto source = RandomVideo(static_cast<int>(std::max(frames, query_frames + 20)), rng);
  std::vector<std::vector<FrameHash>> listed;
  listed.reserve(static_cast<size_t>(videos));
  for (long v = 0; v < videos; ++v) {
    if (v % (videos / planted) == 0 && static_cast<long>(v / (videos / planted)) < planted) {
      listed.push_back(NoisyCopy(source, 0, static_cast<size_t>(frames), 12, rng));
    } else {
      listed.push_back(RandomVideo(static_cast<int>(frames), rng));
    }
  }
  const double generate_s = Seconds(t);
  const long rss_listed = PeakRssMb();

  t = Clock::now();
  auto built = vigil::vpdq::VideoIndex::Build(std::move(listed));
  if (!built.ok()) {
    std::fprintf(stderr, "build failed: %s\n", built.status().message().c_str());
    return 1;
  }
  const vigil::vpdq::VideoIndex& index = **built;
  const double build_s = Seconds(t);

  std::vector<std::vector<FrameHash>> queries;
  for (long q = 0; q < indexed_queries; ++q) {
    queries.push_back(
        NoisyCopy(source, static_cast<size_t>(q % 20), static_cast<size_t>(query_frames), 16, rng));
  }
  std::vector<double> indexed_ms;
  size_t found = 0, candidates = 0;
  std::vector<std::vector<vigil::vpdq::VideoMatch>> indexed_answers;
  for (const auto& query : queries) {
    t = Clock::now();
    auto m = index.Match(query, 80);
    indexed_ms.push_back(Seconds(t) * 1000);
    if (!m.ok()) return 1;
    found += m->size();
    candidates += index.Candidates(query).size();
    indexed_answers.push_back(std::move(m).value());
  }
  std::vector<double> brute_ms;
  for (long q = 0; q < brute_queries && q < indexed_queries; ++q) {
    t = Clock::now();
    auto m = index.MatchBruteForce(queries[q], 80);
    brute_ms.push_back(Seconds(t) * 1000);
    if (!m.ok()) return 1;
    if (!Same(*m, indexed_answers[q])) {
      std::fprintf(stderr, "query %ld: indexed and brute-force answers differ\n", q);
      return 1;
    }
  }
  std::sort(indexed_ms.begin(), indexed_ms.end());
  std::sort(brute_ms.begin(), brute_ms.end());
  const double indexed_median = indexed_ms[indexed_ms.size() / 2];
  const double brute_median = brute_ms.empty() ? 0 : brute_ms[brute_ms.size() / 2];
  std::printf("listed videos           %ld x %ld frames (%zu frames indexed, %ld planted copies)\n",
              videos, frames, index.indexed_frames(), planted);
  std::printf("generate / build index  %.1f s / %.1f s\n", generate_s, build_s);
  std::printf(
      "index memory            %.1f MB (%.1f bytes per indexed frame)\n", index.index_bytes() / 1e6,
      static_cast<double>(index.index_bytes()) / static_cast<double>(index.indexed_frames()));
  std::printf("peak RSS                %ld MB (%ld MB with the listed frames alone)\n", PeakRssMb(),
              rss_listed);
  std::printf(
      "query                   %ld frames; %.1f candidate videos and %.1f matches per query\n",
      query_frames, static_cast<double>(candidates) / queries.size(),
      static_cast<double>(found) / queries.size());
  std::printf("indexed                 median %.2f ms, max %.2f ms (%zu queries)\n", indexed_median,
              indexed_ms.back(), indexed_ms.size());
  if (!brute_ms.empty()) {
    std::printf("brute force             median %.1f ms (%zu queries, same answers)\n",
                brute_median, brute_ms.size());
    std::printf("speed-up                %.0fx\n", brute_median / indexed_median);
  }
  return 0;
}
