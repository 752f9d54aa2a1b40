#include "service/http_server.h"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace vigil::service {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr std::chrono::seconds kWriteTimeout{30};
constexpr std::chrono::seconds kCloseTimeout{2};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Status ParseListen(const std::string& listen, std::string* host, uint16_t* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 >= listen.size()) {
    return Status::InvalidArgument("--listen wants HOST:PORT (e.g. 127.0.0.1:8080), not '" +
                                   listen + "'");
  }
  std::string h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) h = "127.0.0.1";
  std::string p = listen.substr(colon + 1);
  if (p.size() > 5 ||
      !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument("--listen: '" + p + "' is not a port number");
  }
  unsigned long value = std::stoul(p);
  if (value > 65535) return Status::InvalidArgument("--listen: port " + p + " is over 65535");
  boost::system::error_code ec;
  net::ip::make_address(h, ec);
  if (ec) {
    return Status::InvalidArgument("--listen: '" + h +
                                   "' is not an IP address (e.g. 127.0.0.1 or ::1)");
  }
  *host = h;
  *port = static_cast<uint16_t>(value);
  return Status::Ok();
}

struct HttpServer::Impl {
  HttpServerOptions options;
  DispatchContext context;
  // Declared before the io_context: sessions destroyed with it still count themselves out.
  std::atomic<int> connections{0};
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  std::atomic<bool> stopped{false};
  std::optional<ssl::context> tls;
  net::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  uint16_t bound_port = 0;

  Impl(HttpServerOptions o, DispatchContext c)
      : options(std::move(o)), context(c), ioc(std::max(1, options.threads)) {}
  void Accept();
};

namespace {

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(HttpServer::Impl& server, Stream&& stream, bool reject)
      : server_(server),
        stream_(std::move(stream)),
        reject_(reject),
        header_timer_(stream_.get_executor()) {
    server_.connections.fetch_add(1);
  }
  ~Session() { server_.connections.fetch_sub(1); }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Start(); });
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void Start() {
    if constexpr (kTls) {
      Lowest().expires_after(server_.options.header_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->AfterHandshake();
                              });
    } else {
      AfterHandshake();
    }
  }

  void AfterHandshake() {
    if (reject_) {
      return Respond(JsonError(503, "too many connections; try again"), false);
    }
    ReadHeader();
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(server_.options.max_header_bytes);
    // No body limit while the header is read: Beast checks a Content-Length against it as
    // the header ends, before OnHeader can set the route's own limit (a 3 MB upload to a
    // 50 MB route was refused with the 1 MiB default).
    parser_->body_limit(boost::none);
    // A total deadline for the whole header, not an idle one: a client that trickles a
    // byte a second is cut off all the same (slowloris). Our own timer rather than the
    // stream's expiry, which would close the socket before the 408 could be written.
    Lowest().expires_never();
    header_timed_out_ = false;
    header_timer_.expires_after(server_.options.header_timeout);
    header_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: the header arrived
      self->header_timed_out_ = true;
      beast::error_code ignored;
      self->Lowest().socket().cancel(ignored);
    });
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              self->header_timer_.cancel();
                              if (self->header_timed_out_) ec = beast::error::timeout;
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return ReadFailed(ec, /*header=*/true);
    const auto& req = parser_->get();
    std::string target(req.target());
    size_t q = target.find('?');
    std::string path = target.substr(0, q);
    const Route* route =
        server_.context.router->Match(std::string(req.method_string()), path, nullptr, nullptr);
    uint64_t limit = route != nullptr ? route->body_limit : kSmallBodyLimit;
    auto length = parser_->content_length();
    if (length && *length > limit) {
      return Respond(
          JsonError(413, "body of " + std::to_string(*length) +
                             " bytes is over this route's limit of " + std::to_string(limit)),
          false);
    }
    parser_->body_limit(limit);
    if (Lower(std::string(req[http::field::expect])) == "100-continue" && !parser_->is_done()) {
      continue_ = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      Lowest().expires_after(kWriteTimeout);
      http::async_write(stream_, *continue_,
                        [self = this->shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    Lowest().expires_after(server_.options.body_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void ReadFailed(beast::error_code ec, bool header) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return Close();
    }
    if (ec == beast::error::timeout) {
      // Nothing sent: an idle keep-alive connection, closed quietly.
      if (!parser_->got_some()) return Close();
      return Respond(JsonError(408, header ? "request header not complete in time"
                                           : "request body not complete in time"),
                     false);
    }
    if (ec == http::error::header_limit) {
      return Respond(
          JsonError(431, "request header over " + std::to_string(server_.options.max_header_bytes) +
                             " bytes"),
          false);
    }
    if (ec == http::error::body_limit) {
      return Respond(JsonError(413, "body over this route's limit"), false);
    }
    if (!parser_->got_some()) return Close();
    Respond(JsonError(400, "malformed HTTP request: " + ec.message()), false);
  }

  void OnBody(beast::error_code ec) {
    if (ec) return ReadFailed(ec, /*header=*/false);
    http::request<http::string_body> req = parser_->release();
    HttpRequest request;
    request.method = std::string(req.method_string());
    std::string target(req.target());
    size_t q = target.find('?');
    request.path = target.substr(0, q);
    if (q != std::string::npos) request.query = target.substr(q + 1);
    for (const auto& field : req) {
      request.headers[Lower(field.name_string())] = std::string(field.value());
    }
    request.body = std::move(req.body());
    bool keep_alive = req.keep_alive();
    version_ = req.version();
    server_.in_flight.fetch_add(1);
    HttpResponse response = Dispatch(server_.context, request);
    server_.in_flight.fetch_sub(1);
    if (server_.stopping.load()) keep_alive = false;
    Respond(std::move(response), keep_alive);
  }

  void Respond(HttpResponse r, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), version_);
    res->set(http::field::server, "vigil");
    res->set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) res->set(name, value);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    response_ = res;
    Lowest().expires_after(kWriteTimeout);
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        self->response_.reset();
                        if (ec) return self->Close();
                        if (!keep_alive) return self->Close();
                        self->ReadHeader();
                      });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    if constexpr (kTls) {
      Lowest().expires_after(kCloseTimeout);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        self->Lowest().socket().close(ignored);
      });
    } else {
      beast::error_code ignored;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      // Read what the client still sends (up to a deadline) before closing, so that an
      // answer written before the body was read is not lost to a reset.
      Drain();
    }
  }

  void Drain() {
    drain_.resize(64 * 1024);
    Lowest().expires_after(kCloseTimeout);
    Lowest().async_read_some(net::buffer(drain_),
                             [self = this->shared_from_this()](beast::error_code ec, size_t) {
                               if (ec) {
                                 beast::error_code ignored;
                                 self->Lowest().socket().close(ignored);
                                 return;
                               }
                               self->Drain();
                             });
  }

  HttpServer::Impl& server_;
  Stream stream_;
  bool reject_;
  net::steady_timer header_timer_;
  bool header_timed_out_ = false;
  bool closed_ = false;
  unsigned version_ = 11;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
  std::shared_ptr<http::response<http::empty_body>> continue_;
  std::vector<char> drain_;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
      return Accept();  // e.g. out of file descriptors for a moment: keep accepting
    }
    bool reject = connections.load() >= options.max_connections || stopping.load();
    if (tls) {
      std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          *this, beast::ssl_stream<beast::tcp_stream>(std::move(socket), *tls), reject)
          ->Run();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(*this, beast::tcp_stream(std::move(socket)),
                                                   reject)
          ->Run();
    }
    Accept();
  });
}

HttpServer::HttpServer(HttpServerOptions options, DispatchContext context)
    : impl_(std::make_unique<Impl>(std::move(options), context)) {}

HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(0)); }

Status HttpServer::Start() {
  Impl& s = *impl_;
  if (s.context.router == nullptr) return Status::InvalidArgument("the server has no router");
  if (s.options.tls_cert.empty() != s.options.tls_key.empty()) {
    return Status::InvalidArgument("TLS needs both --tls-cert and --tls-key");
  }
  if (!s.options.tls_cert.empty()) {
    s.tls.emplace(ssl::context::tls_server);
    s.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    s.tls->use_certificate_chain_file(s.options.tls_cert, ec);
    if (ec) {
      return Status::InvalidArgument("cannot use the TLS certificate " + s.options.tls_cert + ": " +
                                     ec.message());
    }
    s.tls->use_private_key_file(s.options.tls_key, ssl::context::pem, ec);
    if (ec) {
      return Status::InvalidArgument("cannot use the TLS key " + s.options.tls_key + ": " +
                                     ec.message());
    }
  }
  beast::error_code ec;
  auto address = net::ip::make_address(s.options.host, ec);
  if (ec) return Status::InvalidArgument("'" + s.options.host + "' is not an IP address");
  tcp::endpoint endpoint(address, s.options.port);
  s.acceptor.emplace(net::make_strand(s.ioc));
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (!ec) s.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + s.options.host + ":" +
                               std::to_string(s.options.port) + ": " + ec.message());
  }
  s.bound_port = s.acceptor->local_endpoint().port();
  s.Accept();
  for (int i = 0; i < std::max(1, s.options.threads); ++i) {
    s.threads.emplace_back([&s] { s.ioc.run(); });
  }
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->bound_port; }

int HttpServer::connections() const { return impl_->connections.load(); }

void HttpServer::Stop(std::chrono::milliseconds drain) {
  Impl& s = *impl_;
  if (s.stopped.exchange(true)) return;
  s.stopping = true;
  if (s.acceptor) {
    net::post(s.acceptor->get_executor(), [&s] {
      beast::error_code ignored;
      s.acceptor->close(ignored);
    });
  }
  auto until = std::chrono::steady_clock::now() + drain;
  while (s.in_flight.load() > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  s.ioc.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
}

}  // namespace vigil::service
