// Punycode (RFC 3492), used by the IDNA step for A-label decoding and for the
// labels that libidn2 refuses only because of hyphen placement (see idna.cc).
#ifndef VIGIL_URL_SRC_PUNYCODE_H_
#define VIGIL_URL_SRC_PUNYCODE_H_

#include <string>
#include <string_view>

namespace vigil::url::internal {

// Encodes code points to the Punycode string (without the "xn--" prefix).
bool PunycodeEncode(const std::u32string& input, std::string* out);
// Decodes a Punycode string (without "xn--"). False on malformed input or overflow.
bool PunycodeDecode(std::string_view input, std::u32string* out);

}  // namespace vigil::url::internal

#endif  // VIGIL_URL_SRC_PUNYCODE_H_
