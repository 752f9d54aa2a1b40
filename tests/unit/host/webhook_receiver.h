// A loopback HTTP/1.1 receiver for the webhook tests (issue 14 item 3): listens on
// 127.0.0.1, keeps every request (headers, body) and answers each with the next status of
// a script, then with a default. One connection at a time; every answer closes it. Stop()
// closes the listening socket (connections are then refused) and Start(port) opens it
// again on the same port, for an outage.
#ifndef VIGIL_TESTS_UNIT_HOST_WEBHOOK_RECEIVER_H_
#define VIGIL_TESTS_UNIT_HOST_WEBHOOK_RECEIVER_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vigil::testing {

class WebhookReceiver {
 public:
  struct Request {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    std::string header(const std::string& name) const {
      auto it = headers.find(name);
      return it == headers.end() ? "" : it->second;
    }
  };

  ~WebhookReceiver() { Stop(); }

  // Listens on `port` (0: a free one). False when it cannot.
  bool Start(int port = 0) {
    Stop();
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd_, 64) != 0) {
      ::close(fd_);
      fd_ = -1;
      return false;
    }
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    stop_ = false;
    thread_ = std::thread([this] { Serve(); });
    return true;
  }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  int port() const { return port_; }
  std::string Url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  // The statuses of the next answers, in order; then `fallback`.
  void Script(std::deque<int> statuses, int fallback = 200) {
    std::lock_guard<std::mutex> lock(mutex_);
    script_ = std::move(statuses);
    fallback_ = fallback;
  }
  // Extra headers of every answer (e.g. a Location).
  void AnswerHeaders(const std::string& lines) {
    std::lock_guard<std::mutex> lock(mutex_);
    extra_headers_ = lines;
  }
  // Wait this long before answering each request.
  void Delay(std::chrono::milliseconds delay) { delay_ms_ = delay.count(); }

  std::vector<Request> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      Handle(client);
      ::close(client);
    }
  }

  static std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  }

  void Handle(int client) {
    timeval timeout{5, 0};
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    std::string data;
    char buffer[4096];
    size_t header_end = std::string::npos;
    while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::recv(client, buffer, sizeof(buffer), 0);
      if (n <= 0) return;
      data.append(buffer, static_cast<size_t>(n));
    }
    Request request;
    std::string head = data.substr(0, header_end);
    size_t line_end = head.find("\r\n");
    const std::string first = head.substr(0, line_end);
    const size_t sp1 = first.find(' ');
    const size_t sp2 = first.find(' ', sp1 + 1);
    request.method = first.substr(0, sp1);
    request.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string::npos) end = head.size();
      const std::string line = head.substr(pos, end - pos);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        request.headers[Lower(line.substr(0, colon))] = value;
      }
      pos = end + 2;
    }
    const size_t length =
        std::stoul(request.header("content-length").empty() ? std::string("0")
                                                            : request.header("content-length"));
    request.body = data.substr(header_end + 4);
    while (request.body.size() < length) {
      const ssize_t n = ::recv(client, buffer, sizeof(buffer), 0);
      if (n <= 0) return;
      request.body.append(buffer, static_cast<size_t>(n));
    }
    if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
    int status;
    std::string extra;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(request);
      status = script_.empty() ? fallback_ : script_.front();
      if (!script_.empty()) script_.pop_front();
      extra = extra_headers_;
    }
    const std::string answer = "HTTP/1.1 " + std::to_string(status) +
                               " Test\r\nContent-Length: 2\r\nConnection: close\r\n" + extra +
                               "\r\nok";
    (void)::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{true};
  std::atomic<int64_t> delay_ms_{0};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::deque<int> script_;
  int fallback_ = 200;
  std::string extra_headers_;
  std::vector<Request> requests_;
};

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_UNIT_HOST_WEBHOOK_RECEIVER_H_
