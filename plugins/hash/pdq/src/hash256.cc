#include "vigil/pdq/hash256.h"

#include <cstring>

namespace vigil::pdq {
namespace {

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::array<uint64_t, 4> AsQuadWords(const Hash256& h) {
  std::array<uint64_t, 4> q;
  static_assert(sizeof(q) == sizeof(h.words), "256 bits either way");
  std::memcpy(q.data(), h.words.data(), sizeof(q));
  return q;
}

}  // namespace

bool Hash256::IsZero() const {
  for (uint16_t w : words) {
    if (w != 0) return false;
  }
  return true;
}

int Hash256::PopCount() const {
  int n = 0;
  for (uint64_t q : AsQuadWords(*this)) n += __builtin_popcountll(q);
  return n;
}

std::string Hash256::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(kHexLength, '0');
  size_t pos = 0;
  for (int w = kWords - 1; w >= 0; --w) {
    for (int shift = 12; shift >= 0; shift -= 4) out[pos++] = kDigits[(words[w] >> shift) & 0xF];
  }
  return out;
}

Result<Hash256> Hash256::FromHex(std::string_view text) {
  if (text.size() != static_cast<size_t>(kHexLength)) {
    return Status::InvalidArgument("a PDQ hash is 64 hex digits; got " +
                                   std::to_string(text.size()) + " characters");
  }
  Hash256 h;
  for (size_t i = 0; i < text.size(); ++i) {
    const int v = HexDigitValue(text[i]);
    if (v < 0) {
      return Status::InvalidArgument("a PDQ hash is 64 hex digits; character " +
                                     std::to_string(i + 1) + " is not a hex digit");
    }
    const int word = kWords - 1 - static_cast<int>(i / 4);
    const int shift = 12 - 4 * static_cast<int>(i % 4);
    h.words[word] = static_cast<uint16_t>(h.words[word] | (v << shift));
  }
  return h;
}

int HammingDistance(const Hash256& a, const Hash256& b) {
  const auto qa = AsQuadWords(a);
  const auto qb = AsQuadWords(b);
  int d = 0;
  for (size_t i = 0; i < qa.size(); ++i) d += __builtin_popcountll(qa[i] ^ qb[i]);
  return d;
}

}  // namespace vigil::pdq
