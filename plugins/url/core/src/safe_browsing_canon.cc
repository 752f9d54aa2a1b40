// Safe Browsing canonicalisation: a lenient splitter (the spec accepts hosts that a
// WHATWG parser rejects, e.g. "%01%80.com" or " leadingspace.com"), then the spec's
// host, path and query steps.
#include "ip_address.h"
#include "percent_encoding.h"
#include "utf8.h"
#include "vigil/url/idna.h"
#include "vigil/url/safe_browsing.h"

namespace vigil::url {
namespace {

using internal::HexValue;
using internal::UnescapeRepeatedly;

// Per-thread scratch buffers: canonicalisation runs a million times a second, and
// reusing capacity avoids most allocations.
struct Scratch {
  std::string input, a, b, path;
  std::vector<std::string_view> segments;
};
Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

bool IsSchemeChar(char c, bool first) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (first) return alpha;
  return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

bool IsCheckedScheme(std::string_view s) {
  return s == "http" || s == "https" || s == "ftp" || s == "ws" || s == "wss";
}

bool NeedsEscape(unsigned char b) { return b <= 0x20 || b >= 0x7F || b == '#' || b == '%'; }

void Escape(std::string_view in, std::string* out) {
  size_t first = 0;
  while (first < in.size() && !NeedsEscape(static_cast<unsigned char>(in[first]))) ++first;
  out->assign(in.substr(0, first));
  if (first == in.size()) return;
  in.remove_prefix(first);
  for (char c : in) {
    const auto b = static_cast<unsigned char>(c);
    if (NeedsEscape(b)) {
      internal::AppendPercentEncodedByte(b, out);
    } else {
      out->push_back(c);
    }
  }
}

void AsciiLower(std::string* s) {
  for (char& c : *s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
}

// Host steps on an already unescaped host. Writes the escaped canonical host.
Status CanonicalizeRawHost(std::string_view escaped_host, std::string* scratch,
                           std::string* collapsed, std::string* out, bool* is_ip) {
  *is_ip = false;
  UnescapeRepeatedly(escaped_host, scratch);
  std::string& h = *scratch;
  if (!h.empty() && h.front() == '[') {
    if (h.size() < 2 || h.back() != ']') return Status::InvalidArgument("unterminated IPv6 host");
    const auto v6 = internal::ParseIpv6(std::string_view(h).substr(1, h.size() - 2));
    if (!v6) return Status::InvalidArgument("invalid IPv6 host");
    *out = "[" + internal::SerializeIpv6(*v6) + "]";
    *is_ip = true;
    return Status::Ok();
  }
  if (!internal::IsAscii(h)) {
    // UTS #46 maps full-width letters and dots, drops zero-width code points and
    // encodes IDNs. A host IDNA refuses (ill-formed UTF-8, disallowed code points)
    // keeps its bytes, which are escaped below, as the spec's "\x01\x80.com" vector.
    auto ascii = DomainToAscii(h);
    if (ascii.ok()) h = std::move(ascii).value();
  }
  AsciiLower(&h);
  // Strip leading/trailing dots and collapse runs of dots.
  collapsed->clear();
  for (char c : h) {
    if (c == '.' && (collapsed->empty() || collapsed->back() == '.')) continue;
    collapsed->push_back(c);
  }
  while (!collapsed->empty() && collapsed->back() == '.') collapsed->pop_back();
  if (collapsed->empty()) return Status::InvalidArgument("empty host");
  if (internal::EndsInANumber(*collapsed)) {
    const auto v4 = internal::ParseIpv4(*collapsed);
    if (!v4) return Status::InvalidArgument("host ends in a number but is not an IPv4 address");
    *out = internal::SerializeIpv4(*v4);
    *is_ip = true;
    return Status::Ok();
  }
  Escape(*collapsed, out);
  return Status::Ok();
}

void CanonicalizePath(std::string_view raw, std::string* scratch, std::string* joined,
                      std::vector<std::string_view>* segments_out, std::string* out) {
  UnescapeRepeatedly(raw, scratch);
  // Resolve "." and ".." the way a browser does (an empty segment from "//" counts as a
  // segment, so "/a/b//.." is "/a/b/"), then drop empty segments (collapses "//").
  // Collapsing first would make the detector read a different path than the browser.
  std::vector<std::string_view>& segments = *segments_out;
  segments.clear();
  const std::string_view p = *scratch;
  bool trailing_slash = p.empty() || p.back() == '/';
  size_t start = (!p.empty() && p.front() == '/') ? 1 : 0;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    if (slash == std::string_view::npos) slash = p.size();
    const std::string_view seg = p.substr(start, slash - start);
    const bool last = slash == p.size();
    if (seg == ".") {
      if (last) trailing_slash = true;
    } else if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
      if (last) trailing_slash = true;
    } else {
      segments.push_back(seg);
    }
    start = slash + 1;
  }
  size_t kept = 0;
  for (std::string_view seg : segments) {
    if (!seg.empty()) segments[kept++] = seg;
  }
  segments.resize(kept);
  joined->assign(1, '/');
  for (size_t i = 0; i < segments.size(); ++i) {
    joined->append(segments[i]);
    if (i + 1 < segments.size() || trailing_slash) joined->push_back('/');
  }
  Escape(*joined, out);
}

}  // namespace

std::string CanonicalUrl::Spec() const {
  std::string s = scheme + "://" + host + path;
  if (has_query) s += "?" + query;
  return s;
}

std::string CanonicalUrl::Expression() const {
  std::string s = host + path;
  if (has_query) s += "?" + query;
  return s;
}

Status CanonicalizeUrl(std::string_view input, CanonicalUrl* out) {
  // Remove tab, CR, LF anywhere; trim surrounding whitespace and controls.
  Scratch& sc = ThreadScratch();
  std::string& s = sc.input;
  bool has_tab_or_newline = false;  // (find_first_of calls memchr per byte: too slow)
  for (char c : input) has_tab_or_newline |= (c == '\t' || c == '\r' || c == '\n');
  if (!has_tab_or_newline) {
    s.assign(input);
  } else {
    s.clear();
    for (char c : input) {
      if (c != '\t' && c != '\r' && c != '\n') s.push_back(c);
    }
  }
  size_t b = 0, e = s.size();
  while (b < e && static_cast<unsigned char>(s[b]) <= 0x20) ++b;
  while (e > b && static_cast<unsigned char>(s[e - 1]) <= 0x20) --e;
  std::string_view rest = std::string_view(s).substr(b, e - b);
  // Strip the fragment.
  const size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  if (rest.empty()) return Status::InvalidArgument("empty URL");

  // Scheme: "name:" where name is a scheme; "host.name:port" is a host with a port.
  std::string unescaped_prefix;
  out->scheme.clear();
  size_t i = 0;
  while (i < rest.size() && IsSchemeChar(rest[i], i == 0)) ++i;
  if (i > 0 && i < rest.size() && rest[i] == ':') {
    std::string scheme(rest.substr(0, i));
    AsciiLower(&scheme);
    if (IsCheckedScheme(scheme)) {
      out->scheme = std::move(scheme);
      rest.remove_prefix(i + 1);
      while (!rest.empty() && (rest.front() == '/' || rest.front() == '\\')) rest.remove_prefix(1);
    } else {
      size_t j = i + 1;
      while (j < rest.size() && rest[j] >= '0' && rest[j] <= '9') ++j;
      const bool port_follows = j > i + 1 && (j == rest.size() || rest[j] == '/' || rest[j] == '?');
      if (!(port_follows && scheme.find('.') != std::string::npos)) {
        return Status::Unsupported("scheme '" + scheme + "' is not checked");
      }
    }
  } else if (rest.find("://") == std::string_view::npos && internal::HasPercentEscape(rest)) {
    // "http%3A%2F%2Fhost/": an escaped scheme separator.
    UnescapeRepeatedly(rest, &unescaped_prefix);
    const size_t sep = unescaped_prefix.find("://");
    if (sep != std::string::npos) {
      std::string scheme = unescaped_prefix.substr(0, sep);
      AsciiLower(&scheme);
      if (IsCheckedScheme(scheme)) return CanonicalizeUrl(unescaped_prefix, out);
    }
  }
  if (out->scheme.empty()) {
    if (!rest.empty() && (rest.front() == '/' || rest.front() == '\\')) {
      return Status::InvalidArgument("relative URL without a host");
    }
    out->scheme = "http";
  }

  // Authority up to the first '/', '\', or '?'.
  size_t auth_end = 0;
  while (auth_end < rest.size() && rest[auth_end] != '/' && rest[auth_end] != '\\' &&
         rest[auth_end] != '?') {
    ++auth_end;
  }
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view after = rest.substr(auth_end);
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close != std::string_view::npos) host = host.substr(0, close + 1);
  } else {
    const size_t colon = host.find(':');
    if (colon != std::string_view::npos) host = host.substr(0, colon);
  }
  if (host.empty()) return Status::InvalidArgument("URL has no host");

  std::string& scratch = sc.a;
  Status st = CanonicalizeRawHost(host, &scratch, &sc.b, &out->host, &out->host_is_ip);
  if (!st.ok()) return st;

  const size_t q = after.find('?');
  std::string& path_raw = sc.path;
  path_raw.assign(after.substr(0, q));
  for (char& c : path_raw) {
    if (c == '\\') c = '/';  // browsers treat '\' as '/' in http(s) paths
  }
  CanonicalizePath(path_raw, &scratch, &sc.b, &sc.segments, &out->path);
  out->has_query = q != std::string_view::npos;
  out->query.clear();
  if (out->has_query) {
    UnescapeRepeatedly(after.substr(q + 1), &scratch);
    Escape(scratch, &out->query);
  }
  return Status::Ok();
}

Result<CanonicalUrl> CanonicalizeUrl(std::string_view input) {
  CanonicalUrl url;
  Status st = CanonicalizeUrl(input, &url);
  if (!st.ok()) return st;
  return url;
}

Result<std::string> CanonicalizeHost(std::string_view host) {
  std::string scratch, collapsed, out;
  bool is_ip;
  Status st = CanonicalizeRawHost(host, &scratch, &collapsed, &out, &is_ip);
  if (!st.ok()) return st;
  return out;
}

}  // namespace vigil::url
