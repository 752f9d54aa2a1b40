// IPv4 and IPv6 host parsing and serialisation exactly as the WHATWG URL Standard
// ("IPv4 parser", "IPv6 parser", "ends in a number checker", host serializer).
// Every spelling a browser accepts is covered: decimal, octal (leading 0), hex (0x),
// and the short forms a, a.b, a.b.c.
#ifndef VIGIL_URL_SRC_IP_ADDRESS_H_
#define VIGIL_URL_SRC_IP_ADDRESS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::url::internal {

using Ipv6Address = std::array<uint16_t, 8>;

// True when the last (non-empty) dot-separated label is all digits or "0x"+hex, i.e.
// the host must be an IPv4 address or is invalid.
bool EndsInANumber(std::string_view host);

// The WHATWG IPv4 parser. nullopt means failure (the URL is invalid).
std::optional<uint32_t> ParseIpv4(std::string_view host);

std::optional<Ipv6Address> ParseIpv6(std::string_view input);

std::string SerializeIpv4(uint32_t address);
// Without brackets; the shortest form with "::" for the longest zero run (>= 2).
std::string SerializeIpv6(const Ipv6Address& address);

}  // namespace vigil::url::internal

#endif  // VIGIL_URL_SRC_IP_ADDRESS_H_
