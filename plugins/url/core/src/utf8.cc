#include "utf8.h"

#include <cstdint>

namespace vigil::url::internal {
namespace {

// Length of the well-formed sequence starting at s[i], or 0 if ill-formed. On
// failure *subpart is the length of the maximal subpart to replace (at least 1).
size_t WellFormedLength(std::string_view s, size_t i, size_t* subpart) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  *subpart = 1;
  if (b0 < 0x80) return 1;
  size_t need;
  uint8_t lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) return 0;
    const auto b = static_cast<uint8_t>(s[i + k]);
    const uint8_t l = (k == 1) ? lo : 0x80, h = (k == 1) ? hi : 0xBF;
    if (b < l || b > h) return 0;
    *subpart = k + 1;
  }
  return need + 1;
}

}  // namespace

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<uint8_t>(c) >= 0x80) return false;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t subpart;
    const size_t n = WellFormedLength(s, i, &subpart);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      i += subpart;  // the maximal subpart is replaced by one U+FFFD
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

bool DecodeUtf8(std::string_view s, std::u32string* out) {
  out->clear();
  size_t i = 0;
  while (i < s.size()) {
    size_t subpart;
    const size_t n = WellFormedLength(s, i, &subpart);
    if (n == 0) return false;
    const auto b0 = static_cast<uint8_t>(s[i]);
    char32_t cp;
    if (n == 1) {
      cp = b0;
    } else if (n == 2) {
      cp = (b0 & 0x1Fu) << 6 | (static_cast<uint8_t>(s[i + 1]) & 0x3Fu);
    } else if (n == 3) {
      cp = (b0 & 0x0Fu) << 12 | (static_cast<uint8_t>(s[i + 1]) & 0x3Fu) << 6 |
           (static_cast<uint8_t>(s[i + 2]) & 0x3Fu);
    } else {
      cp = (b0 & 0x07u) << 18 | (static_cast<uint8_t>(s[i + 1]) & 0x3Fu) << 12 |
           (static_cast<uint8_t>(s[i + 2]) & 0x3Fu) << 6 | (static_cast<uint8_t>(s[i + 3]) & 0x3Fu);
    }
    out->push_back(cp);
    i += n;
  }
  return true;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace vigil::url::internal
