// SHA-256 of lookup expressions, for hashed lists (own implementation tuned for short
// inputs; x86 SHA extensions when present).
#ifndef VIGIL_URL_SHA256_H_
#define VIGIL_URL_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::url {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::string_view data);
// Hashes count inputs into out[0..count) (two at a time on SHA-NI hardware).
void Sha256Batch(const std::string_view* inputs, size_t count, Sha256Digest* out);
// The portable code path only (tests compare it with the hardware path and OpenSSL).
Sha256Digest Sha256Portable(std::string_view data);
std::string DigestToHex(const Sha256Digest& digest);
// Exactly 64 hex digits (either case); nullopt otherwise.
std::optional<Sha256Digest> DigestFromHex(std::string_view hex);

}  // namespace vigil::url

#endif  // VIGIL_URL_SHA256_H_
