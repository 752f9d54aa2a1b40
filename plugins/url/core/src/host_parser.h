// The WHATWG host parser: IPv6 literal, opaque host (non-special schemes) or domain
// (percent-decode, UTF-8 decode, domain to ASCII, then IPv4 when it ends in a number).
#ifndef VIGIL_URL_SRC_HOST_PARSER_H_
#define VIGIL_URL_SRC_HOST_PARSER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/url/status.h"
#include "vigil/url/whatwg_url.h"

namespace vigil::url::internal {

struct ParsedHost {
  HostKind kind = HostKind::kNone;
  std::string serialized;
  uint32_t ipv4 = 0;
};

Result<ParsedHost> ParseHost(std::string_view input, bool is_opaque);

bool IsForbiddenHostCodePoint(unsigned char c);

}  // namespace vigil::url::internal

#endif  // VIGIL_URL_SRC_HOST_PARSER_H_
