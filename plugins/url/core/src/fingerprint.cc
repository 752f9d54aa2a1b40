#include "fingerprint.h"

namespace vigil::url::internal {
namespace {

__extension__ typedef unsigned __int128 U128;

inline uint64_t MulFold(uint64_t a, uint64_t b) {
  const U128 r = static_cast<U128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

constexpr uint64_t kP0 = 0xa0761d6478bd642fULL, kP1 = 0xe7037ed1a0b428dbULL,
                   kP2 = 0x8ebc6af09c88c6e3ULL, kP3 = 0x589965cc75374cc3ULL;

}  // namespace

uint64_t Fingerprint64(std::string_view s, uint64_t seed) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  size_t n = s.size();
  uint64_t h = seed ^ MulFold(static_cast<uint64_t>(n) ^ kP0, kP1);
  while (n >= 16) {
    h = MulFold(Load64(p) ^ kP1, Load64(p + 8) ^ h);
    p += 16;
    n -= 16;
  }
  uint64_t a = 0, b = 0;
  if (n >= 8) {
    a = Load64(p);
    std::memcpy(&b, p + 8, n - 8);
  } else {
    std::memcpy(&a, p, n);
  }
  h = MulFold(a ^ kP2 ^ h, b ^ kP3);
  return MulFold(h ^ kP0, kP2 ^ static_cast<uint64_t>(s.size()));
}

}  // namespace vigil::url::internal
