// Distance kernels for each CPU path and the dispatch between them.
//
// The gather kernel is what multi-index hashing spends its time in: candidates are random
// rows of a large code array, so it prefetches a few candidates ahead; the arithmetic is the
// small part. The scan kernel serves the full-scan fallback and brute force.
#include "vigil/hashbank/popcount.h"

#include <immintrin.h>

#include <atomic>
#include <cstdint>

#include "distance_kernels.h"

namespace vigil::hashbank {
namespace internal {
namespace {

constexpr size_t kPrefetchAhead = 12;

// [SECTION] portable SWAR popcount (no POPCNT instruction assumed)
inline uint32_t SwarPopcount64(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return static_cast<uint32_t>((x * 0x0101010101010101ULL) >> 56);
}

inline uint32_t DistanceScalar(const uint64_t* q, const uint64_t* c) {
  return SwarPopcount64(q[0] ^ c[0]) + SwarPopcount64(q[1] ^ c[1]) + SwarPopcount64(q[2] ^ c[2]) +
         SwarPopcount64(q[3] ^ c[3]);
}

size_t ScanScalar(const uint64_t* q, const uint64_t* codes, size_t begin, size_t end, int threshold,
                  CodeHit* out) {
  size_t n = 0;
  for (size_t i = begin; i < end; ++i) {
    const uint32_t d = DistanceScalar(q, codes + 4 * i);
    if (d <= static_cast<uint32_t>(threshold)) out[n++] = {static_cast<uint32_t>(i), d};
  }
  return n;
}

size_t GatherScalar(const uint64_t* q, const uint64_t* codes, const uint32_t* ids, size_t count,
                    int threshold, CodeHit* out) {
  size_t n = 0;
  for (size_t j = 0; j < count; ++j) {
    if (j + kPrefetchAhead < count) __builtin_prefetch(codes + 4 * size_t{ids[j + kPrefetchAhead]});
    const uint32_t d = DistanceScalar(q, codes + 4 * size_t{ids[j]});
    if (d <= static_cast<uint32_t>(threshold)) out[n++] = {ids[j], d};
  }
  return n;
}

// [SECTION] hardware POPCNT
__attribute__((target("popcnt"))) inline uint32_t DistancePopcnt(const uint64_t* q,
                                                                 const uint64_t* c) {
  return static_cast<uint32_t>(
      __builtin_popcountll(q[0] ^ c[0]) + __builtin_popcountll(q[1] ^ c[1]) +
      __builtin_popcountll(q[2] ^ c[2]) + __builtin_popcountll(q[3] ^ c[3]));
}

__attribute__((target("popcnt"))) size_t ScanPopcnt(const uint64_t* q, const uint64_t* codes,
                                                    size_t begin, size_t end, int threshold,
                                                    CodeHit* out) {
  size_t n = 0;
  for (size_t i = begin; i < end; ++i) {
    const uint32_t d = DistancePopcnt(q, codes + 4 * i);
    if (d <= static_cast<uint32_t>(threshold)) out[n++] = {static_cast<uint32_t>(i), d};
  }
  return n;
}

__attribute__((target("popcnt"))) size_t GatherPopcnt(const uint64_t* q, const uint64_t* codes,
                                                      const uint32_t* ids, size_t count,
                                                      int threshold, CodeHit* out) {
  size_t n = 0;
  for (size_t j = 0; j < count; ++j) {
    if (j + kPrefetchAhead < count) __builtin_prefetch(codes + 4 * size_t{ids[j + kPrefetchAhead]});
    const uint32_t d = DistancePopcnt(q, codes + 4 * size_t{ids[j]});
    if (d <= static_cast<uint32_t>(threshold)) out[n++] = {ids[j], d};
  }
  return n;
}

// [SECTION] AVX2: per-nibble table lookup, then SAD against zero sums bytes per 64-bit lane
__attribute__((target("avx2"))) inline uint32_t DistanceAvx2(__m256i q, const uint64_t* c) {
  const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2,
                                       1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0f);
  const __m256i x = _mm256_xor_si256(q, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c)));
  const __m256i cnt =
      _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_and_si256(x, low)),
                      _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(x, 4), low)));
  const __m256i sums = _mm256_sad_epu8(cnt, _mm256_setzero_si256());
  const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(sums), _mm256_extracti128_si256(sums, 1));
  return static_cast<uint32_t>(_mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1));
}

__attribute__((target("avx2"))) size_t ScanAvx2(const uint64_t* q, const uint64_t* codes,
                                                size_t begin, size_t end, int threshold,
                                                CodeHit* out) {
  const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
  size_t n = 0;
  for (size_t i = begin; i < end; ++i) {
    const uint32_t d = DistanceAvx2(qv, codes + 4 * i);
    if (d <= static_cast<uint32_t>(threshold)) out[n++] = {static_cast<uint32_t>(i), d};
  }
  return n;
}

__attribute__((target("avx2"))) size_t GatherAvx2(const uint64_t* q, const uint64_t* codes,
                                                  const uint32_t* ids, size_t count, int threshold,
                                                  CodeHit* out) {
  const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
  size_t n = 0;
  for (size_t j = 0; j < count; ++j) {
    if (j + kPrefetchAhead < count) __builtin_prefetch(codes + 4 * size_t{ids[j + kPrefetchAhead]});
    const uint32_t d = DistanceAvx2(qv, codes + 4 * size_t{ids[j]});
    if (d <= static_cast<uint32_t>(threshold)) out[n++] = {ids[j], d};
  }
  return n;
}

// [SECTION] AVX-512 VPOPCNTDQ (with VL for 256-bit registers)
#define VIGIL_AVX512_TARGET __attribute__((target("avx512f,avx512vl,avx512vpopcntdq")))

VIGIL_AVX512_TARGET inline uint32_t DistanceAvx512(__m256i q, const uint64_t* c) {
  const __m256i x = _mm256_xor_si256(q, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c)));
  const __m256i cnt = _mm256_popcnt_epi64(x);
  const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(cnt), _mm256_extracti128_si256(cnt, 1));
  return static_cast<uint32_t>(_mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1));
}

// Two codes per 512-bit register: lane sums reduced per half.
VIGIL_AVX512_TARGET size_t ScanAvx512(const uint64_t* q, const uint64_t* codes, size_t begin,
                                      size_t end, int threshold, CodeHit* out) {
  const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
  const uint64_t q2[8] = {q[0], q[1], q[2], q[3], q[0], q[1], q[2], q[3]};
  const __m512i qq = _mm512_loadu_si512(q2);
  // Adds lanes (0+1, 2+3) then (01 + 23) within each 256-bit half.
  const __m512i swap1 = _mm512_setr_epi64(1, 0, 3, 2, 5, 4, 7, 6);
  const __m512i swap2 = _mm512_setr_epi64(2, 3, 0, 1, 6, 7, 4, 5);
  size_t n = 0;
  size_t i = begin;
  for (; i + 2 <= end; i += 2) {
    const __m512i x = _mm512_xor_si512(qq, _mm512_loadu_si512(codes + 4 * i));
    __m512i c = _mm512_popcnt_epi64(x);
    // maskz forms: the plain ones trip gcc 12's -Wmaybe-uninitialized inside the header.
    c = _mm512_add_epi64(c, _mm512_maskz_permutexvar_epi64(0xff, swap1, c));
    c = _mm512_add_epi64(c, _mm512_maskz_permutexvar_epi64(0xff, swap2, c));
    alignas(64) uint64_t lanes[8];
    _mm512_store_si512(lanes, c);
    if (lanes[0] <= static_cast<uint64_t>(threshold))
      out[n++] = {static_cast<uint32_t>(i), static_cast<uint32_t>(lanes[0])};
    if (lanes[4] <= static_cast<uint64_t>(threshold))
      out[n++] = {static_cast<uint32_t>(i + 1), static_cast<uint32_t>(lanes[4])};
  }
  for (; i < end; ++i) {
    const uint32_t d = DistanceAvx512(qv, codes + 4 * i);
    if (d <= static_cast<uint32_t>(threshold)) out[n++] = {static_cast<uint32_t>(i), d};
  }
  return n;
}

VIGIL_AVX512_TARGET size_t GatherAvx512(const uint64_t* q, const uint64_t* codes,
                                        const uint32_t* ids, size_t count, int threshold,
                                        CodeHit* out) {
  const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
  size_t n = 0;
  for (size_t j = 0; j < count; ++j) {
    if (j + kPrefetchAhead < count) __builtin_prefetch(codes + 4 * size_t{ids[j + kPrefetchAhead]});
    const uint32_t d = DistanceAvx512(qv, codes + 4 * size_t{ids[j]});
    if (d <= static_cast<uint32_t>(threshold)) out[n++] = {ids[j], d};
  }
  return n;
}

// [SECTION] dispatch
constexpr DistanceKernels kKernels[] = {
    {ScanScalar, GatherScalar},
    {ScanPopcnt, GatherPopcnt},
    {ScanAvx2, GatherAvx2},
    {ScanAvx512, GatherAvx512},
};

bool CpuHas(PopcountPath path) {
  __builtin_cpu_init();
  switch (path) {
    case PopcountPath::kScalar:
      return true;
    case PopcountPath::kPopcnt:
      return __builtin_cpu_supports("popcnt");
    case PopcountPath::kAvx2:
      return __builtin_cpu_supports("avx2");
    case PopcountPath::kAvx512Vpopcntdq:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512vpopcntdq");
  }
  return false;
}

PopcountPath BestPath() {
  PopcountPath best = PopcountPath::kScalar;
  for (PopcountPath p : AvailablePopcountPaths()) best = p;
  return best;
}

std::atomic<int>& ActivePathSlot() {
  static std::atomic<int> slot{static_cast<int>(BestPath())};
  return slot;
}

}  // namespace

const DistanceKernels& ActiveKernels() {
  return kKernels[ActivePathSlot().load(std::memory_order_relaxed)];
}

}  // namespace internal

std::string_view PopcountPathName(PopcountPath path) {
  switch (path) {
    case PopcountPath::kScalar:
      return "scalar";
    case PopcountPath::kPopcnt:
      return "popcnt";
    case PopcountPath::kAvx2:
      return "avx2";
    case PopcountPath::kAvx512Vpopcntdq:
      return "avx512-vpopcntdq";
  }
  return "unknown";
}

std::vector<PopcountPath> AvailablePopcountPaths() {
  std::vector<PopcountPath> paths;
  for (PopcountPath p : {PopcountPath::kScalar, PopcountPath::kPopcnt, PopcountPath::kAvx2,
                         PopcountPath::kAvx512Vpopcntdq}) {
    if (internal::CpuHas(p)) paths.push_back(p);
  }
  return paths;
}

PopcountPath ActivePopcountPath() {
  return static_cast<PopcountPath>(internal::ActivePathSlot().load(std::memory_order_relaxed));
}

bool ForcePopcountPath(PopcountPath path) {
  if (!internal::CpuHas(path)) return false;
  internal::ActivePathSlot().store(static_cast<int>(path), std::memory_order_relaxed);
  return true;
}

}  // namespace vigil::hashbank
