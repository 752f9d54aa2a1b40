// A loopback mock of NCMEC's CyberTipline reporting API for the report tests (127.0.0.1
// only), following its public documentation (docs/cybertipline.md):
//
//   POST /ispws/submit    text/xml <report>                        -> <reportResponse> reportId
//   POST /ispws/upload    multipart/form-data id=<reportId>, file  -> fileId and the MD5 hash
//   POST /ispws/fileinfo  text/xml <fileDetails>                   -> <reportResponse>
//   POST /ispws/finish    application/x-www-form-urlencoded id=..  -> <reportDoneResponse> files
//   POST /ispws/retract   application/x-www-form-urlencoded id=..  -> <reportResponse>
//   GET  /ispws/status                                             -> <reportResponse>
//
// HTTP Basic authentication on every call (401 otherwise). It checks each call's method,
// content type and document shape itself (its own checks, not Vigil's validator), answers
// the documented response codes (5001 unknown report, 5002 unknown file, 5101 already
// retracted, 5102 already finished, 4100 a document it refuses) and records every call.
// Faults are queued per path: HTTP 500, a connection dropped half-way through reading the
// request (nothing recorded), a malformed (truncated) answer after the call took effect.
#ifndef VIGIL_TESTS_REPORT_MOCK_CYBERTIP_SERVER_H_
#define VIGIL_TESTS_REPORT_MOCK_CYBERTIP_SERVER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vigil::report::testing {

enum class Fault { kNone, k500, kDrop, kMalformed };

struct MockCall {
  std::string method;
  std::string path;  // without /ispws
  std::string content_type;
  int http_status = 0;
  int64_t response_code = -1;
  std::string report_id;
  std::string file_id;
};

struct MockFile {
  std::string file_id;
  std::string name;
  std::string md5;
  size_t size = 0;
  bool described = false;
  std::string viewed_by_esp;  // as sent in fileinfo ("true"/"false")
  std::string classification;
  std::string details_xml;
};

struct MockReport {
  std::string report_xml;
  std::vector<MockFile> files;
  bool finished = false;
  bool retracted = false;
};

class MockCybertipServer {
 public:
  MockCybertipServer(std::string user, std::string password);
  ~MockCybertipServer();

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/ispws"; }

  // The next call to `path` ("/submit", "/upload", ...) meets `fault`.
  void QueueFault(const std::string& path, Fault fault);

  std::vector<MockCall> calls() const;
  // The paths of the calls that got an HTTP answer, in order ("submit", "upload", ...).
  std::vector<std::string> sequence() const;
  std::map<std::string, MockReport> reports() const;

 private:
  void Serve();
  void Handle(int fd);

  std::string expected_auth_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::map<std::string, std::deque<Fault>> faults_;
  std::vector<MockCall> calls_;
  std::map<std::string, MockReport> reports_;
  int64_t next_report_ = 4564654;
  int64_t next_file_ = 1;
};

}  // namespace vigil::report::testing

#endif  // VIGIL_TESTS_REPORT_MOCK_CYBERTIP_SERVER_H_
