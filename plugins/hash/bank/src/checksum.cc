#include "checksum.h"

#include <cstring>

namespace vigil::hashbank::internal {
namespace {

constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kP3 = 0x165667B19E3779F9ULL;

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t Round(uint64_t acc, uint64_t input) {
  acc += input * kP2;
  acc = Rotl(acc, 31);
  return acc * kP1;
}
inline uint64_t Load64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

// Four independent lanes over 32-byte stripes keep the multiplier pipelines busy; the tail
// and the length are folded in at the end (the structure of xxHash64, simplified).
uint64_t Checksum64(const void* data, size_t size) {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  uint64_t v1 = kP1 + kP2, v2 = kP2, v3 = 0, v4 = 0 - kP1;
  size_t i = 0;
  for (; i + 32 <= size; i += 32) {
    v1 = Round(v1, Load64(p + i));
    v2 = Round(v2, Load64(p + i + 8));
    v3 = Round(v3, Load64(p + i + 16));
    v4 = Round(v4, Load64(p + i + 24));
  }
  uint64_t h = Rotl(v1, 1) + Rotl(v2, 7) + Rotl(v3, 12) + Rotl(v4, 18) + size;
  for (; i + 8 <= size; i += 8) h = Rotl(h ^ Round(0, Load64(p + i)), 27) * kP1 + kP3;
  for (; i < size; ++i) h = Rotl(h ^ (p[i] * kP3), 11) * kP1;
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

}  // namespace vigil::hashbank::internal
