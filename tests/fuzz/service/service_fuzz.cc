// Feeds raw bytes as an HTTP request: Beast's parser (with the server's header limit),
// then Dispatch over the real routes with a store, a spool, a small hash bank and a token. Any
// crash, sanitizer report or a response that is not JSON with the status it claims is a bug.
#include <unistd.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "bank_set.h"
#include "service/bank_routes.h"
#include "service/http_api.h"
#include "service/token_auth.h"
#include "service/vigil_api.h"
#include "store/api_tokens.h"
#include "store/store.h"
#include "vigil/hashbank/bank.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using namespace vigil;

struct World {
  std::filesystem::path dir;
  std::unique_ptr<host::Store> store;
  std::mutex db_mutex;
  std::unique_ptr<service::SpoolSink> spool;
  service::ServiceMetrics metrics;
  std::atomic<bool> ready{true};
  service::Router router;
  std::unique_ptr<service::StoreAuthenticator> auth;
  service::RateLimiter limiter;
  service::DispatchContext context;
  std::unique_ptr<service::BankLibrary> banks;  // POST /v1/match and the bank routes

  World() {
    dir =
        std::filesystem::temp_directory_path() / ("vigil-service-fuzz-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    store = std::move(host::Store::Open(dir / "store.db")).value();
    spool = std::move(service::SpoolSink::Open(dir / "spool")).value();
    // A small bank (one PDQ, one md5) for /v1/match, /v1/hash?match=1 and the bank routes.
    const std::string lists = (dir / "lists").string();
    std::filesystem::create_directories(vigil::hashdetect::BankDirectory(lists));
    std::vector<vigil::hashbank::Entry> entries(2);
    entries[0].value =
        vigil::hashbank::ParseHashValue(vigil::hashbank::SignalType::kPdq, std::string(64, 'a'))
            .value();
    entries[0].external_id = "e1";
    entries[1].value =
        vigil::hashbank::ParseHashValue(vigil::hashbank::SignalType::kMd5, std::string(32, 'b'))
            .value();
    (void)vigil::hashbank::WriteBankFile(vigil::hashdetect::BankPath(lists, "seed"), "seed",
                                         entries);
    banks = std::move(service::BankLibrary::Open(lists)).value();
    service::ApiDeps deps;
    deps.banks = banks.get();
    deps.db = &store->db();
    deps.db_mutex = &db_mutex;
    deps.sink = spool.get();
    deps.spool = spool.get();
    deps.metrics = &metrics;
    deps.ready = &ready;
    deps.max_item_bytes = 1 << 20;
    service::AddVigilRoutes(router, deps);
    auth = std::make_unique<service::StoreAuthenticator>(store->db(), db_mutex);
    context = {&router, auth.get(), &limiter, &metrics};
    // One token with every scope; inputs name it as "TOKEN" (replaced below).
    auto all = host::CreateApiToken(store->db(), "fuzz", {"submit", "match", "admin"}, 0, "fuzz");
    token = all.ok() ? all.value() : "";
  }
  std::string token;
};

World& TheWorld() {
  static World* world = new World();
  return *world;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = TheWorld();
  std::string input(reinterpret_cast<const char*>(data), size);
  // "TOKEN" in the input stands for the live token, so the fuzzer reaches the handlers.
  for (size_t at = input.find("TOKEN"); at != std::string::npos; at = input.find("TOKEN", at)) {
    input.replace(at, 5, w.token);
    at += w.token.size();
  }
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1 << 20);
  parser.eager(true);
  beast::error_code ec;
  parser.put(boost::asio::buffer(input), ec);
  if (ec || !parser.is_done()) return 0;
  auto& req = parser.get();
  service::HttpRequest request;
  request.method = std::string(req.method_string());
  std::string target(req.target());
  size_t q = target.find('?');
  request.path = target.substr(0, q);
  if (q != std::string::npos) request.query = target.substr(q + 1);
  for (const auto& f : req) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers[name] = std::string(f.value());
  }
  request.body = req.body();
  service::HttpResponse response = service::Dispatch(w.context, request);
  if (response.content_type == "application/json") {
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_discarded()) __builtin_trap();
    if (response.status >= 400 && body.value("code", 0) != response.status) __builtin_trap();
  }
  // Keep the spool from growing without bound over a long run.
  if (w.spool->Pending().size() > 1000) {
    for (const auto& f : w.spool->Pending()) std::filesystem::remove(f);
  }
  // Nor the banks folder (bank names come from the input).
  std::error_code ec2;
  const auto bank_dir = vigil::hashdetect::BankDirectory((w.dir / "lists").string());
  size_t files = 0;
  for (auto it = std::filesystem::directory_iterator(bank_dir, ec2);
       it != std::filesystem::directory_iterator(); ++it) {
    ++files;
  }
  if (files > 200) {
    for (const auto& e : std::filesystem::directory_iterator(bank_dir, ec2)) {
      if (e.path().stem() != "seed") std::filesystem::remove(e.path(), ec2);
    }
    (void)w.banks->Reload();
  }
  return 0;
}
