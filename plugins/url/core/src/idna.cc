#include "vigil/url/idna.h"

#include <idn2.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "host_parser.h"
#include "punycode.h"
#include "utf8.h"

namespace vigil::url {
namespace {

using internal::AppendUtf8;
using internal::DecodeUtf8;
using internal::IsAscii;

constexpr int kIdn2Flags = IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT;

struct FreeDeleter {
  void operator()(char* p) const { idn2_free(p); }
};

bool IsFullStop(char32_t c) { return c == 0x2E || c == 0x3002 || c == 0xFF0E || c == 0xFF61; }

bool StartsWithAcePrefix(std::string_view s) {
  return s.size() >= 4 && (s[0] | 0x20) == 'x' && (s[1] | 0x20) == 'n' && s[2] == '-' &&
         s[3] == '-';
}

void AsciiLowerInPlace(std::string* s) {
  for (char& c : *s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
}

// WHATWG: "a forbidden host code point, a C0 control, U+0025 (%), or U+007F DELETE".
bool IsForbiddenDomainCodePoint(unsigned char c) {
  return internal::IsForbiddenHostCodePoint(c) || c <= 0x1F || c == '%' || c == 0x7F;
}

// libidn2 on one label. Returns the idn2 return code; on success *out is ASCII.
int Idn2Label(const std::string& label_utf8, int flags, std::string* out) {
  char* raw = nullptr;
  const int rc = idn2_to_ascii_8z(label_utf8.c_str(), &raw, flags);
  std::unique_ptr<char, FreeDeleter> holder(raw);
  if (rc == IDN2_OK && raw != nullptr) *out = raw;
  return rc;
}

// The UTS #46 mapping of a label as code points, obtained from libidn2's A-label.
bool MappedCodePoints(const std::string& segment_utf8, int flags, std::u32string* out,
                      std::string* why) {
  std::string ace;
  const int rc = Idn2Label(segment_utf8, flags, &ace);
  if (rc != IDN2_OK) {
    *why = idn2_strerror(rc);
    return false;
  }
  AsciiLowerInPlace(&ace);
  if (StartsWithAcePrefix(ace)) return internal::PunycodeDecode(ace.substr(4), out);
  out->assign(ace.begin(), ace.end());
  return true;
}

// Symbols and punctuation that UTS #46 marks "valid" (status NV8: not valid in
// IDNA2008) and that libidn2 therefore refuses. A conservative hand-made range list
// (no Unicode property tables ship with libidn2); code points in these blocks that
// UTS #46 maps to something else are excluded, so they still reach libidn2.
bool IsUts46ValidSymbol(char32_t c) {
  static constexpr char32_t kMapped[] = {0x2011, 0x2017, 0x2024, 0x2025, 0x2026, 0x2033, 0x2034,
                                         0x2036, 0x2037, 0x203C, 0x203E, 0x2047, 0x2048, 0x2049,
                                         0x2057, 0x222C, 0x222D, 0x222F, 0x2230, 0x2329, 0x232A,
                                         0x2A0C, 0x2A74, 0x2A75, 0x2A76, 0x2ADC};
  for (char32_t m : kMapped) {
    if (c == m) return false;
  }
  if (c >= 0x2460 && c <= 0x24FF) return false;  // enclosed alphanumerics: mapped
  return (c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205E) ||
         (c >= 0x2190 && c <= 0x2BFF) || (c >= 0x1F300 && c <= 0x1FAFF) ||
         (c >= 0x1F000 && c <= 0x1F0FF);
}

bool IsSplitPoint(char32_t c, bool split_symbols) {
  return c == U'-' || (split_symbols && IsUts46ValidSymbol(c));
}

// CheckHyphens=false and NV8 symbols: libidn2 always checks hyphens and refuses
// NV8 symbols, so map the pieces between them separately, keep the separators, and
// Punycode-encode the joined label ourselves.
bool LabelWithHyphenWorkaround(const std::u32string& label, int flags, std::string* out,
                               std::string* why, bool split_symbols = false) {
  std::u32string joined;
  size_t start = 0;
  while (start <= label.size()) {
    size_t dash = start;
    while (dash < label.size() && !IsSplitPoint(label[dash], split_symbols)) ++dash;
    std::u32string piece = label.substr(start, dash - start);
    if (!piece.empty()) {
      std::string piece_utf8;
      for (char32_t c : piece) AppendUtf8(c, &piece_utf8);
      std::u32string mapped;
      if (!MappedCodePoints(piece_utf8, flags, &mapped, why)) return false;
      joined += mapped;
    }
    if (dash < label.size()) joined.push_back(label[dash]);
    start = dash + 1;
  }
  bool ascii = true;
  for (char32_t c : joined) ascii = ascii && c < 0x80;
  if (ascii) {
    out->assign(joined.begin(), joined.end());
    return true;
  }
  std::string encoded;
  if (!internal::PunycodeEncode(joined, &encoded)) {
    *why = "punycode overflow";
    return false;
  }
  *out = "xn--" + encoded;
  return true;
}

bool ProcessLabel(const std::u32string& raw_label, int flags, std::string* out,
                  std::string* why) {
  // libidn2 2.3.3 carries pre-15.1 UTS #46 tables, which map U+1E9E (capital sharp s)
  // to "ss"; current UTS #46 maps it to U+00DF, which non-transitional processing keeps.
  std::u32string label = raw_label;
  for (char32_t& c : label) {
    if (c == 0x1E9E) c = 0xDF;
  }
  std::string utf8;
  for (char32_t c : label) AppendUtf8(c, &utf8);
  if (IsAscii(utf8)) {
    AsciiLowerInPlace(&utf8);
    if (!StartsWithAcePrefix(utf8)) {
      *out = std::move(utf8);
      return true;
    }
    // An A-label: must decode, must not be all-ASCII, and must be what libidn2
    // would produce from its Unicode form (NFC, valid code points only).
    std::u32string decoded;
    if (!internal::PunycodeDecode(std::string_view(utf8).substr(4), &decoded) || decoded.empty()) {
      *why = "invalid punycode in " + utf8;
      return false;
    }
    bool all_ascii = true;
    for (char32_t c : decoded) all_ascii = all_ascii && c < 0x80;
    if (all_ascii) {
      *why = "A-label decodes to ASCII: " + utf8;
      return false;
    }
    std::string again;
    if (!LabelWithHyphenWorkaround(decoded, flags, &again, why)) return false;
    if (again != utf8) {
      *why = "A-label is not in canonical form: " + utf8;
      return false;
    }
    *out = std::move(utf8);
    return true;
  }
  std::string ace;
  const int rc = Idn2Label(utf8, flags, &ace);
  if (rc == IDN2_OK) {
    AsciiLowerInPlace(&ace);
    *out = std::move(ace);
    return true;
  }
  if (rc == IDN2_2HYPHEN || rc == IDN2_HYPHEN_STARTEND) {
    return LabelWithHyphenWorkaround(label, flags, out, why);
  }
  if (rc == IDN2_DISALLOWED) {
    bool has_symbol = false;
    for (char32_t c : label) has_symbol = has_symbol || IsUts46ValidSymbol(c);
    if (has_symbol) return LabelWithHyphenWorkaround(label, flags, out, why, true);
  }
  *why = idn2_strerror(rc);
  return false;
}

}  // namespace

Result<std::string> DomainToAscii(std::string_view domain, bool be_strict) {
  std::string result;
  // The standard's fast path: an ASCII domain is only lower-cased (its "xn--" labels
  // are not validated; the WPT data expects "xn--" and "xn--a" to pass through).
  const bool fast = IsAscii(domain);
  if (fast && !be_strict) {
    result.assign(domain);
    AsciiLowerInPlace(&result);
  } else {
    std::u32string cps;
    if (!DecodeUtf8(domain, &cps)) return Status::InvalidArgument("host is not valid UTF-8");
    const int flags = kIdn2Flags | (be_strict ? IDN2_USE_STD3_ASCII_RULES : 0);
    size_t start = 0;
    while (start <= cps.size()) {
      size_t end = start;
      while (end < cps.size() && !IsFullStop(cps[end])) ++end;
      const std::u32string label = cps.substr(start, end - start);
      if (!label.empty()) {
        std::string ascii, why;
        if (!ProcessLabel(label, flags, &ascii, &why)) {
          return Status::InvalidArgument("IDNA: " + why);
        }
        result += ascii;
      }
      if (end < cps.size()) result.push_back('.');
      start = end + 1;
    }
  }
  if (result.empty()) return Status::InvalidArgument("host is empty after IDNA processing");
  for (char c : result) {
    if (IsForbiddenDomainCodePoint(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument("host contains a forbidden code point");
    }
  }
  return result;
}

}  // namespace vigil::url
