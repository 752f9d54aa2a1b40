// HttpEgress: the host's one way out for plugins (vigil.http/1, docs/isolation.md
// "Outbound HTTPS"). It performs a plugin's HTTPS request with libcurl only when the
// origin (https://host:port) is listed in the plugin's signed manifest AND in the host
// config's [egress] allowed_origins, within the config's size and time limits; no
// redirects are followed, no proxy from the environment is used, no other scheme is
// spoken, the certificate and host name are verified. Every request, allowed or not,
// goes to the audit (plugin, detector, origin, method, bytes, status or refusal,
// duration; never the URL's path, the headers or the bodies).
#ifndef VIGIL_HOST_ISOLATION_HTTP_EGRESS_H_
#define VIGIL_HOST_ISOLATION_HTTP_EGRESS_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/status.h"
#include "loader/analyzer.h"
#include "loader/http_service.h"

namespace vigil::host {
class Store;
}

namespace vigil::isolation {

// [egress] in the host config.
struct EgressConfig {
  std::set<std::string> allowed_origins;   // normal form, see NormalizeOrigin
  std::filesystem::path ca_file;           // empty: the system's CA store
  uint64_t max_request_bytes = 1u << 20;   // request body
  uint64_t max_response_bytes = 4u << 20;  // response body
  std::chrono::milliseconds timeout{10000};
};

// Upper bounds the config may not pass (a request and an answer travel in one frame).
inline constexpr uint64_t kMaxEgressBodyBytes = 32u << 20;
inline constexpr int64_t kMaxEgressTimeoutMs = 600000;

// "https://Example.org" -> "https://example.org:443". An origin is https, a host and
// an optional port, nothing else (a single trailing "/" is tolerated). Says why not.
StatusOr<std::string> NormalizeOrigin(const std::string& text);

// Who is asking: the plugin file, its detector, and the origins its signed manifest
// lists (normal form; empty for an unsigned or first-party plugin).
struct EgressCaller {
  std::string plugin;         // file name
  std::string plugin_sha256;  // hex; empty when not known (first-party)
  std::string detector;
  std::set<std::string> manifest_origins;
};

// One audited request. `outcome` is "ok" or the refusal/failure text.
struct EgressRecord {
  EgressCaller caller;
  std::string origin;  // "" when the URL did not parse
  std::string method;
  uint64_t bytes_sent = 0;      // request body
  uint64_t bytes_received = 0;  // response body
  int32_t status = 0;           // HTTP status, 0 without a response
  bool allowed = false;         // the request was sent
  std::string outcome;
  int64_t duration_ms = 0;
};

class EgressAudit {
 public:
  virtual ~EgressAudit() = default;
  // [thread-safe] Called once per request, after it finished or was refused.
  virtual void Record(const EgressRecord& record) = 0;
};

// Appends each record to a store's hash-chained audit log (action "egress.request" or
// "egress.refused", actor "plugin:<detector>"), on a connection of its own so that it
// can write from any analysis thread. A record that cannot be written is reported on
// stderr.
class StoreEgressAudit : public EgressAudit {
 public:
  static StatusOr<std::shared_ptr<StoreEgressAudit>> Open(const std::filesystem::path& store);
  ~StoreEgressAudit() override;
  void Record(const EgressRecord& record) override;

 private:
  StoreEgressAudit() = default;
  std::mutex mutex_;
  std::unique_ptr<host::Store> store_;
};

class HttpEgress {
 public:
  explicit HttpEgress(EgressConfig config);
  const EgressConfig& config() const { return config_; }
  // Where records go. Without an audit every request is refused. [thread-safe]
  void SetAudit(std::shared_ptr<EgressAudit> audit);

  // [thread-safe] Performs or refuses one request. A `deadline` (not the default
  // time_point) shortens the timeout: the call that asks must still answer in time.
  host::HttpAnswer Perform(const EgressCaller& caller, const host::HttpCall& call,
                           std::chrono::steady_clock::time_point deadline = {});

 private:
  host::HttpAnswer Execute(const host::HttpCall& call, const std::string& origin,
                           std::chrono::milliseconds timeout, EgressRecord& record);

  EgressConfig config_;
  std::mutex mutex_;
  std::shared_ptr<EgressAudit> audit_;
};

// An in-process analyzer whose plugin may use vigil.http/1 through `egress` as
// `caller` (requests made on the analyzing thread).
std::unique_ptr<host::Analyzer> WithEgress(std::unique_ptr<host::Analyzer> analyzer,
                                           EgressCaller caller, std::shared_ptr<HttpEgress> egress);

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_HTTP_EGRESS_H_
