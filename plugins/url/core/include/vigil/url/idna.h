// Domain to ASCII (WHATWG URL Standard "domain to ASCII", UTS #46 ToASCII with
// CheckHyphens=false, CheckBidi=true, CheckJoiners=true, UseSTD3ASCIIRules=beStrict,
// Transitional_Processing=false, VerifyDnsLength=beStrict), built on libidn2.
//
// libidn2 implements TR46 mapping plus IDNA2008 validation. Where it is stricter
// than the URL Standard we pre/post-process (documented in docs/url-detector.md):
//  - labels are split on the four UTS #46 full stops first (U+002E, U+3002, U+FF0E,
//    U+FF61), so empty labels and trailing dots survive as WHATWG requires;
//  - CheckHyphens=false: a label refused only for hyphen placement is mapped piecewise
//    between hyphens by libidn2 and Punycode-encoded here;
//  - "xn--" labels are decoded here and must survive a libidn2 round trip unchanged;
//  - U+1E9E is mapped to U+00DF first (libidn2's tables predate that UTS #46 change);
//  - pure-ASCII domains are only lower-cased (the standard's fast path, which current
//    web-platform-tests expect even for invalid "xn--" labels) and never reach
//    libidn2, so label lengths are not limited.
#ifndef VIGIL_URL_IDNA_H_
#define VIGIL_URL_IDNA_H_

#include <string>
#include <string_view>

#include "vigil/url/status.h"

namespace vigil::url {

// `domain` is UTF-8 (already percent-decoded). Returns the ASCII form or an
// InvalidArgument status that names the reason.
Result<std::string> DomainToAscii(std::string_view domain, bool be_strict = false);

}  // namespace vigil::url

#endif  // VIGIL_URL_IDNA_H_
