// SHA-256 (FIPS 180-4) for lookup expressions. Expressions are short (one or two
// 64-byte blocks) and a URL has about ten of them, so per-call overhead dominates:
// OpenSSL 3's EVP path costs ~200-600 ns per call here, a direct implementation
// ~50-120 ns. The compression function uses the x86 SHA extensions when the CPU has
// them (checked once with CPUID) and portable code otherwise. Tests compare both paths
// with OpenSSL.
#include "vigil/url/sha256.h"

#include <algorithm>
#include <cstring>

#include "percent_encoding.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define VIGIL_URL_HAVE_SHA_NI 1
#endif

namespace vigil::url {
namespace {

alignas(16) constexpr uint32_t kK[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr uint32_t kInit[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

inline uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void CompressPortable(uint32_t state[8], const uint8_t* block) {
  uint32_t w[64];
  for (int t = 0; t < 16; ++t) {
    w[t] = uint32_t{block[4 * t]} << 24 | uint32_t{block[4 * t + 1]} << 16 |
           uint32_t{block[4 * t + 2]} << 8 | uint32_t{block[4 * t + 3]};
  }
  for (int t = 16; t < 64; ++t) {
    const uint32_t s0 = Rotr(w[t - 15], 7) ^ Rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    const uint32_t s1 = Rotr(w[t - 2], 17) ^ Rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
  for (int t = 0; t < 64; ++t) {
    const uint32_t t1 =
        h + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) + kK[t] + w[t];
    const uint32_t t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}

#ifdef VIGIL_URL_HAVE_SHA_NI
// Intel SHA extensions: the state lives as ABEF/CDGH halves; each group of four rounds
// takes four schedule words W[i] = msg2(msg1(W[i-4], W[i-3]) + (W[i-2]:W[i-1] >> 32),
// W[i-1]).
__attribute__((target("sha,sse4.1,ssse3"))) void CompressShaNi(uint32_t state[8],
                                                               const uint8_t* block) {
  const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state)), 0xB1);
  __m128i state1 =
      _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4)), 0x1B);
  __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);  // ABEF
  state1 = _mm_blend_epi16(state1, tmp, 0xF0);       // CDGH
  const __m128i abef_save = state0, cdgh_save = state1;
  __m128i w[4];
  for (int i = 0; i < 16; ++i) {
    __m128i wi;
    if (i < 4) {
      wi =
          _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * i)), mask);
    } else {
      const __m128i x = _mm_add_epi32(_mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]),
                                      _mm_alignr_epi8(w[(i + 3) & 3], w[(i + 2) & 3], 4));
      wi = _mm_sha256msg2_epu32(x, w[(i + 3) & 3]);
    }
    w[i & 3] = wi;
    __m128i msg = _mm_add_epi32(wi, _mm_load_si128(reinterpret_cast<const __m128i*>(kK + 4 * i)));
    state1 = _mm_sha256rnds2_epu32(state1, state0, msg);
    msg = _mm_shuffle_epi32(msg, 0x0E);
    state0 = _mm_sha256rnds2_epu32(state0, state1, msg);
  }
  state0 = _mm_add_epi32(state0, abef_save);
  state1 = _mm_add_epi32(state1, cdgh_save);
  tmp = _mm_shuffle_epi32(state0, 0x1B);        // FEBA
  state1 = _mm_shuffle_epi32(state1, 0xB1);     // DCHG
  state0 = _mm_blend_epi16(tmp, state1, 0xF0);  // DCBA
  state1 = _mm_alignr_epi8(state1, tmp, 8);     // HGFE
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), state0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), state1);
}

// Two independent messages at once: sha256rnds2 has a long latency, so interleaving
// two dependency chains nearly doubles throughput for a URL's batch of expressions.
__attribute__((target("sha,sse4.1,ssse3"))) void CompressShaNiX2(uint32_t state_a[8],
                                                                 const uint8_t* block_a,
                                                                 uint32_t state_b[8],
                                                                 const uint8_t* block_b) {
  const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp_a =
      _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state_a)), 0xB1);
  __m128i s1a =
      _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state_a + 4)), 0x1B);
  __m128i s0a = _mm_alignr_epi8(tmp_a, s1a, 8);
  s1a = _mm_blend_epi16(s1a, tmp_a, 0xF0);
  __m128i tmp_b =
      _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state_b)), 0xB1);
  __m128i s1b =
      _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(state_b + 4)), 0x1B);
  __m128i s0b = _mm_alignr_epi8(tmp_b, s1b, 8);
  s1b = _mm_blend_epi16(s1b, tmp_b, 0xF0);
  const __m128i save0a = s0a, save1a = s1a, save0b = s0b, save1b = s1b;
  __m128i wa[4], wb[4];
  for (int i = 0; i < 16; ++i) {
    __m128i xa, xb;
    if (i < 4) {
      xa = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block_a + 16 * i)),
                            mask);
      xb = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block_b + 16 * i)),
                            mask);
    } else {
      xa = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(wa[i & 3], wa[(i + 1) & 3]),
                                              _mm_alignr_epi8(wa[(i + 3) & 3], wa[(i + 2) & 3], 4)),
                                wa[(i + 3) & 3]);
      xb = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(wb[i & 3], wb[(i + 1) & 3]),
                                              _mm_alignr_epi8(wb[(i + 3) & 3], wb[(i + 2) & 3], 4)),
                                wb[(i + 3) & 3]);
    }
    wa[i & 3] = xa;
    wb[i & 3] = xb;
    const __m128i k = _mm_load_si128(reinterpret_cast<const __m128i*>(kK + 4 * i));
    __m128i ma = _mm_add_epi32(xa, k), mb = _mm_add_epi32(xb, k);
    s1a = _mm_sha256rnds2_epu32(s1a, s0a, ma);
    s1b = _mm_sha256rnds2_epu32(s1b, s0b, mb);
    ma = _mm_shuffle_epi32(ma, 0x0E);
    mb = _mm_shuffle_epi32(mb, 0x0E);
    s0a = _mm_sha256rnds2_epu32(s0a, s1a, ma);
    s0b = _mm_sha256rnds2_epu32(s0b, s1b, mb);
  }
  s0a = _mm_add_epi32(s0a, save0a);
  s1a = _mm_add_epi32(s1a, save1a);
  s0b = _mm_add_epi32(s0b, save0b);
  s1b = _mm_add_epi32(s1b, save1b);
  tmp_a = _mm_shuffle_epi32(s0a, 0x1B);
  s1a = _mm_shuffle_epi32(s1a, 0xB1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state_a), _mm_blend_epi16(tmp_a, s1a, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state_a + 4), _mm_alignr_epi8(s1a, tmp_a, 8));
  tmp_b = _mm_shuffle_epi32(s0b, 0x1B);
  s1b = _mm_shuffle_epi32(s1b, 0xB1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state_b), _mm_blend_epi16(tmp_b, s1b, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state_b + 4), _mm_alignr_epi8(s1b, tmp_b, 8));
}

bool CpuHasShaNi() {
  unsigned a, b, c, d;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
  const bool sha = (b >> 29) & 1;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
  const bool ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
  return sha && ssse3 && sse41;
}
#endif

using CompressFn = void (*)(uint32_t*, const uint8_t*);

CompressFn PickCompress(bool allow_hardware) {
#ifdef VIGIL_URL_HAVE_SHA_NI
  if (allow_hardware && CpuHasShaNi()) return CompressShaNi;
#endif
  (void)allow_hardware;
  return CompressPortable;
}

// A message as a sequence of 64-byte blocks: its full blocks in place, then one or two
// padded tail blocks.
struct PaddedMessage {
  const uint8_t* data;
  size_t full_blocks;
  size_t tail_blocks;
  alignas(16) uint8_t tail[128];

  explicit PaddedMessage(std::string_view m)
      : data(reinterpret_cast<const uint8_t*>(m.data())), full_blocks(m.size() / 64) {
    const size_t rest = m.size() % 64;
    tail_blocks = rest < 56 ? 1 : 2;
    const size_t tail_len = 64 * tail_blocks;
    if (rest > 0) std::memcpy(tail, data + 64 * full_blocks, rest);
    tail[rest] = 0x80;
    std::memset(tail + rest + 1, 0, tail_len - rest - 1 - 8);
    const uint64_t bits = static_cast<uint64_t>(m.size()) * 8;
    for (int i = 0; i < 8; ++i) tail[tail_len - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  }
  size_t blocks() const { return full_blocks + tail_blocks; }
  const uint8_t* block(size_t i) const {
    return i < full_blocks ? data + 64 * i : tail + 64 * (i - full_blocks);
  }
};

Sha256Digest Finish(const uint32_t state[8]) {
  Sha256Digest d;
  for (int i = 0; i < 8; ++i) {
    d[4 * i] = static_cast<uint8_t>(state[i] >> 24);
    d[4 * i + 1] = static_cast<uint8_t>(state[i] >> 16);
    d[4 * i + 2] = static_cast<uint8_t>(state[i] >> 8);
    d[4 * i + 3] = static_cast<uint8_t>(state[i]);
  }
  return d;
}

Sha256Digest Hash(std::string_view data, CompressFn compress) {
  uint32_t state[8];
  std::memcpy(state, kInit, sizeof state);
  const PaddedMessage m(data);
  for (size_t i = 0; i < m.blocks(); ++i) compress(state, m.block(i));
  return Finish(state);
}

bool UseShaNi() {
#ifdef VIGIL_URL_HAVE_SHA_NI
  static const bool has = CpuHasShaNi();
  return has;
#else
  return false;
#endif
}

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  static const CompressFn compress = PickCompress(true);
  return Hash(data, compress);
}

Sha256Digest Sha256Portable(std::string_view data) { return Hash(data, CompressPortable); }

void Sha256Batch(const std::string_view* inputs, size_t count, Sha256Digest* out) {
  size_t i = 0;
#ifdef VIGIL_URL_HAVE_SHA_NI
  if (UseShaNi()) {
    for (; i + 1 < count; i += 2) {
      uint32_t sa[8], sb[8];
      std::memcpy(sa, kInit, sizeof sa);
      std::memcpy(sb, kInit, sizeof sb);
      const PaddedMessage ma(inputs[i]), mb(inputs[i + 1]);
      const size_t common = std::min(ma.blocks(), mb.blocks());
      for (size_t k = 0; k < common; ++k) CompressShaNiX2(sa, ma.block(k), sb, mb.block(k));
      for (size_t k = common; k < ma.blocks(); ++k) CompressShaNi(sa, ma.block(k));
      for (size_t k = common; k < mb.blocks(); ++k) CompressShaNi(sb, mb.block(k));
      out[i] = Finish(sa);
      out[i + 1] = Finish(sb);
    }
  }
#endif
  for (; i < count; ++i) out[i] = Sha256(inputs[i]);
}

std::string DigestToHex(const Sha256Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (uint8_t b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

std::optional<Sha256Digest> DigestFromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  Sha256Digest d;
  for (size_t i = 0; i < 32; ++i) {
    const int hi = internal::HexValue(hex[2 * i]), lo = internal::HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    d[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return d;
}

}  // namespace vigil::url
