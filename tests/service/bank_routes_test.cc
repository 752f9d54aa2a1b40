// POST /v1/match and the bank routes in process (issue 14 item 1): matches at distance 0,
// near and far, thresholds, digests, disabled entries, bad input, scopes, the bank set
// reloaded when the folder changes (and kept when a new bank is damaged), and entries
// added, disabled and imported through the API, then matched.
#include "service/bank_routes.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "service/spool_sink.h"
#include "service/token_auth.h"
#include "service/vigil_api.h"
#include "store/api_tokens.h"
#include "store/bank_materialise.h"
#include "store/local_banks.h"
#include "store/named_queues.h"
#include "tests/unit/host/temp_store.h"
#include "vigil/hashbank/bank.h"

namespace vigil::service {
namespace {

constexpr char kSha256[] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
constexpr char kMd5[] = "098f6bcd4621d373cade4e832627b4f6";

hashbank::PdqWords RandomPdq(std::mt19937_64& rng) {
  hashbank::PdqWords w;
  for (auto& word : w.w) word = rng();
  return w;
}

// `pdq` with its first `bits` bits flipped (distance exactly `bits`).
hashbank::PdqWords Flip(hashbank::PdqWords pdq, int bits) {
  for (int i = 0; i < bits; ++i) pdq.w[i / 64] ^= uint64_t{1} << (i % 64);
  return pdq;
}

hashbank::Entry PdqEntry(const hashbank::PdqWords& pdq, const std::string& id,
                         const std::string& category) {
  hashbank::Entry e;
  e.value.type = hashbank::SignalType::kPdq;
  hashbank::PdqWordsToBytes(pdq, e.value.bytes.data());
  e.source = "test";
  e.category = category;
  e.severity = 5;
  e.external_id = id;
  return e;
}

hashbank::Entry DigestEntry(hashbank::SignalType type, const std::string& hex,
                            const std::string& id) {
  hashbank::Entry e;
  e.value = hashbank::ParseHashValue(type, hex).value();
  e.source = "test";
  e.category = "A2";
  e.severity = 4;
  e.external_id = id;
  return e;
}

class BankRoutesTest : public host::TempStoreTest {
 protected:
  void SetUp() override {
    host::TempStoreTest::SetUp();
    data_ = (dir_ / "lists").string();
    std::filesystem::create_directories(hashdetect::BankDirectory(data_));
    std::mt19937_64 rng(14);
    a_ = RandomPdq(rng);
    b_ = RandomPdq(rng);
    WriteBank("ncmec-test", {PdqEntry(a_, "rec-a", "A1"), PdqEntry(b_, "rec-b", "B1"),
                             DigestEntry(hashbank::SignalType::kSha256, kSha256, "rec-s"),
                             DigestEntry(hashbank::SignalType::kMd5, kMd5, "rec-m")});
    auto banks = BankLibrary::Open(data_);
    ASSERT_TRUE(banks.ok()) << banks.status().message();
    banks_ = std::move(banks).value();
    auto spool = SpoolSink::Open(dir_ / "spool");
    ASSERT_TRUE(spool.ok());
    spool_ = std::move(spool).value();
    deps_.sink = spool_.get();
    deps_.db = &store_->db();
    deps_.db_mutex = &db_mutex_;
    deps_.metrics = &metrics_;
    deps_.ready = &ready_;
    deps_.banks = banks_.get();
    AddVigilRoutes(router_, deps_);
    auth_ = std::make_unique<StoreAuthenticator>(store_->db(), db_mutex_);
    context_ = {&router_, auth_.get(), &limiter_, &metrics_};
    auto match = host::CreateApiToken(store_->db(), "matcher", {"match"}, 0, "t");
    auto admin = host::CreateApiToken(store_->db(), "banker", {"admin"}, 0, "t");
    ASSERT_TRUE(match.ok() && admin.ok());
    match_token_ = match.value();
    admin_token_ = admin.value();
  }
  void TearDown() override {
    banks_.reset();
    host::TempStoreTest::TearDown();
  }

  void WriteBank(const std::string& name, const std::vector<hashbank::Entry>& entries) {
    ASSERT_TRUE(hashbank::WriteBankFile(hashdetect::BankPath(data_, name), name, entries).ok());
  }

  HttpResponse Call(const std::string& method, const std::string& target, std::string body,
                    const std::string& token) {
    HttpRequest r;
    r.method = method;
    const size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.body = std::move(body);
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    return Dispatch(context_, r);
  }

  // The matches of one PDQ (optionally with a threshold), through POST /v1/match.
  nlohmann::json MatchPdq(const hashbank::PdqWords& pdq, int threshold = -1) {
    nlohmann::json signal{{"type", "pdq"}, {"value", hashbank::PdqHex(pdq)}};
    if (threshold >= 0) signal["threshold"] = threshold;
    HttpResponse r =
        Call("POST", "/v1/match", nlohmann::json{{"signals", {signal}}}.dump(), match_token_);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return nlohmann::json::array();
    return nlohmann::json::parse(r.body)["results"][0]["matches"];
  }

  int64_t AuditCount(const std::string& action) {
    host::Statement q(store_->db(), "SELECT count(*) FROM audit_log WHERE action = ?1");
    q.Bind(1, action);
    EXPECT_EQ(q.Step(), host::kRow);
    return q.ColumnInt(0);
  }

  std::string data_;
  hashbank::PdqWords a_, b_;
  std::unique_ptr<BankLibrary> banks_;
  std::mutex db_mutex_;
  std::unique_ptr<SpoolSink> spool_;
  ServiceMetrics metrics_;
  std::atomic<bool> ready_{true};
  ApiDeps deps_;
  Router router_;
  std::unique_ptr<StoreAuthenticator> auth_;
  RateLimiter limiter_;
  DispatchContext context_;
  std::string match_token_;
  std::string admin_token_;
};

TEST_F(BankRoutesTest, PdqMatchesAtZeroAndNearMissesFarAndHonoursThresholds) {
  nlohmann::json exact = MatchPdq(a_);
  ASSERT_EQ(exact.size(), 1u) << exact;
  EXPECT_EQ(exact[0]["bank"], "ncmec-test");
  EXPECT_EQ(exact[0]["entry_id"], "rec-a");
  EXPECT_EQ(exact[0]["category"], "A1");
  EXPECT_EQ(exact[0]["severity"], 5);
  EXPECT_EQ(exact[0]["distance"], 0);
  EXPECT_EQ(exact[0]["value"], hashbank::PdqHex(a_));

  nlohmann::json near = MatchPdq(Flip(a_, 12));
  ASSERT_EQ(near.size(), 1u);
  EXPECT_EQ(near[0]["entry_id"], "rec-a");
  EXPECT_EQ(near[0]["distance"], 12);
  // Far: 40 bits away misses at the default 31, matches at 40, and 12 misses at 11.
  EXPECT_TRUE(MatchPdq(Flip(a_, 40)).empty());
  nlohmann::json wide = MatchPdq(Flip(a_, 40), 40);
  ASSERT_EQ(wide.size(), 1u);
  EXPECT_EQ(wide[0]["distance"], 40);
  EXPECT_TRUE(MatchPdq(Flip(a_, 12), 11).empty());
  EXPECT_EQ(MatchPdq(Flip(a_, 12), 12).size(), 1u);
  std::mt19937_64 other(99);
  EXPECT_TRUE(MatchPdq(RandomPdq(other)).empty());
}

TEST_F(BankRoutesTest, DigestsMatchExactlyAndABatchAnswersInOrder) {
  nlohmann::json body{{"signals",
                       {{{"type", "sha256"}, {"value", kSha256}},
                        {{"type", "md5"}, {"value", std::string(kMd5)}},
                        {{"type", "sha256"}, {"value", std::string(64, '0')}},
                        {{"type", "pdq"}, {"value", hashbank::PdqHex(b_)}},
                        // Upper-case hex is the same value.
                        {{"type", "md5"}, {"value", "098F6BCD4621D373CADE4E832627B4F6"}}}}};
  HttpResponse r = Call("POST", "/v1/match", body.dump(), match_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto results = nlohmann::json::parse(r.body)["results"];
  ASSERT_EQ(results.size(), 5u);
  ASSERT_EQ(results[0]["matches"].size(), 1u);
  EXPECT_EQ(results[0]["matches"][0]["entry_id"], "rec-s");
  EXPECT_EQ(results[0]["matches"][0]["distance"], 0);
  ASSERT_EQ(results[1]["matches"].size(), 1u);
  EXPECT_EQ(results[1]["matches"][0]["entry_id"], "rec-m");
  EXPECT_TRUE(results[2]["matches"].empty());
  ASSERT_EQ(results[3]["matches"].size(), 1u);
  EXPECT_EQ(results[3]["matches"][0]["entry_id"], "rec-b");
  EXPECT_EQ(results[4]["matches"].size(), 1u);
}

TEST_F(BankRoutesTest, ADisabledEntryNeverMatches) {
  ASSERT_EQ(hashdetect::WriteHeldEntries(data_, {{"ncmec-test", "rec-a", 4102444800}}), "");
  ASSERT_TRUE(banks_->Reload().ok());
  EXPECT_TRUE(MatchPdq(a_).empty());
  EXPECT_TRUE(MatchPdq(Flip(a_, 3)).empty());
  EXPECT_EQ(MatchPdq(b_).size(), 1u);
  // A hold whose date has passed no longer holds.
  ASSERT_EQ(hashdetect::WriteHeldEntries(data_, {{"ncmec-test", "rec-a", 1000}}), "");
  ASSERT_TRUE(banks_->Reload().ok());
  EXPECT_EQ(MatchPdq(a_).size(), 1u);
}

TEST_F(BankRoutesTest, BadInputIsA400NamingTheSignalAndScopesAreChecked) {
  struct Case {
    std::string body;
    int status;
    std::string says;
  };
  const std::string good = R"({"type":"pdq","value":")" + hashbank::PdqHex(a_) + R"("})";
  const std::vector<Case> cases = {
      {"{", 400, "signals"},
      {"[]", 400, "signals"},
      {R"({"signals":{}})", 400, "signals"},
      {R"({"signals":[)" + good + R"(,{"type":"pdq","value":"zz"}]})", 400, "signals[1]"},
      {R"({"signals":[)" + good + "," + good + R"(,{"type":"photodna","value":"00"}]})", 400,
       "signals[2]: unknown type"},
      {R"({"signals":[{"type":"sha256","value":"abc"}]})", 400, "signals[0]"},
      {R"({"signals":[{"type":"md5"}]})", 400, "signals[0]"},
      {R"({"signals":[{"type":"pdq","value":5}]})", 400, "signals[0]"},
      {R"({"signals":[{"type":"pdq","value":")" + hashbank::PdqHex(a_) + R"(","threshold":65}]})",
       400, "threshold"},
      {R"({"signals":[{"type":"pdq","value":")" + hashbank::PdqHex(a_) + R"(","threshold":"9"}]})",
       400, "threshold"},
      {R"({"signals":[{"type":"sha256","value":")" + std::string(kSha256) + R"(","threshold":3}]})",
       400, "pdq only"},
  };
  for (const Case& c : cases) {
    HttpResponse r = Call("POST", "/v1/match", c.body, match_token_);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
    EXPECT_NE(r.body.find(c.says), std::string::npos) << c.body << " -> " << r.body;
  }
  // An oversized batch: 413, nothing matched.
  nlohmann::json many{{"signals", nlohmann::json::array()}};
  for (size_t i = 0; i <= kMaxSignalsPerMatch; ++i) {
    many["signals"].push_back({{"type", "md5"}, {"value", kMd5}});
  }
  EXPECT_EQ(Call("POST", "/v1/match", many.dump(), match_token_).status, 413);
  many["signals"].erase(0);
  EXPECT_EQ(Call("POST", "/v1/match", many.dump(), match_token_).status, 200);
  // Scopes: match for /v1/match, admin for the bank routes.
  const std::string body = R"({"signals":[)" + good + "]}";
  EXPECT_EQ(Call("POST", "/v1/match", body, admin_token_).status, 403);
  EXPECT_EQ(Call("POST", "/v1/match", body, "").status, 401);
  EXPECT_EQ(Call("GET", "/v1/banks", "", match_token_).status, 403);
  EXPECT_EQ(Call("POST", "/v1/banks/x/entries", "{}", match_token_).status, 403);
  EXPECT_EQ(Call("DELETE", "/v1/banks/ncmec-test/entries/rec-a?until=2099-01-01&reason=x", "",
                 match_token_)
                .status,
            403);
  EXPECT_EQ(Call("POST", "/v1/banks/import?bank=x", "pdq 00", match_token_).status, 403);
  EXPECT_EQ(MatchPdq(a_).size(), 1u);  // nothing was disabled
}

TEST_F(BankRoutesTest, ANewBankFileIsPickedUpAndADamagedOneKeepsTheOldSet) {
  std::shared_ptr<const hashdetect::BankSet> in_flight = banks_->Current();
  std::mt19937_64 rng(7);
  const hashbank::PdqWords c = RandomPdq(rng);
  EXPECT_TRUE(MatchPdq(c).empty());
  EXPECT_FALSE(banks_->ReloadIfChanged());  // nothing changed
  WriteBank("stopncii-test", {PdqEntry(c, "rec-c", "B2")});
  EXPECT_TRUE(banks_->ReloadIfChanged());
  nlohmann::json found = MatchPdq(c);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["bank"], "stopncii-test");
  // A request that took the set before the reload keeps it, whole.
  EXPECT_EQ(in_flight->banks().size(), 1u);
  EXPECT_EQ(banks_->Current()->banks().size(), 2u);

  // A damaged bank appears: the previous set stays and serves (still ready), and /readyz,
  // GET /v1/banks and /metrics say why.
  std::ofstream(hashdetect::BankPath(data_, "broken"), std::ios::binary)
      << "VIGILBANK but not really a bank";
  EXPECT_FALSE(banks_->ReloadIfChanged());
  EXPECT_NE(banks_->load_error().find("broken"), std::string::npos) << banks_->load_error();
  EXPECT_EQ(MatchPdq(c).size(), 1u);
  EXPECT_EQ(MatchPdq(a_).size(), 1u);
  HttpResponse ready = Call("GET", "/readyz", "", "");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_NE(nlohmann::json::parse(ready.body)["banks_error"].get<std::string>().find("broken"),
            std::string::npos);
  HttpResponse list = Call("GET", "/v1/banks", "", admin_token_);
  ASSERT_EQ(list.status, 200);
  EXPECT_FALSE(nlohmann::json::parse(list.body)["load_error"].is_null());
  EXPECT_NE(Call("GET", "/metrics", "", "").body.find("vigil_bank_reload_failing 1"),
            std::string::npos);
  // Not retried while the folder stays as it is; repaired, the watcher thread reloads it.
  EXPECT_FALSE(banks_->ReloadIfChanged());
  banks_->StartWatching(std::chrono::milliseconds(20));
  const hashbank::PdqWords d = RandomPdq(rng);
  std::filesystem::remove(hashdetect::BankPath(data_, "broken"));
  WriteBank("broken", {PdqEntry(d, "rec-d", "A1")});
  for (int i = 0; i < 500 && banks_->Current()->banks().size() != 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  banks_->StopWatching();
  ASSERT_EQ(banks_->Current()->banks().size(), 3u) << "the watcher did not reload";
  EXPECT_EQ(banks_->load_error(), "");
  EXPECT_EQ(MatchPdq(d).size(), 1u);
}

TEST_F(BankRoutesTest, HoldsMadeElsewhereInTheStoreReachTheServerThroughTheRefresh) {
  // Another machine of the team disables an entry: the store has it, this folder not yet.
  host::EntryHold hold;
  hold.bank = "ncmec-test";
  hold.entry = "rec-a";
  hold.until_unix = 4102444800;
  hold.reason = "made on another machine";
  hold.actor = "senior-1";
  ASSERT_TRUE(host::DisableBankEntry(store_->db(), hold, std::time(nullptr)).ok());
  EXPECT_EQ(MatchPdq(a_).size(), 1u);
  int refreshes = 0;
  banks_->SetRefresh(
      [this, &refreshes] {
        std::lock_guard<std::mutex> lock(db_mutex_);
        ++refreshes;
        auto written = host::MaterialiseBanks(store_->db(), data_, std::time(nullptr));
        return written.ok() ? std::string() : written.status().message();
      },
      1);
  banks_->StartWatching(std::chrono::milliseconds(20));
  for (int i = 0; i < 500 && banks_->Current()->held().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  banks_->StopWatching();
  EXPECT_GT(refreshes, 0);
  EXPECT_TRUE(MatchPdq(a_).empty());
  EXPECT_EQ(MatchPdq(b_).size(), 1u);
}

TEST_F(BankRoutesTest, AddDisableAndImportThroughTheApiThenMatch) {
  std::mt19937_64 rng(21);
  const hashbank::PdqWords e = RandomPdq(rng);
  const hashbank::PdqWords f = RandomPdq(rng);
  EXPECT_TRUE(MatchPdq(e).empty());
  nlohmann::json add{
      {"entries",
       {{{"type", "pdq"}, {"value", hashbank::PdqHex(e)}, {"category", "A1"}, {"id", "case-1"}}}}};
  HttpResponse added = Call("POST", "/v1/banks/platform-own/entries", add.dump(), admin_token_);
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(nlohmann::json::parse(added.body)["added"], 1);
  nlohmann::json hit = MatchPdq(Flip(e, 5));
  ASSERT_EQ(hit.size(), 1u);  // matchable at once, no restart
  EXPECT_EQ(hit[0]["bank"], "platform-own");
  EXPECT_EQ(hit[0]["entry_id"], "case-1");
  EXPECT_EQ(hit[0]["source"], "api:banker");
  EXPECT_EQ(hit[0]["severity"], 5);  // from A1
  EXPECT_EQ(AuditCount("api.bank_entries_added"), 1);

  // Disable it (a hold in the store, audited, written to the folder): it stops matching.
  HttpResponse disabled =
      Call("DELETE", "/v1/banks/platform-own/entries/case-1?until=2099-01-31&reason=false+positive",
           "", admin_token_);
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_TRUE(MatchPdq(e).empty());
  EXPECT_EQ(AuditCount("bank.entry_disabled"), 1);
  auto holds = host::ActiveHolds(store_->db(), 0);
  ASSERT_TRUE(holds.ok());
  ASSERT_EQ(holds.value().size(), 1u);
  EXPECT_EQ(holds.value()[0].actor, "api:banker");
  EXPECT_EQ(holds.value()[0].reason, "false positive");
  // By value too (any case).
  std::string upper = hashbank::PdqHex(a_);
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  ASSERT_EQ(Call("DELETE", "/v1/banks/ncmec-test/entries/" + upper + "?until=4102444800&reason=r",
                 "", admin_token_)
                .status,
            200);
  EXPECT_TRUE(MatchPdq(a_).empty());
  HttpResponse list = Call("GET", "/v1/banks", "", admin_token_);
  ASSERT_EQ(list.status, 200);
  auto banks = nlohmann::json::parse(list.body)["banks"];
  ASSERT_EQ(banks.size(), 2u);
  EXPECT_EQ(banks[0]["name"], "ncmec-test");
  EXPECT_EQ(banks[0]["entries"], 4);
  EXPECT_EQ(banks[0]["disabled"], 1);
  EXPECT_EQ(banks[0]["by_type"]["pdq"], 2);
  EXPECT_EQ(banks[0]["kind"], "imported");
  EXPECT_EQ(banks[1]["name"], "platform-own");
  EXPECT_EQ(banks[1]["disabled"], 1);

  // Import a list file (hma), merged into a new bank.
  const std::string list_file = "# an HMA file\npdq " + hashbank::PdqHex(f) + "\nmd5 " +
                                std::string(32, 'e') + "\npdq not-hex\n";
  HttpResponse imported = Call("POST", "/v1/banks/import?bank=te-export&format=hma&category=B1",
                               list_file, admin_token_);
  ASSERT_EQ(imported.status, 200) << imported.body;
  auto stats = nlohmann::json::parse(imported.body);
  EXPECT_EQ(stats["added"], 2);
  EXPECT_EQ(stats["bad_records"], 1);
  ASSERT_EQ(stats["problems"].size(), 1u);
  nlohmann::json from_file = MatchPdq(f);
  ASSERT_EQ(from_file.size(), 1u);
  EXPECT_EQ(from_file[0]["bank"], "te-export");
  EXPECT_EQ(from_file[0]["category"], "B1");
  EXPECT_EQ(AuditCount("api.bank_imported"), 1);
  // Strict refuses the whole file; a replace leaves only the file's entries.
  EXPECT_EQ(
      Call("POST", "/v1/banks/import?bank=te-export&strict=true", list_file, admin_token_).status,
      400);
  HttpResponse replaced =
      Call("POST", "/v1/banks/import?bank=te-export&format=plain&type=md5&replace=true",
           std::string(32, 'd') + "\n", admin_token_);
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(nlohmann::json::parse(replaced.body)["total"], 1);
  EXPECT_TRUE(MatchPdq(f).empty());

  // Bad requests change nothing.
  for (const auto& [method, target, body, status] :
       std::vector<std::tuple<std::string, std::string, std::string, int>>{
           {"POST", "/v1/banks/local-decisions/entries", add.dump(), 400},
           {"POST", "/v1/banks/..hidden/entries", add.dump(), 400},
           {"POST", "/v1/banks/platform-own/entries", R"({"entries":[{"type":"pdq"}]})", 400},
           {"POST", "/v1/banks/platform-own/entries",
            R"({"entries":[{"type":"md5","value":"abc"}]})", 400},
           {"POST", "/v1/banks/platform-own/entries", R"({"entries":[]})", 400},
           {"DELETE", "/v1/banks/ncmec-test/entries/rec-b?reason=x", "", 400},
           {"DELETE", "/v1/banks/ncmec-test/entries/rec-b?until=2001-01-01&reason=x", "", 400},
           {"DELETE", "/v1/banks/ncmec-test/entries/rec-b?until=2099-01-01", "", 400},
           {"DELETE", "/v1/banks/ncmec-test/entries/rec-b?until=2099-13-01&reason=x", "", 400},
           {"DELETE", "/v1/banks/ncmec-test/entries/rec-b?until=2099-01-01T10:00:00&reason=x", "",
            400},
           {"DELETE", "/v1/banks/ncmec-test/entries/rec-b?until=soon&reason=x", "", 400},
           {"DELETE", "/v1/banks/ncmec-test/entries/rec-b?until=2099-01-01&reason=%zz", "", 400},
           {"DELETE", "/v1/banks/ncmec-test/entries/rec-zz?until=2099-01-01&reason=x", "", 404},
           {"DELETE", "/v1/banks/no-such/entries/rec-b?until=2099-01-01&reason=x", "", 404},
           {"POST", "/v1/banks/import", "pdq 00", 400},
           {"POST", "/v1/banks/import?bank=x&format=csv-ish", "pdq 00", 400},
           {"POST", "/v1/banks/import?bank=x&format=plain", "00", 400},
           {"POST", "/v1/banks/import?bank=x&type=url", "http://a/", 400},
           {"POST", "/v1/banks/import?bank=x", "pdq zz\n", 400},
       }) {
    HttpResponse r = Call(method, target, body, admin_token_);
    EXPECT_EQ(r.status, status) << method << " " << target << " -> " << r.body;
    EXPECT_EQ(nlohmann::json::parse(r.body)["code"], status) << r.body;
  }
  EXPECT_EQ(MatchPdq(b_).size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(hashdetect::BankPath(data_, "x")));
  EXPECT_FALSE(std::filesystem::exists(hashdetect::BankPath(data_, "local-decisions")));
  // A full UTC time is an until too.
  ASSERT_EQ(Call("DELETE", "/v1/banks/ncmec-test/entries/rec-b?until=2099-01-31T12:00:00Z&reason=r",
                 "", admin_token_)
                .status,
            200);
  EXPECT_TRUE(MatchPdq(b_).empty());
}

TEST_F(BankRoutesTest, HashWithMatchAnswersTheUploadsMatchesInOneRoundTrip) {
  const auto image = std::filesystem::path(VIGIL_TESTDATA) / "pdq" / "images-and-lists" /
                     "reg-test-input" / "dih" / "bridge-1-original.jpg";
  ASSERT_TRUE(std::filesystem::exists(image)) << image << " (the shared test data is missing)";
  std::ifstream in(image, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  HttpResponse plain = Call("POST", "/v1/hash", bytes, match_token_);
  ASSERT_EQ(plain.status, 200) << plain.body;
  auto signals = nlohmann::json::parse(plain.body);
  EXPECT_FALSE(signals.contains("matches"));  // only when asked
  const std::string pdq = signals["pdq"]["hash"];
  HttpResponse none = Call("POST", "/v1/hash?match=1", bytes, match_token_);
  ASSERT_EQ(none.status, 200) << none.body;
  auto missed = nlohmann::json::parse(none.body)["matches"];
  ASSERT_EQ(missed.size(), 3u) << none.body;  // pdq, md5, sha256
  for (const auto& r : missed) EXPECT_TRUE(r["matches"].empty()) << r;

  // The image's PDQ (a few bits off) and its sha256 in a bank: both found.
  auto near = hashbank::ParsePdqHex(pdq);
  ASSERT_TRUE(near.ok());
  nlohmann::json add{{"entries",
                      {{{"type", "pdq"}, {"value", hashbank::PdqHex(Flip(near.value(), 6))}},
                       {{"type", "sha256"}, {"value", signals["sha256"]}, {"id", "s1"}}}}};
  ASSERT_EQ(Call("POST", "/v1/banks/uploads/entries", add.dump(), admin_token_).status, 200);
  HttpResponse hit = Call("POST", "/v1/hash?match=1", bytes, match_token_);
  ASSERT_EQ(hit.status, 200) << hit.body;
  auto found = nlohmann::json::parse(hit.body)["matches"];
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0]["type"], "pdq");
  ASSERT_EQ(found[0]["matches"].size(), 1u);
  EXPECT_EQ(found[0]["matches"][0]["distance"], 6);
  EXPECT_TRUE(found[1]["matches"].empty());  // md5
  ASSERT_EQ(found[2]["matches"].size(), 1u);
  EXPECT_EQ(found[2]["matches"][0]["entry_id"], "s1");
}

TEST_F(BankRoutesTest, MetricsCarryQueueDepthAndBankSizes) {
  host::AddQueuedItem(*store_, std::string(64, 'a'), host::Disposition::kReview, 5);
  host::AddQueuedItem(*store_, std::string(64, 'b'), host::Disposition::kReview, 3);
  HttpResponse r = Call("GET", "/metrics", "", "");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("vigil_bank_entries{bank=\"ncmec-test\"} 4"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("vigil_bank_reload_failing 0"), std::string::npos);
  auto queues = host::ListQueues(store_->db());
  ASSERT_TRUE(queues.ok());
  int64_t pending = 0;
  for (const auto& q : queues.value()) {
    EXPECT_NE(r.body.find("vigil_queue_pending{queue=\"" + q.spec.name + "\"} " +
                          std::to_string(q.pending)),
              std::string::npos)
        << r.body;
    pending += q.pending;
  }
  EXPECT_EQ(pending, 2);
}

}  // namespace
}  // namespace vigil::service
