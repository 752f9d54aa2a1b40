// Signal types a bank can hold and their canonical value form.
//
// A PDQ hash is 256 bits written as 64 hex digits, high word first (the reference's
// toHexString order); MD5, SHA-1 and SHA-256 are written as 32, 40 and 64 hex digits.
// Values are stored as raw bytes in hex order: byte 0 is the first two hex digits.
#ifndef VIGIL_HASHBANK_SIGNAL_H_
#define VIGIL_HASHBANK_SIGNAL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/hashbank/status.h"

namespace vigil::hashbank {

// Numbers are stored in bank files: never reuse or renumber.
enum class SignalType : uint8_t { kPdq = 1, kMd5 = 2, kSha1 = 3, kSha256 = 4 };
inline constexpr SignalType kAllSignalTypes[] = {SignalType::kPdq, SignalType::kMd5,
                                                 SignalType::kSha1, SignalType::kSha256};

// "pdq", "md5", "sha1", "sha256".
std::string_view SignalTypeName(SignalType type);
// Accepts the canonical names and the spellings the exchange formats use
// (HASH_PDQ, HASH_MD5, pdq_hash, photo_pdq, ImagePDQ, sha-256, ...), case-insensitive.
std::optional<SignalType> ParseSignalType(std::string_view text);
// Value length in bytes: 32, 16, 20, 32.
size_t SignalByteLength(SignalType type);
bool IsValidSignalType(uint8_t raw);

// A hash value: type plus up to 32 bytes (unused tail bytes are zero).
struct HashValue {
  SignalType type = SignalType::kPdq;
  std::array<uint8_t, 32> bytes{};

  size_t size() const { return SignalByteLength(type); }
  std::string ToHex() const;
  bool operator==(const HashValue& o) const { return type == o.type && bytes == o.bytes; }
  bool operator!=(const HashValue& o) const { return !(*this == o); }
};

// Parses hex of exactly the type's length (upper or lower case, no prefix, no spaces).
// The message names the problem: wrong length (with both lengths), or the first bad digit.
Result<HashValue> ParseHashValue(SignalType type, std::string_view hex);

// A PDQ hash as four 64-bit words, word 0 = the first 16 hex digits. This is the layout the
// index computes distances on.
struct PdqWords {
  std::array<uint64_t, 4> w{};
  bool operator==(const PdqWords& o) const { return w == o.w; }
};
PdqWords PdqWordsFromBytes(const uint8_t* bytes32);
void PdqWordsToBytes(const PdqWords& words, uint8_t* bytes32);
Result<PdqWords> ParsePdqHex(std::string_view hex);
std::string PdqHex(const PdqWords& words);
int PdqDistance(const PdqWords& a, const PdqWords& b);

}  // namespace vigil::hashbank

#endif  // VIGIL_HASHBANK_SIGNAL_H_
