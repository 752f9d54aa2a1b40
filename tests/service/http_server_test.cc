// The HTTP layer of `vigil serve` (issue 14 item 1): routing, JSON errors, limits, slow
// clients, connection cap, TLS, graceful stop; and Dispatch's token checks (item 2).
#include "service/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "service/http_api.h"
#include "tests/service/http_client.h"

namespace vigil::service {
namespace {

using testing::ConnectRaw;
using testing::Fetch;
using testing::RawStatus;
using testing::ReadUntilClose;
using testing::SendAll;

class FakeAuth : public Authenticator {
 public:
  std::optional<Principal> Authenticate(std::string_view token) override {
    if (token == "vgl_submit") return Principal{"uploader", {"submit"}, 0};
    if (token == "vgl_match") return Principal{"matcher", {"match"}, 0};
    if (token == "vgl_slow") return Principal{"slow", {"match"}, 1.0};
    return std::nullopt;
  }
};

Router TestRouter(std::atomic<int>* slow_started = nullptr) {
  Router router;
  router.Add({"GET",
              "/ping",
              {},
              kSmallBodyLimit,
              [](HttpRequest&) { return JsonResponse(200, R"({"pong":true})"); },
              "ping"});
  router.Add({"POST",
              "/echo",
              {},
              1024,
              [](HttpRequest& r) {
                return JsonResponse(200, nlohmann::json{{"size", r.body.size()}}.dump());
              },
              "echo"});
  router.Add({"POST",
              "/big",
              {},
              8u << 20,
              [](HttpRequest& r) {
                return JsonResponse(200, nlohmann::json{{"size", r.body.size()}}.dump());
              },
              "big"});
  router.Add({"GET",
              "/things/{name}",
              {"match"},
              kSmallBodyLimit,
              [](HttpRequest& r) {
                return JsonResponse(
                    200,
                    nlohmann::json{{"name", r.params["name"]}, {"token", r.token_name}}.dump());
              },
              "thing"});
  router.Add({"GET",
              "/boom",
              {},
              kSmallBodyLimit,
              [](HttpRequest&) -> HttpResponse { throw std::runtime_error("kaput"); },
              "boom"});
  router.Add({"GET",
              "/slow",
              {},
              kSmallBodyLimit,
              [slow_started](HttpRequest&) {
                if (slow_started != nullptr) slow_started->fetch_add(1);
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
                return JsonResponse(200, R"({"slow":true})");
              },
              "slow"});
  return router;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions options = {}) {
    options.port = 0;
    context_.router = &router_;
    context_.auth = &auth_;
    context_.limiter = &limiter_;
    server_ = std::make_unique<HttpServer>(options, context_);
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.message();
    port_ = server_->port();
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::atomic<int> slow_started_{0};
  Router router_ = TestRouter(&slow_started_);
  FakeAuth auth_;
  RateLimiter limiter_;
  DispatchContext context_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(HttpServerTest, ServesRoutesWithJsonErrors) {
  StartServer();
  auto ok = Fetch(port_, "GET", "/ping");
  EXPECT_EQ(ok.status, 200) << ok.error;
  EXPECT_EQ(nlohmann::json::parse(ok.body)["pong"], true);

  auto missing = Fetch(port_, "GET", "/nowhere");
  EXPECT_EQ(missing.status, 404);
  auto body = nlohmann::json::parse(missing.body);
  EXPECT_EQ(body["code"], 404);
  EXPECT_NE(body["error"].get<std::string>().find("/nowhere"), std::string::npos);

  EXPECT_EQ(Fetch(port_, "DELETE", "/ping").status, 405);
  auto boom = Fetch(port_, "GET", "/boom");
  EXPECT_EQ(boom.status, 500);
  EXPECT_NE(boom.body.find("kaput"), std::string::npos);
  // The server keeps serving after a handler threw.
  EXPECT_EQ(Fetch(port_, "GET", "/ping").status, 200);
}

TEST_F(HttpServerTest, KeepsConnectionsAlive) {
  StartServer();
  int fd = ConnectRaw(port_);
  ASSERT_GE(fd, 0);
  // Two requests pipelined on one connection, the second asks to close.
  ASSERT_TRUE(SendAll(fd,
                      "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /things/a%20b HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                      "vgl_match\r\nConnection: close\r\n\r\n"));
  bool closed = false;
  std::string raw = ReadUntilClose(fd, &closed);
  ::close(fd);
  EXPECT_TRUE(closed);
  EXPECT_EQ(RawStatus(raw), 200);
  size_t second = raw.find("HTTP/1.1 ", 1);
  ASSERT_NE(second, std::string::npos) << raw;
  EXPECT_EQ(RawStatus(raw.substr(second)), 200) << raw;
  EXPECT_NE(raw.find(R"("name":"a b")"), std::string::npos) << raw;
  EXPECT_NE(raw.find(R"("token":"matcher")"), std::string::npos) << raw;
}

TEST_F(HttpServerTest, MalformedRequestIs400AndOthersAreServed) {
  StartServer();
  int fd = ConnectRaw(port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GARBAGE WITHOUT VERSION\r\n\r\n"));
  std::string raw = ReadUntilClose(fd);
  ::close(fd);
  EXPECT_EQ(RawStatus(raw), 400) << raw;
  EXPECT_NE(raw.find(R"("code":400)"), std::string::npos) << raw;
  EXPECT_EQ(Fetch(port_, "GET", "/ping").status, 200);
}

TEST_F(HttpServerTest, OversizedBodyIs413BeforeItIsRead) {
  StartServer();
  EXPECT_EQ(Fetch(port_, "POST", "/echo", std::string(1000, 'x')).status, 200);
  // Declared too large: answered from the header, the body never sent.
  int fd = ConnectRaw(port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 60000000\r\n\r\n"));
  std::string raw = ReadUntilClose(fd);
  ::close(fd);
  EXPECT_EQ(RawStatus(raw), 413) << raw;
  // Chunked, no length: cut as it passes the limit.
  fd = ConnectRaw(port_);
  ASSERT_GE(fd, 0);
  std::string chunk(600, 'y');
  ASSERT_TRUE(SendAll(fd,
                      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "258\r\n" +
                          chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n"));
  raw = ReadUntilClose(fd);
  ::close(fd);
  EXPECT_EQ(RawStatus(raw), 413) << raw;
  // A route without a large limit takes 1 MiB at most.
  EXPECT_EQ(Fetch(port_, "GET", "/ping", std::string(kSmallBodyLimit + 1, 'z')).status, 413);
  // A route with a large one takes bodies above 1 MiB, up to its own limit.
  auto big = Fetch(port_, "POST", "/big", std::string(3u << 20, 'b'));
  EXPECT_EQ(big.status, 200) << big.body;
  EXPECT_NE(big.body.find(std::to_string(3u << 20)), std::string::npos) << big.body;
  EXPECT_EQ(Fetch(port_, "POST", "/big", std::string((8u << 20) + 1, 'b')).status, 413);
}

TEST_F(HttpServerTest, OversizedHeaderIs431) {
  HttpServerOptions options;
  options.max_header_bytes = 2048;
  StartServer(options);
  auto reply = Fetch(port_, "GET", "/ping", "", "", {{"X-Filler", std::string(4096, 'f')}});
  EXPECT_EQ(reply.status, 431) << reply.error;
}

TEST_F(HttpServerTest, SlowlorisIsCutOffWhileOthersAreServed) {
  HttpServerOptions options;
  options.header_timeout = std::chrono::milliseconds(1000);
  StartServer(options);
  int fd = ConnectRaw(port_);
  ASSERT_GE(fd, 0);
  std::atomic<bool> stop{false};
  // One byte at a time of a header that never ends, until the server hangs up.
  std::thread trickle([&] {
    std::string header = "GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    for (size_t i = 0; !stop.load() && i < 600; ++i) {
      char c = i < header.size() ? header[i] : 'a';
      if (::send(fd, &c, 1, MSG_NOSIGNAL) != 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  // Meanwhile another client is served, several times over.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Fetch(port_, "GET", "/ping").status, 200);
  bool closed = false;
  std::string raw = ReadUntilClose(fd, &closed);
  stop = true;
  trickle.join();
  ::close(fd);
  EXPECT_TRUE(closed) << "the slow client was not cut off";
  EXPECT_EQ(RawStatus(raw), 408) << raw;
  EXPECT_EQ(Fetch(port_, "GET", "/ping").status, 200);
}

TEST_F(HttpServerTest, OverMaxConnectionsIs503) {
  HttpServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  int a = ConnectRaw(port_);
  int b = ConnectRaw(port_);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  for (int i = 0; i < 500 && server_->connections() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(server_->connections(), 2);
  auto reply = Fetch(port_, "GET", "/ping");
  EXPECT_EQ(reply.status, 503) << reply.error;
  ::close(a);
  ::close(b);
  for (int i = 0; i < 500 && server_->connections() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Fetch(port_, "GET", "/ping").status, 200);
}

TEST_F(HttpServerTest, StopLetsARequestInFlightFinish) {
  StartServer();
  testing::Reply reply;
  std::thread client([&] { reply = Fetch(port_, "GET", "/slow"); });
  for (int i = 0; i < 500 && slow_started_.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(slow_started_.load(), 1);
  server_->Stop();
  client.join();
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.headers["connection"], "close");
  // Stopped: nobody listens any more.
  EXPECT_EQ(Fetch(port_, "GET", "/ping").status, 0);
}

TEST_F(HttpServerTest, ListenAddressIsChecked) {
  std::string host;
  uint16_t port = 0;
  EXPECT_TRUE(ParseListen("127.0.0.1:8080", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  EXPECT_TRUE(ParseListen("[::1]:9", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(ParseListen("127.0.0.1", &host, &port).ok());
  EXPECT_FALSE(ParseListen("127.0.0.1:99999", &host, &port).ok());
  EXPECT_FALSE(ParseListen("example.org:80", &host, &port).ok());
  // A port already taken is a one-line error, not a crash.
  StartServer();
  HttpServerOptions taken;
  taken.port = port_;
  HttpServer second(taken, context_);
  Status s = second.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot listen"), std::string::npos) << s.message();
}

// [SECTION] TLS

class TlsTest : public HttpServerTest {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vigil-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-keyout " +
        (dir_ / "key.pem").string() + " -out " + (dir_ / "cert.pem").string() + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl could not make a test certificate";
  }
  void TearDown() override {
    HttpServerTest::TearDown();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

TEST_F(TlsTest, ServesOverTlsWithTheGivenCertificate) {
  HttpServerOptions options;
  options.tls_cert = (dir_ / "cert.pem").string();
  options.tls_key = (dir_ / "key.pem").string();
  StartServer(options);

  namespace beast = boost::beast;
  namespace http = beast::http;
  namespace net = boost::asio;
  namespace ssl = net::ssl;
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(options.tls_cert);
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(60));
  beast::get_lowest_layer(stream).connect(
      net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
  stream.handshake(ssl::stream_base::client);  // throws if the certificate does not verify
  http::request<http::string_body> req(http::verb::get, "/ping", 11);
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_NE(res.body().find("pong"), std::string::npos);

  // Plain HTTP to the TLS port gets no HTTP answer.
  auto plain = Fetch(port_, "GET", "/ping");
  EXPECT_EQ(plain.status, 0);
}

TEST_F(TlsTest, MissingOrBadFilesAreOneLineErrors) {
  HttpServerOptions options;
  options.port = 0;
  options.tls_cert = (dir_ / "nope.pem").string();
  options.tls_key = (dir_ / "key.pem").string();
  context_.router = &router_;
  HttpServer a(options, context_);
  Status s = a.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("nope.pem"), std::string::npos) << s.message();
  options.tls_cert = (dir_ / "cert.pem").string();
  options.tls_key = "";
  HttpServer b(options, context_);
  EXPECT_FALSE(b.Start().ok());
}

// [SECTION] Dispatch: tokens, scopes, rate limits

class DispatchTest : public ::testing::Test {
 protected:
  HttpResponse Call(const std::string& method, const std::string& path, const std::string& token) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    if (!token.empty()) request.headers["authorization"] = "Bearer " + token;
    DispatchContext context{&router_, &auth_, &limiter_, nullptr};
    return Dispatch(context, request);
  }
  Router router_ = TestRouter();
  FakeAuth auth_;
  RateLimiter limiter_;
};

TEST_F(DispatchTest, TokensAndScopes) {
  EXPECT_EQ(Call("GET", "/ping", "").status, 200);  // open route
  HttpResponse missing = Call("GET", "/things/x", "");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(nlohmann::json::parse(missing.body)["code"], 401);
  EXPECT_EQ(Call("GET", "/things/x", "vgl_unknown").status, 401);
  HttpResponse wrong = Call("GET", "/things/x", "vgl_submit");
  EXPECT_EQ(wrong.status, 403);
  EXPECT_NE(wrong.body.find("match"), std::string::npos) << wrong.body;
  EXPECT_EQ(Call("GET", "/things/x", "vgl_match").status, 200);
  // The scheme's name is case-insensitive; anything but a bearer token is refused.
  HttpRequest lower;
  lower.method = "GET";
  lower.path = "/things/x";
  lower.headers["authorization"] = "bearer vgl_match";
  DispatchContext context{&router_, &auth_, &limiter_, nullptr};
  EXPECT_EQ(Dispatch(context, lower).status, 200);
  lower.headers["authorization"] = "Basic dXNlcjpwdw==";
  EXPECT_EQ(Dispatch(context, lower).status, 401);
}

TEST_F(DispatchTest, OverTheTokensRateIs429WithRetryAfter) {
  EXPECT_EQ(Call("GET", "/things/x", "vgl_slow").status, 200);  // the burst of one
  HttpResponse limited = Call("GET", "/things/x", "vgl_slow");
  EXPECT_EQ(limited.status, 429);
  bool retry_after = false;
  for (const auto& [k, v] : limited.headers) retry_after |= (k == "Retry-After" && v == "1");
  EXPECT_TRUE(retry_after);
  // Another token is not held back by this one's bucket.
  EXPECT_EQ(Call("GET", "/things/x", "vgl_match").status, 200);
}

TEST(RateLimiterTest, RefillsAtTheTokensRate) {
  RateLimiter limiter;
  auto t0 = RateLimiter::Clock::time_point() + std::chrono::hours(1);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(limiter.Take("a", 10, t0), 0) << i;  // burst 10
  EXPECT_GE(limiter.Take("a", 10, t0), 1);
  EXPECT_EQ(limiter.Take("a", 10, t0 + std::chrono::milliseconds(100)), 0);  // one refilled
  EXPECT_GE(limiter.Take("a", 10, t0 + std::chrono::milliseconds(100)), 1);
  EXPECT_EQ(limiter.Take("b", 0, t0), 0);  // 0: unlimited
  EXPECT_EQ(limiter.Take("slow", 0.1, t0), 0);
  EXPECT_EQ(limiter.Take("slow", 0.1, t0), 10);  // a request every 10 s
}

TEST(RouterTest, MatchesSegmentsAndDecodes) {
  Router router = TestRouter();
  std::map<std::string, std::string> params;
  bool known = false;
  ASSERT_NE(router.Match("GET", "/things/%41b", &params, &known), nullptr);
  EXPECT_EQ(params["name"], "Ab");
  EXPECT_EQ(router.Match("GET", "/things/", &params, &known), nullptr);
  EXPECT_EQ(router.Match("GET", "/things/a/b", &params, &known), nullptr);
  EXPECT_EQ(router.Match("GET", "/things/%4", &params, &known), nullptr);
  EXPECT_EQ(router.Match("POST", "/ping", &params, &known), nullptr);
  EXPECT_TRUE(known);
  EXPECT_FALSE(PercentDecode("%zz").has_value());
  EXPECT_FALSE(PercentDecode("%").has_value());
  EXPECT_EQ(PercentDecode("a%2Fb").value(), "a/b");
}

}  // namespace
}  // namespace vigil::service
