// libFuzzer target: WHATWG parser, Safe Browsing canonicaliser, expression generation
// and a lookup against a small list, on arbitrary bytes. Also checks two invariants:
// a parsed URL re-parses to the same href, and canonicalisation is idempotent on its
// own output whenever that output can be split again (the spec re-escapes only
// <= 0x20, >= 0x7F, '#' and '%', so an unescaped '?', '/', '@' or ':' in a host, or
// '?' or '\' in a path, legitimately reads differently the second time).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/url/blocklist.h"
#include "vigil/url/check.h"
#include "vigil/url/safe_browsing.h"
#include "vigil/url/whatwg_url.h"

namespace {

const vigil::url::Blocklist& List() {
  static const vigil::url::Blocklist* list = [] {
    vigil::url::BlocklistBuilder b(vigil::url::ListFormat::kPlain);
    (void)b.AddDomain("example.test", vigil::url::EntryMetadata{});
    (void)b.AddUrl("http://www.example.com/a/b.html", vigil::url::EntryKind::kUrl,
                   vigil::url::EntryMetadata{});
    static auto built = vigil::url::Blocklist::FromBytes(b.Build());
    return &built.value();
  }();
  return *list;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = vigil::url::ParseUrl(input);
  if (parsed.ok()) {
    const std::string href = parsed->Href();
    auto again = vigil::url::ParseUrl(href);
    if (!again.ok() || again->Href() != href) __builtin_trap();
  }
  auto canonical = vigil::url::CanonicalizeUrl(input);
  if (canonical.ok() && canonical->host.find_first_of("/\\?@:[") == std::string::npos &&
      canonical->path.find_first_of("?\\") == std::string::npos) {
    auto twice = vigil::url::CanonicalizeUrl(canonical->Spec());
    if (!twice.ok() || twice->Spec() != canonical->Spec()) __builtin_trap();
  }
  vigil::url::UrlChecker checker({&List()});
  std::vector<vigil::url::ListMatch> matches;
  (void)checker.Check(input, &matches);
  return 0;
}
