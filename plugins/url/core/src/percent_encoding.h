// WHATWG percent-encode sets (URL Standard, "Percent-encoded bytes") and decoding.
#ifndef VIGIL_URL_SRC_PERCENT_ENCODING_H_
#define VIGIL_URL_SRC_PERCENT_ENCODING_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::url::internal {

enum class EncodeSet : uint8_t {
  kC0Control,
  kFragment,
  kQuery,
  kSpecialQuery,
  kPath,
  kUserinfo,
};

// True when byte b (< 0x80) must be encoded in `set`. Bytes >= 0x80 always are.
bool InEncodeSet(uint8_t b, EncodeSet set);

void AppendPercentEncodedByte(uint8_t b, std::string* out);  // "%XX", upper-case hex

// Appends one byte, percent-encoded when `set` requires (the parser's per-code-point
// path; cheaper than a one-byte AppendPercentEncoded call).
void AppendPercentEncodedChar(char c, EncodeSet set, std::string* out);

// Appends UTF-8 `s`, percent-encoding the bytes `set` requires.
void AppendPercentEncoded(std::string_view s, EncodeSet set, std::string* out);

// WHATWG percent-decode: "%XX" with two hex digits becomes the byte, anything else
// (including a lone '%') is copied.
std::string PercentDecode(std::string_view s);
bool HasPercentEscape(std::string_view s);

// Safe Browsing's "repeatedly percent-unescape until no escapes remain", in one linear
// pass: each decoded byte is pushed back onto the output, where it may complete an
// earlier "%X". This reaches the same fixpoint as repeating full passes (tested against
// that) without quadratic time on inputs like "%252525...".
void UnescapeRepeatedly(std::string_view in, std::string* out);

int HexValue(char c);  // -1 if c is not a hex digit

}  // namespace vigil::url::internal

#endif  // VIGIL_URL_SRC_PERCENT_ENCODING_H_
