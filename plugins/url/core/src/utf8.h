// UTF-8 helpers for the URL parser: validation with U+FFFD replacement (what a
// browser's decoder does), code point decoding and encoding.
#ifndef VIGIL_URL_SRC_UTF8_H_
#define VIGIL_URL_SRC_UTF8_H_

#include <string>
#include <string_view>

namespace vigil::url::internal {

bool IsAscii(std::string_view s);

// Returns s with every ill-formed sequence replaced by U+FFFD, one replacement per
// maximal subpart (the WHATWG "UTF-8 decode" behaviour). Valid input is returned as is.
std::string SanitizeUtf8(std::string_view s);

// Decodes well-formed UTF-8 into code points. Returns false on any ill-formed
// sequence (callers sanitise first when they want replacement instead).
bool DecodeUtf8(std::string_view s, std::u32string* out);

void AppendUtf8(char32_t cp, std::string* out);

}  // namespace vigil::url::internal

#endif  // VIGIL_URL_SRC_UTF8_H_
