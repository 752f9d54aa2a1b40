// The socket half of `vigil serve` (issue 14 item 1): HTTP/1.1 with keep-alive on
// Boost.Beast, plain or TLS (OpenSSL through Asio), on N threads.
//
// Rationale (Beast, not cpp-httplib): Beast is asynchronous, so a slow client holds a
// few kilobytes and no thread; the header and body limits are set per request before the
// body is read (a 50 MB upload route and a 1 MB JSON route in one server); the deadlines
// against slow clients are ours (a total deadline for the header, one for the body, so a
// client trickling one byte a second is cut off); TLS comes from Asio's OpenSSL stream;
// and Boost is already a dependency, so nothing new is installed.
//
// Limits: a header over max_header_bytes answers 431; a body over the route's limit 413
// (unread, from Content-Length, or as soon as it passes the limit); a header not complete
// within header_timeout answers 408 and the connection closes; a body not complete within
// body_timeout closes the connection; over max_connections a new connection gets 503.
#ifndef VIGIL_HOST_SERVICE_HTTP_SERVER_H_
#define VIGIL_HOST_SERVICE_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "service/http_api.h"

namespace vigil::service {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see HttpServer::port())
  int threads = 2;
  uint32_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{120000};
  std::chrono::milliseconds idle_timeout{30000};  // keep-alive wait for the next request
  int max_connections = 1024;
  // PEM files; both set: every connection is TLS.
  std::string tls_cert;
  std::string tls_key;
};

// "127.0.0.1:8080" (or "[::1]:8080") into host and port; an error names what is wrong.
Status ParseListen(const std::string& listen, std::string* host, uint16_t* port);

class HttpServer {
 public:
  // `context` (router, auth, limiter, observer) must outlive the server.
  HttpServer(HttpServerOptions options, DispatchContext context);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the threads; an error (address in use, bad TLS files) in one line.
  Status Start();
  // The port bound (useful with port 0). REQUIRES: Start() returned Ok.
  uint16_t port() const;
  // Stops accepting, lets requests being handled finish (up to `drain`), then stops the
  // threads. Idempotent.
  void Stop(std::chrono::milliseconds drain = std::chrono::milliseconds(5000));
  // Connections open now (for tests and /metrics).
  int connections() const;

  struct Impl;  // the sessions' view of the server (http_server.cc only)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::service

#endif  // VIGIL_HOST_SERVICE_HTTP_SERVER_H_
