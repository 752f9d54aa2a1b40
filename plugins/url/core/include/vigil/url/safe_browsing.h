// Google Safe Browsing URL canonicalisation and lookup expressions, as specified in
// https://developers.google.com/safe-browsing/v4/urls-hashing ("Canonicalization",
// "Suffix/prefix expressions"). Browser-relevant choices the spec leaves open are
// taken the way the WHATWG parser takes them (see docs/url-detector.md):
// backslash is a path separator, userinfo and port are dropped, every IPv4 spelling a
// browser accepts becomes dotted decimal (and a host that ends in a number but is no
// valid IPv4 address is rejected, as browsers reject it), and non-ASCII hosts go
// through UTS #46 (so full-width and zero-width tricks collapse to the plain name).
//
// Thread safety: all functions are pure; LookupExpressions is a reusable scratch
// object owned by one thread.
#ifndef VIGIL_URL_SAFE_BROWSING_H_
#define VIGIL_URL_SAFE_BROWSING_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/url/status.h"

namespace vigil::url {

struct CanonicalUrl {
  std::string scheme;      // http, https, ftp, ws or wss
  std::string host;        // canonical and escaped; IPv6 in brackets
  std::string path;        // canonical and escaped, starts with '/'
  std::string query;       // canonical and escaped, without '?'
  bool has_query = false;  // "…/q?" keeps its empty query, as the spec's vectors do
  bool host_is_ip = false;

  std::string Spec() const;  // scheme://host/path[?query]
  // host + path [+ '?' + query]: the exact expression of this URL.
  std::string Expression() const;
};

// Canonicalises `input` (bytes; need not be valid UTF-8). Reuses out's capacity.
// Errors: InvalidArgument (not a URL, empty or invalid host), Unsupported (a scheme
// that is not checked, e.g. mailto:, data:, javascript:).
Status CanonicalizeUrl(std::string_view input, CanonicalUrl* out);
Result<CanonicalUrl> CanonicalizeUrl(std::string_view input);

// Host-only canonicalisation (domain list entries): same steps as for a URL's host.
Result<std::string> CanonicalizeHost(std::string_view host);

// Flags of a lookup expression, telling which entry kinds it may match.
enum ExpressionFlag : uint8_t {
  kExprExactHost = 1 << 0,       // host part is the URL's full host
  kExprExactPath = 1 << 1,       // path part is the URL's full path (query may differ)
  kExprWithQuery = 1 << 2,       // path part includes the URL's query
  kExprPathPrefix = 1 << 3,      // path part is one of the prefixes from the root
  kExprRootPath = 1 << 4,        // path part is "/"
  kExprBeyondSpecHost = 1 << 5,  // a host suffix longer than the spec's 5 components;
                                 // only whole-domain entries may match it
};

struct LookupExpression {
  std::string_view text;  // valid until the next Generate() on the owning object
  std::string_view host;  // the host-suffix part of text
  uint8_t flags = 0;
};

// The spec's host-suffix x path-prefix expressions: the exact host and up to 4
// suffixes of the last 5 components (none for IP hosts) times the exact path with
// query, without query and up to 4 prefixes from the root; duplicates merged.
class LookupExpressions {
 public:
  // extra_domain_suffixes: also emit every longer host suffix with path "/", flagged
  // kExprBeyondSpecHost, so whole-domain entries with more than 5 labels still match.
  void Generate(const CanonicalUrl& url, bool extra_domain_suffixes = false);

  size_t size() const { return items_.size(); }
  const LookupExpression& operator[](size_t i) const { return items_[i]; }
  std::vector<LookupExpression>::const_iterator begin() const { return items_.begin(); }
  std::vector<LookupExpression>::const_iterator end() const { return items_.end(); }
  std::vector<std::string> ToStrings() const;

 private:
  std::string arena_;
  struct Span {
    uint32_t offset, length, host_length;
    uint8_t flags;
  };
  std::vector<Span> spans_;
  std::vector<LookupExpression> items_;
  std::vector<std::string_view> hosts_;
  std::vector<std::pair<std::string_view, uint8_t>> paths_;
  std::vector<size_t> dots_;
};

}  // namespace vigil::url

#endif  // VIGIL_URL_SAFE_BROWSING_H_
