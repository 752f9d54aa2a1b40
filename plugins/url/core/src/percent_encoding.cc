#include "percent_encoding.h"

#include <array>

namespace vigil::url::internal {
namespace {

using Table = std::array<bool, 128>;

constexpr Table MakeTable(EncodeSet set) {
  Table t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t[0x7F] = true;
  if (set == EncodeSet::kC0Control) return t;
  if (set == EncodeSet::kFragment) {
    for (char c : {' ', '"', '<', '>', '`'}) t[static_cast<unsigned char>(c)] = true;
    return t;
  }
  for (char c : {' ', '"', '#', '<', '>'}) t[static_cast<unsigned char>(c)] = true;
  if (set == EncodeSet::kQuery) return t;
  if (set == EncodeSet::kSpecialQuery) {
    t['\''] = true;
    return t;
  }
  for (char c : {'?', '^', '`', '{', '}'}) t[static_cast<unsigned char>(c)] = true;
  if (set == EncodeSet::kPath) return t;
  for (char c : {'/', ':', ';', '=', '@', '[', '\\', ']', '|'}) {
    t[static_cast<unsigned char>(c)] = true;
  }
  return t;
}

constexpr Table kC0 = MakeTable(EncodeSet::kC0Control);
constexpr Table kFragment = MakeTable(EncodeSet::kFragment);
constexpr Table kQuery = MakeTable(EncodeSet::kQuery);
constexpr Table kSpecialQuery = MakeTable(EncodeSet::kSpecialQuery);
constexpr Table kPath = MakeTable(EncodeSet::kPath);
constexpr Table kUserinfo = MakeTable(EncodeSet::kUserinfo);

const Table& TableFor(EncodeSet set) {
  switch (set) {
    case EncodeSet::kC0Control:
      return kC0;
    case EncodeSet::kFragment:
      return kFragment;
    case EncodeSet::kQuery:
      return kQuery;
    case EncodeSet::kSpecialQuery:
      return kSpecialQuery;
    case EncodeSet::kPath:
      return kPath;
    case EncodeSet::kUserinfo:
      return kUserinfo;
  }
  return kUserinfo;
}

}  // namespace

bool InEncodeSet(uint8_t b, EncodeSet set) { return b >= 0x80 || TableFor(set)[b]; }

void AppendPercentEncodedByte(uint8_t b, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out->push_back('%');
  out->push_back(kHex[b >> 4]);
  out->push_back(kHex[b & 0xF]);
}

void AppendPercentEncodedChar(char c, EncodeSet set, std::string* out) {
  const auto b = static_cast<uint8_t>(c);
  if (b >= 0x80 || TableFor(set)[b]) {
    AppendPercentEncodedByte(b, out);
  } else {
    out->push_back(c);
  }
}

void AppendPercentEncoded(std::string_view s, EncodeSet set, std::string* out) {
  const Table& t = TableFor(set);
  for (char ch : s) {
    const auto b = static_cast<uint8_t>(ch);
    if (b >= 0x80 || t[b]) {
      AppendPercentEncodedByte(b, out);
    } else {
      out->push_back(ch);
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool HasPercentEscape(std::string_view s) {
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    if (s[i] == '%' && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) return true;
  }
  return false;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi << 4 | lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

void UnescapeRepeatedly(std::string_view in, std::string* out) {
  if (in.find('%') == std::string_view::npos) {  // the common case: nothing to do
    out->assign(in);
    return;
  }
  out->clear();
  out->reserve(in.size());
  for (char c : in) {
    out->push_back(c);
    while (out->size() >= 3) {
      const size_t n = out->size();
      if ((*out)[n - 3] != '%') break;
      const int hi = HexValue((*out)[n - 2]), lo = HexValue((*out)[n - 1]);
      if (hi < 0 || lo < 0) break;
      out->resize(n - 3);
      out->push_back(static_cast<char>(hi << 4 | lo));
    }
  }
}

}  // namespace vigil::url::internal
