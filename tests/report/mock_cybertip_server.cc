#include "tests/report/mock_cybertip_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <pugixml.hpp>
#include <sstream>
#include <stdexcept>

namespace vigil::report::testing {
namespace {

std::string Base64(const std::string& in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kTable[(v >> s) & 63];
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

std::string Md5(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
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

std::string Http(int status, const std::string& body, const std::string& extra = "") {
  const char* reason = status == 200   ? "OK"
                       : status == 401 ? "Unauthorized"
                       : status == 404 ? "Not Found"
                       : status == 405 ? "Method Not Allowed"
                       : status == 415 ? "Unsupported Media Type"
                                       : "Internal Server Error";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/xml\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n" + extra + "\r\n" + body;
}

std::string ReportResponse(int64_t code, const std::string& description,
                           const std::string& inner = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<reportResponse>\n"
         "  <responseCode>" +
         std::to_string(code) + "</responseCode>\n  <responseDescription>" + description +
         "</responseDescription>\n" + inner + "</reportResponse>\n";
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(std::string s) {
  const size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

// name -> (filename, content) of a multipart/form-data body.
std::map<std::string, std::pair<std::string, std::string>> Multipart(const std::string& body,
                                                                     const std::string& boundary) {
  std::map<std::string, std::pair<std::string, std::string>> parts;
  const std::string delimiter = "--" + boundary;
  size_t at = body.find(delimiter);
  while (at != std::string::npos) {
    at += delimiter.size();
    if (body.compare(at, 2, "--") == 0) break;
    const size_t head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string::npos) break;
    const std::string head = body.substr(at, head_end - at);
    const size_t next = body.find("\r\n" + delimiter, head_end + 4);
    if (next == std::string::npos) break;
    const std::string content = body.substr(head_end + 4, next - head_end - 4);
    auto attribute = [&](const std::string& key) {
      const size_t k = head.find(key + "=\"");
      if (k == std::string::npos) return std::string();
      const size_t start = k + key.size() + 2;
      return head.substr(start, head.find('"', start) - start);
    };
    parts[attribute(" name")] = {attribute("filename"), content};
    at = next + 2;
  }
  return parts;
}

std::map<std::string, std::string> Form(const std::string& body) {
  std::map<std::string, std::string> out;
  std::istringstream in(body);
  for (std::string kv; std::getline(in, kv, '&');) {
    const size_t eq = kv.find('=');
    out[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  return out;
}

}  // namespace

MockCybertipServer::MockCybertipServer(std::string user, std::string password)
    : expected_auth_("Basic " + Base64(user + ":" + password)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    throw std::runtime_error("mock CyberTipline server: cannot listen on 127.0.0.1");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

MockCybertipServer::~MockCybertipServer() {
  stop_.store(true);
  thread_.join();
  ::close(listen_fd_);
}

void MockCybertipServer::QueueFault(const std::string& path, Fault fault) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_[path].push_back(fault);
}

std::vector<MockCall> MockCybertipServer::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

std::vector<std::string> MockCybertipServer::sequence() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const MockCall& c : calls_) {
    if (c.http_status != 0) out.push_back(c.path.substr(1));
  }
  return out;
}

std::map<std::string, MockReport> MockCybertipServer::reports() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reports_;
}

void MockCybertipServer::Serve() {
  while (!stop_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Handle(fd);
    ::close(fd);
  }
}

void MockCybertipServer::Handle(int fd) {
  std::string request;
  char buf[8192];
  auto read_more = [&]() {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return false;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    request.append(buf, static_cast<size_t>(n));
    return true;
  };
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
    if (!read_more()) return;
  }
  const size_t head_end = request.find("\r\n\r\n");
  if (head_end == std::string::npos) return;
  MockCall call;
  std::map<std::string, std::string> headers;
  {
    std::istringstream lines(request.substr(0, head_end));
    std::string line, target;
    std::getline(lines, line);
    std::istringstream first(line);
    first >> call.method >> target;
    call.path = target.rfind("/ispws", 0) == 0 ? target.substr(6) : "?" + target;
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      headers[Lower(line.substr(0, colon))] = Trim(line.substr(colon + 1));
    }
  }
  call.content_type = headers["content-type"];
  const size_t length = headers.count("content-length") ? std::stoul(headers["content-length"]) : 0;
  Fault fault = Fault::kNone;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& queue = faults_[call.path];
    if (!queue.empty()) {
      fault = queue.front();
      queue.pop_front();
    }
  }
  if (fault == Fault::kDrop) {
    // Read part of the body, then hang up without an answer: the call never happened.
    while (request.size() < head_end + 4 + length / 2 && read_more()) {
    }
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(call);
    return;
  }
  while (request.size() < head_end + 4 + length) {
    if (!read_more()) return;
  }
  const std::string body = request.substr(head_end + 4, length);

  auto answer = [&](int status, const std::string& xml, int64_t code) {
    call.http_status = status;
    call.response_code = code;
    calls_.push_back(call);
    std::string text = xml;
    if (fault == Fault::kMalformed) text = xml.substr(0, xml.size() / 2);
    SendAll(fd, Http(status, text));
  };
  std::lock_guard<std::mutex> lock(mu_);
  if (headers["authorization"] != expected_auth_) {
    answer(401, ReportResponse(2000, "Authentication required"), 2000);
    return;
  }
  if (fault == Fault::k500) {
    answer(500, ReportResponse(1000, "Server error"), 1000);
    return;
  }
  const bool post = call.method == "POST";
  const std::string type = Lower(call.content_type);
  auto refuse = [&](const std::string& why) {
    answer(200, ReportResponse(4100, "Validation failed: " + why), 4100);
  };
  if (call.path == "/status") {
    if (call.method != "GET") return answer(405, "", -1);
    return answer(200, ReportResponse(0, "Remote User : test, Remote Ip : 127.0.0.1"), 0);
  }
  if (!post) return answer(405, "", -1);
  if (call.path == "/submit" || call.path == "/fileinfo") {
    if (type.rfind("text/xml", 0) != 0) return answer(415, "", -1);
    pugi::xml_document doc;
    if (!doc.load_buffer(body.data(), body.size())) return refuse("not XML");
    pugi::xml_node root = doc.document_element();
    if (call.path == "/submit") {
      if (std::string(root.name()) != "report") return refuse("the root is not <report>");
      pugi::xml_node summary = root.first_element_by_path("incidentSummary");
      if (!summary || std::string(root.first_child().name()) != "incidentSummary" ||
          !summary.child("incidentType") || !summary.child("incidentDateTime")) {
        return refuse("<incidentSummary> first, with incidentType and incidentDateTime");
      }
      if (!root.child("reporter").child("reportingPerson").child("email")) {
        return refuse("no reporter/reportingPerson/email");
      }
      const std::string id = std::to_string(next_report_++);
      reports_[id].report_xml = body;
      call.report_id = id;
      return answer(200, ReportResponse(0, "Success", "  <reportId>" + id + "</reportId>\n"), 0);
    }
    if (std::string(root.name()) != "fileDetails") return refuse("the root is not <fileDetails>");
    pugi::xml_node first = root.first_child();
    if (std::string(first.name()) != "reportId" ||
        std::string(first.next_sibling().name()) != "fileId") {
      return refuse("reportId and fileId come first");
    }
    const std::string report_id = Trim(first.text().get());
    const std::string file_id = Trim(first.next_sibling().text().get());
    call.report_id = report_id;
    call.file_id = file_id;
    if (!reports_.count(report_id)) {
      return answer(200, ReportResponse(5001, "Report does not exist"), 5001);
    }
    MockReport& report = reports_[report_id];
    if (report.finished) return answer(200, ReportResponse(5102, "Report already finished"), 5102);
    if (report.retracted) {
      return answer(200, ReportResponse(5101, "Report already retracted"), 5101);
    }
    for (MockFile& f : report.files) {
      if (f.file_id != file_id) continue;
      const std::string viewed = Trim(root.child("fileViewedByEsp").text().get());
      if (viewed != "true" && viewed != "false") return refuse("fileViewedByEsp is not boolean");
      f.described = true;
      f.viewed_by_esp = viewed;
      f.classification = Trim(root.child("industryClassification").text().get());
      f.details_xml = body;
      return answer(200, ReportResponse(0, "Success", "  <reportId>" + report_id + "</reportId>\n"),
                    0);
    }
    return answer(200, ReportResponse(5002, "File does not exist"), 5002);
  }
  if (call.path == "/upload") {
    const size_t b = type.find("boundary=");
    if (type.rfind("multipart/form-data", 0) != 0 || b == std::string::npos) {
      return answer(415, "", -1);
    }
    std::string boundary = call.content_type.substr(b + 9);
    if (!boundary.empty() && boundary.front() == '"')
      boundary = boundary.substr(1, boundary.size() - 2);
    auto parts = Multipart(body, boundary);
    if (!parts.count("id") || !parts.count("file") || parts["file"].first.empty()) {
      return refuse("multipart needs id and file (with a filename)");
    }
    const std::string report_id = parts["id"].second;
    call.report_id = report_id;
    if (!reports_.count(report_id)) {
      return answer(200, ReportResponse(5001, "Report does not exist"), 5001);
    }
    MockReport& report = reports_[report_id];
    if (report.finished) return answer(200, ReportResponse(5102, "Report already finished"), 5102);
    if (report.retracted) {
      return answer(200, ReportResponse(5101, "Report already retracted"), 5101);
    }
    MockFile f;
    f.file_id = "f" + std::to_string(next_file_++) + "b0754af766b426f2928a02c651ed4b99";
    f.name = parts["file"].first;
    f.md5 = Md5(parts["file"].second);
    f.size = parts["file"].second.size();
    report.files.push_back(f);
    call.file_id = f.file_id;
    return answer(200,
                  ReportResponse(0, "Success",
                                 "  <reportId>" + report_id + "</reportId>\n  <fileId>" +
                                     f.file_id + "</fileId>\n  <hash>" + f.md5 + "</hash>\n"),
                  0);
  }
  if (call.path == "/finish" || call.path == "/retract") {
    if (type.rfind("application/x-www-form-urlencoded", 0) != 0) return answer(415, "", -1);
    const std::string report_id = Form(body)["id"];
    call.report_id = report_id;
    if (!reports_.count(report_id)) {
      return answer(200, ReportResponse(5001, "Report does not exist"), 5001);
    }
    MockReport& report = reports_[report_id];
    if (report.finished) return answer(200, ReportResponse(5102, "Report already finished"), 5102);
    if (report.retracted) {
      return answer(200, ReportResponse(5101, "Report already retracted"), 5101);
    }
    if (call.path == "/retract") {
      report.retracted = true;
      return answer(200, ReportResponse(0, "Success", "  <reportId>" + report_id + "</reportId>\n"),
                    0);
    }
    report.finished = true;
    std::string files = "  <files>\n";
    for (const MockFile& f : report.files) files += "    <fileId>" + f.file_id + "</fileId>\n";
    files += "  </files>\n";
    return answer(200,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                  "<reportDoneResponse>\n  <responseCode>0</responseCode>\n  <reportId>" +
                      report_id + "</reportId>\n" + files + "</reportDoneResponse>\n",
                  0);
  }
  answer(404, "", -1);
}

}  // namespace vigil::report::testing
