#include "mih.h"

#include <algorithm>
#include <cmath>

namespace vigil::hashbank::internal {
namespace {

int CeilLog2(uint64_t n) {
  int bits = 0;
  while ((uint64_t{1} << bits) < n) ++bits;
  return bits;
}

double Binomial(int n, int k) {
  double r = 1;
  for (int i = 1; i <= k; ++i) r = r * (n - k + i) / i;
  return r;
}

// Calls visit(mask) for every mask of exactly `weight` bits set among the low `bits` bits
// (Gosper's hack enumerates them in increasing order).
template <typename Visit>
void ForEachMask(int bits, int weight, Visit&& visit) {
  if (weight == 0) {
    visit(uint64_t{0});
    return;
  }
  if (weight > bits) return;
  const uint64_t limit = uint64_t{1} << bits;
  uint64_t m = (uint64_t{1} << weight) - 1;
  while (m < limit) {
    visit(m);
    const uint64_t c = m & (~m + 1);
    const uint64_t r = m + c;
    m = (((r ^ m) >> 2) / c) | r;
  }
}

struct Probe {
  uint32_t segment;
  uint32_t bucket;
  uint32_t key;
};

struct QueryScratch {
  std::vector<Probe> probes;
  std::vector<uint32_t> candidates;
};

QueryScratch& Scratch() {
  thread_local QueryScratch scratch;
  return scratch;
}

void SortUnique(std::vector<CodeHit>& hits) {
  std::sort(hits.begin(), hits.end(),
            [](const CodeHit& a, const CodeHit& b) { return a.index < b.index; });
  hits.erase(std::unique(hits.begin(), hits.end(),
                         [](const CodeHit& a, const CodeHit& b) { return a.index == b.index; }),
             hits.end());
}

}  // namespace

int MihLayout::DirectoryBits(int bits, uint32_t n) {
  return std::min(bits,
                  std::max(bits - 16, std::min(CeilLog2(uint64_t{n} + 1), kMaxDirectoryBits)));
}

MihLayout MihLayout::Make(int segments_per_word, uint32_t n) {
  MihLayout layout;
  layout.segments_per_word = segments_per_word;
  layout.segments = 4 * segments_per_word;
  const int base = 64 / segments_per_word;
  const int extra = 64 % segments_per_word;
  int s = 0;
  for (int w = 0; w < 4; ++w) {
    int shift = 0;
    for (int j = 0; j < segments_per_word; ++j, ++s) {
      layout.bits[s] = base + (j < extra ? 1 : 0);
      layout.shift[s] = shift;
      layout.word[s] = w;
      layout.dir_bits[s] = DirectoryBits(layout.bits[s], n);
      shift += layout.bits[s];
    }
  }
  return layout;
}

// Segment width near log2(n) balances probes (grow with width) against candidates per probe
// (shrink with width); measured on this design at 1M and 10M (docs/performance.md).
int ChooseSegmentsPerWord(uint32_t n) {
  if (n <= (uint32_t{1} << 20)) return 4;  // 16-bit segments
  return 3;                                // 21/22-bit segments
}

void BuildMihSegment(const uint64_t* codes, uint32_t n, const MihLayout& layout, int s,
                     std::vector<uint32_t>& bucket_of, std::vector<uint32_t>& dir,
                     std::vector<uint32_t>& ids, std::vector<uint16_t>& suffix) {
  const int drop = layout.bits[s] - layout.dir_bits[s];
  bucket_of.resize(n);
  dir.assign(layout.directory_size(s), 0);
  for (uint32_t i = 0; i < n; ++i) {
    bucket_of[i] = layout.Key(codes + 4 * size_t{i}, s) >> drop;
    ++dir[bucket_of[i] + 1];
  }
  for (size_t b = 1; b < dir.size(); ++b) dir[b] += dir[b - 1];
  std::vector<uint32_t> cursor(dir.begin(), dir.end() - 1);
  ids.resize(n);
  suffix.clear();
  if (layout.has_suffix(s)) suffix.resize(n);
  const uint32_t suffix_mask = (uint32_t{1} << drop) - 1;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t at = cursor[bucket_of[i]]++;
    ids[at] = i;
    if (layout.has_suffix(s)) {
      suffix[at] = static_cast<uint16_t>(layout.Key(codes + 4 * size_t{i}, s) & suffix_mask);
    }
  }
}

MihTables BuildMih(const uint64_t* codes, uint32_t n, int segments_per_word) {
  MihTables tables;
  tables.layout = MihLayout::Make(segments_per_word, n);
  std::vector<uint32_t> bucket_of;
  for (int s = 0; s < tables.layout.segments; ++s) {
    BuildMihSegment(codes, n, tables.layout, s, bucket_of, tables.directory[s], tables.ids[s],
                    tables.suffix[s]);
  }
  return tables;
}

MihView MihView::Of(const MihTables& tables, const uint64_t* codes, uint32_t n) {
  MihView view;
  view.layout = tables.layout;
  view.n = n;
  view.codes = codes;
  for (int s = 0; s < tables.layout.segments; ++s) {
    view.directory[s] = tables.directory[s].data();
    view.suffix[s] = tables.layout.has_suffix(s) ? tables.suffix[s].data() : nullptr;
    view.ids[s] = tables.ids[s].data();
  }
  return view;
}

bool MihView::TablesPayOff(int threshold) const {
  double probes = 0;
  double candidates = 0;
  for (int s = 0; s < layout.segments; ++s) {
    const int radius = SegmentRadius(s, threshold, layout.segments);
    double p = 0;
    for (int t = 0; t <= radius; ++t) p += Binomial(layout.bits[s], t);
    probes += p;
    candidates += p * n / std::ldexp(1.0, layout.bits[s]);
  }
  // A probe and a candidate each cost about one cache miss; a scanned code is a streamed
  // 32-byte row, roughly a tenth of that.
  return 2 * probes + candidates < 0.1 * n + 64;
}

void MihView::Scan(const uint64_t* query, int threshold, std::vector<CodeHit>& out) const {
  constexpr size_t kChunk = 1 << 14;
  const ScanFn scan = ActiveKernels().scan;
  out.clear();
  for (size_t begin = 0; begin < n; begin += kChunk) {
    const size_t end = std::min<size_t>(n, begin + kChunk);
    const size_t at = out.size();
    out.resize(at + (end - begin));
    out.resize(at + scan(query, codes, begin, end, threshold, out.data() + at));
  }
}

void MihView::Query(const uint64_t* query, int threshold, std::vector<CodeHit>& out) const {
  out.clear();
  if (n == 0 || threshold < 0) return;
  if (threshold >= 256 || !TablesPayOff(threshold)) {
    Scan(query, threshold, out);
    return;
  }
  QueryScratch& scratch = Scratch();
  std::vector<Probe>& probes = scratch.probes;
  std::vector<uint32_t>& candidates = scratch.candidates;
  probes.clear();
  candidates.clear();

  // 1. Every key to probe, per segment, within that segment's radius.
  for (int s = 0; s < layout.segments; ++s) {
    const int radius = SegmentRadius(s, threshold, layout.segments);
    const uint32_t key = layout.Key(query, s);
    const int drop = layout.bits[s] - layout.dir_bits[s];
    for (int t = 0; t <= radius; ++t) {
      ForEachMask(layout.bits[s], t, [&](uint64_t mask) {
        const uint32_t k = key ^ static_cast<uint32_t>(mask);
        probes.push_back({static_cast<uint32_t>(s), k >> drop, k});
      });
    }
  }

  // 2. Bucket lookups, directory entries prefetched a few probes ahead (random accesses).
  constexpr size_t kAhead = 8;
  const size_t probe_count = probes.size();
  for (size_t j = 0; j < std::min(kAhead, probe_count); ++j) {
    __builtin_prefetch(directory[probes[j].segment] + probes[j].bucket);
  }
  for (size_t j = 0; j < probe_count; ++j) {
    if (j + kAhead < probe_count) {
      __builtin_prefetch(directory[probes[j + kAhead].segment] + probes[j + kAhead].bucket);
    }
    const Probe& probe = probes[j];
    const uint32_t* dir = directory[probe.segment];
    const uint32_t begin = dir[probe.bucket];
    const uint32_t end = dir[probe.bucket + 1];
    if (begin == end) continue;
    const uint32_t* rows = ids[probe.segment];
    const uint16_t* suffixes = suffix[probe.segment];
    if (suffixes == nullptr) {
      candidates.insert(candidates.end(), rows + begin, rows + end);
    } else {
      const int drop = layout.bits[probe.segment] - layout.dir_bits[probe.segment];
      const uint16_t want = static_cast<uint16_t>(probe.key & ((uint32_t{1} << drop) - 1));
      for (uint32_t r = begin; r < end; ++r) {
        if (suffixes[r] == want) candidates.push_back(rows[r]);
      }
    }
  }

  // 3. Verify every candidate's full distance (codes prefetched inside the kernel).
  out.resize(candidates.size());
  out.resize(ActiveKernels().gather(query, codes, candidates.data(), candidates.size(), threshold,
                                    out.data()));
  SortUnique(out);
}

}  // namespace vigil::hashbank::internal
