#include "punycode.h"

#include <cstdint>
#include <limits>

namespace vigil::url::internal {
namespace {

constexpr uint32_t kBase = 36, kTMin = 1, kTMax = 26, kSkew = 38, kDamp = 700;
constexpr uint32_t kInitialBias = 72, kInitialN = 128;
constexpr uint32_t kMaxInt = std::numeric_limits<uint32_t>::max();

uint32_t Adapt(uint32_t delta, uint32_t num_points, bool first_time) {
  delta = first_time ? delta / kDamp : delta / 2;
  delta += delta / num_points;
  uint32_t k = 0;
  while (delta > ((kBase - kTMin) * kTMax) / 2) {
    delta /= kBase - kTMin;
    k += kBase;
  }
  return k + (kBase - kTMin + 1) * delta / (delta + kSkew);
}

char EncodeDigit(uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26)); }

int DecodeDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0' + 26;
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return c - 'A';
  return -1;
}

}  // namespace

bool PunycodeEncode(const std::u32string& input, std::string* out) {
  out->clear();
  uint32_t n = kInitialN, delta = 0, bias = kInitialBias;
  for (char32_t c : input) {
    if (c < 0x80) out->push_back(static_cast<char>(c));
  }
  const auto b = static_cast<uint32_t>(out->size());
  uint32_t h = b;
  if (b > 0) out->push_back('-');
  const auto len = static_cast<uint32_t>(input.size());
  while (h < len) {
    uint32_t m = kMaxInt;
    for (char32_t c : input) {
      if (c >= n && c < m) m = c;
    }
    if (m - n > (kMaxInt - delta) / (h + 1)) return false;
    delta += (m - n) * (h + 1);
    n = m;
    for (char32_t c : input) {
      if (c < n) {
        if (++delta == 0) return false;
      }
      if (c == n) {
        uint32_t q = delta;
        for (uint32_t k = kBase;; k += kBase) {
          const uint32_t t = k <= bias ? kTMin : (k >= bias + kTMax ? kTMax : k - bias);
          if (q < t) break;
          out->push_back(EncodeDigit(t + (q - t) % (kBase - t)));
          q = (q - t) / (kBase - t);
        }
        out->push_back(EncodeDigit(q));
        bias = Adapt(delta, h + 1, h == b);
        delta = 0;
        ++h;
      }
    }
    ++delta;
    ++n;
  }
  return true;
}

bool PunycodeDecode(std::string_view input, std::u32string* out) {
  out->clear();
  uint32_t n = kInitialN, i = 0, bias = kInitialBias;
  const size_t last_delim = input.rfind('-');
  size_t pos = 0;
  if (last_delim != std::string_view::npos) {
    for (size_t j = 0; j < last_delim; ++j) {
      const auto c = static_cast<unsigned char>(input[j]);
      if (c >= 0x80) return false;
      out->push_back(c);
    }
    pos = last_delim + 1;
  }
  while (pos < input.size()) {
    const uint32_t old_i = i;
    uint32_t w = 1;
    for (uint32_t k = kBase;; k += kBase) {
      if (pos >= input.size()) return false;
      const int digit = DecodeDigit(input[pos++]);
      if (digit < 0) return false;
      const auto d = static_cast<uint32_t>(digit);
      if (d > (kMaxInt - i) / w) return false;
      i += d * w;
      const uint32_t t = k <= bias ? kTMin : (k >= bias + kTMax ? kTMax : k - bias);
      if (d < t) break;
      if (w > kMaxInt / (kBase - t)) return false;
      w *= kBase - t;
    }
    const auto count = static_cast<uint32_t>(out->size() + 1);
    bias = Adapt(i - old_i, count, old_i == 0);
    if (i / count > kMaxInt - n) return false;
    n += i / count;
    i %= count;
    if (n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF) || n < 0x80) return false;
    out->insert(out->begin() + i, static_cast<char32_t>(n));
    ++i;
  }
  return true;
}

}  // namespace vigil::url::internal
