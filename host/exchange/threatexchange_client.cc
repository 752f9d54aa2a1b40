// The ThreatExchange exchange kind (exchange_client.h; docs/exchanges.md): tailing a privacy
// group's /threat_updates through the Graph API, as python-threatexchange's fb_threatexchange
// client does (api.py get_threat_updates, threat_updates.py ThreatUpdatesDelta):
//
//   GET <endpoint>/threat_updates/?access_token=<app token>&start_time=<unix>&stop_time=<unix>
//       &limit=500&fields=id,indicator,type,creation_time,last_updated,should_delete
//   then the answer's paging.next URL until an answer has none.
//
// <endpoint> is https://graph.facebook.com/v<version>/<privacy group id>. The answer is
// {"data": [update...], "paging": {"cursors": {...}, "next": "<url>"}}; an update with
// should_delete true is a tombstone for the indicator id (the record's entries are deleted),
// any other one is the indicator's current state (its entries are replaced). HASH_PDQ,
// HASH_MD5, HASH_VIDEO_MD5, HASH_SHA1 and HASH_SHA256 go into the bank; other types
// (HASH_VIDEO_VPDQ, HASH_TMK, URLs, ...) are skipped with an ignored-note, since the bank
// cannot match them.
#include <algorithm>
#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>
#include <sstream>

#include "exchange/exchange_client.h"
#include "vigil/hashbank/importers.h"

namespace vigil::exchange {
namespace {

constexpr char kFields[] = "id,indicator,type,creation_time,last_updated,should_delete";
constexpr size_t kMaxJsonDepth = 64;

bool AllDigits(std::string_view s, size_t max = 12) {
  return !s.empty() && s.size() <= max &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool Printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c > ' ' && c < 0x7f; });
}

// "https://host:port" of a URL ("" when it is not http(s)://host...).
std::string Origin(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return "";
  const size_t path = url.find('/', scheme_end + 3);
  return url.substr(0, path);
}

// The endpoint's path ("/v18.0/1234"), without a trailing slash.
std::string EndpointPath(const std::string& endpoint) {
  const std::string origin = Origin(endpoint);
  std::string path = endpoint.substr(origin.size());
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

// Removes the access_token parameter from a query string (the stored checkpoint never holds
// the secret); "" parameters are dropped too.
std::string WithoutToken(const std::string& target) {
  const size_t q = target.find('?');
  if (q == std::string::npos) return target;
  std::string out = target.substr(0, q), sep = "?";
  std::istringstream params(target.substr(q + 1));
  for (std::string kv; std::getline(params, kv, '&');) {
    if (kv.empty() || kv.rfind("access_token=", 0) == 0 || kv == "access_token") continue;
    out += sep + kv;
    sep = "&";
  }
  return out;
}

std::string UrlEncoded(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Nesting depth of a JSON text (brackets outside strings), checked before parsing so a
// hostile answer cannot make the parser or the destructor recurse without end.
bool TooDeep(const std::string& json) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

StatusOr<nlohmann::json> ParseAnswer(const std::string& json) {
  if (TooDeep(json)) {
    return Status::InvalidArgument("the JSON nests deeper than " + std::to_string(kMaxJsonDepth));
  }
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded()) return Status::InvalidArgument("not well-formed JSON");
  if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_array()) {
    return Status::InvalidArgument("not a /threat_updates answer (no data array)");
  }
  return doc;
}

// An id or time the Graph API sends as a string of digits or a number.
std::optional<std::string> DigitsOf(const nlohmann::json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (AllDigits(s, 24)) return s;
    return std::nullopt;
  }
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer() && v.get<int64_t>() >= 0) return std::to_string(v.get<int64_t>());
  return std::nullopt;
}

std::optional<hashbank::SignalType> BankType(const std::string& te_type) {
  if (te_type == "HASH_PDQ") return hashbank::SignalType::kPdq;
  if (te_type == "HASH_MD5" || te_type == "HASH_VIDEO_MD5") return hashbank::SignalType::kMd5;
  if (te_type == "HASH_SHA1") return hashbank::SignalType::kSha1;
  if (te_type == "HASH_SHA256") return hashbank::SignalType::kSha256;
  return std::nullopt;
}

class ThreatExchangeClient : public ExchangeClient {
 public:
  ThreatExchangeClient(host::Exchange exchange, std::string token, ClientOptions options)
      : exchange_(std::move(exchange)), token_(std::move(token)), options_(std::move(options)) {}

  StatusOr<ExchangePage> FetchPage(const std::string& checkpoint_text) override {
    auto parsed = ParseThreatExchangeCheckpoint(checkpoint_text);
    if (!parsed.ok()) return parsed.status();
    ThreatExchangeCheckpoint cp = parsed.value();
    const int64_t now = Now();
    if (cp.to_unix == 0) {
      cp.to_unix = std::max(now, cp.from_unix);
      cp.next.clear();
    }
    const std::string origin = Origin(exchange_.endpoint);
    HttpRequest request;
    if (cp.next.empty()) {
      request.url = origin + EndpointPath(exchange_.endpoint) +
                    "/threat_updates/?start_time=" + std::to_string(cp.from_unix) +
                    "&stop_time=" + std::to_string(cp.to_unix) +
                    "&limit=500&fields=" + UrlEncoded(kFields);
    } else {
      request.url = origin + cp.next;
    }
    request.url += (request.url.find('?') == std::string::npos ? "?" : "&");
    request.url += "access_token=" + UrlEncoded(token_);
    request.timeout_ms = options_.timeout_ms;
    request.headers = {"Accept: application/json"};
    auto response = FetchWithRetries(request, options_.retry, nullptr, options_.http_get);
    if (!response.ok()) return response.status();
    const std::string what = "ThreatExchange threat_updates page" +
                             std::string(cp.next.empty() ? " (window start)" : "");
    auto next = ThreatUpdatesNextLink(response.value().body, exchange_.endpoint);
    if (!next.ok()) return Status::InvalidArgument(what + ": " + next.status().message());
    auto imported = ImportThreatUpdates(response.value().body, exchange_.name, now);
    if (!imported.ok()) return Status::InvalidArgument(what + ": " + imported.status().message());
    ExchangePage page;
    page.import = std::move(imported).value();
    page.what = what;
    if (next.value().empty()) {
      page.done = true;
      page.checkpoint = FormatThreatExchangeCheckpoint({cp.to_unix, 0, ""});
    } else {
      page.checkpoint = FormatThreatExchangeCheckpoint({cp.from_unix, cp.to_unix, next.value()});
    }
    return page;
  }

 private:
  int64_t Now() const {
    return options_.now_unix ? options_.now_unix() : static_cast<int64_t>(std::time(nullptr));
  }

  host::Exchange exchange_;
  std::string token_;
  ClientOptions options_;
};

}  // namespace

std::string FormatThreatExchangeCheckpoint(const ThreatExchangeCheckpoint& cp) {
  return "te1 " + std::to_string(cp.from_unix) + " " + std::to_string(cp.to_unix) + " " +
         (cp.next.empty() ? "-" : cp.next);
}

StatusOr<ThreatExchangeCheckpoint> ParseThreatExchangeCheckpoint(const std::string& text) {
  ThreatExchangeCheckpoint cp;
  if (text.empty()) return cp;
  std::vector<std::string> parts;
  std::istringstream in(text);
  for (std::string part; in >> part;) parts.push_back(part);
  if (parts.size() != 4 || parts[0] != "te1" || !AllDigits(parts[1]) || !AllDigits(parts[2]) ||
      (parts[3] != "-" && (parts[3].size() > 4096 || parts[3][0] != '/' || !Printable(parts[3]) ||
                           parts[3].find("access_token") != std::string::npos))) {
    return Status::InvalidArgument(
        "the stored ThreatExchange checkpoint is not one this build wrote (reset it with "
        "`vigil exchanges remove` and add the exchange again)");
  }
  cp.from_unix = std::stoll(parts[1]);
  cp.to_unix = std::stoll(parts[2]);
  if (parts[3] != "-") cp.next = parts[3];
  if (cp.to_unix != 0 && cp.to_unix < cp.from_unix) {
    return Status::InvalidArgument(
        "the stored ThreatExchange checkpoint's window ends before it starts");
  }
  return cp;
}

StatusOr<std::string> ThreatUpdatesNextLink(const std::string& json, const std::string& endpoint) {
  auto doc = ParseAnswer(json);
  if (!doc.ok()) return doc.status();
  const nlohmann::json& root = doc.value();
  const auto paging = root.find("paging");
  if (paging == root.end() || paging->is_null()) return std::string();
  if (!paging->is_object()) return Status::InvalidArgument("paging is not an object");
  const auto next = paging->find("next");
  if (next == paging->end() || next->is_null()) return std::string();
  if (!next->is_string()) return Status::InvalidArgument("paging.next is not a URL");
  const std::string url = next->get<std::string>();
  if (url.empty()) return std::string();
  // The token travels with the next request: only to the endpoint's own server and
  // privacy group, never elsewhere.
  const std::string origin = Origin(endpoint);
  const std::string prefix = origin + EndpointPath(endpoint) + "/threat_updates";
  if (origin.empty() || url.size() > 4096 || url.compare(0, prefix.size(), prefix) != 0 ||
      (url.size() > prefix.size() && url[prefix.size()] != '/' && url[prefix.size()] != '?') ||
      !Printable(url)) {
    return Status::InvalidArgument(
        "paging.next is not this privacy group's /threat_updates on the same server");
  }
  std::string kept = WithoutToken(url.substr(origin.size()));
  if (kept.find("access_token") != std::string::npos) {
    return Status::InvalidArgument(
        "paging.next carries the access token where it cannot be removed");
  }
  return kept;
}

StatusOr<hashbank::ImportResult> ImportThreatUpdates(const std::string& json,
                                                     const std::string& source, int64_t now_unix) {
  auto doc = ParseAnswer(json);
  if (!doc.ok()) return doc.status();
  hashbank::ImportResult result;
  size_t record = 0;
  auto problem = [&](hashbank::ImportProblem::Kind kind, std::string message) {
    if (result.problems.size() < 1000) {
      result.problems.push_back({kind, 0, record, std::move(message)});
    }
  };
  for (const nlohmann::json& update : doc.value()["data"]) {
    ++record;
    if (!update.is_object()) {
      problem(hashbank::ImportProblem::Kind::kError, "an update is not an object");
      continue;
    }
    const auto id_field = update.find("id");
    const std::optional<std::string> id =
        id_field == update.end() ? std::nullopt : DigitsOf(*id_field);
    if (!id) {
      problem(hashbank::ImportProblem::Kind::kError, "no indicator id (digits)");
      continue;
    }
    const auto del = update.find("should_delete");
    if (del == update.end() || !del->is_boolean()) {
      problem(hashbank::ImportProblem::Kind::kError,
              "indicator " + *id + ": should_delete is missing or not true/false");
      continue;
    }
    if (del->get<bool>()) {
      hashbank::Deletion d;
      d.source = source;
      d.external_id = *id;
      result.AddDeletion(std::move(d));
      continue;
    }
    const auto type = update.find("type");
    const auto indicator = update.find("indicator");
    if (type == update.end() || !type->is_string() || indicator == update.end() ||
        !indicator->is_string()) {
      problem(hashbank::ImportProblem::Kind::kError,
              "indicator " + *id + ": type or indicator is missing");
      continue;
    }
    const std::string te_type = type->get<std::string>();
    const auto bank_type = BankType(te_type);
    if (!bank_type) {
      problem(hashbank::ImportProblem::Kind::kIgnored,
              "indicator " + *id + ": type " + te_type.substr(0, 64) +
                  " is not matched by a hash bank (skipped)");
      continue;
    }
    auto value = hashbank::ParseHashValue(*bank_type, indicator->get<std::string>());
    if (!value.ok()) {
      problem(hashbank::ImportProblem::Kind::kError,
              "indicator " + *id + ": " + value.status().message());
      continue;
    }
    hashbank::Entry entry;
    entry.value = value.value();
    entry.source = source;
    entry.external_id = *id;
    entry.added_unix = now_unix;
    for (const char* field : {"creation_time", "last_updated"}) {
      const auto t = update.find(field);
      if (t == update.end()) continue;
      if (auto digits = DigitsOf(*t); digits && digits->size() <= 12) {
        entry.added_unix = std::stoll(*digits);
        break;
      }
    }
    result.AddEntry(std::move(entry));
  }
  return result;
}

StatusOr<std::unique_ptr<ExchangeClient>> MakeThreatExchangeClient(const host::Exchange& exchange,
                                                                   const std::string& token,
                                                                   const ClientOptions& options) {
  if (token.empty() || token.size() > 1024 || !Printable(token)) {
    return Status::InvalidArgument(
        "a ThreatExchange exchange needs an app access token \"<app id>|<secret>\" "
        "(from file:PATH or env:NAME)");
  }
  if (Origin(exchange.endpoint).empty()) {
    return Status::InvalidArgument("a ThreatExchange endpoint is an http(s) URL");
  }
  return std::unique_ptr<ExchangeClient>(
      std::make_unique<ThreatExchangeClient>(exchange, token, options));
}

}  // namespace vigil::exchange
