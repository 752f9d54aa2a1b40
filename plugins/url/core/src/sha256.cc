#include "vigil/url/sha256.h"

#include <openssl/sha.h>

#include "percent_encoding.h"

namespace vigil::url {

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest d;
  // The one-shot SHA256() is not deprecated in OpenSSL 3 and avoids EVP's per-call
  // provider lookup, which costs more than hashing a 30-byte expression.
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d.data());
  return d;
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
