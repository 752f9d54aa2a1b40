// Issue 14 item 1 on the team store: `vigil serve` logged in as vigil_scanner matches,
// adds and imports through the bank routes (audited by that login), is refused a hold (only
// vigil_admin inserts holds: a clear 503, nothing changes), and a hold an admin makes on
// another machine reaches its matching through the watcher's refresh from the store.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "pg_test_server.h"
#include "service/bank_routes.h"
#include "service/token_auth.h"
#include "service/vigil_api.h"
#include "store/api_tokens.h"
#include "store/bank_materialise.h"
#include "store/local_banks.h"
#include "store/store.h"
#include "vigil/hashbank/bank.h"

namespace vigil::host::testing {
namespace {

constexpr char kPdq[] = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

class TeamBankRoutes : public PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    auto store = Store::Open(url_);  // the superuser migrates
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil-pg-banks-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    data_ = (dir_ / "lists").string();
    std::filesystem::create_directories(hashdetect::BankDirectory(data_));
    hashbank::Entry e;
    e.value = hashbank::ParseHashValue(hashbank::SignalType::kPdq, kPdq).value();
    e.source = "test";
    e.external_id = "rec-1";
    ASSERT_TRUE(
        hashbank::WriteBankFile(hashdetect::BankPath(data_, "partner"), "partner", {e}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
    PgTestServer::TearDown();
  }
  std::unique_ptr<Store> store_;
  std::filesystem::path dir_;
  std::string data_;
};

TEST_F(TeamBankRoutes, TheServersLoginMatchesAndWritesBanksButOnlyAnAdminHolds) {
  const std::string admin = MakeLogin("adm", {"vigil_admin"});
  const std::string scanner = MakeLogin("scn", {"vigil_scanner"});
  auto admin_db = Connect(admin);
  auto scanner_db = Connect(scanner);
  ASSERT_TRUE(admin_db && scanner_db);
  auto match_token = CreateApiToken(*admin_db, "platform", {"match"}, 0, admin);
  auto admin_token = CreateApiToken(*admin_db, "ops", {"admin"}, 0, admin);
  ASSERT_TRUE(match_token.ok() && admin_token.ok()) << match_token.status().message();

  // The server: its store connection is the scanner's.
  auto banks = service::BankLibrary::Open(data_);
  ASSERT_TRUE(banks.ok()) << banks.status().message();
  std::mutex db_mutex;
  service::ServiceMetrics metrics;
  service::ApiDeps deps;
  deps.db = scanner_db.get();
  deps.db_mutex = &db_mutex;
  deps.metrics = &metrics;
  deps.banks = banks.value().get();
  service::Router router;
  service::AddVigilRoutes(router, deps);
  service::StoreAuthenticator auth(*scanner_db, db_mutex);
  service::RateLimiter limiter;
  service::DispatchContext context{&router, &auth, &limiter, &metrics};
  auto call = [&](const std::string& method, const std::string& target, std::string body,
                  const std::string& token) {
    service::HttpRequest r;
    r.method = method;
    const size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.body = std::move(body);
    r.headers["authorization"] = "Bearer " + token;
    return service::Dispatch(context, r);
  };
  const std::string query = std::string(R"({"signals":[{"type":"pdq","value":")") + kPdq + "\"}]}";
  auto matches = [&] {
    service::HttpResponse r = call("POST", "/v1/match", query, match_token.value());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? nlohmann::json::parse(r.body)["results"][0]["matches"].size() : 99;
  };
  EXPECT_EQ(matches(), 1u);

  // Adding and importing write bank files; the audit entries are the scanner login's.
  service::HttpResponse added =
      call("POST", "/v1/banks/own/entries",
           R"({"entries":[{"type":"md5","value":"098f6bcd4621d373cade4e832627b4f6"}]})",
           admin_token.value());
  ASSERT_EQ(added.status, 200) << added.body;
  service::HttpResponse imported = call("POST", "/v1/banks/import?bank=imp&format=plain&type=pdq",
                                        std::string(kPdq) + "\n", admin_token.value());
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(matches(), 2u);
  // The actor is the server's login (the store sets it); the token's name is in the details.
  EXPECT_EQ(Scalar(store_->db(),
                   "SELECT count(*) FROM audit_log WHERE action IN ('api.bank_entries_added', "
                   "'api.bank_imported') AND actor = '" +
                       scanner + "' AND details LIKE '%\"token\":\"ops\"%'"),
            "2");

  // A hold through the API: the scanner login may not insert one (503), nothing changes.
  service::HttpResponse refused =
      call("DELETE", "/v1/banks/partner/entries/rec-1?until=2099-01-01&reason=x", "",
           admin_token.value());
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM bank_entry_holds"), "0");
  EXPECT_EQ(matches(), 2u);

  // An admin holds the entry on their own machine; the server's refresh brings it here.
  EntryHold hold;
  hold.bank = "partner";
  hold.entry = "rec-1";
  hold.until_unix = 4102444800;
  hold.reason = "false positive";
  hold.actor = admin;
  ASSERT_TRUE(DisableBankEntry(*admin_db, hold, std::time(nullptr)).ok());
  banks.value()->SetRefresh(
      [&] {
        std::lock_guard<std::mutex> lock(db_mutex);
        auto written = MaterialiseBanks(*scanner_db, data_, std::time(nullptr));
        return written.ok() ? std::string() : written.status().message();
      },
      1);
  banks.value()->StartWatching(std::chrono::milliseconds(20));
  for (int i = 0; i < 500 && banks.value()->Current()->held().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  banks.value()->StopWatching();
  EXPECT_EQ(matches(), 1u);  // only imp's entry now
}

}  // namespace
}  // namespace vigil::host::testing
