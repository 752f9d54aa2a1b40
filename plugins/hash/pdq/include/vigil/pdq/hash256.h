// A 256-bit PDQ hash: bit layout, hex text and Hamming distance, all as in the
// ThreatExchange reference (pdq/cpp/common/pdqhashtypes.{h,cpp}) so that hashes
// exchanged with other PDQ implementations compare correctly.
#ifndef VIGIL_PDQ_HASH256_H_
#define VIGIL_PDQ_HASH256_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/pdq/status.h"

namespace vigil::pdq {

struct Hash256 {
  static constexpr int kBits = 256;
  static constexpr int kWords = 16;
  static constexpr int kHexLength = 64;

  // Bit k (k = 16 * dct_row + dct_col) is bit k % 16 of words[k / 16], as the
  // reference's Hash256::w. The hex text prints words[15] first (high word first).
  std::array<uint16_t, kWords> words{};

  bool GetBit(int k) const { return (words[k >> 4] >> (k & 15)) & 1u; }
  void SetBit(int k) { words[k >> 4] = static_cast<uint16_t>(words[k >> 4] | (1u << (k & 15))); }
  void FlipBit(int k) { words[k >> 4] = static_cast<uint16_t>(words[k >> 4] ^ (1u << (k & 15))); }
  bool IsZero() const;
  int PopCount() const;

  // 64 lowercase hex digits, words[15] first: the reference's "%04hx" x 16 format.
  std::string ToHex() const;

  // Parses exactly 64 hex digits (either case), nothing else: no "0x", sign, spaces
  // or trailing text (the reference's sscanf would accept some of those; a bank
  // import must not).
  static Result<Hash256> FromHex(std::string_view text);

  friend bool operator==(const Hash256& a, const Hash256& b) { return a.words == b.words; }
  friend bool operator!=(const Hash256& a, const Hash256& b) { return !(a == b); }
};

// Number of differing bits, 0..256.
int HammingDistance(const Hash256& a, const Hash256& b);

}  // namespace vigil::pdq

#endif  // VIGIL_PDQ_HASH256_H_
