#include "host_parser.h"

#include "ip_address.h"
#include "percent_encoding.h"
#include "utf8.h"
#include "vigil/url/idna.h"

namespace vigil::url::internal {

bool IsForbiddenHostCodePoint(unsigned char c) {
  switch (c) {
    case 0x00:
    case 0x09:
    case 0x0A:
    case 0x0D:
    case ' ':
    case '#':
    case '/':
    case ':':
    case '<':
    case '>':
    case '?':
    case '@':
    case '[':
    case '\\':
    case ']':
    case '^':
    case '|':
      return true;
    default:
      return false;
  }
}

Result<ParsedHost> ParseHost(std::string_view input, bool is_opaque) {
  ParsedHost host;
  if (!input.empty() && input.front() == '[') {
    if (input.back() != ']' || input.size() < 2) {
      return Status::InvalidArgument("IPv6 host is missing its closing ']'");
    }
    const auto v6 = ParseIpv6(input.substr(1, input.size() - 2));
    if (!v6) return Status::InvalidArgument("invalid IPv6 address");
    host.kind = HostKind::kIpv6;
    host.serialized = "[" + SerializeIpv6(*v6) + "]";
    return host;
  }
  if (is_opaque) {
    for (char c : input) {
      if (IsForbiddenHostCodePoint(static_cast<unsigned char>(c))) {
        return Status::InvalidArgument("opaque host contains a forbidden code point");
      }
    }
    host.kind = input.empty() ? HostKind::kEmpty : HostKind::kOpaque;
    AppendPercentEncoded(input, EncodeSet::kC0Control, &host.serialized);
    return host;
  }
  // Percent-decoding can produce ill-formed UTF-8; the standard decodes "without BOM
  // or fail"... in practice "UTF-8 decode without BOM", i.e. with replacement.
  std::string decoded = PercentDecode(input);
  if (!IsAscii(decoded)) decoded = SanitizeUtf8(decoded);
  auto ascii = DomainToAscii(decoded, false);
  if (!ascii.ok()) return ascii.status();
  if (EndsInANumber(*ascii)) {
    const auto v4 = ParseIpv4(*ascii);
    if (!v4)
      return Status::InvalidArgument("host ends in a number but is not a valid IPv4 address");
    host.kind = HostKind::kIpv4;
    host.ipv4 = *v4;
    host.serialized = SerializeIpv4(*v4);
    return host;
  }
  host.kind = HostKind::kDomain;
  host.serialized = std::move(ascii).value();
  return host;
}

}  // namespace vigil::url::internal
