// vigil.http/1 (sdk/include/vigil/ext/http.h) on the host's side of the ABI: the C table
// plugins get from get_extension(), checked and copied into plain C++ values, and handed
// to whoever performs requests for the calling plugin:
//   - in process: a handler the analyze call installs on its own thread
//     (ScopedHttpHandler), which knows the plugin and asks the host's egress service;
//   - in a vigil-worker: the process-wide handler, which forwards the request to the
//     host over the worker's socket.
// With neither (the conformance kit, a host without egress) every request is refused.
#ifndef VIGIL_HOST_LOADER_HTTP_SERVICE_H_
#define VIGIL_HOST_LOADER_HTTP_SERVICE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "vigil/ext/http.h"

namespace vigil::host {

// Hard caps of the ABI layer, whatever the host config says: a request or response
// must fit one worker frame (64 MiB).
inline constexpr size_t kMaxHttpBodyBytes = 32u << 20;
inline constexpr size_t kMaxHttpHeaders = 64;
inline constexpr size_t kMaxHttpHeaderBytes = 64u << 10;  // all names and values together
inline constexpr size_t kMaxHttpUrlBytes = 8u << 10;

struct HttpHeader {
  std::string name;
  std::string value;
};

// One request as the plugin made it (not yet checked against any policy).
struct HttpCall {
  std::string method;
  std::string url;
  std::vector<HttpHeader> headers;
  std::string body;
  uint32_t timeout_ms = 0;  // 0: the host's limit
};

// The answer: `code` VIGIL_OK with status/headers/body, or a status with `error`.
struct HttpAnswer {
  vigil_status_t code = VIGIL_ERR_UNSUPPORTED;
  std::string error;
  int32_t status = 0;
  std::vector<HttpHeader> headers;
  std::string body;

  static HttpAnswer Refused(vigil_status_t code, std::string error) {
    HttpAnswer answer;
    answer.code = code;
    answer.error = std::move(error);
    return answer;
  }
};

using HttpHandler = std::function<HttpAnswer(const HttpCall&)>;

// Requests made on this thread while it lives go to `handler` (which must outlive it).
class ScopedHttpHandler {
 public:
  explicit ScopedHttpHandler(const HttpHandler* handler);
  ~ScopedHttpHandler();
  ScopedHttpHandler(const ScopedHttpHandler&) = delete;
  ScopedHttpHandler& operator=(const ScopedHttpHandler&) = delete;

 private:
  const HttpHandler* previous_;
};

// Requests made on threads without a ScopedHttpHandler go here (the worker). Set once,
// before any plugin code runs.
void SetProcessHttpHandler(HttpHandler handler);

// The table get_extension(host, VIGIL_EXT_HTTP) returns.
const vigil_http_ext_t* HttpExtension();

// The message a request gets when nothing here performs requests.
inline constexpr char kNoEgressService[] =
    "outbound HTTPS is not available here (this host has no egress service for the plugin)";

}  // namespace vigil::host

#endif  // VIGIL_HOST_LOADER_HTTP_SERVICE_H_
