#include "tests/exchange/mock_ncmec_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace vigil::exchange::testing {
namespace {

std::string Base64(const std::string& in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += kTable[v & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = uint8_t(in[i]) << 16;
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

void SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

std::string Response(int status, const std::string& reason, const std::string& body,
                     const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/xml\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n" + extra_headers + "\r\n" + body;
}

std::string Hex(uint64_t seed, size_t len) {
  std::string out;
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 0x1234567ull;
  while (out.size() < len) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 29;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(x));
    out += buf;
  }
  return out.substr(0, len);
}

std::string Timestamp(int page, int record) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2019-%02d-%02dT%02d:%02d:00Z", 1 + (page / 28) % 12,
                1 + page % 28, record / 60 % 24, record % 60);
  return buf;
}

}  // namespace

MockNcmecServer::MockNcmecServer(std::string user, std::string password)
    : expected_auth_("Basic " + Base64(user + ":" + password)), feed_(SampleFeed()) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    throw std::runtime_error("mock NCMEC server: cannot listen on 127.0.0.1");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

MockNcmecServer::~MockNcmecServer() {
  stop_.store(true);
  thread_.join();
  ::close(listen_fd_);
}

void MockNcmecServer::SetFeed(std::map<std::string, std::string> pages) {
  std::lock_guard<std::mutex> lock(mu_);
  feed_ = std::move(pages);
}
void MockNcmecServer::SetStopNcii(std::map<std::string, std::string> pages,
                                  std::string function_key, std::string subscription_key) {
  std::lock_guard<std::mutex> lock(mu_);
  stopncii_ = std::move(pages);
  stopncii_function_key_ = std::move(function_key);
  stopncii_subscription_key_ = std::move(subscription_key);
}

std::map<std::string, std::string> MockNcmecServer::StopNciiSampleFeed() {
  const std::string second = ReadTestdata("formats/stopncii/fetch_hashes_2.json");
  const std::string key = "\"nextPageToken\": \"";
  const size_t at = second.find(key) + key.size();
  const std::string token = second.substr(at, second.find('"', at) - at);
  return {{"", second}, {token, ReadTestdata("formats/stopncii/fetch_hashes_1.json")}};
}

void MockNcmecServer::SetGenerator(std::function<std::string(const std::string&)> generator) {
  std::lock_guard<std::mutex> lock(mu_);
  generator_ = std::move(generator);
}
void MockNcmecServer::SetStopNciiFeedbackKey(std::string function_key) {
  std::lock_guard<std::mutex> lock(mu_);
  stopncii_feedback_key_ = std::move(function_key);
}

void MockNcmecServer::QueueFault(Fault fault) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.push_back(fault);
}
void MockNcmecServer::SetEndless(bool endless) {
  std::lock_guard<std::mutex> lock(mu_);
  endless_ = endless;
}
void MockNcmecServer::SetRetryAfter(const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  retry_after_ = value;
}
void MockNcmecServer::SetOnAnswered(std::function<void(int)> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  on_answered_ = std::move(hook);
}
void MockNcmecServer::SetList(std::string body, std::string etag, std::string bearer) {
  std::lock_guard<std::mutex> lock(mu_);
  list_body_ = std::move(body);
  list_etag_ = std::move(etag);
  list_bearer_ = std::move(bearer);
}
void MockNcmecServer::SetThreatExchange(std::string group, std::string token,
                                        std::map<std::string, std::string> pages) {
  std::lock_guard<std::mutex> lock(mu_);
  te_group_ = std::move(group);
  te_token_ = std::move(token);
  te_pages_ = std::move(pages);
}

std::map<std::string, std::string> MockNcmecServer::ThreatExchangeFeed(
    int pages, int per_page, const std::string& group, const std::string& token) const {
  std::map<std::string, std::string> feed;
  for (int p = 0; p < pages; ++p) {
    std::string data;
    for (int r = 0; r < per_page; ++r) {
      const int id = 1000 + p * per_page + r;
      const int64_t t = 1700000000 + p * 1000 + r;
      std::string row;
      if (p > 0 && r % 7 == 3) {  // an earlier indicator deleted (a tombstone)
        row = "{\"id\": \"" + std::to_string(id - per_page - 1) +
              "\", \"should_delete\": true, \"last_updated\": " + std::to_string(t) + "}";
      } else if (r % 11 == 5) {  // a vPDQ indicator: skipped
        row = "{\"id\": \"" + std::to_string(id) + "\", \"indicator\": \"0," + Hex(id, 64) +
              ",100.000,0.000\", \"type\": \"HASH_VIDEO_VPDQ\", \"creation_time\": " +
              std::to_string(t) + ", \"last_updated\": " + std::to_string(t) +
              ", \"should_delete\": false}";
      } else {
        // r % 5 == 1 on a later page: an earlier indicator again with a new value (an update).
        const int record = (p > 0 && r % 5 == 1) ? id - per_page - 2 : id;
        const bool pdq = record % 2 == 0;
        row = "{\"id\": \"" + std::to_string(record) + "\", \"indicator\": \"" +
              Hex(record * 3 + p, pdq ? 64 : 32) + "\", \"type\": \"" +
              (pdq ? "HASH_PDQ" : "HASH_MD5") +
              "\", \"creation_time\": " + std::to_string(1690000000 + record) +
              ", \"last_updated\": " + std::to_string(t) +
              ", \"should_delete\": false, \"tags\": [\"media_type_photo\"]}";
      }
      data += (data.empty() ? "" : ",\n    ") + row;
    }
    std::string json = "{\"data\": [\n    " + data +
                       "\n  ],\n  \"paging\": {\"cursors\": {\"before\": \"b" + std::to_string(p) +
                       "\", \"after\": \"c" + std::to_string(p + 1) + "\"}";
    if (p + 1 < pages) {
      json += ", \"next\": \"" + base_url() + "/v18.0/" + group +
              "/threat_updates/?access_token=" + token +
              "&fields=id%2Cindicator%2Ctype%2Ccreation_time%2Clast_updated%2Cshould_delete"
              "&limit=" +
              std::to_string(per_page) + "&after=c" + std::to_string(p + 1) + "\"";
    }
    json += "}\n}\n";
    feed[p == 0 ? "" : "c" + std::to_string(p)] = json;
  }
  return feed;
}

std::vector<MockRequest> MockNcmecServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void MockNcmecServer::Serve() {
  while (!stop_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Handle(fd);
    ::close(fd);
  }
}

void MockNcmecServer::Handle(int fd) {
  std::string request;
  char buf[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    request.append(buf, static_cast<size_t>(n));
  }
  MockRequest req;
  std::istringstream lines(request);
  std::string line;
  std::getline(lines, line);
  {
    std::istringstream first(line);
    first >> req.method >> req.target;
    if (req.method != "GET" && req.method != "PUT" && req.method != "POST") {
      SendAll(fd, Response(405, "Method Not Allowed", ""));
      return;
    }
  }
  while (std::getline(lines, line) && line != "\r") {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (const size_t colon = line.find(':'); colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const size_t v = line.find_first_not_of(' ', colon + 1);
      req.headers[name] = v == std::string::npos ? "" : line.substr(v);
    }
    if (line.rfind("If-None-Match:", 0) == 0 || line.rfind("if-none-match:", 0) == 0) {
      req.if_none_match = line.substr(line.find_first_not_of(' ', 14));
    }
    if (line.rfind("Authorization:", 0) == 0 || line.rfind("authorization:", 0) == 0) {
      req.authorization = line.substr(14);
      while (!req.authorization.empty() && req.authorization.front() == ' ') {
        req.authorization.erase(0, 1);
      }
      if (!req.authorization.empty() && req.authorization.back() == '\r') {
        req.authorization.pop_back();
      }
    }
  }
  if (req.headers.count("content-length")) {
    const size_t length =
        std::min<size_t>(std::stoul("0" + req.headers["content-length"]), 1 << 20);
    std::string body = request.substr(request.find("\r\n\r\n") + 4);
    while (body.size() < length) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) break;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      body.append(buf, static_cast<size_t>(n));
    }
    req.body = body.substr(0, length);
  }
  const size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) {
    std::istringstream params(req.target.substr(q + 1));
    for (std::string kv; std::getline(params, kv, '&');) {
      const size_t eq = kv.find('=');
      req.query[PercentDecode(kv.substr(0, eq))] =
          eq == std::string::npos ? "" : PercentDecode(kv.substr(eq + 1));
    }
  }
  std::unique_lock<std::mutex> lock(mu_);
  requests_.push_back(req);
  if (req.path == "/v1/FetchHashes") {
    const std::string token = req.query.count("nextPageToken") ? req.query["nextPageToken"] : "";
    const bool authorised = req.headers["x-functions-key"] == stopncii_function_key_ &&
                            req.headers["ocp-apim-subscription-key"] == stopncii_subscription_key_;
    const bool known = stopncii_.count(token) > 0 && req.query.count("startTimestamp") > 0;
    const std::string body = known ? stopncii_[token] : "";
    lock.unlock();
    if (!authorised) {
      SendAll(fd, Response(401, "Unauthorized", ""));
    } else if (!known) {
      SendAll(fd, Response(400, "Bad Request", ""));
    } else {
      SendAll(fd, Response(200, "OK", body));
    }
    return;
  }
  if (req.path == "/v1/SubmitFeedback") {
    // StopNCII feedback: POST with the SubmitFeedback function key and the subscription key
    // (401 otherwise, as Azure Functions / API Management answer); a JSON object body. The
    // fault queue applies. The answer's shape is not documented (pytx only parses it as JSON).
    const bool authorised = !stopncii_feedback_key_.empty() &&
                            req.headers["x-functions-key"] == stopncii_feedback_key_ &&
                            req.headers["ocp-apim-subscription-key"] == stopncii_subscription_key_;
    Fault fault = Fault::kNone;
    if (authorised && req.method == "POST" && !faults_.empty()) {
      fault = faults_.front();
      faults_.pop_front();
    }
    const std::string retry_after = retry_after_;
    lock.unlock();
    if (req.method != "POST") {
      SendAll(fd, Response(405, "Method Not Allowed", ""));
    } else if (!authorised) {
      SendAll(fd, Response(401, "Unauthorized", ""));
    } else if (fault == Fault::k500 || fault == Fault::kMalformed) {
      SendAll(fd, Response(500, "Internal Server Error", "{}"));
    } else if (fault == Fault::k429) {
      SendAll(fd, Response(429, "Too Many Requests", "", "Retry-After: " + retry_after + "\r\n"));
    } else if (fault == Fault::kDrop) {
      return;  // closed without an answer
    } else {
      SendAll(fd, Response(200, "OK", "{}"));
    }
    return;
  }
  if (req.path == "/list.txt") {
    const std::string body = list_body_, etag = list_etag_, bearer = list_bearer_;
    lock.unlock();
    if (!bearer.empty() && req.authorization != "Bearer " + bearer) {
      SendAll(fd, Response(401, "Unauthorized", ""));
    } else if (!etag.empty() && req.if_none_match == etag) {
      SendAll(fd, "HTTP/1.1 304 Not Modified\r\nETag: " + etag + "\r\nConnection: close\r\n\r\n");
    } else {
      SendAll(fd, Response(200, "OK", body, etag.empty() ? "" : "ETag: " + etag + "\r\n"));
    }
    return;
  }
  const bool te = !te_group_.empty() && (req.path == "/v18.0/" + te_group_ + "/threat_updates/" ||
                                         req.path == "/v18.0/" + te_group_ + "/threat_updates");
  if (te) {
    if (req.query["access_token"] != te_token_) {
      lock.unlock();
      SendAll(fd, Response(400, "Bad Request",
                           "{\"error\": {\"message\": \"Invalid OAuth access token.\", \"type\": "
                           "\"OAuthException\", \"code\": 190}}"));
      return;
    }
  } else if (req.authorization != expected_auth_) {
    lock.unlock();
    SendAll(fd,
            Response(401, "Unauthorized", "", "WWW-Authenticate: Basic realm=\"hashsharing\"\r\n"));
    return;
  } else if (req.method == "GET" && req.path == "/v2/status") {
    lock.unlock();
    SendAll(fd, Response(200, "OK", ReadTestdata("formats/ncmec/status_xml.xml")));
    return;
  } else if (req.method == "PUT") {
    const bool feedback = req.path.rfind("/entries/", 0) == 0 && req.path.size() > 9 &&
                          req.path.substr(req.path.size() - 9) == "/feedback";
    Fault put_fault = Fault::kNone;
    if (feedback && !faults_.empty()) {
      put_fault = faults_.front();
      faults_.pop_front();
    }
    const std::string retry_after = retry_after_;
    lock.unlock();
    if (!feedback) {
      SendAll(fd, Response(404, "Not Found", ""));
    } else if (put_fault == Fault::k500 || put_fault == Fault::kMalformed) {
      SendAll(fd, Response(500, "Internal Server Error", "<error>try again</error>"));
    } else if (put_fault == Fault::k429) {
      SendAll(fd, Response(429, "Too Many Requests", "", "Retry-After: " + retry_after + "\r\n"));
    } else if (put_fault == Fault::kDrop) {
      return;  // closed without an answer
    } else {
      SendAll(fd,
              Response(200, "OK", ReadTestdata("formats/ncmec/update_feedback_result_xml.xml")));
    }
    return;
  } else if (req.path != "/v2/entries") {
    lock.unlock();
    SendAll(fd, Response(404, "Not Found", ""));
    return;
  }
  Fault fault = Fault::kNone;
  if (!faults_.empty()) {
    fault = faults_.front();
    faults_.pop_front();
  }
  const std::string start = req.query.count("start") ? req.query["start"] : "";
  std::string body;
  if (te) {
    const std::string after = req.query.count("after") ? req.query["after"] : "";
    if (endless_) {
      const int next = after.empty() ? 2 : std::atoi(after.c_str() + 1) + 1;
      body = "{\"data\": [], \"paging\": {\"next\": \"" + base_url() + "/v18.0/" + te_group_ +
             "/threat_updates/?access_token=" + te_token_ + "&after=e" + std::to_string(next) +
             "\"}}";
    } else if (te_pages_.count(after)) {
      body = te_pages_[after];
    }
  } else if (endless_) {
    const int next = start.empty() ? 2 : std::stoi(start) + 1;
    body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<queryResult xmlns=\"https://hashsharing.ncmec.org/hashsharing/v2\">\n"
        "    <images count=\"0\"/>\n    <videos count=\"0\"/>\n"
        "    <paging>\n        <next>/v2/entries?from=2017-10-20T00%3A00%3A00.000Z&amp;"
        "start=" +
        std::to_string(next) + "&amp;size=1000</next>\n    </paging>\n</queryResult>\n";
  } else if (generator_) {
    auto generate = generator_;
    lock.unlock();
    body = generate(start);
    lock.lock();
  } else if (feed_.count(start)) {
    body = feed_[start];
  }
  const std::string retry_after = retry_after_;
  auto hook = on_answered_;
  lock.unlock();
  if (body.empty()) {
    SendAll(fd, Response(404, "Not Found", ""));
    return;
  }
  switch (fault) {
    case Fault::kDrop: {
      const std::string full = Response(200, "OK", body);
      SendAll(fd, full.substr(0, full.size() - body.size() / 2));
      return;  // closed with half the body sent
    }
    case Fault::k500:
      SendAll(fd, Response(500, "Internal Server Error", "<error>try again</error>"));
      return;
    case Fault::k429:
      SendAll(fd, Response(429, "Too Many Requests", "", "Retry-After: " + retry_after + "\r\n"));
      return;
    case Fault::kMalformed:
      SendAll(fd, Response(200, "OK", body.substr(0, body.size() / 2)));
      return;
    case Fault::kNone:
      break;
  }
  SendAll(fd, Response(200, "OK", body));
  const int n = answered_.fetch_add(1) + 1;
  if (hook) hook(n);
}

std::string MockNcmecServer::ReadTestdata(const std::string& relative) {
  const std::string path = std::string(VIGIL_TESTDATA) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing test data " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::map<std::string, std::string> MockNcmecServer::SampleFeed() {
  return {{"", ReadTestdata("formats/ncmec/entries_xml.xml")},
          {"2001", ReadTestdata("formats/ncmec/entries_xml2.xml")},
          {"3001", ReadTestdata("formats/ncmec/entries_xml3.xml")},
          {"4001", ReadTestdata("formats/ncmec/entries_xml4.xml")}};
}

std::map<std::string, std::string> MockNcmecServer::GeneratedFeed(int pages, int per_page) {
  std::map<std::string, std::string> feed;
  for (int p = 0; p < pages; ++p) {
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<queryResult xmlns=\"https://hashsharing.ncmec.org/hashsharing/v2\">\n"
        "    <images count=\"" +
        std::to_string(per_page) + "\" maxTimestamp=\"" + Timestamp(p, per_page) + "\">\n";
    for (int r = 0; r < per_page; ++r) {
      const int id = p * per_page + r;
      if (p > 0 && r % 7 == 3) {  // an earlier record deleted
        xml +=
            "        <deletedImage>\n            <member id=\"42\">Example Member</member>\n"
            "            <id>img" +
            std::to_string(id - per_page - 1) + "</id>\n            <timestamp>" + Timestamp(p, r) +
            "</timestamp>\n        </deletedImage>\n";
        continue;
      }
      // r % 5 == 1 on a later page: an earlier record again, reclassified (an update).
      const int record = (p > 0 && r % 5 == 1) ? id - per_page * 1 - 2 : id;
      const char* classification = (p > 0 && r % 5 == 1) ? "A2" : (r % 2 ? "B1" : "A1");
      xml +=
          "        <image>\n            <member id=\"42\">Example Member</member>\n"
          "            <timestamp>" +
          Timestamp(p, r) + "</timestamp>\n            <id>img" + std::to_string(record) +
          "</id>\n            <classification>" + classification +
          "</classification>\n            <fingerprints>\n                <md5>" +
          Hex(record * 2 + 1, 32) + "</md5>\n                <sha1>" + Hex(record * 2 + 2, 40) +
          "</sha1>\n            </fingerprints>\n        </image>\n";
    }
    xml += "    </images>\n";
    if (p + 1 < pages) {
      xml +=
          "    <paging>\n        <next>/v2/entries?from=2017-10-20T00%3A00%3A00.000Z&amp;"
          "to=2017-10-30T00%3A00%3A00.000Z&amp;start=" +
          std::to_string((p + 1) * per_page + 1) + "&amp;size=" + std::to_string(per_page) +
          "&amp;max=" + std::to_string((p + 2) * per_page) + "</next>\n    </paging>\n";
    }
    xml += "</queryResult>\n";
    feed[p == 0 ? "" : std::to_string(p * per_page + 1)] = xml;
  }
  return feed;
}

}  // namespace vigil::exchange::testing
