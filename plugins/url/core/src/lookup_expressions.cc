#include <algorithm>

#include "vigil/url/safe_browsing.h"

namespace vigil::url {
namespace {

constexpr size_t kMaxSpecHostComponents = 5;  // "starting with the last 5 components"
constexpr size_t kMaxPathPrefixes = 4;        // "up to 4 paths ... from the root"
// DNS names have at most 127 labels: longer beyond-spec suffixes cannot be listed
// domains, and capping them bounds the work a hostile 5000-label host can cause.
constexpr size_t kMaxDomainLabels = 127;

}  // namespace

void LookupExpressions::Generate(const CanonicalUrl& url, bool extra_domain_suffixes) {
  arena_.clear();
  spans_.clear();
  items_.clear();
  hosts_.clear();
  paths_.clear();

  // Hosts: exact, then suffixes of the last 5 components down to 2 (not for IPs).
  const std::string_view host = url.host;
  hosts_.push_back(host);
  std::vector<size_t>& dots = dots_;  // positions of '.' in host
  dots.clear();
  if (!url.host_is_ip) {
    for (size_t i = 0; i < host.size(); ++i) {
      if (host[i] == '.') dots.push_back(i);
    }
  }
  const size_t labels = dots.size() + 1;
  // Suffix with k labels starts after dot number (labels - k - 1).
  size_t beyond_begin = 0;
  if (!url.host_is_ip && labels > 1) {
    const size_t top = std::min(kMaxSpecHostComponents, labels - 1);
    for (size_t k = top; k >= 2; --k) hosts_.push_back(host.substr(dots[labels - k - 1] + 1));
    beyond_begin = hosts_.size();
    if (extra_domain_suffixes) {
      for (size_t k = std::min(labels - 1, kMaxDomainLabels); k > kMaxSpecHostComponents; --k) {
        hosts_.push_back(host.substr(dots[labels - k - 1] + 1));
      }
    }
  } else {
    beyond_begin = hosts_.size();
  }

  // Paths: exact with query, exact without, prefixes from the root.
  const std::string_view path = url.path;
  auto add_path = [&](std::string_view p, uint8_t flags) {
    for (auto& existing : paths_) {
      if (existing.first == p) {
        existing.second |= flags;
        return;
      }
    }
    paths_.emplace_back(p, flags);
  };
  size_t prefixes = 0;
  for (size_t i = 0; i < path.size() && prefixes < kMaxPathPrefixes; ++i) {
    if (path[i] != '/') continue;
    const std::string_view prefix = path.substr(0, i + 1);
    add_path(prefix, static_cast<uint8_t>(kExprPathPrefix | (i == 0 ? kExprRootPath : 0)));
    ++prefixes;
  }
  add_path(path, static_cast<uint8_t>(kExprExactPath | (path == "/" ? kExprRootPath : 0)));

  auto emit = [&](std::string_view h, std::string_view p, bool with_query, uint8_t flags) {
    Span span;
    span.offset = static_cast<uint32_t>(arena_.size());
    span.host_length = static_cast<uint32_t>(h.size());
    arena_.append(h);
    arena_.append(p);
    if (with_query) {
      arena_.push_back('?');
      arena_.append(url.query);
    }
    span.length = static_cast<uint32_t>(arena_.size()) - span.offset;
    span.flags = flags;
    spans_.push_back(span);
  };
  for (size_t hi = 0; hi < hosts_.size(); ++hi) {
    const uint8_t host_flag = hi == 0 ? kExprExactHost : 0;
    if (hi >= beyond_begin) {
      emit(hosts_[hi], "/", false, kExprBeyondSpecHost | kExprRootPath | kExprPathPrefix);
      continue;
    }
    if (url.has_query) {
      emit(hosts_[hi], path, true,
           static_cast<uint8_t>(host_flag | kExprExactPath | kExprWithQuery));
    }
    for (const auto& [p, flags] : paths_)
      emit(hosts_[hi], p, false, static_cast<uint8_t>(host_flag | flags));
  }
  // Views are made last: the arena no longer reallocates.
  items_.reserve(spans_.size());
  for (const Span& s : spans_) {
    LookupExpression e;
    e.text = std::string_view(arena_).substr(s.offset, s.length);
    e.host = e.text.substr(0, s.host_length);
    e.flags = s.flags;
    items_.push_back(e);
  }
}

std::vector<std::string> LookupExpressions::ToStrings() const {
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& e : items_) out.emplace_back(e.text);
  return out;
}

}  // namespace vigil::url
