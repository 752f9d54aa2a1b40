// The WHATWG basic URL parser as a state machine over UTF-8 bytes. Non-ASCII code
// points only matter in the states that percent-encode them (all their bytes are
// >= 0x80, which every encode set encodes) or collect them into the host buffer, so
// iterating bytes is equivalent to iterating code points once the input is valid UTF-8.
#include "vigil/url/whatwg_url.h"

#include "host_parser.h"
#include "percent_encoding.h"
#include "utf8.h"

namespace vigil::url {
namespace {

using internal::AppendPercentEncoded;
using internal::EncodeSet;

enum class State {
  kSchemeStart,
  kScheme,
  kNoScheme,
  kSpecialRelativeOrAuthority,
  kPathOrAuthority,
  kRelative,
  kRelativeSlash,
  kSpecialAuthoritySlashes,
  kSpecialAuthorityIgnoreSlashes,
  kAuthority,
  kHost,
  kPort,
  kFile,
  kFileSlash,
  kFileHost,
  kPathStart,
  kPath,
  kOpaquePath,
  kQuery,
  kFragment,
};

constexpr int kEof = -1;

bool IsAsciiAlpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(int c) { return c >= '0' && c <= '9'; }
char ToLower(int c) { return static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c); }

bool IsC0ControlOrSpace(unsigned char c) { return c <= 0x20; }

bool IsWindowsDriveLetter(std::string_view s) {
  return s.size() == 2 && IsAsciiAlpha(s[0]) && (s[1] == ':' || s[1] == '|');
}
bool IsNormalizedWindowsDriveLetter(std::string_view s) {
  return s.size() == 2 && IsAsciiAlpha(s[0]) && s[1] == ':';
}
// "starts with a Windows drive letter": two code points that are a drive letter,
// followed by the end or one of / \ ? #.
bool StartsWithWindowsDriveLetter(std::string_view s) {
  if (s.size() < 2 || !IsWindowsDriveLetter(s.substr(0, 2))) return false;
  if (s.size() == 2) return true;
  const char c = s[2];
  return c == '/' || c == '\\' || c == '?' || c == '#';
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(static_cast<unsigned char>(a[i])) != ToLower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}
bool IsSingleDot(std::string_view s) { return s == "." || EqualsIgnoreCase(s, "%2e"); }
bool IsDoubleDot(std::string_view s) {
  return s == ".." || EqualsIgnoreCase(s, ".%2e") || EqualsIgnoreCase(s, "%2e.") ||
         EqualsIgnoreCase(s, "%2e%2e");
}

void ShortenPath(Url* url) {
  if (url->scheme == "file" && url->path.size() == 1 &&
      IsNormalizedWindowsDriveLetter(url->path[0])) {
    return;
  }
  if (!url->path.empty()) url->path.pop_back();
}

// Strips leading/trailing C0 controls and spaces, removes tab and newlines.
std::string Preprocess(std::string_view input) {
  size_t begin = 0, end = input.size();
  while (begin < end && IsC0ControlOrSpace(static_cast<unsigned char>(input[begin]))) ++begin;
  while (end > begin && IsC0ControlOrSpace(static_cast<unsigned char>(input[end - 1]))) --end;
  std::string out;
  out.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    const char c = input[i];
    if (c != '\t' && c != '\n' && c != '\r') out.push_back(c);
  }
  if (!internal::IsAscii(out)) out = internal::SanitizeUtf8(out);
  return out;
}

Status Fail(const char* why) { return Status::InvalidArgument(why); }

}  // namespace

bool IsSpecialScheme(std::string_view s) {
  return s == "http" || s == "https" || s == "ws" || s == "wss" || s == "ftp" || s == "file";
}

int DefaultPort(std::string_view s) {
  if (s == "http" || s == "ws") return 80;
  if (s == "https" || s == "wss") return 443;
  if (s == "ftp") return 21;
  return -1;
}

bool Url::IsSpecial() const { return IsSpecialScheme(scheme); }

Result<Url> ParseUrl(std::string_view raw_input, const Url* base) {
  const std::string input = Preprocess(raw_input);
  Url url;
  bool special = false;  // IsSpecialScheme(url.scheme), kept in step with every assignment
  State state = State::kSchemeStart;
  std::string buffer;
  bool at_sign_seen = false, inside_brackets = false, password_token_seen = false;
  const auto size = static_cast<ptrdiff_t>(input.size());
  auto at = [&](ptrdiff_t i) -> int {
    return (i >= 0 && i < size) ? static_cast<unsigned char>(input[static_cast<size_t>(i)]) : kEof;
  };
  auto from = [&](ptrdiff_t p) -> std::string_view {
    return (p < size) ? std::string_view(input).substr(static_cast<size_t>(p)) : std::string_view();
  };

  for (ptrdiff_t p = 0;; ++p) {
    const int c = at(p);
    switch (state) {
      case State::kSchemeStart:
        if (IsAsciiAlpha(c)) {
          buffer.push_back(ToLower(c));
          state = State::kScheme;
        } else {
          state = State::kNoScheme;
          --p;
        }
        break;

      case State::kScheme:
        if (IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '+' || c == '-' || c == '.') {
          buffer.push_back(ToLower(c));
        } else if (c == ':') {
          url.scheme = std::move(buffer);
          special = IsSpecialScheme(url.scheme);
          buffer.clear();
          if (url.scheme == "file") {
            state = State::kFile;
          } else if (special && base != nullptr && base->scheme == url.scheme) {
            state = State::kSpecialRelativeOrAuthority;
          } else if (special) {
            state = State::kSpecialAuthoritySlashes;
          } else if (at(p + 1) == '/') {
            state = State::kPathOrAuthority;
            ++p;
          } else {
            url.has_opaque_path = true;
            state = State::kOpaquePath;
          }
        } else {
          buffer.clear();
          url.scheme.clear();
          special = false;
          state = State::kNoScheme;
          p = -1;
        }
        break;

      case State::kNoScheme:
        if (base == nullptr || (base->has_opaque_path && c != '#')) {
          return Fail("relative URL without a usable base");
        } else if (base->has_opaque_path && c == '#') {
          url.scheme = base->scheme;
          special = IsSpecialScheme(url.scheme);
          url.has_opaque_path = true;
          url.opaque_path = base->opaque_path;
          url.query = base->query;
          url.fragment = "";
          state = State::kFragment;
        } else if (base->scheme != "file") {
          state = State::kRelative;
          --p;
        } else {
          state = State::kFile;
          --p;
        }
        break;

      case State::kSpecialRelativeOrAuthority:
        if (c == '/' && at(p + 1) == '/') {
          state = State::kSpecialAuthorityIgnoreSlashes;
          ++p;
        } else {
          state = State::kRelative;
          --p;
        }
        break;

      case State::kPathOrAuthority:
        if (c == '/') {
          state = State::kAuthority;
        } else {
          state = State::kPath;
          --p;
        }
        break;

      case State::kRelative:
        url.scheme = base->scheme;
        special = IsSpecialScheme(url.scheme);
        if (c == '/') {
          state = State::kRelativeSlash;
        } else if (special && c == '\\') {
          state = State::kRelativeSlash;
        } else {
          url.username = base->username;
          url.password = base->password;
          url.host_kind = base->host_kind;
          url.host = base->host;
          url.ipv4 = base->ipv4;
          url.port = base->port;
          url.path = base->path;
          url.query = base->query;
          if (c == '?') {
            url.query = "";
            state = State::kQuery;
          } else if (c == '#') {
            url.fragment = "";
            state = State::kFragment;
          } else if (c != kEof) {
            url.query.reset();
            ShortenPath(&url);
            state = State::kPath;
            --p;
          }
        }
        break;

      case State::kRelativeSlash:
        if (special && (c == '/' || c == '\\')) {
          state = State::kSpecialAuthorityIgnoreSlashes;
        } else if (c == '/') {
          state = State::kAuthority;
        } else {
          url.username = base->username;
          url.password = base->password;
          url.host_kind = base->host_kind;
          url.host = base->host;
          url.ipv4 = base->ipv4;
          url.port = base->port;
          state = State::kPath;
          --p;
        }
        break;

      case State::kSpecialAuthoritySlashes:
        if (c == '/' && at(p + 1) == '/') {
          state = State::kSpecialAuthorityIgnoreSlashes;
          ++p;
        } else {
          state = State::kSpecialAuthorityIgnoreSlashes;
          --p;
        }
        break;

      case State::kSpecialAuthorityIgnoreSlashes:
        if (c != '/' && c != '\\') {
          state = State::kAuthority;
          --p;
        }
        break;

      case State::kAuthority:
        if (c == '@') {
          if (at_sign_seen) buffer.insert(0, "%40");
          at_sign_seen = true;
          for (char bc : buffer) {
            if (bc == ':' && !password_token_seen) {
              password_token_seen = true;
              continue;
            }
            AppendPercentEncoded(std::string_view(&bc, 1), EncodeSet::kUserinfo,
                                 password_token_seen ? &url.password : &url.username);
          }
          buffer.clear();
        } else if (c == kEof || c == '/' || c == '?' || c == '#' || (special && c == '\\')) {
          if (at_sign_seen && buffer.empty()) return Fail("credentials without a host");
          p -= static_cast<ptrdiff_t>(buffer.size()) + 1;
          buffer.clear();
          state = State::kHost;
        } else {
          buffer.push_back(static_cast<char>(c));
        }
        break;

      case State::kHost:
        if (c == ':' && !inside_brackets) {
          if (buffer.empty()) return Fail("empty host before a port");
          auto host = internal::ParseHost(buffer, !special);
          if (!host.ok()) return host.status();
          url.host_kind = host->kind;
          url.host = std::move(host->serialized);
          url.ipv4 = host->ipv4;
          buffer.clear();
          state = State::kPort;
        } else if (c == kEof || c == '/' || c == '?' || c == '#' || (special && c == '\\')) {
          --p;
          if (special && buffer.empty()) return Fail("special URL with an empty host");
          auto host = internal::ParseHost(buffer, !special);
          if (!host.ok()) return host.status();
          url.host_kind = host->kind;
          url.host = std::move(host->serialized);
          url.ipv4 = host->ipv4;
          buffer.clear();
          state = State::kPathStart;
        } else {
          if (c == '[') inside_brackets = true;
          if (c == ']') inside_brackets = false;
          buffer.push_back(static_cast<char>(c));
        }
        break;

      case State::kPort:
        if (IsAsciiDigit(c)) {
          buffer.push_back(static_cast<char>(c));
        } else if (c == kEof || c == '/' || c == '?' || c == '#' || (special && c == '\\')) {
          if (!buffer.empty()) {
            uint32_t port = 0;
            for (char d : buffer) {
              port = port * 10 + static_cast<uint32_t>(d - '0');
              if (port > 65535) return Fail("port out of range");
            }
            if (static_cast<int>(port) == DefaultPort(url.scheme)) {
              url.port.reset();
            } else {
              url.port = static_cast<uint16_t>(port);
            }
            buffer.clear();
          }
          state = State::kPathStart;
          --p;
        } else {
          return Fail("invalid character in port");
        }
        break;

      case State::kFile:
        url.scheme = "file";
        special = true;
        url.host_kind = HostKind::kEmpty;
        url.host.clear();
        if (c == '/' || c == '\\') {
          state = State::kFileSlash;
        } else if (base != nullptr && base->scheme == "file") {
          url.host_kind = base->host_kind;
          url.host = base->host;
          url.path = base->path;
          url.query = base->query;
          if (c == '?') {
            url.query = "";
            state = State::kQuery;
          } else if (c == '#') {
            url.fragment = "";
            state = State::kFragment;
          } else if (c != kEof) {
            url.query.reset();
            if (!StartsWithWindowsDriveLetter(from(p))) {
              ShortenPath(&url);
            } else {
              url.path.clear();
            }
            state = State::kPath;
            --p;
          }
        } else {
          state = State::kPath;
          --p;
        }
        break;

      case State::kFileSlash:
        if (c == '/' || c == '\\') {
          state = State::kFileHost;
        } else {
          if (base != nullptr && base->scheme == "file") {
            url.host_kind = base->host_kind;
            url.host = base->host;
            if (!StartsWithWindowsDriveLetter(from(p)) && !base->path.empty() &&
                IsNormalizedWindowsDriveLetter(base->path[0])) {
              url.path.push_back(base->path[0]);
            }
          }
          state = State::kPath;
          --p;
        }
        break;

      case State::kFileHost:
        if (c == kEof || c == '/' || c == '\\' || c == '?' || c == '#') {
          --p;
          if (IsWindowsDriveLetter(buffer)) {
            state = State::kPath;  // the buffer becomes the first path segment
          } else if (buffer.empty()) {
            url.host_kind = HostKind::kEmpty;
            url.host.clear();
            state = State::kPathStart;
          } else {
            auto host = internal::ParseHost(buffer, false);
            if (!host.ok()) return host.status();
            url.host_kind = host->kind;
            url.host = std::move(host->serialized);
            url.ipv4 = host->ipv4;
            if (url.host == "localhost") {
              url.host_kind = HostKind::kEmpty;
              url.host.clear();
            }
            buffer.clear();
            state = State::kPathStart;
          }
        } else {
          buffer.push_back(static_cast<char>(c));
        }
        break;

      case State::kPathStart:
        if (special) {
          state = State::kPath;
          if (c != '/' && c != '\\') --p;
        } else if (c == '?') {
          url.query = "";
          state = State::kQuery;
        } else if (c == '#') {
          url.fragment = "";
          state = State::kFragment;
        } else if (c != kEof) {
          state = State::kPath;
          if (c != '/') --p;
        }
        break;

      case State::kPath:
        if (c == kEof || c == '/' || (special && c == '\\') || c == '?' || c == '#') {
          const bool slash = c == '/' || (special && c == '\\');
          if (IsDoubleDot(buffer)) {
            ShortenPath(&url);
            if (!slash) url.path.emplace_back();
          } else if (IsSingleDot(buffer) && !slash) {
            url.path.emplace_back();
          } else if (!IsSingleDot(buffer)) {
            if (url.scheme == "file" && url.path.empty() && IsWindowsDriveLetter(buffer)) {
              buffer[1] = ':';
            }
            url.path.push_back(std::move(buffer));
          }
          buffer.clear();
          if (c == '?') {
            url.query = "";
            state = State::kQuery;
          } else if (c == '#') {
            url.fragment = "";
            state = State::kFragment;
          }
        } else {
          internal::AppendPercentEncodedChar(static_cast<char>(c), EncodeSet::kPath, &buffer);
        }
        break;

      case State::kOpaquePath:
        if (c == '?') {
          url.query = "";
          state = State::kQuery;
        } else if (c == '#') {
          url.fragment = "";
          state = State::kFragment;
        } else if (c == ' ') {
          const int next = at(p + 1);
          url.opaque_path += (next == '?' || next == '#') ? "%20" : " ";
        } else if (c != kEof) {
          internal::AppendPercentEncodedChar(static_cast<char>(c), EncodeSet::kC0Control,
                                             &url.opaque_path);
        }
        break;

      case State::kQuery:
        if (c == '#' || c == kEof) {
          AppendPercentEncoded(buffer, special ? EncodeSet::kSpecialQuery : EncodeSet::kQuery,
                               &*url.query);
          buffer.clear();
          if (c == '#') {
            url.fragment = "";
            state = State::kFragment;
          }
        } else {
          buffer.push_back(static_cast<char>(c));
        }
        break;

      case State::kFragment:
        if (c != kEof) {
          internal::AppendPercentEncodedChar(static_cast<char>(c), EncodeSet::kFragment,
                                             &*url.fragment);
        }
        break;
    }
    if (p >= size) break;  // still at EOF after this state: done (rewinds continue)
  }
  return url;
}

std::string Url::Host() const {
  if (host_kind == HostKind::kNone) return "";
  if (!port) return host;
  return host + ":" + std::to_string(*port);
}

std::string Url::Port() const { return port ? std::to_string(*port) : ""; }

std::string Url::Pathname() const {
  if (has_opaque_path) return opaque_path;
  std::string out;
  for (const std::string& segment : path) {
    out.push_back('/');
    out += segment;
  }
  return out;
}

std::string Url::Search() const { return (query && !query->empty()) ? "?" + *query : ""; }
std::string Url::Hash() const { return (fragment && !fragment->empty()) ? "#" + *fragment : ""; }

std::string Url::Href() const {
  std::string out = scheme + ":";
  if (host_kind != HostKind::kNone) {
    out += "//";
    if (!username.empty() || !password.empty()) {
      out += username;
      if (!password.empty()) out += ":" + password;
      out.push_back('@');
    }
    out += Host();
  } else if (!has_opaque_path && path.size() > 1 && path[0].empty()) {
    out += "/.";
  }
  out += Pathname();
  if (query) out += "?" + *query;
  if (fragment) out += "#" + *fragment;
  return out;
}

std::string Url::Origin() const {
  if (scheme == "blob") {
    auto inner = ParseUrl(Pathname());
    if (inner.ok() && (inner->scheme == "http" || inner->scheme == "https")) return inner->Origin();
    return "null";
  }
  if (scheme == "http" || scheme == "https" || scheme == "ws" || scheme == "wss" ||
      scheme == "ftp") {
    return scheme + "://" + Host();
  }
  return "null";
}

}  // namespace vigil::url
