#include "vigil/hashbank/signal.h"

#include <cctype>
#include <string>

namespace vigil::hashbank {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view SignalTypeName(SignalType type) {
  switch (type) {
    case SignalType::kPdq:
      return "pdq";
    case SignalType::kMd5:
      return "md5";
    case SignalType::kSha1:
      return "sha1";
    case SignalType::kSha256:
      return "sha256";
  }
  return "unknown";
}

std::optional<SignalType> ParseSignalType(std::string_view text) {
  const std::string t = Lower(text);
  if (t == "pdq" || t == "hash_pdq" || t == "pdq_hash" || t == "photo_pdq" || t == "imagepdq" ||
      t == "pdqhash")
    return SignalType::kPdq;
  if (t == "md5" || t == "hash_md5" || t == "photo_md5" || t == "video_md5" || t == "md5_hash")
    return SignalType::kMd5;
  if (t == "sha1" || t == "sha-1" || t == "hash_sha1" || t == "sha1_hash") return SignalType::kSha1;
  if (t == "sha256" || t == "sha-256" || t == "hash_sha256" || t == "sha256_hash")
    return SignalType::kSha256;
  return std::nullopt;
}

size_t SignalByteLength(SignalType type) {
  switch (type) {
    case SignalType::kPdq:
      return 32;
    case SignalType::kMd5:
      return 16;
    case SignalType::kSha1:
      return 20;
    case SignalType::kSha256:
      return 32;
  }
  return 0;
}

bool IsValidSignalType(uint8_t raw) { return raw >= 1 && raw <= 4; }

std::string HashValue::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size() * 2);
  for (size_t i = 0; i < size(); ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
  return out;
}

Result<HashValue> ParseHashValue(SignalType type, std::string_view hex) {
  const size_t want = SignalByteLength(type) * 2;
  if (hex.size() != want) {
    return Status::InvalidArgument(std::string(SignalTypeName(type)) + " value has " +
                                   std::to_string(hex.size()) + " characters, expected " +
                                   std::to_string(want) + " hex digits");
  }
  HashValue value;
  value.type = type;
  for (size_t i = 0; i < want; i += 2) {
    const int hi = HexDigit(hex[i]);
    const int lo = HexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      const size_t bad = hi < 0 ? i : i + 1;
      const unsigned char c = static_cast<unsigned char>(hex[bad]);
      std::string shown = std::isprint(c) ? std::string("'") + static_cast<char>(c) + "'"
                                          : "byte 0x" + std::to_string(c);
      return Status::InvalidArgument(std::string(SignalTypeName(type)) +
                                     " value has a non-hex character " + shown + " at position " +
                                     std::to_string(bad + 1));
    }
    value.bytes[i / 2] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return value;
}

PdqWords PdqWordsFromBytes(const uint8_t* bytes32) {
  PdqWords words;
  for (int k = 0; k < 4; ++k) {
    uint64_t w = 0;
    for (int b = 0; b < 8; ++b) w = w << 8 | bytes32[k * 8 + b];
    words.w[k] = w;
  }
  return words;
}

void PdqWordsToBytes(const PdqWords& words, uint8_t* bytes32) {
  for (int k = 0; k < 4; ++k) {
    for (int b = 0; b < 8; ++b)
      bytes32[k * 8 + b] = static_cast<uint8_t>(words.w[k] >> (56 - 8 * b));
  }
}

Result<PdqWords> ParsePdqHex(std::string_view hex) {
  Result<HashValue> value = ParseHashValue(SignalType::kPdq, hex);
  if (!value.ok()) return value.status();
  return PdqWordsFromBytes(value->bytes.data());
}

std::string PdqHex(const PdqWords& words) {
  HashValue value;
  PdqWordsToBytes(words, value.bytes.data());
  return value.ToHex();
}

int PdqDistance(const PdqWords& a, const PdqWords& b) {
  int d = 0;
  for (int k = 0; k < 4; ++k) d += __builtin_popcountll(a.w[k] ^ b.w[k]);
  return d;
}

}  // namespace vigil::hashbank
