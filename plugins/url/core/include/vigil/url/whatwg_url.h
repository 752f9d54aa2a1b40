// A URL parser that agrees with browsers: the WHATWG URL Standard's basic URL parser
// (https://url.spec.whatwg.org/#concept-basic-url-parser) without state overrides
// (setters), with the standard's serializer and component getters.
//
// Thread safety: all functions are pure and may be called from any thread.
#ifndef VIGIL_URL_WHATWG_URL_H_
#define VIGIL_URL_WHATWG_URL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/url/status.h"

namespace vigil::url {

enum class HostKind : uint8_t {
  kNone,    // no host (e.g. "mailto:x")
  kEmpty,   // the empty host (e.g. "file:///x")
  kDomain,  // ASCII domain after IDNA
  kIpv4,
  kIpv6,
  kOpaque,  // host of a non-special URL, percent-encoded as is
};

struct Url {
  std::string scheme;  // lower-case, without ':'
  std::string username;
  std::string password;
  HostKind host_kind = HostKind::kNone;
  std::string host;              // serialised; IPv6 includes the brackets
  uint32_t ipv4 = 0;             // the address when host_kind == kIpv4
  std::optional<uint16_t> port;  // null when absent or the scheme's default
  bool has_opaque_path = false;
  std::string opaque_path;        // when has_opaque_path
  std::vector<std::string> path;  // segments otherwise
  std::optional<std::string> query;
  std::optional<std::string> fragment;

  bool IsSpecial() const;
  // The standard's getters.
  std::string Href() const;
  std::string Protocol() const { return scheme + ":"; }
  std::string Host() const;  // host[:port]
  std::string Port() const;
  std::string Pathname() const;
  std::string Search() const;
  std::string Hash() const;
  std::string Origin() const;
};

// Parses `input` (UTF-8; ill-formed sequences are replaced by U+FFFD as a browser's
// decoder does) against an optional base URL. Failure is an InvalidArgument status.
Result<Url> ParseUrl(std::string_view input, const Url* base = nullptr);

// True for the special schemes: ftp, file, http, https, ws, wss.
bool IsSpecialScheme(std::string_view scheme);
// 21, 80, 443 ... or -1 when the scheme has no default port.
int DefaultPort(std::string_view scheme);

}  // namespace vigil::url

#endif  // VIGIL_URL_WHATWG_URL_H_
