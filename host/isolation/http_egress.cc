#include "isolation/http_egress.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "loader/host_services.h"
#include "scan/scan_json.h"
#include "store/audit_log.h"
#include "store/store.h"

namespace vigil::isolation {
namespace {

using Clock = std::chrono::steady_clock;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct UrlHandle {
  CURLU* url = curl_url();
  ~UrlHandle() { curl_url_cleanup(url); }
  // The part, or "" when it is absent.
  std::string Get(CURLUPart part, unsigned flags = 0) const {
    char* value = nullptr;
    if (curl_url_get(url, part, &value, flags) != CURLUE_OK || value == nullptr) return "";
    std::string out(value);
    curl_free(value);
    return out;
  }
};

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool HasControlOrSpace(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

// Parses `text` into `handle`; on success `origin` is scheme://host:port (lower case).
Status ParseUrl(const std::string& text, UrlHandle& handle, std::string& origin) {
  if (text.empty() || HasControlOrSpace(text)) {
    return Status::InvalidArgument("the URL is empty or contains spaces or control characters");
  }
  if (handle.url == nullptr) return Status::Resource("out of memory");
  if (curl_url_set(handle.url, CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
      CURLUE_OK) {
    return Status::InvalidArgument("'" + text.substr(0, 200) + "' is not a URL");
  }
  const std::string scheme = Lower(handle.Get(CURLUPART_SCHEME));
  const std::string host = Lower(handle.Get(CURLUPART_HOST));
  const std::string port = handle.Get(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (scheme.empty() || host.empty()) {
    return Status::InvalidArgument("'" + text.substr(0, 200) + "' has no scheme or host");
  }
  origin = scheme + "://" + host + (port.empty() ? "" : ":" + port);
  if (!handle.Get(CURLUPART_USER).empty() || !handle.Get(CURLUPART_PASSWORD).empty()) {
    return Status::InvalidArgument("the URL carries user info (user@host), which is not allowed");
  }
  return Status::Ok();
}

bool IsTokenChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

const std::set<std::string>& ForbiddenHeaders() {
  static const std::set<std::string> names = {
      "host",    "content-length",      "transfer-encoding", "connection", "expect", "te",
      "upgrade", "proxy-authorization", "proxy-connection",  "keep-alive", "trailer"};
  return names;
}

Status CheckRequest(const host::HttpCall& call) {
  static const std::set<std::string> methods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
  if (methods.count(call.method) == 0) {
    return Status::InvalidArgument("method '" + call.method.substr(0, 16) +
                                   "' is not one of GET, HEAD, POST, PUT, PATCH, DELETE");
  }
  if ((call.method == "GET" || call.method == "HEAD") && !call.body.empty()) {
    return Status::InvalidArgument(call.method + " takes no body");
  }
  if (call.headers.size() > host::kMaxHttpHeaders) {
    return Status::InvalidArgument("more than 64 request headers");
  }
  size_t total = 0;
  for (const host::HttpHeader& header : call.headers) {
    total += header.name.size() + header.value.size();
    if (header.name.empty() || !std::all_of(header.name.begin(), header.name.end(), IsTokenChar)) {
      return Status::InvalidArgument("a request header name is not an HTTP token");
    }
    if (header.value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos) {
      return Status::InvalidArgument("request header " + header.name + " contains CR, LF or NUL");
    }
    if (ForbiddenHeaders().count(Lower(header.name)) > 0) {
      return Status::InvalidArgument("request header " + header.name +
                                     " is set by the host, not by a plugin");
    }
  }
  if (total > host::kMaxHttpHeaderBytes) {
    return Status::InvalidArgument("the request headers are over 64 KiB");
  }
  return Status::Ok();
}

struct Transfer {
  std::string body;
  uint64_t max_body = 0;
  bool body_over = false;
  std::vector<host::HttpHeader> headers;
  size_t header_bytes = 0;
  bool headers_over = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->body.size() + n > t->max_body) {
    t->body_over = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  t->body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {  // a new response (after a 1xx): start over
    t->headers.clear();
    t->header_bytes = 0;
    return n;
  }
  const size_t colon = line.find(':');
  if (line.empty() || colon == std::string::npos) return n;
  std::string value = line.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  t->header_bytes += n;
  if (t->headers.size() >= host::kMaxHttpHeaders * 2 ||
      t->header_bytes > host::kMaxHttpHeaderBytes) {
    t->headers_over = true;
    return 0;
  }
  t->headers.push_back({line.substr(0, colon), value});
  return n;
}

struct CurlSlist {
  curl_slist* list = nullptr;
  ~CurlSlist() { curl_slist_free_all(list); }
  bool Append(const std::string& line) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (grown == nullptr) return false;
    list = grown;
    return true;
  }
};

class EgressAnalyzer : public host::Analyzer {
 public:
  EgressAnalyzer(std::unique_ptr<host::Analyzer> inner, EgressCaller caller,
                 std::shared_ptr<HttpEgress> egress)
      : inner_(std::move(inner)), caller_(std::move(caller)), egress_(std::move(egress)) {}

  host::AnalyzeOutcome Analyze(const vigil_item_view_t& item) override {
    const host::HttpHandler handler = [this](const host::HttpCall& call) {
      return egress_->Perform(caller_, call, host::ThreadDeadline());
    };
    host::ScopedHttpHandler scope(&handler);
    return inner_->Analyze(item);
  }
  const std::string& detector_id() const override { return inner_->detector_id(); }
  // vigil.frames/1 passes through (vigil.http/1 is not offered during frame calls).
  host::FrameWants frame_wants() const override { return inner_->frame_wants(); }
  StatusOr<std::unique_ptr<host::VideoSession>> BeginVideo(
      const vigil_item_view_t& item, const vigil_video_info_t& info) override {
    return inner_->BeginVideo(item, info);
  }

 private:
  std::unique_ptr<host::Analyzer> inner_;
  EgressCaller caller_;
  std::shared_ptr<HttpEgress> egress_;
};

}  // namespace

StatusOr<std::string> NormalizeOrigin(const std::string& text) {
  GlobalInit();
  UrlHandle handle;
  std::string origin;
  if (Status s = ParseUrl(text, handle, origin); !s.ok()) {
    return Status::InvalidArgument("origin '" + text.substr(0, 200) + "': " + s.message());
  }
  if (Lower(handle.Get(CURLUPART_SCHEME)) != "https") {
    return Status::InvalidArgument("origin '" + text.substr(0, 200) + "' is not https://");
  }
  const std::string path = handle.Get(CURLUPART_PATH);
  if ((!path.empty() && path != "/") || !handle.Get(CURLUPART_QUERY).empty() ||
      !handle.Get(CURLUPART_FRAGMENT).empty()) {
    return Status::InvalidArgument("origin '" + text.substr(0, 200) +
                                   "' has a path, query or fragment; an origin is "
                                   "https://host[:port]");
  }
  return origin;
}

StatusOr<std::shared_ptr<StoreEgressAudit>> StoreEgressAudit::Open(
    const std::filesystem::path& store) {
  auto opened = host::Store::Open(store);
  if (!opened.ok()) return opened.status();
  std::shared_ptr<StoreEgressAudit> audit(new StoreEgressAudit());
  audit->store_ = std::move(opened).value();
  return audit;
}

StoreEgressAudit::~StoreEgressAudit() = default;

void StoreEgressAudit::Record(const EgressRecord& record) {
  nlohmann::ordered_json details = {{"plugin", record.caller.plugin},
                                    {"plugin_sha256", record.caller.plugin_sha256},
                                    {"detector", record.caller.detector},
                                    {"origin", record.origin},
                                    {"method", record.method},
                                    {"bytes_sent", record.bytes_sent},
                                    {"bytes_received", record.bytes_received},
                                    {"status", record.status},
                                    {"result", record.outcome},
                                    {"duration_ms", record.duration_ms}};
  const host::AuditEntry entry{"plugin:" + record.caller.detector,
                               record.allowed ? "egress.request" : "egress.refused", 0,
                               host::JsonText(details)};
  std::lock_guard<std::mutex> lock(mutex_);
  host::Transaction transaction(store_->db());
  Status status = transaction.Begin();
  if (status.ok()) status = host::AppendAudit(store_->db(), entry, host::NowUtc());
  if (status.ok()) status = transaction.Commit();
  if (!status.ok()) {
    std::fprintf(stderr, "vigil: warning: could not audit an outbound request of %s: %s\n",
                 record.caller.detector.c_str(), status.message().c_str());
  }
}

HttpEgress::HttpEgress(EgressConfig config) : config_(std::move(config)) { GlobalInit(); }

void HttpEgress::SetAudit(std::shared_ptr<EgressAudit> audit) {
  std::lock_guard<std::mutex> lock(mutex_);
  audit_ = std::move(audit);
}

host::HttpAnswer HttpEgress::Perform(const EgressCaller& caller, const host::HttpCall& call,
                                     Clock::time_point deadline) {
  std::shared_ptr<EgressAudit> audit;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    audit = audit_;
  }
  if (!audit) {
    return host::HttpAnswer::Refused(VIGIL_ERR_UNSUPPORTED,
                                     "outbound HTTPS needs an audit log, and this command has "
                                     "none (no store is open)");
  }
  const auto started = Clock::now();
  EgressRecord record;
  record.caller = caller;
  record.method = call.method.substr(0, 16);
  record.bytes_sent = call.body.size();
  host::HttpAnswer answer;
  auto refuse = [&](vigil_status_t code, const std::string& why) {
    answer = host::HttpAnswer::Refused(code, why);
  };
  UrlHandle url;
  std::string origin;
  Status parsed = ParseUrl(call.url, url, origin);
  record.origin = parsed.ok() ? origin : "";
  if (Status checked = CheckRequest(call); !checked.ok()) {
    refuse(VIGIL_ERR_INVALID_ARGUMENT, checked.message());
  } else if (!parsed.ok()) {
    refuse(VIGIL_ERR_INVALID_ARGUMENT, parsed.message());
  } else if (Lower(url.Get(CURLUPART_SCHEME)) != "https") {
    refuse(VIGIL_ERR_UNSUPPORTED,
           "only https:// is allowed, not " + Lower(url.Get(CURLUPART_SCHEME)) + "://");
  } else if (!url.Get(CURLUPART_FRAGMENT).empty()) {
    refuse(VIGIL_ERR_INVALID_ARGUMENT, "the URL has a fragment (#...), which is not sent");
  } else if (caller.manifest_origins.count(origin) == 0) {
    refuse(VIGIL_ERR_UNSUPPORTED, "origin " + origin + " is not in the plugin's signed manifest " +
                                      "(egress_origins; `vigil plugins sign --allow-origin`)");
  } else if (config_.allowed_origins.count(origin) == 0) {
    refuse(VIGIL_ERR_UNSUPPORTED,
           "origin " + origin + " is not allowed by the host config ([egress] allowed_origins)");
  } else if (call.body.size() > config_.max_request_bytes) {
    refuse(VIGIL_ERR_RESOURCE, "the request body of " + std::to_string(call.body.size()) +
                                   " bytes is over the host's limit of " +
                                   std::to_string(config_.max_request_bytes) +
                                   " ([egress] max_request_bytes)");
  } else {
    std::chrono::milliseconds timeout = config_.timeout;
    if (call.timeout_ms > 0)
      timeout = std::min(timeout, std::chrono::milliseconds(call.timeout_ms));
    if (deadline != Clock::time_point{}) {
      timeout = std::min(
          timeout, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    }
    if (timeout.count() <= 0) {
      refuse(VIGIL_ERR_CANCELLED, "the call's deadline has passed; no request was sent");
    } else {
      record.allowed = true;
      answer = Execute(call, origin, timeout, record);
      // Execute used `url`'s text, parsed again there: the same parser, the same origin.
    }
  }
  record.outcome = answer.code == VIGIL_OK ? "ok" : answer.error;
  record.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  audit->Record(record);
  return answer;
}

host::HttpAnswer HttpEgress::Execute(const host::HttpCall& call, const std::string& origin,
                                     std::chrono::milliseconds timeout, EgressRecord& record) {
  UrlHandle url;
  std::string again;
  if (!ParseUrl(call.url, url, again).ok() || again != origin) {
    return host::HttpAnswer::Refused(VIGIL_ERR_INTERNAL, "the URL changed while it was checked");
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return host::HttpAnswer::Refused(VIGIL_ERR_RESOURCE, "out of memory");
  std::unique_ptr<CURL, void (*)(CURL*)> guard(curl, curl_easy_cleanup);
  Transfer transfer;
  transfer.max_body = config_.max_response_bytes;
  CurlSlist headers;
  bool ok = headers.Append("Expect:");  // no 100-continue dance
  for (const host::HttpHeader& header : call.headers) {
    ok = ok && headers.Append(header.name + ": " + header.value);
  }
  if (!ok) return host::HttpAnswer::Refused(VIGIL_ERR_RESOURCE, "out of memory");
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_CURLU, url.url);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // "" : never a proxy, whatever the environment
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!config_.ca_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, config_.ca_file.c_str());
    curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);
  }
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(config_.max_response_bytes));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "vigil-egress/1");
  if (call.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (call.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.data());
    if (call.method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  record.status = static_cast<int32_t>(status);
  record.bytes_received = transfer.body.size();
  const std::string detail = error[0] != '\0' ? error : curl_easy_strerror(code);
  const std::string limit = std::to_string(config_.max_response_bytes);
  switch (code) {
    case CURLE_OK: {
      host::HttpAnswer answer;
      answer.code = VIGIL_OK;
      answer.status = static_cast<int32_t>(status);
      answer.headers = std::move(transfer.headers);
      answer.body = std::move(transfer.body);
      return answer;
    }
    case CURLE_FILESIZE_EXCEEDED:
      return host::HttpAnswer::Refused(VIGIL_ERR_RESOURCE,
                                       "the response from " + origin + " is larger than the " +
                                           "host's limit of " + limit +
                                           " bytes ([egress] max_response_bytes)");
    case CURLE_WRITE_ERROR:
      if (transfer.body_over) {
        return host::HttpAnswer::Refused(VIGIL_ERR_RESOURCE,
                                         "the response from " + origin + " is larger than the " +
                                             "host's limit of " + limit +
                                             " bytes ([egress] max_response_bytes)");
      }
      if (transfer.headers_over) {
        return host::HttpAnswer::Refused(VIGIL_ERR_RESOURCE, "the response headers from " + origin +
                                                                 " are over 128 lines or 64 KiB");
      }
      break;
    case CURLE_OPERATION_TIMEDOUT:
      return host::HttpAnswer::Refused(VIGIL_ERR_CANCELLED,
                                       "no answer from " + origin + " within " +
                                           std::to_string(timeout.count()) +
                                           " ms ([egress] timeout_ms, the request's timeout or the "
                                           "call's deadline)");
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return host::HttpAnswer::Refused(
          VIGIL_ERR_INTERNAL,
          "TLS with " + origin + " failed (certificate or host name not " + "verified): " + detail);
    default:
      break;
  }
  return host::HttpAnswer::Refused(VIGIL_ERR_INTERNAL,
                                   "the request to " + origin + " failed: " + detail);
}

std::unique_ptr<host::Analyzer> WithEgress(std::unique_ptr<host::Analyzer> analyzer,
                                           EgressCaller caller,
                                           std::shared_ptr<HttpEgress> egress) {
  return std::make_unique<EgressAnalyzer>(std::move(analyzer), std::move(caller),
                                          std::move(egress));
}

}  // namespace vigil::isolation
