// The exchange clients (exchange_client.h): NCMEC hash-sharing API v2, a local folder and a
// plain HTTP(S) list URL.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <sstream>

#include "exchange/exchange_client.h"
#include "vigil/hashbank/importers.h"

namespace vigil::exchange {
namespace {

namespace fs = std::filesystem;

int64_t Now(const ClientOptions& options) {
  return options.now_unix ? options.now_unix() : static_cast<int64_t>(std::time(nullptr));
}

std::string_view LocalName(const pugi::xml_node& node) {
  std::string_view name = node.name();
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view local) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c) == local) return c;
  }
  return {};
}

bool SafeLink(const std::string& link) {
  if (link.size() > 4096 || link.rfind("/v2/entries", 0) != 0) return false;
  for (unsigned char c : link) {
    if (c <= ' ' || c >= 0x7f) return false;
  }
  return true;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() <= 12 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

StatusOr<hashbank::ImportResult> Imported(const hashbank::Result<hashbank::ImportResult>& result,
                                          const std::string& what) {
  if (!result.ok()) return Status::InvalidArgument(what + ": " + result.status().message());
  return result.value();
}

hashbank::ImportOptions ImportOptionsFor(const host::Exchange& exchange, int64_t now) {
  hashbank::ImportOptions opts;
  opts.policy = hashbank::BadRecordPolicy::kSkipAndReport;
  opts.now_unix = now;
  if (exchange.kind != "ncmec") opts.source = exchange.name;
  return opts;
}

class NcmecClient : public ExchangeClient {
 public:
  NcmecClient(host::Exchange exchange, std::string user, std::string password,
              ClientOptions options)
      : exchange_(std::move(exchange)),
        user_(std::move(user)),
        password_(std::move(password)),
        options_(std::move(options)) {
    base_ = exchange_.endpoint;
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }

  StatusOr<ExchangePage> FetchPage(const std::string& checkpoint_text) override {
    auto parsed = ParseNcmecCheckpoint(checkpoint_text);
    if (!parsed.ok()) return parsed.status();
    NcmecCheckpoint cp = parsed.value();
    if (cp.to_unix == 0) {
      cp.to_unix = std::max(Now(options_), cp.from_unix);
      cp.next.clear();
    }
    HttpRequest request;
    request.url = cp.next.empty() ? base_ + "/v2/entries?from=" + Escaped(cp.from_unix) +
                                        "&to=" + Escaped(cp.to_unix)
                                  : base_ + cp.next;
    request.basic_user = user_;
    request.basic_password = password_;
    request.timeout_ms = options_.timeout_ms;
    request.headers = {"Accept: application/xml"};
    auto response = FetchWithRetries(request, options_.retry, nullptr, options_.http_get);
    if (!response.ok()) return response.status();
    const std::string& body = response.value().body;
    const std::string what =
        "NCMEC entries page " + (cp.next.empty() ? std::string("(window start)") : cp.next);
    auto next = NcmecNextLink(body);
    if (!next.ok()) return Status::InvalidArgument(what + ": " + next.status().message());
    auto imported =
        Imported(hashbank::ImportNcmecXml(body, ImportOptionsFor(exchange_, Now(options_))), what);
    if (!imported.ok()) return imported.status();
    ExchangePage page;
    page.import = std::move(imported).value();
    page.what = what;
    if (next.value().empty()) {
      page.done = true;
      page.checkpoint = FormatNcmecCheckpoint({cp.to_unix, 0, ""});
    } else {
      page.checkpoint = FormatNcmecCheckpoint({cp.from_unix, cp.to_unix, next.value()});
    }
    return page;
  }

 private:
  static std::string Escaped(int64_t unix_seconds) {
    std::string t = NcmecTime(unix_seconds), out;
    for (char c : t) out += c == ':' ? std::string("%3A") : std::string(1, c);
    return out;
  }

  host::Exchange exchange_;
  std::string user_, password_;
  ClientOptions options_;
  std::string base_;
};

bool SafeToken(const std::string& token) {
  if (token.empty() || token.size() > 4096) return false;
  return std::all_of(token.begin(), token.end(),
                     [](unsigned char c) { return c > ' ' && c < 0x7f; });
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

class StopNciiClient : public ExchangeClient {
 public:
  StopNciiClient(host::Exchange exchange, std::string subscription_key, std::string function_key,
                 ClientOptions options)
      : exchange_(std::move(exchange)),
        subscription_key_(std::move(subscription_key)),
        function_key_(std::move(function_key)),
        options_(std::move(options)) {
    base_ = exchange_.endpoint;
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }

  StatusOr<ExchangePage> FetchPage(const std::string& checkpoint_text) override {
    auto parsed = ParseStopNciiCheckpoint(checkpoint_text);
    if (!parsed.ok()) return parsed.status();
    const StopNciiCheckpoint cp = parsed.value();
    HttpRequest request;
    request.url = base_ + "/FetchHashes?startTimestamp=" + std::to_string(cp.start_timestamp) +
                  "&pageSize=800";
    if (!cp.next_page_token.empty()) {
      request.url += "&nextPageToken=" + UrlEncoded(cp.next_page_token);
    }
    request.timeout_ms = options_.timeout_ms;
    request.headers = {"Accept: application/json", "x-functions-key: " + function_key_,
                       "Ocp-Apim-Subscription-Key: " + subscription_key_};
    auto response = FetchWithRetries(request, options_.retry, nullptr, options_.http_get);
    if (!response.ok()) return response.status();
    const std::string& body = response.value().body;
    const std::string what =
        "StopNCII FetchHashes page" + std::string(cp.next_page_token.empty() ? " (first)" : "");
    auto paging = StopNciiPaging(body);
    if (!paging.ok()) return Status::InvalidArgument(what + ": " + paging.status().message());
    auto imported = Imported(
        hashbank::ImportStopNciiJson(body, ImportOptionsFor(exchange_, Now(options_))), what);
    if (!imported.ok()) return imported.status();
    ExchangePage page;
    page.import = std::move(imported).value();
    page.what = what;
    const StopNciiCheckpoint& next = paging.value();
    page.done = next.next_page_token.empty();
    page.checkpoint = FormatStopNciiCheckpoint(
        page.done ? StopNciiCheckpoint{next.start_timestamp, ""}
                  : StopNciiCheckpoint{cp.start_timestamp, next.next_page_token});
    return page;
  }

 private:
  host::Exchange exchange_;
  std::string subscription_key_, function_key_;
  ClientOptions options_;
  std::string base_;
};

hashbank::ImportFormat FolderFormat(const fs::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".xml") return hashbank::ImportFormat::kNcmecXml;
  if (ext == ".json") return hashbank::ImportFormat::kStopNciiJson;
  if (ext == ".csv") return hashbank::ImportFormat::kTeCsv;
  return hashbank::ImportFormat::kHma;
}

class FolderClient : public ExchangeClient {
 public:
  FolderClient(host::Exchange exchange, ClientOptions options)
      : exchange_(std::move(exchange)), options_(std::move(options)) {}

  StatusOr<ExchangePage> FetchPage(const std::string& checkpoint) override {
    std::error_code ec;
    std::vector<std::string> names;
    for (fs::directory_iterator it(exchange_.endpoint, ec), end; !ec && it != end;
         it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.empty() || name[0] == '.' || !it->is_regular_file(ec)) continue;
      if (name > checkpoint) names.push_back(name);
    }
    if (ec) {
      return Status::IoError("cannot read the folder " + exchange_.endpoint + ": " + ec.message());
    }
    std::sort(names.begin(), names.end());
    ExchangePage page;
    if (names.empty()) {
      page.unchanged = true;
      page.done = true;
      page.checkpoint = checkpoint;
      page.what = "no new file";
      return page;
    }
    const fs::path file = fs::path(exchange_.endpoint) / names.front();
    auto imported = Imported(hashbank::ImportFile(FolderFormat(file), file.string(),
                                                  ImportOptionsFor(exchange_, Now(options_))),
                             file.string());
    if (!imported.ok()) return imported.status();
    page.import = std::move(imported).value();
    page.checkpoint = names.front();
    page.done = names.size() == 1;
    page.what = names.front();
    return page;
  }

 private:
  host::Exchange exchange_;
  ClientOptions options_;
};

class HttpListClient : public ExchangeClient {
 public:
  HttpListClient(host::Exchange exchange, std::string token, ClientOptions options)
      : exchange_(std::move(exchange)), token_(std::move(token)), options_(std::move(options)) {}

  StatusOr<ExchangePage> FetchPage(const std::string& checkpoint) override {
    HttpRequest request;
    request.url = exchange_.endpoint;
    request.timeout_ms = options_.timeout_ms;
    if (!checkpoint.empty()) request.headers.push_back("If-None-Match: " + checkpoint);
    if (!token_.empty()) request.headers.push_back("Authorization: Bearer " + token_);
    auto response = FetchWithRetries(request, options_.retry, nullptr, options_.http_get);
    if (!response.ok()) return response.status();
    ExchangePage page;
    page.done = true;
    page.what = "list " + exchange_.endpoint.substr(0, exchange_.endpoint.find('?'));
    if (response.value().status == 304) {
      page.unchanged = true;
      page.checkpoint = checkpoint;
      return page;
    }
    if (response.value().status != 200) {
      return Status::Unavailable("HTTP " + std::to_string(response.value().status) + " from " +
                                 page.what + " (expected 200 or 304)");
    }
    auto imported = Imported(
        hashbank::ImportHma(response.value().body, ImportOptionsFor(exchange_, Now(options_))),
        page.what);
    if (!imported.ok()) return imported.status();
    page.import = std::move(imported).value();
    page.replace = true;
    const std::string& etag = response.value().etag;
    page.checkpoint = SafeEtag(etag) ? etag : "";
    return page;
  }

 private:
  static bool SafeEtag(const std::string& etag) {
    if (etag.empty() || etag.size() > 256) return false;
    return std::all_of(etag.begin(), etag.end(),
                       [](unsigned char c) { return c >= ' ' && c < 0x7f; });
  }

  host::Exchange exchange_;
  std::string token_;
  ClientOptions options_;
};

}  // namespace

std::string NcmecTime(int64_t unix_seconds) { return host::UtcText(unix_seconds); }

std::string FormatNcmecCheckpoint(const NcmecCheckpoint& cp) {
  return "ncmec1 " + std::to_string(cp.from_unix) + " " + std::to_string(cp.to_unix) + " " +
         (cp.next.empty() ? "-" : cp.next);
}

StatusOr<NcmecCheckpoint> ParseNcmecCheckpoint(const std::string& text) {
  NcmecCheckpoint cp;
  if (text.empty()) return cp;
  std::vector<std::string> parts;
  std::istringstream in(text);
  for (std::string part; in >> part;) parts.push_back(part);
  if (parts.size() != 4 || parts[0] != "ncmec1" || !AllDigits(parts[1]) || !AllDigits(parts[2]) ||
      (parts[3] != "-" && !SafeLink(parts[3]))) {
    return Status::InvalidArgument(
        "the stored NCMEC checkpoint is not one this build wrote (reset it with `vigil "
        "exchanges remove` and add the exchange again)");
  }
  cp.from_unix = std::stoll(parts[1]);
  cp.to_unix = std::stoll(parts[2]);
  if (parts[3] != "-") cp.next = parts[3];
  if (cp.to_unix != 0 && cp.to_unix < cp.from_unix) {
    return Status::InvalidArgument("the stored NCMEC checkpoint's window ends before it starts");
  }
  return cp;
}

StatusOr<std::string> NcmecNextLink(const std::string& xml) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default & ~pugi::parse_doctype);
  if (!parsed) {
    return Status::InvalidArgument(std::string("not well-formed XML (") + parsed.description() +
                                   " at byte " + std::to_string(parsed.offset) + ")");
  }
  const pugi::xml_node root = doc.document_element();
  if (!root || LocalName(root) != "queryResult") {
    return Status::InvalidArgument("not an NCMEC <queryResult> entries page");
  }
  const pugi::xml_node paging = Child(root, "paging");
  if (!paging) return std::string();
  const pugi::xml_node next = Child(paging, "next");
  if (!next) return std::string();
  std::string link = next.child_value();
  const size_t b = link.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return std::string();
  link = link.substr(b, link.find_last_not_of(" \t\r\n") - b + 1);
  if (!SafeLink(link)) {
    return Status::InvalidArgument(
        "the page's next link is not a /v2/entries path on the "
        "same server");
  }
  return link;
}

StatusOr<StopNciiCredentials> ParseStopNciiCredentials(const std::string& secret) {
  StopNciiCredentials keys;
  const size_t first = secret.find(':');
  const size_t second = first == std::string::npos ? first : secret.find(':', first + 1);
  keys.subscription_key = secret.substr(0, first);
  if (first != std::string::npos) {
    keys.fetch_function_key = secret.substr(
        first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  }
  if (second != std::string::npos) keys.submit_feedback_function_key = secret.substr(second + 1);
  if (keys.subscription_key.empty() || keys.fetch_function_key.empty() ||
      (second != std::string::npos &&
       (keys.submit_feedback_function_key.empty() ||
        keys.submit_feedback_function_key.find(':') != std::string::npos))) {
    return Status::InvalidArgument(
        "a StopNCII exchange needs credentials \"subscription-key:fetch-function-key\" or, to "
        "send feedback, \"subscription-key:fetch-function-key:submitfeedback-function-key\" "
        "(from file:PATH or env:NAME)");
  }
  return keys;
}

std::string FormatStopNciiCheckpoint(const StopNciiCheckpoint& cp) {
  return "stopncii1 " + std::to_string(cp.start_timestamp) + " " +
         (cp.next_page_token.empty() ? "-" : cp.next_page_token);
}

StatusOr<StopNciiCheckpoint> ParseStopNciiCheckpoint(const std::string& text) {
  StopNciiCheckpoint cp;
  if (text.empty()) return cp;
  std::vector<std::string> parts;
  std::istringstream in(text);
  for (std::string part; in >> part;) parts.push_back(part);
  if (parts.size() != 3 || parts[0] != "stopncii1" || !AllDigits(parts[1]) ||
      (parts[2] != "-" && !SafeToken(parts[2]))) {
    return Status::InvalidArgument(
        "the stored StopNCII checkpoint is not one this build wrote (reset it with `vigil "
        "exchanges remove` and add the exchange again)");
  }
  cp.start_timestamp = std::stoll(parts[1]);
  if (parts[2] != "-") cp.next_page_token = parts[2];
  return cp;
}

StatusOr<StopNciiCheckpoint> StopNciiPaging(const std::string& json) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded()) return Status::InvalidArgument("not well-formed JSON");
  if (!doc.is_object() || !doc.contains("hashRecords")) {
    return Status::InvalidArgument("not a StopNCII FetchHashes answer (no hashRecords)");
  }
  const auto more = doc.find("hasMoreRecords");
  const auto next_ts = doc.find("nextSetTimestamp");
  if (more == doc.end() || !more->is_boolean()) {
    return Status::InvalidArgument("hasMoreRecords is missing or not true/false");
  }
  if (next_ts == doc.end() || !next_ts->is_number_integer() || next_ts->get<int64_t>() < 0) {
    return Status::InvalidArgument("nextSetTimestamp is missing or not a timestamp");
  }
  StopNciiCheckpoint cp;
  cp.start_timestamp = next_ts->get<int64_t>();
  if (more->get<bool>()) {
    const auto token = doc.find("nextPageToken");
    if (token == doc.end() || !token->is_string() || !SafeToken(token->get<std::string>())) {
      return Status::InvalidArgument(
          "hasMoreRecords is true but nextPageToken is missing or not a printable token");
    }
    cp.next_page_token = token->get<std::string>();
  }
  return cp;
}

StatusOr<std::string> ResolveCredentials(const std::string& reference) {
  if (reference.empty()) return std::string();
  std::string secret;
  if (reference.rfind("file:", 0) == 0) {
    const std::string path = reference.substr(5);
    std::ifstream in(path);
    if (!in) return Status::IoError("cannot read the credentials file " + path);
    std::getline(in, secret);
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (secret.empty()) {
      return Status::InvalidArgument("no credentials on the first line of " + path);
    }
    return secret;
  }
  if (reference.rfind("env:", 0) == 0) {
    const char* value = std::getenv(reference.substr(4).c_str());
    if (value == nullptr || *value == '\0') {
      return Status::InvalidArgument("the environment variable " + reference.substr(4) +
                                     " (the exchange's credentials) is not set");
    }
    return std::string(value);
  }
  return Status::InvalidArgument("credentials are a reference: file:PATH or env:NAME");
}

StatusOr<std::unique_ptr<ExchangeClient>> MakeExchangeClient(const host::Exchange& exchange,
                                                             const std::string& secret,
                                                             const ClientOptions& options) {
  if (exchange.kind == "ncmec") {
    const size_t colon = secret.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == secret.size()) {
      return Status::InvalidArgument(
          "an NCMEC exchange needs credentials \"user:password\" (from file:PATH or env:NAME)");
    }
    return std::unique_ptr<ExchangeClient>(std::make_unique<NcmecClient>(
        exchange, secret.substr(0, colon), secret.substr(colon + 1), options));
  }
  if (exchange.kind == "folder") {
    return std::unique_ptr<ExchangeClient>(std::make_unique<FolderClient>(exchange, options));
  }
  if (exchange.kind == "http") {
    return std::unique_ptr<ExchangeClient>(
        std::make_unique<HttpListClient>(exchange, secret, options));
  }
  if (exchange.kind == "stopncii") {
    auto keys = ParseStopNciiCredentials(secret);
    if (!keys.ok()) return keys.status();
    return std::unique_ptr<ExchangeClient>(std::make_unique<StopNciiClient>(
        exchange, keys.value().subscription_key, keys.value().fetch_function_key, options));
  }
  if (exchange.kind == "threatexchange") {
    return MakeThreatExchangeClient(exchange, secret, options);
  }
  return Status::Unsupported("syncing " + exchange.kind + " exchanges is not built");
}

}  // namespace vigil::exchange
