// 64-bit fingerprints of expressions and hosts for the plain-list table and filter.
// A multiply-fold hash: fast on short strings; collisions are confirmed against the
// stored expression text, so quality only affects speed, never correctness.
#ifndef VIGIL_URL_SRC_FINGERPRINT_H_
#define VIGIL_URL_SRC_FINGERPRINT_H_

#include <cstdint>
#include <cstring>
#include <string_view>

namespace vigil::url::internal {

constexpr uint64_t kExpressionSeed = 0x6a09e667f3bcc908ULL;
constexpr uint64_t kHostSeed = 0xbb67ae8584caa73bULL;

uint64_t Fingerprint64(std::string_view s, uint64_t seed);

// Never 0: 0 marks an empty slot in the open-addressing table.
inline uint64_t NonZero(uint64_t fp) { return fp == 0 ? 1 : fp; }

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace vigil::url::internal

#endif  // VIGIL_URL_SRC_FINGERPRINT_H_
