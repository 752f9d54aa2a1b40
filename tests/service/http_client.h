// A small blocking HTTP client for the service tests (Boost.Beast, plain or TLS), and raw
// socket helpers for what a well-behaved client never sends.
#ifndef VIGIL_TESTS_SERVICE_HTTP_CLIENT_H_
#define VIGIL_TESTS_SERVICE_HTTP_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <map>
#include <string>

namespace vigil::service::testing {

struct Reply {
  int status = 0;  // 0: no answer (connection failed or closed)
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string error;
};

inline Reply ToReply(const boost::beast::http::response<boost::beast::http::string_body>& res) {
  Reply reply;
  reply.status = static_cast<int>(res.result_int());
  reply.body = res.body();
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(f.value());
  }
  return reply;
}

// One request on a fresh connection. `token`: sent as "Authorization: Bearer <token>".
inline Reply Fetch(uint16_t port, const std::string& method, const std::string& target,
                   const std::string& body = "", const std::string& token = "",
                   const std::map<std::string, std::string>& headers = {}) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  namespace net = boost::asio;
  Reply reply;
  try {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(60));
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    http::read(stream, buffer, parser);
    reply = ToReply(parser.get());
  } catch (const std::exception& e) {
    reply.error = e.what();
  }
  return reply;
}

// A connected blocking socket to 127.0.0.1:port with a receive timeout (a guard against a
// hung test, not a timing assertion); -1 on failure.
inline int ConnectRaw(uint16_t port, int recv_timeout_s = 60) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{recv_timeout_s, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

inline bool SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Everything the server writes until it closes the connection (or the receive timeout).
inline std::string ReadUntilClose(int fd, bool* closed = nullptr) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) {
      if (closed != nullptr) *closed = true;
      break;
    }
    if (n < 0) {
      if (closed != nullptr) *closed = false;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// The status code of the first response line in raw bytes, or 0.
inline int RawStatus(const std::string& raw) {
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || raw.size() < 12) return 0;
  return std::atoi(raw.substr(9, 3).c_str());
}

}  // namespace vigil::service::testing

#endif  // VIGIL_TESTS_SERVICE_HTTP_CLIENT_H_
