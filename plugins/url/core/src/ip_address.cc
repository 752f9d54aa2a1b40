#include "ip_address.h"

#include <vector>

#include "percent_encoding.h"

namespace vigil::url::internal {
namespace {

std::vector<std::string_view> SplitOnDots(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, dot - start));
    start = dot + 1;
  }
}

// The WHATWG "IPv4 number parser". Values above 2^32 saturate (they fail later).
std::optional<uint64_t> ParseIpv4Number(std::string_view in) {
  if (in.empty()) return std::nullopt;
  int radix = 10;
  if (in.size() >= 2 && in[0] == '0' && (in[1] == 'x' || in[1] == 'X')) {
    in.remove_prefix(2);
    radix = 16;
  } else if (in.size() >= 2 && in[0] == '0') {
    in.remove_prefix(1);
    radix = 8;
  }
  if (in.empty()) return 0;
  uint64_t value = 0;
  for (char c : in) {
    int d;
    if (radix == 16) {
      d = HexValue(c);
    } else {
      d = (c >= '0' && c <= '9') ? c - '0' : -1;
      if (radix == 8 && d >= 8) d = -1;
    }
    if (d < 0) return std::nullopt;
    value = value * static_cast<uint64_t>(radix) + static_cast<uint64_t>(d);
    if (value > (uint64_t{1} << 40)) value = uint64_t{1} << 40;  // saturate: invalid anyway
  }
  return value;
}

}  // namespace

bool EndsInANumber(std::string_view host) {
  // The last label, ignoring one trailing empty label (no allocation: hot path).
  std::string_view rest = host;
  if (!rest.empty() && rest.back() == '.') {
    if (rest.size() == 1) return false;
    rest.remove_suffix(1);
  }
  const size_t dot = rest.rfind('.');
  const std::string_view last = dot == std::string_view::npos ? rest : rest.substr(dot + 1);
  if (!last.empty()) {
    bool all_digits = true;
    for (char c : last) all_digits = all_digits && c >= '0' && c <= '9';
    if (all_digits) return true;
  }
  if (last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
    for (char c : last.substr(2)) {
      if (HexValue(c) < 0) return false;
    }
    return true;
  }
  return false;
}

std::optional<uint32_t> ParseIpv4(std::string_view host) {
  std::vector<std::string_view> parts = SplitOnDots(host);
  if (parts.back().empty() && parts.size() > 1) parts.pop_back();
  if (parts.size() > 4) return std::nullopt;
  uint64_t numbers[4];
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto n = ParseIpv4Number(parts[i]);
    if (!n) return std::nullopt;
    numbers[i] = *n;
  }
  const size_t count = parts.size();
  for (size_t i = 0; i + 1 < count; ++i) {
    if (numbers[i] > 255) return std::nullopt;
  }
  if (numbers[count - 1] >= (uint64_t{1} << (8 * (5 - count)))) return std::nullopt;
  uint64_t ipv4 = numbers[count - 1];
  for (size_t i = 0; i + 1 < count; ++i) ipv4 += numbers[i] << (8 * (3 - i));
  return static_cast<uint32_t>(ipv4);
}

std::optional<Ipv6Address> ParseIpv6(std::string_view in) {
  Ipv6Address address{};
  size_t piece = 0;
  std::optional<size_t> compress;
  size_t p = 0;
  auto at = [&](size_t i) -> int { return i < in.size() ? static_cast<unsigned char>(in[i]) : -1; };
  if (at(p) == ':') {
    if (at(p + 1) != ':') return std::nullopt;
    p += 2;
    compress = ++piece;
  }
  while (at(p) != -1) {
    if (piece == 8) return std::nullopt;
    if (at(p) == ':') {
      if (compress) return std::nullopt;
      ++p;
      compress = ++piece;
      continue;
    }
    uint32_t value = 0;
    int length = 0;
    while (length < 4 && at(p) != -1 && HexValue(static_cast<char>(at(p))) >= 0) {
      value = value * 16 + static_cast<uint32_t>(HexValue(static_cast<char>(at(p))));
      ++p;
      ++length;
    }
    if (at(p) == '.') {
      if (length == 0) return std::nullopt;
      p -= static_cast<size_t>(length);
      if (piece > 6) return std::nullopt;
      int numbers_seen = 0;
      while (at(p) != -1) {
        int ipv4_piece = -1;
        if (numbers_seen > 0) {
          if (at(p) == '.' && numbers_seen < 4) {
            ++p;
          } else {
            return std::nullopt;
          }
        }
        if (at(p) < '0' || at(p) > '9') return std::nullopt;
        while (at(p) >= '0' && at(p) <= '9') {
          const int number = at(p) - '0';
          if (ipv4_piece == -1) {
            ipv4_piece = number;
          } else if (ipv4_piece == 0) {
            return std::nullopt;
          } else {
            ipv4_piece = ipv4_piece * 10 + number;
          }
          if (ipv4_piece > 255) return std::nullopt;
          ++p;
        }
        address[piece] = static_cast<uint16_t>(address[piece] * 0x100 + ipv4_piece);
        ++numbers_seen;
        if (numbers_seen == 2 || numbers_seen == 4) ++piece;
      }
      if (numbers_seen != 4) return std::nullopt;
      break;
    } else if (at(p) == ':') {
      ++p;
      if (at(p) == -1) return std::nullopt;
    } else if (at(p) != -1) {
      return std::nullopt;
    }
    address[piece] = static_cast<uint16_t>(value);
    ++piece;
  }
  if (compress) {
    size_t swaps = piece - *compress;
    piece = 7;
    while (piece != 0 && swaps > 0) {
      std::swap(address[piece], address[*compress + swaps - 1]);
      --piece;
      --swaps;
    }
  } else if (piece != 8) {
    return std::nullopt;
  }
  return address;
}

std::string SerializeIpv4(uint32_t address) {
  std::string out;
  for (int i = 3; i >= 0; --i) {
    out += std::to_string((address >> (8 * i)) & 0xFF);
    if (i > 0) out.push_back('.');
  }
  return out;
}

std::string SerializeIpv6(const Ipv6Address& address) {
  // Find the first longest run of zero pieces (length >= 2) to compress.
  int best_start = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    if (address[static_cast<size_t>(i)] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && address[static_cast<size_t>(j)] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  bool ignore0 = false;
  for (int i = 0; i < 8; ++i) {
    if (ignore0 && address[static_cast<size_t>(i)] == 0) continue;
    ignore0 = false;
    if (i == best_start) {
      out += (i == 0) ? "::" : ":";
      ignore0 = true;
      continue;
    }
    const uint16_t v = address[static_cast<size_t>(i)];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const int nibble = (v >> shift) & 0xF;
      if (nibble != 0 || started || shift == 0) {
        out.push_back(kHex[nibble]);
        started = true;
      }
    }
    if (i != 7) out.push_back(':');
  }
  return out;
}

}  // namespace vigil::url::internal
