// vigil.http/1: a plugin asks the host for HTTPS, and the host performs it only to
// origins in the plugin's signed manifest AND the host config, within the limits, with
// every request audited. Against a loopback HTTPS server (127.0.0.1 only) whose test CA
// and certificates this test makes at run time; the plugin is signed with a key the
// test makes.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "conformance.h"
#include "isolation/http_egress.h"
#include "isolation/isolation_runtime.h"
#include "isolation/plugin_trust.h"
#include "store/audit_log.h"
#include "store/db/database.h"
#include "store/store.h"

namespace vigil::isolation {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// ---------------------------------------------------------------------------------
// A test CA and certificates, made with OpenSSL at run time.
// ---------------------------------------------------------------------------------
struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertDeleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Cert = std::unique_ptr<X509, CertDeleter>;

Key NewKey() { return Key(EVP_EC_gen("P-256")); }

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `key` named `cn`, signed by `issuer_key` (self-signed when the
// issuer is null), with the extensions given.
Cert MakeCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key,
              const std::vector<std::pair<int, const char*>>& extensions) {
  Cert cert(X509_new());
  static long serial = 1;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert.get(), key);
  for (const auto& [nid, value] : extensions) {
    AddExtension(cert.get(), issuer ? issuer : cert.get(), nid, value);
  }
  EXPECT_GT(X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()), 0);
  return cert;
}

struct TestCa {
  Key key = NewKey();
  Cert cert = MakeCert(key.get(), "Vigil egress test CA", nullptr, nullptr,
                       {{NID_basic_constraints, "critical,CA:TRUE"},
                        {NID_key_usage, "critical,keyCertSign,cRLSign"}});

  void WritePem(const fs::path& path) const {
    FILE* out = std::fopen(path.c_str(), "w");
    ASSERT_NE(out, nullptr);
    PEM_write_X509(out, cert.get());
    std::fclose(out);
  }
};

// ---------------------------------------------------------------------------------
// The loopback HTTPS server: 127.0.0.1 only, one connection at a time, bounded.
// ---------------------------------------------------------------------------------
struct SeenRequest {
  std::string method, path, body, head;
};

class LoopbackServer {
 public:
  // `san` names the certificate's subject alternative name ("IP:127.0.0.1").
  LoopbackServer(const TestCa& ca, const char* san) {
    std::signal(SIGPIPE, SIG_IGN);  // a client that gives up must not kill the test
    key_ = NewKey();
    cert_ = MakeCert(key_.get(), "vigil egress test server", ca.cert.get(), ca.key.get(),
                     {{NID_basic_constraints, "critical,CA:FALSE"},
                      {NID_ext_key_usage, "serverAuth"},
                      {NID_subject_alt_name, san}});
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx_, cert_.get());
    SSL_CTX_use_PrivateKey(ctx_, key_.get());
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    ::listen(listener_, 8);
    socklen_t size = sizeof(address);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
    SSL_CTX_free(ctx_);
  }

  std::string origin() const { return "https://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }
  std::vector<SeenRequest> seen() {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      timeval io_timeout{5, 0};  // bounded: a stuck client cannot hang the test
      ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &io_timeout, sizeof(io_timeout));
      ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &io_timeout, sizeof(io_timeout));
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, client);
      if (SSL_accept(ssl) == 1) Handle(ssl);
      SSL_shutdown(ssl);
      SSL_free(ssl);
      ::close(client);
    }
  }

  void Handle(SSL* ssl) {
    std::string data;
    char buffer[4096];
    size_t head_end = std::string::npos;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos && data.size() < (64u << 10)) {
      int n = SSL_read(ssl, buffer, sizeof(buffer));
      if (n <= 0) return;
      data.append(buffer, static_cast<size_t>(n));
    }
    if (head_end == std::string::npos) return;
    SeenRequest seen;
    seen.head = data.substr(0, head_end);
    const size_t space = seen.head.find(' ');
    seen.method = seen.head.substr(0, space);
    seen.path = seen.head.substr(space + 1, seen.head.find(' ', space + 1) - space - 1);
    size_t length = 0;
    std::string lower = seen.head;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (size_t at = lower.find("content-length:"); at != std::string::npos) {
      length = std::stoul(lower.substr(at + 15));
    }
    seen.body = data.substr(head_end + 4);
    while (seen.body.size() < length) {
      int n = SSL_read(ssl, buffer, sizeof(buffer));
      if (n <= 0) return;
      seen.body.append(buffer, static_cast<size_t>(n));
    }
    ++requests_;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      seen_.push_back(seen);
    }
    std::string status = "200 OK", extra, body;
    bool close_delimited = false;
    if (seen.path == "/echo") {
      extra = "X-Vigil-Test: echo\r\n";
      body = "echo " + seen.method + " " + std::to_string(seen.body.size()) + " " + seen.body;
    } else if (seen.path == "/big") {
      body.assign(2u << 20, 'x');
    } else if (seen.path == "/stream") {  // no Content-Length: the size shows as it comes
      body.assign(2u << 20, 'y');
      close_delimited = true;
    } else if (seen.path == "/slow") {
      for (int i = 0; i < 250 && !stop_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      body = "late";
    } else if (seen.path == "/redirect") {
      status = "302 Found";
      extra = "Location: https://127.0.0.1:1/elsewhere\r\n";
    } else {
      status = "404 Not Found";
    }
    std::string response = "HTTP/1.1 " + status + "\r\n" + extra;
    if (!close_delimited) response += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    response += "Connection: close\r\n\r\n" + body;
    for (size_t done = 0; done < response.size();) {
      int n = SSL_write(ssl, response.data() + done,
                        static_cast<int>(std::min<size_t>(response.size() - done, 1 << 16)));
      if (n <= 0) return;
      done += static_cast<size_t>(n);
    }
  }

  Key key_;
  Cert cert_;
  SSL_CTX* ctx_ = nullptr;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  std::vector<SeenRequest> seen_;
  std::thread thread_;
};

class RecordingAudit : public EgressAudit {
 public:
  void Record(const EgressRecord& record) override {
    std::lock_guard<std::mutex> lock(mutex_);
    records_.push_back(record);
  }
  std::vector<EgressRecord> records() {
    std::lock_guard<std::mutex> lock(mutex_);
    return records_;
  }

 private:
  std::mutex mutex_;
  std::vector<EgressRecord> records_;
};

vigil_item_view_t Item(const std::string& bytes) {
  vigil_item_view_t view{};
  view.struct_size = sizeof(view);
  view.media_kind = VIGIL_MEDIA_BINARY;
  view.bytes = reinterpret_cast<const uint8_t*>(bytes.data());
  view.bytes_size = bytes.size();
  return view;
}

// The signals of an outcome by type.
std::map<std::string, std::string> Signals(const host::AnalyzeOutcome& outcome) {
  std::map<std::string, std::string> out;
  for (const auto& signal : outcome.result.signals()) out[signal.type()] = signal.value();
  return out;
}

fs::path EgressPlugin() {
  fs::path path = fs::path(VIGIL_TEST_PLUGIN_DIR) / "hostile" / "egress-client.so";
  EXPECT_TRUE(fs::exists(path)) << "missing " << path << ": build vigil_hostile_plugins";
  return path;
}

class Egress : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-egress-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "trust");
    ca_.WritePem(dir_ / "ca.pem");
    server_ = std::make_unique<LoopbackServer>(ca_, "IP:127.0.0.1");
    ASSERT_TRUE(GenerateSigningKey(dir_ / "keys").ok());
    ASSERT_TRUE(
        TrustStore::AddKey(dir_ / "trust", dir_ / "keys" / "vigil-signing.pub", false).ok());
    // In a folder of its own: its worker may read that folder, and `plugins sign`
    // refuses a key the plugin could read.
    fs::create_directories(dir_ / "plugin");
    plugin_ = dir_ / "plugin" / "egress-client.so";
    fs::copy_file(EgressPlugin(), plugin_);
    config_.trust_dir = dir_ / "trust";
    config_.supervision.worker.worker_exe = VIGIL_WORKER_PATH;
    config_.supervision.worker.limits.address_space_bytes = 1ull << 30;
    config_.supervision.max_deadline = std::chrono::milliseconds(3000);
    config_.supervision.max_workers = 1;
    config_.egress.allowed_origins = {server_->origin()};
    config_.egress.ca_file = dir_ / "ca.pem";
    config_.egress.timeout = std::chrono::milliseconds(2000);
  }
  void TearDown() override {
    analyzer_.reset();
    runtime_.reset();
    server_.reset();
    fs::remove_all(dir_);
  }

  void Sign(const std::vector<std::string>& origins) {
    ASSERT_TRUE(SignPlugin(plugin_, dir_ / "keys" / "vigil-signing.key", "1.0",
                           {{"egress.client", "0.0.1"}}, origins)
                    .ok());
  }

  // Signs the plugin for `origins` (unless already signed), starts it in a worker (or
  // in process) under config_, with `audit` (or the recording one).
  void Start(bool in_process = false, std::shared_ptr<EgressAudit> audit = nullptr,
             bool with_audit = true) {
    if (!fs::exists(ManifestPath(plugin_))) Sign({server_->origin()});
    RuntimeFlags flags;
    flags.in_process = in_process;
    auto runtime = IsolationRuntime::Create(config_, flags);
    ASSERT_TRUE(runtime.ok()) << runtime.status().message();
    runtime_ = runtime.value();
    if (with_audit) runtime_->SetEgressAudit(audit ? audit : audit_);
    auto loaded = runtime_->FileLoader()(fs::canonical(plugin_));
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    ASSERT_EQ(loaded->detectors.size(), 1u);
    auto analyzer = runtime_->AnalyzerFactory()(loaded->detectors[0], vigil::v1::DetectorConfig());
    ASSERT_TRUE(analyzer.ok()) << analyzer.status().message();
    analyzer_ = std::move(analyzer).value();
  }

  std::map<std::string, std::string> Ask(const std::string& what) {
    host::AnalyzeOutcome outcome = analyzer_->Analyze(Item(what));
    EXPECT_TRUE(outcome.status.ok()) << outcome.status.message();
    return Signals(outcome);
  }

  fs::path dir_;
  TestCa ca_;
  std::unique_ptr<LoopbackServer> server_;
  fs::path plugin_;
  HostConfig config_;
  std::shared_ptr<RecordingAudit> audit_ = std::make_shared<RecordingAudit>();
  std::shared_ptr<IsolationRuntime> runtime_;
  std::unique_ptr<host::Analyzer> analyzer_;
};

TEST_F(Egress, AllowedOriginAnswersAWorker) {
  Start();
  auto signals = Ask("GET " + server_->origin() + "/echo");
  EXPECT_EQ(signals["status"], "200") << signals["error"];
  EXPECT_EQ(signals["body"], "echo GET 0 ");
  EXPECT_EQ(signals["header"], "echo");
  ASSERT_EQ(server_->requests(), 1);
  EXPECT_THAT(server_->seen()[0].head, HasSubstr("X-Vigil-Plugin: egress-client"));
  auto records = audit_->records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_TRUE(records[0].allowed);
  EXPECT_EQ(records[0].origin, server_->origin());
  EXPECT_EQ(records[0].method, "GET");
  EXPECT_EQ(records[0].status, 200);
  EXPECT_EQ(records[0].bytes_received, std::string("echo GET 0 ").size());
  EXPECT_EQ(records[0].caller.detector, "egress.client");
  EXPECT_EQ(records[0].caller.plugin, "egress-client.so");
  EXPECT_EQ(records[0].caller.plugin_sha256.size(), 64u);
  EXPECT_EQ(records[0].outcome, "ok");
}

TEST_F(Egress, AllowedOriginAnswersInProcess) {
  Start(/*in_process=*/true);
  auto signals = Ask("POST " + server_->origin() + "/echo\nhello");
  EXPECT_EQ(signals["status"], "200") << signals["error"];
  EXPECT_EQ(signals["body"], "echo POST 5 hello");
  ASSERT_EQ(audit_->records().size(), 1u);
  EXPECT_EQ(audit_->records()[0].bytes_sent, 5u);
}

TEST_F(Egress, PostBodyTravelsFromAWorker) {
  Start();
  auto signals = Ask("PUT " + server_->origin() + "/echo\nsome body bytes");
  EXPECT_EQ(signals["status"], "200") << signals["error"];
  EXPECT_EQ(signals["body"], "echo PUT 15 some body bytes");
  ASSERT_EQ(server_->requests(), 1);
  EXPECT_EQ(server_->seen()[0].method, "PUT");
}

TEST_F(Egress, OriginNotInTheSignedManifestIsRefused) {
  Sign({"https://127.0.0.1:1"});  // the host config allows the server, the manifest does not
  Start();
  auto signals = Ask("GET " + server_->origin() + "/echo");
  EXPECT_EQ(signals.count("status"), 0u);
  EXPECT_EQ(signals["code"], std::to_string(VIGIL_ERR_UNSUPPORTED));
  EXPECT_THAT(signals["error"], HasSubstr("is not in the plugin's signed manifest"));
  EXPECT_EQ(server_->requests(), 0);
  ASSERT_EQ(audit_->records().size(), 1u);
  EXPECT_FALSE(audit_->records()[0].allowed);
  EXPECT_EQ(audit_->records()[0].origin, server_->origin());
}

TEST_F(Egress, OriginNotInTheHostConfigIsRefused) {
  config_.egress.allowed_origins = {"https://127.0.0.1:1"};
  Start();
  auto signals = Ask("GET " + server_->origin() + "/echo");
  EXPECT_THAT(signals["error"], HasSubstr("is not allowed by the host config"));
  EXPECT_EQ(server_->requests(), 0);
  ASSERT_EQ(audit_->records().size(), 1u);
  EXPECT_FALSE(audit_->records()[0].allowed);
}

TEST_F(Egress, PlainHttpIsRefused) {
  Start();
  const std::string port = server_->origin().substr(server_->origin().rfind(':'));
  auto signals = Ask("GET http://127.0.0.1" + port + "/echo");
  EXPECT_EQ(signals["code"], std::to_string(VIGIL_ERR_UNSUPPORTED));
  EXPECT_THAT(signals["error"], HasSubstr("only https:// is allowed"));
  EXPECT_EQ(server_->requests(), 0);
  ASSERT_EQ(audit_->records().size(), 1u);
  EXPECT_EQ(audit_->records()[0].origin, "http://127.0.0.1" + port);
}

TEST_F(Egress, OversizedResponsesAreRefused) {
  config_.egress.max_response_bytes = 64u << 10;
  Start();
  for (const char* path : {"/big", "/stream"}) {
    auto signals = Ask("GET " + server_->origin() + path);
    EXPECT_EQ(signals["code"], std::to_string(VIGIL_ERR_RESOURCE)) << path;
    EXPECT_THAT(signals["error"], HasSubstr("larger than the host's limit of 65536")) << path;
  }
  // The worker is still there and still works.
  EXPECT_EQ(Ask("GET " + server_->origin() + "/echo")["status"], "200");
}

TEST_F(Egress, OversizedRequestIsRefusedBeforeConnecting) {
  config_.egress.max_request_bytes = 16;
  Start();
  auto signals = Ask("POST " + server_->origin() + "/echo\n" + std::string(100, 'b'));
  EXPECT_EQ(signals["code"], std::to_string(VIGIL_ERR_RESOURCE));
  EXPECT_THAT(signals["error"], HasSubstr("over the host's limit of 16"));
  EXPECT_EQ(server_->requests(), 0);
}

TEST_F(Egress, SlowServerTimesOut) {
  config_.egress.timeout = std::chrono::milliseconds(300);
  Start();
  auto signals = Ask("GET " + server_->origin() + "/slow");
  EXPECT_EQ(signals["code"], std::to_string(VIGIL_ERR_CANCELLED));
  EXPECT_THAT(signals["error"], HasSubstr("no answer from " + server_->origin()));
  ASSERT_EQ(audit_->records().size(), 1u);
  EXPECT_TRUE(audit_->records()[0].allowed);
  EXPECT_EQ(audit_->records()[0].status, 0);
}

TEST_F(Egress, CertificateAndHostNameAreVerified) {
  config_.egress.ca_file.clear();  // the system's CAs do not know the test CA
  Start();
  auto signals = Ask("GET " + server_->origin() + "/echo");
  EXPECT_EQ(signals["code"], std::to_string(VIGIL_ERR_INTERNAL));
  EXPECT_THAT(signals["error"], HasSubstr("TLS with " + server_->origin() + " failed"));
  EXPECT_EQ(server_->requests(), 0);

  // The right CA, but a certificate for another name.
  LoopbackServer impostor(ca_, "DNS:other.invalid");
  config_.egress.ca_file = dir_ / "ca.pem";
  config_.egress.allowed_origins = {impostor.origin()};
  fs::remove(ManifestPath(plugin_));
  Sign({impostor.origin()});
  Start();
  signals = Ask("GET " + impostor.origin() + "/echo");
  EXPECT_THAT(signals["error"], HasSubstr("TLS with " + impostor.origin() + " failed"));
  EXPECT_EQ(impostor.requests(), 0);
}

TEST_F(Egress, RedirectsAreNotFollowed) {
  Start();
  auto signals = Ask("GET " + server_->origin() + "/redirect");
  EXPECT_EQ(signals["status"], "302");
  EXPECT_EQ(server_->requests(), 1);
}

TEST_F(Egress, MalformedRequestsAreRefused) {
  Start();
  EXPECT_THAT(Ask("GET https://user:pw@127.0.0.1:1/x")["error"], HasSubstr("user info"));
  EXPECT_THAT(Ask("BREW " + server_->origin() + "/echo")["error"], HasSubstr("method 'BREW'"));
  EXPECT_THAT(Ask("GET " + server_->origin() + "/echo\nbody")["error"], HasSubstr("takes no body"));
  EXPECT_THAT(Ask("GET ftp://127.0.0.1/x")["error"], HasSubstr("only https://"));
  EXPECT_EQ(server_->requests(), 0);
  EXPECT_EQ(audit_->records().size(), 4u);
}

TEST_F(Egress, WithoutAnAuditLogNothingGoesOut) {
  Start(false, nullptr, /*with_audit=*/false);
  auto signals = Ask("GET " + server_->origin() + "/echo");
  EXPECT_THAT(signals["error"], HasSubstr("needs an audit log"));
  EXPECT_EQ(server_->requests(), 0);
}

TEST_F(Egress, AuditRowsGoIntoTheStoreWithoutBodies) {
  const fs::path store_path = dir_ / "store.db";
  auto audit = StoreEgressAudit::Open(store_path);
  ASSERT_TRUE(audit.ok()) << audit.status().message();
  Start(false, audit.value());
  EXPECT_EQ(Ask("POST " + server_->origin() + "/echo\nsecret-body-text")["status"], "200");
  Ask("GET https://127.0.0.1:1/refused-path");
  auto store = host::Store::Open(store_path);
  ASSERT_TRUE(store.ok());
  auto report = host::VerifyAudit(store.value()->db());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty());
  ASSERT_EQ(report->entries, 2);
  host::Statement rows(store.value()->db(),
                       "SELECT actor, action, details FROM audit_log ORDER BY seq");
  ASSERT_TRUE(rows.ok());
  std::vector<std::vector<std::string>> seen;
  while (rows.Step() == host::kRow) {
    seen.push_back({rows.ColumnText(0), rows.ColumnText(1), rows.ColumnText(2)});
  }
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0][0], "plugin:egress.client");
  EXPECT_EQ(seen[0][1], "egress.request");
  EXPECT_THAT(seen[0][2], HasSubstr("\"origin\":\"" + server_->origin() + "\""));
  EXPECT_THAT(seen[0][2], HasSubstr("\"bytes_sent\":16"));
  EXPECT_THAT(seen[0][2], HasSubstr("\"status\":200"));
  EXPECT_THAT(seen[0][2], HasSubstr("\"plugin_sha256\":\""));
  EXPECT_EQ(seen[1][1], "egress.refused");
  EXPECT_THAT(seen[1][2], HasSubstr("not in the plugin's signed manifest"));
  for (const auto& row : seen) {
    EXPECT_THAT(row[2], Not(HasSubstr("secret-body-text")));  // never the bodies
    EXPECT_THAT(row[2], Not(HasSubstr("echo POST")));
    EXPECT_THAT(row[2], Not(HasSubstr("refused-path")));  // only the origin
  }
}

// What a hostile worker may put in a request frame: bytes that are not UTF-8, CR/LF in
// headers. Refused with a reason, and audited without breaking the JSON of the row.
TEST_F(Egress, HostileBytesAreRefusedAndAuditedSafely) {
  auto audit = StoreEgressAudit::Open(dir_ / "store.db");
  ASSERT_TRUE(audit.ok()) << audit.status().message();
  HttpEgress egress(config_.egress);
  egress.SetAudit(audit.value());
  const EgressCaller caller{"x.so", "", "hostile.bytes", {server_->origin()}};
  host::HttpCall call;
  call.method = "G\xff\xfeT";
  call.url = server_->origin() + "/\xc3\x28";
  EXPECT_EQ(egress.Perform(caller, call).code, VIGIL_ERR_INVALID_ARGUMENT);
  call.method = "GET";
  call.url = "https://\xc3\x28.example/x";
  EXPECT_NE(egress.Perform(caller, call).code, VIGIL_OK);
  call.url = server_->origin() + "/echo";
  call.headers = {{"X-Injected", "a\r\nHost: evil"}};
  host::HttpAnswer injected = egress.Perform(caller, call);
  EXPECT_EQ(injected.code, VIGIL_ERR_INVALID_ARGUMENT);
  EXPECT_THAT(injected.error, HasSubstr("contains CR, LF or NUL"));
  call.headers = {{"Host", "evil.example"}};
  EXPECT_THAT(egress.Perform(caller, call).error, HasSubstr("set by the host"));
  EXPECT_EQ(server_->requests(), 0);
  auto store = host::Store::Open(dir_ / "store.db");
  ASSERT_TRUE(store.ok());
  auto report = host::VerifyAudit(store.value()->db());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries, 4);
  EXPECT_TRUE(report->problems.empty());
}

TEST_F(Egress, APluginThatOpensASocketItselfIsStillKilled) {
  Start();
  host::AnalyzeOutcome attacked = analyzer_->Analyze(Item("attack"));
  EXPECT_FALSE(attacked.status.ok());
  EXPECT_THAT(attacked.status.message(), HasSubstr("SIGSYS"));
  EXPECT_EQ(Ask("GET " + server_->origin() + "/echo")["status"], "200");
}

TEST_F(Egress, AFloodOfRequestsKillsTheWorker) {
  Start();
  host::AnalyzeOutcome flooded = analyzer_->Analyze(Item("flood"));
  EXPECT_FALSE(flooded.status.ok());
  EXPECT_THAT(flooded.status.message(),
              HasSubstr("more than 32 outbound HTTPS requests in one call"));
  // Each request up to the cap was audited (refused: not in the manifest), per attempt
  // (the item is retried once on a fresh worker); none beyond it.
  EXPECT_EQ(audit_->records().size(), 64u);
  EXPECT_EQ(Ask("GET " + server_->origin() + "/echo")["status"], "200");
}

TEST_F(Egress, SignedManifestCarriesTheOriginsInNormalForm) {
  Sign({"https://LOCALHOST", "https://127.0.0.1:8443/"});
  std::ifstream in(ManifestPath(plugin_));
  std::string manifest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(manifest, HasSubstr("\"egress_origins\""));
  auto store = TrustStore::Load(dir_ / "trust");
  ASSERT_TRUE(store.ok());
  auto verified = OpenVerifiedPlugin(plugin_, store.value(), {});
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_EQ(verified->egress_origins,
            (std::set<std::string>{"https://localhost:443", "https://127.0.0.1:8443"}));
  EXPECT_FALSE(
      SignPlugin(plugin_, dir_ / "keys" / "vigil-signing.key", "1.0", {}, {"http://127.0.0.1"})
          .ok());
}

// The `vigil` command end to end: sign with --allow-origin, scan with the host config's
// [egress], and the request is in the store's audit log, which verifies.
struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

CliRun Vigil(const fs::path& dir, const std::string& args) {
  const fs::path vigil = fs::path(VIGIL_BINARY_DIR) / "bin" / "vigil";
  const std::string command =
      "env -u VIGIL_PLUGIN_PATH VIGIL_HOST_CONFIG=" + (dir / "host.toml").string() + " " +
      vigil.string() + " " + args + " 2>" + (dir / "stderr.txt").string();
  CliRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;) run.out.append(buffer, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(dir / "stderr.txt");
  run.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return run;
}

TEST_F(Egress, VigilScanPerformsAndAuditsTheRequest) {
  std::ofstream(dir_ / "host.toml")
      << "[trust]\nkeys = \"trust\"\n\n[egress]\nallowed_origins = [\"" << server_->origin()
      << "\"]\nca_file = \"ca.pem\"\ntimeout_ms = 2000\n";
  const std::string key = (dir_ / "keys" / "vigil-signing.key").string();
  CliRun bad = Vigil(
      dir_, "plugins sign --key " + key + " --allow-origin http://127.0.0.1 " + plugin_.string());
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("is not https://"));
  EXPECT_FALSE(fs::exists(ManifestPath(plugin_)));
  CliRun sign = Vigil(dir_, "plugins sign --key " + key + " --allow-origin " + server_->origin() +
                                " " + plugin_.string());
  ASSERT_EQ(sign.exit_code, 0) << sign.err;
  EXPECT_THAT(sign.out, HasSubstr("1 egress origins"));

  std::ofstream(dir_ / "request.bin") << "GET " << server_->origin() << "/echo";
  const std::string store = (dir_ / "store.db").string();
  // Nothing is first-party here: the shipped policy would refuse (it needs vigil.pdq,
  // vigil.exact and vigil.classifier), so every finding is reviewed instead.
  std::ofstream(dir_ / "policy.toml") << "[[rules]]\nname = \"any\"\noutcome = \"review\"\n";
  CliRun scan = Vigil(dir_, "--plugin-dir " + plugin_.string() + " --store " + store + " scan " +
                                (dir_ / "request.bin").string() + " --json --policy " +
                                (dir_ / "policy.toml").string());
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_THAT(scan.out, HasSubstr(R"({"type":"status","value":"200","detector":"egress.client"})"))
      << scan.out << scan.err;
  EXPECT_EQ(server_->requests(), 1);

  CliRun verify = Vigil(dir_, "--store " + store + " audit verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  auto opened = host::Store::Open(store);
  ASSERT_TRUE(opened.ok());
  host::Statement rows(opened.value()->db(),
                       "SELECT details FROM audit_log WHERE action = 'egress.request'");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows.Step(), host::kRow);
  EXPECT_THAT(rows.ColumnText(0), HasSubstr("\"origin\":\"" + server_->origin() + "\""));
  EXPECT_THAT(rows.ColumnText(0), HasSubstr("\"status\":200"));
  EXPECT_NE(rows.Step(), host::kRow);
}

TEST(EgressOrigin, NormalFormAndRefusals) {
  EXPECT_EQ(NormalizeOrigin("https://Example.ORG").value(), "https://example.org:443");
  EXPECT_EQ(NormalizeOrigin("https://127.0.0.1:8443/").value(), "https://127.0.0.1:8443");
  for (const char* bad :
       {"http://example.org", "example.org", "https://example.org/api", "https://example.org?x=1",
        "https://u@example.org", "ftp://x", "https://exa mple.org", "", "https://"}) {
    EXPECT_FALSE(NormalizeOrigin(bad).ok()) << bad;
  }
}

class EgressConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigil-egress-config-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "ca.pem") << "not checked here\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  StatusOr<HostConfig> Load(const std::string& text) {
    std::ofstream(dir_ / "host.toml") << text;
    return HostConfig::Load(dir_ / "host.toml", dir_);
  }
  fs::path dir_;
};

TEST_F(EgressConfigFile, ReadsEveryKey) {
  auto config = Load(
      "[egress]\nallowed_origins = [\"https://API.example.org\", \"https://127.0.0.1:8443\"]\n"
      "ca_file = \"ca.pem\"\nmax_request_bytes = 1000\nmax_response_bytes = 2000\n"
      "timeout_ms = 3000\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->egress.allowed_origins,
            (std::set<std::string>{"https://api.example.org:443", "https://127.0.0.1:8443"}));
  EXPECT_EQ(config->egress.ca_file, dir_ / "ca.pem");
  EXPECT_EQ(config->egress.max_request_bytes, 1000u);
  EXPECT_EQ(config->egress.max_response_bytes, 2000u);
  EXPECT_EQ(config->egress.timeout.count(), 3000);
  auto none = Load("[plugins]\nfirst_party = []\n");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->egress.allowed_origins.empty());
}

TEST_F(EgressConfigFile, RefusesBadValues) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"allowed_origins = [\"http://example.org\"]", "is not https://"},
      {"allowed_origins = [\"https://example.org/path\"]", "has a path"},
      {"allowed_origins = \"https://example.org\"", "not a list"},
      {"allowed_origins = [42]", "lists strings"},
      {"ca_file = \"missing.pem\"", "not a readable file"},
      {"max_request_bytes = -1", "max_request_bytes must be an integer from 1"},
      {"max_response_bytes = 0", "max_response_bytes must be an integer from 1"},
      {"max_response_bytes = 999999999999", "max_response_bytes must be an integer from 1"},
      {"timeout_ms = 0", "timeout_ms must be an integer from 1 to 600000"},
      {"timeout_ms = \"10s\"", "timeout_ms must be an integer"},
      {"proxy = \"http://proxy\"", "has no key 'proxy'"},
  };
  for (const auto& [line, why] : cases) {
    auto config = Load("[egress]\n" + line + "\n");
    ASSERT_FALSE(config.ok()) << line;
    EXPECT_THAT(config.status().message(), HasSubstr(why)) << line;
    EXPECT_THAT(config.status().message(), HasSubstr("[egress]")) << line;
  }
}

// The conformance kit's host performs no requests: a plugin that uses vigil.http/1
// gets a refusal there and still passes every check.
TEST(EgressConformance, APluginUsingTheExtensionPassesTheKit) {
  testkit::ConformanceOptions options;
  options.threads = 4;
  auto results = testkit::RunConformance(EgressPlugin(), options);
  ASSERT_FALSE(results.empty());
  for (const auto& result : results) {
    EXPECT_TRUE(result.passed) << result.name << ": " << result.detail;
  }
}

}  // namespace
}  // namespace vigil::isolation
