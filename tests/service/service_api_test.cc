// The API's routes in process (issue 14 items 3-4): the OpenAPI document against the
// router, the spool sink's durability format, /v1/hash and /v1/items through Dispatch.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "scan/sha256.h"
#include "service/spool_sink.h"
#include "service/token_auth.h"
#include "service/vigil_api.h"
#include "store/api_tokens.h"
#include "store/named_queues.h"
#include "tests/unit/host/temp_store.h"
#include "vigil/decode/image_decoder.h"
#include "vigil/pdq/pdq.h"

namespace vigil::service {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(OpenApiTest, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  const auto path = std::filesystem::path(VIGIL_SOURCE_DIR) / "docs" / "openapi.json";
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  nlohmann::json doc = nlohmann::json::parse(ReadFile(path));
  EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.", 0), 0u);
  std::set<std::string> documented;
  for (const auto& [p, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(upper + " " + p);
    }
  }
  Router router;
  AddVigilRoutes(router, ApiDeps{});
  std::set<std::string> served;
  for (const Route& r : router.routes()) {
    served.insert(r.method + " " + r.pattern);
    // A scoped route documents its scope; an open one says it needs none.
    std::string lower = r.method;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto& op = doc["paths"][r.pattern][lower];
    ASSERT_TRUE(op.is_object()) << r.method << " " << r.pattern;
    if (r.scopes.empty()) {
      EXPECT_TRUE(op["security"].is_array() && op["security"].empty()) << r.pattern;
    } else {
      // One requirement per scope: any one admits the caller.
      nlohmann::json scopes = nlohmann::json::array();
      for (const auto& requirement : op["security"]) {
        for (const auto& s : requirement["bearer"]) scopes.push_back(s);
      }
      EXPECT_EQ(scopes, nlohmann::json(r.scopes)) << r.pattern;
    }
  }
  EXPECT_EQ(served, documented);
  // What GET /openapi.json serves is this document.
  EXPECT_EQ(nlohmann::json::parse(OpenApiDocument()), doc);
}

class SpoolTest : public host::TempStoreTest {};

TEST_F(SpoolTest, SubmissionsRoundTripAndTornFilesAreDropped) {
  auto spool = SpoolSink::Open(dir_ / "spool");
  ASSERT_TRUE(spool.ok()) << spool.status().message();
  Submission s;
  s.id = NewSubmissionId();
  ASSERT_TRUE(IsSubmissionId(s.id)) << s.id;
  s.name = "cat\n.jpg";
  s.content_type = "image/jpeg";
  s.uploader_id = "u1";
  s.source = "api";
  s.received_unix_ms = 1234;
  s.attributes = {{"k", "v"}};
  s.bytes = std::string("\0\1\2binary\n", 10);
  ASSERT_TRUE(spool.value()->Submit(s).ok());
  EXPECT_TRUE(spool.value()->IsPending(s.id));
  EXPECT_FALSE(spool.value()->IsPending(NewSubmissionId()));
  EXPECT_FALSE(spool.value()->IsPending("../etc/passwd"));
  auto files = spool.value()->Pending();
  ASSERT_EQ(files.size(), 1u);
  auto back = SpoolSink::Read(files[0]);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back.value().id, s.id);
  EXPECT_EQ(back.value().name, s.name);
  EXPECT_EQ(back.value().bytes, s.bytes);
  EXPECT_EQ(back.value().received_unix_ms, 1234);
  EXPECT_EQ(back.value().attributes.at("k"), "v");
  // The same id twice is refused (O_EXCL on the part file keeps one writer).
  Submission bad = s;
  bad.id = "sub-../../x";
  EXPECT_FALSE(spool.value()->Submit(bad).ok());

  // A torn write (a .part) is removed at the next start; a truncated .sub is Corruption.
  std::ofstream(dir_ / "spool" / (NewSubmissionId() + ".part")) << "VIGILSUB1\n{";
  std::string whole = ReadFile(files[0]);
  const auto truncated = dir_ / "spool" / (NewSubmissionId() + ".sub");
  std::ofstream(truncated, std::ios::binary) << whole.substr(0, whole.size() - 3);
  auto reopened = SpoolSink::Open(dir_ / "spool");
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened.value()->Pending().size(), 2u);
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "spool")) {
    EXPECT_NE(e.path().extension(), ".part") << e.path();
  }
  auto torn = SpoolSink::Read(truncated);
  EXPECT_EQ(torn.status().code(), Status::Code::kCorruption) << torn.status().message();
  std::ofstream(truncated, std::ios::binary) << "not a spool file";
  EXPECT_FALSE(SpoolSink::Read(truncated).ok());
}

class ApiDispatchTest : public host::TempStoreTest {
 protected:
  void SetUp() override {
    host::TempStoreTest::SetUp();
    auto spool = SpoolSink::Open(dir_ / "spool");
    ASSERT_TRUE(spool.ok());
    spool_ = std::move(spool).value();
    deps_.db = &store_->db();
    deps_.db_mutex = &db_mutex_;
    deps_.sink = spool_.get();
    deps_.spool = spool_.get();
    deps_.metrics = &metrics_;
    deps_.ready = &ready_;
    AddVigilRoutes(router_, deps_);
    auth_ = std::make_unique<StoreAuthenticator>(store_->db(), db_mutex_);
    context_ = {&router_, auth_.get(), &limiter_, &metrics_};
    auto submit = host::CreateApiToken(store_->db(), "submitter", {"submit"}, 0, "t");
    auto match = host::CreateApiToken(store_->db(), "matcher", {"match"}, 0, "t");
    ASSERT_TRUE(submit.ok() && match.ok());
    submit_token_ = submit.value();
    match_token_ = match.value();
  }
  HttpResponse Call(const std::string& method, const std::string& path, std::string body,
                    const std::string& token, std::map<std::string, std::string> headers = {}) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.body = std::move(body);
    r.headers = std::move(headers);
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    return Dispatch(context_, r);
  }
  int64_t AuditCount(const std::string& action) {
    host::Statement q(store_->db(), "SELECT count(*) FROM audit_log WHERE action = ?1");
    q.Bind(1, action);
    EXPECT_EQ(q.Step(), host::kRow);
    return q.ColumnInt(0);
  }

  std::mutex db_mutex_;
  std::unique_ptr<SpoolSink> spool_;
  ServiceMetrics metrics_;
  std::atomic<bool> ready_{true};
  ApiDeps deps_;
  Router router_;
  std::unique_ptr<StoreAuthenticator> auth_;
  RateLimiter limiter_;
  DispatchContext context_;
  std::string submit_token_;
  std::string match_token_;
};

TEST_F(ApiDispatchTest, HashGivesTheCliSignalsAndIsAudited) {
  const auto image = std::filesystem::path(VIGIL_TESTDATA) / "pdq" / "images-and-lists" /
                     "reg-test-input" / "dih" / "bridge-1-original.jpg";
  ASSERT_TRUE(std::filesystem::exists(image)) << image << " (the shared test data is missing)";
  const std::string bytes = ReadFile(image);
  HttpResponse r = Call("POST", "/v1/hash", bytes, match_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto out = nlohmann::json::parse(r.body);
  EXPECT_EQ(out["sha256"], host::Sha256Hex(bytes));
  EXPECT_EQ(out["size"], bytes.size());
  EXPECT_EQ(out["md5"].get<std::string>().size(), 32u);
  // The same PDQ as the library the pdq plugin and the Python module use.
  auto decoded = decode::DecodeImageFile(image.string());
  ASSERT_TRUE(decoded.ok());
  pdq::ImageView view;
  view.pixels = decoded.value().pixel_data();
  view.size_bytes = decoded.value().pixel_bytes();
  view.width = decoded.value().width;
  view.height = decoded.value().height;
  view.stride = decoded.value().stride;
  view.format = pdq::PixelFormat::kRgb8;
  pdq::PdqHasher hasher;
  auto expected = hasher.Hash(view);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(out["pdq"]["hash"], expected.value().hash.ToHex());
  EXPECT_EQ(out["pdq"]["quality"], expected.value().quality);
  EXPECT_EQ(AuditCount("api.hash"), 1);

  // Not an image: digests, no PDQ, a reason. Empty: 400. Wrong scope: 403, not audited.
  HttpResponse text = Call("POST", "/v1/hash", "plain text", match_token_);
  ASSERT_EQ(text.status, 200);
  EXPECT_TRUE(nlohmann::json::parse(text.body)["pdq"].is_null());
  EXPECT_TRUE(nlohmann::json::parse(text.body).contains("pdq_error"));
  EXPECT_EQ(Call("POST", "/v1/hash", "", match_token_).status, 400);
  EXPECT_EQ(Call("POST", "/v1/hash", bytes, submit_token_).status, 403);
  EXPECT_EQ(AuditCount("api.hash"), 2);
}

TEST_F(ApiDispatchTest, SubmitSpoolsBeforeAnsweringAndAudits) {
  HttpResponse r = Call(
      "POST", "/v1/items", "some bytes", submit_token_,
      {{"content-type", "image/png"}, {"x-vigil-name", "a.png"}, {"x-vigil-uploader", "user-7"}});
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id = nlohmann::json::parse(r.body)["id"];
  ASSERT_TRUE(spool_->IsPending(id));
  auto spooled = SpoolSink::Read(spool_->dir() / (id + ".sub"));
  ASSERT_TRUE(spooled.ok());
  EXPECT_EQ(spooled.value().bytes, "some bytes");
  EXPECT_EQ(spooled.value().name, "a.png");
  EXPECT_EQ(spooled.value().uploader_id, "user-7");
  EXPECT_EQ(spooled.value().content_type, "image/png");
  EXPECT_EQ(spooled.value().source, "api");
  EXPECT_EQ(AuditCount("api.submit"), 1);

  HttpResponse status = Call("GET", "/v1/items/" + id, "", submit_token_);
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(nlohmann::json::parse(status.body)["status"], "accepted");
  EXPECT_EQ(Call("GET", "/v1/items/" + NewSubmissionId(), "", submit_token_).status, 404);
  EXPECT_EQ(Call("GET", "/v1/items/..%2F..%2Fstore.db", "", submit_token_).status, 400);

  // A URL record: JSON, recorded, never fetched.
  HttpResponse url = Call("POST", "/v1/items", R"({"url":"http://127.0.0.1:1/x.jpg"})",
                          submit_token_, {{"content-type", "application/json"}});
  ASSERT_EQ(url.status, 202) << url.body;
  auto record = SpoolSink::Read(
      spool_->dir() / (nlohmann::json::parse(url.body)["id"].get<std::string>() + ".sub"));
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record.value().url, "http://127.0.0.1:1/x.jpg");
  EXPECT_TRUE(record.value().bytes.empty());

  // Malformed JSON, a record without a URL, a non-http URL, no body, the wrong scope.
  for (const char* bad :
       {"{\"url\":", "[]", "{\"link\":\"http://a\"}", "{\"url\":\"file:///etc/passwd\"}",
        "{\"url\":\"http://a\",\"uploader_id\":5}"}) {
    HttpResponse e =
        Call("POST", "/v1/items", bad, submit_token_, {{"content-type", "application/json"}});
    EXPECT_EQ(e.status, 400) << bad;
    EXPECT_EQ(nlohmann::json::parse(e.body)["code"], 400);
  }
  EXPECT_EQ(Call("POST", "/v1/items", "", submit_token_).status, 400);
  EXPECT_EQ(Call("POST", "/v1/items", "x", match_token_).status, 403);
  EXPECT_EQ(Call("POST", "/v1/items", "x", "").status, 401);
  EXPECT_EQ(spool_->Pending().size(), 2u);

  // The metrics count what happened.
  std::string metrics = metrics_.Render(static_cast<int64_t>(spool_->Pending().size()));
  EXPECT_NE(metrics.find("vigil_submissions_accepted_total 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("vigil_http_requests_total{route=\"/v1/items\",code=\"202\"} 2"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("vigil_spool_pending 2"), std::string::npos);
}

TEST_F(ApiDispatchTest, QueueStatsAreWhatVigilQueuesShows) {
  host::AddQueuedItem(*store_, std::string(64, 'a'), host::Disposition::kReview, 5);
  host::AddQueuedItem(*store_, std::string(64, 'b'), host::Disposition::kReview, 3);
  host::AddQueuedItem(*store_, std::string(64, 'c'), host::Disposition::kClear, 0);
  HttpResponse r = Call("GET", "/v1/queues/stats", "", match_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto out = nlohmann::json::parse(r.body);
  EXPECT_EQ(out["pending_total"], 2);
  EXPECT_EQ(out["claimed_total"], 0);
  auto queues = host::ListQueues(store_->db());
  ASSERT_TRUE(queues.ok());
  ASSERT_EQ(out["queues"].size(), queues.value().size());
  for (size_t i = 0; i < queues.value().size(); ++i) {
    EXPECT_EQ(out["queues"][i]["name"], queues.value()[i].spec.name);
    EXPECT_EQ(out["queues"][i]["pending"], queues.value()[i].pending);
  }
  EXPECT_EQ(Call("GET", "/v1/queues/stats", "", submit_token_).status, 403);
}

TEST_F(ApiDispatchTest, UrlCheckCanonicalisesAndMatchesTheLists) {
  url::BlocklistBuilder builder(url::ListFormat::kPlain);
  url::EntryMetadata meta;
  meta.source = "test";
  meta.category = "A1";
  meta.severity = 4;
  meta.entry_id = "e1";
  ASSERT_TRUE(builder.AddUrl("http://bad.example/path/x.jpg", url::EntryKind::kUrl, meta).ok());
  auto list = url::Blocklist::FromBytes(builder.Build());
  ASSERT_TRUE(list.ok());
  std::vector<urldetect::NamedList> lists;
  lists.push_back({"test-list", std::move(list.value())});
  deps_.url_lists = &lists;
  Router router;
  AddVigilRoutes(router, deps_);
  context_.router = &router;

  HttpResponse r = Call("POST", "/v1/urls/check",
                        R"({"urls":["HTTP://BAD.example/path/../path/x.jpg","https://fine.example/",
                                    ""]})",
                        match_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto results = nlohmann::json::parse(r.body)["results"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["verdict"], "match");
  EXPECT_EQ(results[0]["canonical"], "http://bad.example/path/x.jpg");
  EXPECT_EQ(results[0]["hits"][0]["list"], "test-list");
  EXPECT_EQ(results[0]["hits"][0]["category"], "A1");
  EXPECT_EQ(results[0]["hits"][0]["severity"], 4);
  EXPECT_EQ(results[1]["verdict"], "clear");
  EXPECT_EQ(results[2]["verdict"], "invalid");
  EXPECT_FALSE(results[2]["error"].get<std::string>().empty());

  EXPECT_EQ(Call("POST", "/v1/urls/check", "{", match_token_).status, 400);
  EXPECT_EQ(Call("POST", "/v1/urls/check", R"({"urls":[1]})", match_token_).status, 400);
  nlohmann::json many{{"urls", std::vector<std::string>(kMaxUrlsPerCheck + 1, "http://a/")}};
  EXPECT_EQ(Call("POST", "/v1/urls/check", many.dump(), match_token_).status, 400);
  EXPECT_EQ(Call("POST", "/v1/urls/check", R"({"urls":[]})", submit_token_).status, 403);
}

TEST_F(ApiDispatchTest, ReadyOnlyWhenStartedWithAStore) {
  EXPECT_EQ(Call("GET", "/healthz", "", "").status, 200);
  EXPECT_EQ(Call("GET", "/readyz", "", "").status, 200);
  ready_ = false;
  HttpResponse stopping = Call("GET", "/readyz", "", "");
  EXPECT_EQ(stopping.status, 503);
  EXPECT_EQ(nlohmann::json::parse(stopping.body)["started"], false);
}

}  // namespace
}  // namespace vigil::service
