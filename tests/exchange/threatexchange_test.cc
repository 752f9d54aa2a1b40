// The ThreatExchange exchange kind (issue 15 item 1; exchange/threatexchange_client.cc)
// against the loopback mock's /v18.0/<group>/threat_updates, which answers in the documented
// Graph API shape: the request's path and parameters, paging by paging.next, tombstones
// (should_delete), the types the bank holds and the ones it skips, the token never stored,
// and the fault cases (500, 429 Retry-After, malformed JSON, endless paging, a next link
// elsewhere, a wrong token). Also the store: the kind's endpoint check and the migration
// that admits the kind on a store made before it.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "exchange/exchange_client.h"
#include "exchange/exchange_sync.h"
#include "store/exchanges.h"
#include "store/schema.h"
#include "store/store.h"
#include "tests/exchange/mock_ncmec_server.h"
#include "tests/unit/host/temp_store.h"
#include "vigil/hashbank/bank.h"

namespace vigil::exchange {
namespace {

using testing::Fault;
using testing::MockNcmecServer;

constexpr int64_t kNow = 1700000000;
constexpr char kGroup[] = "1234567890";
constexpr char kToken[] = "123456789|te-app-secret-abcdefghij";
const std::string kPdqA = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const std::string kPdqB = "d8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22";
const std::string kMd5A = "0123456789abcdef0123456789abcdef";
const std::string kMd5B = "fedcba9876543210fedcba9876543210";

std::string BankEntries(const std::string& path) {
  auto bank = hashbank::Bank::Open(path);
  if (!bank.ok()) return "";
  std::string out;
  for (const hashbank::Entry& e : bank.value()->Entries()) {
    out += std::string(hashbank::SignalTypeName(e.value.type)) + ":" + e.value.ToHex() + " " +
           e.source + " " + e.external_id + " " + std::to_string(e.added_unix) + "\n";
  }
  return out;
}

bool Matches(const std::string& bank_path, hashbank::SignalType type, const std::string& hex) {
  auto bank = hashbank::Bank::Open(bank_path);
  if (!bank.ok()) return false;
  auto value = hashbank::ParseHashValue(type, hex);
  EXPECT_TRUE(value.ok());
  auto hits = bank.value()->MatchExact(value.value());
  return hits.ok() && !hits.value().empty();
}

std::string Row(const std::string& id, const std::string& type, const std::string& indicator,
                bool should_delete, int64_t time) {
  return "{\"id\": \"" + id + "\", \"indicator\": \"" + indicator + "\", \"type\": \"" + type +
         "\", \"creation_time\": " + std::to_string(time) +
         ", \"last_updated\": " + std::to_string(time) +
         ", \"should_delete\": " + (should_delete ? "true" : "false") + "}";
}

class ThreatExchangeTest : public host::TempStoreTest {
 protected:
  void SetUp() override {
    host::TempStoreTest::SetUp();
    server_ = std::make_unique<MockNcmecServer>("unused", "unused");
    exchange_.name = "te";
    exchange_.kind = "threatexchange";
    exchange_.endpoint = server_->base_url() + "/v18.0/" + kGroup;
    exchange_.bank = "te-bank";
    exchange_.credentials = "env:UNUSED_IN_THIS_TEST";
    exchange_.created_by = "admin";
    ASSERT_TRUE(host::AddExchange(store_->db(), exchange_).ok());
    bank_path_ = (dir_ / "lists" / "hash-banks" / "te-bank.bank").string();
    options_.now_unix = [] { return kNow; };
    options_.retry.first_backoff_ms = 10;
    options_.retry.sleep = [this](int64_t ms) { waits_.push_back(ms); };
  }

  // Two pages: page 1 adds a PDQ (100), an MD5 (101), a vPDQ (102, skipped) and a PDQ that
  // page 2 deletes (103); page 2 updates 101 to another MD5 and adds an MD5 (104).
  void TwoPages() {
    const std::string next = server_->base_url() + "/v18.0/" + kGroup +
                             "/threat_updates/?access_token=" + kToken +
                             "&fields=id%2Cindicator&limit=500&after=QVFIUmx";
    server_->SetThreatExchange(
        kGroup, kToken,
        {{"",
          "{\"data\": [" + Row("100", "HASH_PDQ", kPdqA, false, 1600000000) + ", " +
              Row("101", "HASH_MD5", kMd5A, false, 1600000001) + ", " +
              Row("102", "HASH_VIDEO_VPDQ", "0," + kPdqA + ",100.000,0.000", false, 1600000002) +
              ", " + Row("103", "HASH_PDQ", kPdqB, false, 1600000003) +
              "], \"paging\": {\"cursors\": {\"before\": \"QVFIUmA\", \"after\": "
              "\"QVFIUmx\"}, \"next\": \"" +
              next + "\"}}"},
         {"QVFIUmx",
          "{\"data\": [" + Row("101", "HASH_MD5", kMd5B, false, 1600000010) + ", " +
              "{\"id\": \"103\", \"should_delete\": true, \"last_updated\": 1600000011}" + ", " +
              Row("104", "HASH_VIDEO_MD5", kMd5A, false, 1600000012) +
              "], \"paging\": {\"cursors\": {\"before\": \"QVFIUmy\"}}}"}});
  }

  StatusOr<SyncReport> Sync(const std::string& secret = kToken, int max_pages = 100,
                            std::vector<std::string>* checkpoints = nullptr,
                            size_t batch_ops = 200000) {
    auto client = MakeExchangeClient(exchange_, secret, options_);
    if (!client.ok()) return client.status();
    SyncOptions sync;
    sync.max_pages = max_pages;
    sync.batch_ops = batch_ops;
    sync.on_page = [checkpoints](int, const ExchangePage& page, size_t) {
      if (checkpoints != nullptr) checkpoints->push_back(page.checkpoint);
    };
    sync.now_unix = [] { return kNow; };
    return SyncExchange(store_->db(), exchange_, *client.value(), bank_path_, sync);
  }

  host::ExchangeState State() { return host::ExchangeStateOf(store_->db(), "te").value(); }

  std::unique_ptr<MockNcmecServer> server_;
  host::Exchange exchange_;
  std::string bank_path_;
  ClientOptions options_;
  std::vector<int64_t> waits_;
};

TEST_F(ThreatExchangeTest, TailsThreatUpdatesFollowingTheDocumentedPaths) {
  TwoPages();
  std::vector<std::string> checkpoints;
  auto report = Sync(kToken, 100, &checkpoints);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report.value().pages, 2);
  EXPECT_TRUE(report.value().complete);

  const auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 2u);
  // The window's first page: /<group>/threat_updates/ with the token, the window, a page
  // size and the fields python-threatexchange asks for.
  EXPECT_EQ(requests[0].path, std::string("/v18.0/") + kGroup + "/threat_updates/");
  EXPECT_EQ(requests[0].query.at("access_token"), kToken);
  EXPECT_EQ(requests[0].query.at("start_time"), "0");
  EXPECT_EQ(requests[0].query.at("stop_time"), std::to_string(kNow));
  EXPECT_EQ(requests[0].query.at("limit"), "500");
  EXPECT_EQ(requests[0].query.at("fields"),
            "id,indicator,type,creation_time,last_updated,should_delete");
  // Then paging.next: its path and every parameter, the token included.
  EXPECT_EQ(requests[1].path, std::string("/v18.0/") + kGroup + "/threat_updates/");
  EXPECT_EQ(requests[1].query, (std::map<std::string, std::string>{{"access_token", kToken},
                                                                   {"fields", "id,indicator"},
                                                                   {"limit", "500"},
                                                                   {"after", "QVFIUmx"}}));

  // 100 (PDQ), 101 updated to its new MD5, 104 (a video MD5); 102 (vPDQ) skipped, 103 deleted.
  EXPECT_EQ(BankEntries(bank_path_), "pdq:" + kPdqA + " te 100 1600000000\nmd5:" + kMd5B +
                                         " te 101 1600000010\nmd5:" + kMd5A +
                                         " te 104 1600000012\n");
  EXPECT_TRUE(Matches(bank_path_, hashbank::SignalType::kPdq, kPdqA));
  EXPECT_FALSE(Matches(bank_path_, hashbank::SignalType::kPdq, kPdqB));

  // The token is never part of a checkpoint (the store is not a secret store).
  ASSERT_EQ(checkpoints.size(), 2u);
  EXPECT_EQ(checkpoints[0], std::string("te1 0 1700000000 /v18.0/") + kGroup +
                                "/threat_updates/?fields=id%2Cindicator&limit=500&after=QVFIUmx");
  const host::ExchangeState s = State();
  EXPECT_EQ(s.checkpoint, "te1 1700000000 0 -");  // the next window starts at this one's end
  EXPECT_EQ(s.entries, 3);
  EXPECT_EQ(s.last_error, "");

  // The next sync asks for the window from there on.
  server_->SetThreatExchange(kGroup, kToken, {{"", "{\"data\": [], \"paging\": {}}"}});
  options_.now_unix = [] { return kNow + 600; };
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(server_->requests().back().query.at("start_time"), std::to_string(kNow));
  EXPECT_EQ(server_->requests().back().query.at("stop_time"), std::to_string(kNow + 600));
  EXPECT_EQ(State().entries, 3);
}

TEST_F(ThreatExchangeTest, DeletionsStopMatchingAfterTheNextSync) {
  server_->SetThreatExchange(kGroup, kToken,
                             {{"", "{\"data\": [" + Row("7", "HASH_PDQ", kPdqA, false, 1) + "]}"}});
  ASSERT_TRUE(Sync().ok());
  EXPECT_TRUE(Matches(bank_path_, hashbank::SignalType::kPdq, kPdqA));
  server_->SetThreatExchange(
      kGroup, kToken, {{"", "{\"data\": [{\"id\": 7, \"should_delete\": true}], \"paging\": {}}"}});
  ASSERT_TRUE(Sync().ok());
  EXPECT_FALSE(Matches(bank_path_, hashbank::SignalType::kPdq, kPdqA));
  EXPECT_EQ(State().entries, 0);
}

TEST_F(ThreatExchangeTest, FiveHundredAnd429AreRetriedAsTheServerAsks) {
  TwoPages();
  server_->SetRetryAfter("9");
  server_->QueueFault(Fault::k500);  // page 1: 500, then success
  server_->QueueFault(Fault::kNone);
  server_->QueueFault(Fault::k429);  // page 2: 429 Retry-After: 9, then success
  auto report = Sync();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report.value().pages, 2);
  EXPECT_EQ(waits_, (std::vector<int64_t>{10, 9000}));
  EXPECT_EQ(State().entries, 3);
}

TEST_F(ThreatExchangeTest, MalformedJsonStopsWithTheCheckpointUnchangedThenResumes) {
  TwoPages();
  server_->QueueFault(Fault::kNone);
  server_->QueueFault(Fault::kMalformed);  // page 2 cut off half-way (HTTP 200)
  auto report = Sync();
  ASSERT_FALSE(report.ok());
  host::ExchangeState s = State();
  EXPECT_NE(s.last_error.find("not well-formed JSON"), std::string::npos) << s.last_error;
  EXPECT_NE(s.checkpoint.find("after=QVFIUmx"), std::string::npos) << s.checkpoint;
  EXPECT_TRUE(Matches(bank_path_, hashbank::SignalType::kPdq, kPdqB));  // page 1 applied

  auto again = Sync();
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again.value().pages, 1);
  EXPECT_EQ(server_->requests().back().query.at("after"), "QVFIUmx");
  EXPECT_FALSE(Matches(bank_path_, hashbank::SignalType::kPdq, kPdqB));
  EXPECT_EQ(State().last_error, "");
}

TEST_F(ThreatExchangeTest, AnswersThatAreNotThreatUpdatesAreRefused) {
  for (const std::string& body :
       {std::string("[]"), std::string("{\"error\": {\"code\": 190}}"),
        std::string("{\"data\": {}}"), std::string(200, '[') + std::string(200, ']')}) {
    server_->SetThreatExchange(kGroup, kToken, {{"", body}});
    EXPECT_FALSE(Sync().ok()) << body;
    EXPECT_NE(State().last_error.find("threat_updates page"), std::string::npos);
    EXPECT_EQ(State().checkpoint, "");
  }
  EXPECT_FALSE(std::filesystem::exists(bank_path_));
}

TEST_F(ThreatExchangeTest, BadRowsAreCountedAndTheRestIsKept) {
  server_->SetThreatExchange(
      kGroup, kToken,
      {{"", "{\"data\": [" + Row("1", "HASH_PDQ", "not-hex", false, 1) + ", " +
                Row("x", "HASH_PDQ", kPdqA, false, 1) + ", {\"id\": \"2\", \"indicator\": \"" +
                kPdqA + "\", \"type\": \"HASH_PDQ\"}, 17, " +
                Row("3", "HASH_MD5", kMd5A, false, 5) + "]}"}});
  auto report = Sync();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report.value().bad_records, 4u);
  EXPECT_EQ(BankEntries(bank_path_), "md5:" + kMd5A + " te 3 5\n");
}

TEST_F(ThreatExchangeTest, EndlessPagingStopsAtTheBound) {
  server_->SetThreatExchange(kGroup, kToken, {});
  server_->SetEndless(true);
  auto report = Sync(kToken, 5);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kResource);
  EXPECT_EQ(server_->requests().size(), 5u);
  EXPECT_NE(State().last_error.find("stopped after 5 pages"), std::string::npos);
}

TEST_F(ThreatExchangeTest, NextLinksElsewhereAreRefusedAndTheTokenStaysHome) {
  for (const std::string& next :
       {std::string("http://198.51.100.7/v18.0/") + kGroup + "/threat_updates/?after=x",
        server_->base_url() + "/v18.0/999/threat_updates/?after=x",
        server_->base_url() + "/v18.0/" + kGroup + "/threat_updates_evil?after=x",
        server_->base_url() + "/v18.0/" + kGroup + "/threat_updates/?after=a b"}) {
    server_->SetThreatExchange(kGroup, kToken,
                               {{"", "{\"data\": [], \"paging\": {\"next\": \"" + next + "\"}}"}});
    const size_t before = server_->requests().size();
    EXPECT_FALSE(Sync().ok()) << next;
    EXPECT_NE(State().last_error.find("not this privacy group's /threat_updates"),
              std::string::npos)
        << State().last_error;
    EXPECT_EQ(server_->requests().size(), before + 1);
  }
}

TEST_F(ThreatExchangeTest, AWrongTokenIsRefusedWithoutRetryingOrShowingIt) {
  TwoPages();
  auto report = Sync("123456789|wrong-secret-abcdefghijkl");
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(server_->requests().size(), 1u);
  EXPECT_NE(State().last_error.find("HTTP 400"), std::string::npos) << State().last_error;
  EXPECT_EQ(State().last_error.find("wrong-secret"), std::string::npos) << State().last_error;
  EXPECT_FALSE(MakeExchangeClient(exchange_, "", options_).ok());
  EXPECT_FALSE(MakeExchangeClient(exchange_, "has space", options_).ok());
}

TEST_F(ThreatExchangeTest, AnInterruptedSyncResumesAndEndsIdentical) {
  server_->SetThreatExchange(kGroup, kToken, server_->ThreatExchangeFeed(12, 40, kGroup, kToken));
  ASSERT_TRUE(Sync().ok());
  const std::string expected = BankEntries(bank_path_);
  ASSERT_NE(expected.find("pdq:"), std::string::npos);
  ASSERT_NE(expected.find("md5:"), std::string::npos);
  std::filesystem::remove(bank_path_);
  ASSERT_TRUE(host::RemoveExchange(store_->db(), "te").ok());
  ASSERT_TRUE(host::AddExchange(store_->db(), exchange_).ok());
  // Stopped every 3 pages (the page bound), with a write per page or in batches.
  for (int run = 0; run < 3; ++run) {
    auto partial = Sync(kToken, 3, nullptr, run % 2 == 0 ? 1 : 100000);
    ASSERT_FALSE(partial.ok());
  }
  auto rest = Sync();
  ASSERT_TRUE(rest.ok()) << rest.status().message();
  EXPECT_EQ(BankEntries(bank_path_), expected);
}

TEST(ThreatExchangeCheckpointTest, RoundTripsAndRefusesForeignText) {
  auto back = ParseThreatExchangeCheckpoint(
      FormatThreatExchangeCheckpoint({5, 9, "/v18.0/1/threat_updates/?after=QQ"}));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value().from_unix, 5);
  EXPECT_EQ(back.value().to_unix, 9);
  EXPECT_EQ(back.value().next, "/v18.0/1/threat_updates/?after=QQ");
  EXPECT_TRUE(ParseThreatExchangeCheckpoint("").ok());
  EXPECT_FALSE(ParseThreatExchangeCheckpoint("ncmec1 0 0 -").ok());
  EXPECT_FALSE(ParseThreatExchangeCheckpoint("te1 9 5 -").ok());
  EXPECT_FALSE(ParseThreatExchangeCheckpoint("te1 1 5 http://elsewhere/x").ok());
  EXPECT_FALSE(ParseThreatExchangeCheckpoint("te1 1 5 /x?access_token=secret").ok());
  const std::string endpoint = "https://graph.facebook.com/v18.0/42";
  auto link = ThreatUpdatesNextLink(
      "{\"data\": [], \"paging\": {\"next\": \"https://graph.facebook.com/v18.0/42/"
      "threat_updates/?access_token=1%7Cs&limit=5&after=QQ\"}}",
      endpoint);
  ASSERT_TRUE(link.ok()) << link.status().message();
  EXPECT_EQ(link.value(), "/v18.0/42/threat_updates/?limit=5&after=QQ");
  EXPECT_EQ(ThreatUpdatesNextLink("{\"data\": []}", endpoint).value(), "");
}

TEST(ThreatExchangeStoreTest, TheEndpointIsAPrivacyGroupsGraphApiUrl) {
  host::Exchange e;
  e.name = "te";
  e.kind = "threatexchange";
  e.bank = "te";
  e.credentials = "env:TE_TOKEN";
  for (const char* good :
       {"https://graph.facebook.com/v18.0/1234567890", "https://graph.facebook.com/v9.0/42/",
        "http://127.0.0.1:8080/v18.0/7"}) {
    e.endpoint = good;
    EXPECT_TRUE(host::ValidateExchange(e).ok()) << good;
  }
  for (const char* bad :
       {"https://graph.facebook.com/v18.0", "https://graph.facebook.com/v18.0/group",
        "https://graph.facebook.com/1234", "https://graph.facebook.com/v18.0/1?access_token=x",
        "http://graph.facebook.com/v18.0/1", "ftp://graph.facebook.com/v18.0/1"}) {
    e.endpoint = bad;
    EXPECT_FALSE(host::ValidateExchange(e).ok()) << bad;
  }
}

// A store made before the kind existed (schema 14, with an exchange and its state) opens,
// keeps both, and then takes a threatexchange exchange.
TEST(ThreatExchangeStoreTest, AnOlderStoreMigratesKeepingItsExchanges) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vigil-te-migrate-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "store.db").string();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    for (int v = 0; v < 14; ++v) {
      char* err = nullptr;
      ASSERT_EQ(sqlite3_exec(db, host::kMigrations[v], nullptr, nullptr, &err), SQLITE_OK)
          << v << ": " << (err ? err : "");
    }
    ASSERT_EQ(sqlite3_exec(db,
                           "INSERT INTO exchanges (name, kind, endpoint, bank, credentials, "
                           "created_by, created_at) VALUES ('n', 'ncmec', 'https://x.example', "
                           "'nb', 'env:N', 'admin', '2026-01-01T00:00:00Z');"
                           "INSERT INTO exchange_state (name, checkpoint, entries) VALUES "
                           "('n', 'ncmec1 5 0 -', 12);"
                           "PRAGMA user_version=14;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  auto store = host::Store::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto state = host::ExchangeStateOf(store.value()->db(), "n");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state.value().checkpoint, "ncmec1 5 0 -");
  EXPECT_EQ(state.value().entries, 12);
  host::Exchange te;
  te.name = "te";
  te.kind = "threatexchange";
  te.endpoint = "https://graph.facebook.com/v18.0/42";
  te.bank = "te";
  te.credentials = "env:TE";
  te.created_by = "admin";
  EXPECT_TRUE(host::AddExchange(store.value()->db(), te).ok());
  // The state still follows its exchange (ON DELETE CASCADE survived the rebuild).
  ASSERT_TRUE(store.value()->db().Exec("DELETE FROM exchanges WHERE name = 'n'").ok());
  EXPECT_EQ(host::ExchangeStateOf(store.value()->db(), "n").value().entries, 0);
  store.value().reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::exchange
