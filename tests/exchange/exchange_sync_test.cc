// Syncing exchanges page by page (issue 15 item 1; exchange/exchange_sync.h) against the
// loopback NCMEC mock serving the real sample pages, and its fault cases.
#include "exchange/exchange_sync.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "exchange/exchange_client.h"
#include "store/exchanges.h"
#include "tests/exchange/mock_ncmec_server.h"
#include "tests/unit/host/temp_store.h"
#include "vigil/hashbank/bank.h"

namespace vigil::exchange {
namespace {

using testing::Fault;
using testing::MockNcmecServer;

constexpr int64_t kNow = 1700000000;  // 2023-11-14T22:13:20Z

// Every entry of the bank as text, in bank order ("" when there is no bank).
std::string BankEntries(const std::string& path) {
  auto bank = hashbank::Bank::Open(path);
  if (!bank.ok()) return "";
  std::string out;
  for (const hashbank::Entry& e : bank.value()->Entries()) {
    out += std::string(hashbank::SignalTypeName(e.value.type)) + ":" + e.value.ToHex() + " " +
           e.source + " " + e.external_id + " " + e.category + " " + std::to_string(e.severity) +
           " " + std::to_string(e.added_unix) + "\n";
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

class ExchangeSyncTest : public host::TempStoreTest {
 protected:
  void SetUp() override {
    host::TempStoreTest::SetUp();
    server_ = std::make_unique<MockNcmecServer>("vigil-test", "s3cret");
    exchange_.name = "ncmec";
    exchange_.kind = "ncmec";
    exchange_.endpoint = server_->base_url();
    exchange_.bank = "ncmec-bank";
    exchange_.credentials = "env:UNUSED_IN_THIS_TEST";
    exchange_.created_by = "admin";
    ASSERT_TRUE(host::AddExchange(store_->db(), exchange_).ok());
    bank_path_ = (dir_ / "lists" / "hash-banks" / "ncmec-bank.bank").string();
    options_.now_unix = [] { return kNow; };
    options_.retry.first_backoff_ms = 10;
    options_.retry.sleep = [this](int64_t ms) { waits_.push_back(ms); };
  }

  StatusOr<SyncReport> Sync(const std::string& secret = "vigil-test:s3cret", int max_pages = 100,
                            std::vector<std::string>* checkpoints = nullptr,
                            size_t batch_ops = 200000, std::vector<int>* writes = nullptr) {
    auto client = MakeExchangeClient(exchange_, secret, options_);
    if (!client.ok()) return client.status();
    SyncOptions sync;
    sync.max_pages = max_pages;
    sync.on_page = [checkpoints](int, const ExchangePage& page, size_t) {
      if (checkpoints != nullptr) checkpoints->push_back(page.checkpoint);
    };
    sync.batch_ops = batch_ops;
    sync.on_applied = [writes](int pages, const std::string&, size_t) {
      if (writes != nullptr) writes->push_back(pages);
    };
    sync.now_unix = [] { return kNow; };
    return SyncExchange(store_->db(), exchange_, *client.value(), bank_path_, sync);
  }

  host::ExchangeState State() { return host::ExchangeStateOf(store_->db(), "ncmec").value(); }

  std::unique_ptr<MockNcmecServer> server_;
  host::Exchange exchange_;
  std::string bank_path_;
  ClientOptions options_;
  std::vector<int64_t> waits_;
};

TEST_F(ExchangeSyncTest, SyncsTheSamplePagesFollowingTheDocumentedPaths) {
  auto report = Sync();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report.value().pages, 4);
  EXPECT_TRUE(report.value().complete);

  const auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 4u);
  // The first page of the window: from the beginning to now.
  EXPECT_EQ(requests[0].path, "/v2/entries");
  EXPECT_EQ(requests[0].query.at("from"), "1970-01-01T00:00:00Z");
  EXPECT_EQ(requests[0].query.at("to"), "2023-11-14T22:13:20Z");
  // Then exactly the pages' own next links.
  EXPECT_EQ(requests[1].target,
            "/v2/entries?from=2017-10-20T00%3A00%3A00.000Z&to=2017-10-30T00%3A00%3A00.000Z"
            "&start=2001&size=1000&max=3000");
  EXPECT_EQ(requests[2].query.at("start"), "3001");
  EXPECT_EQ(requests[3].query.at("start"), "4001");
  for (const auto& r : requests) EXPECT_EQ(r.authorization, "Basic dmlnaWwtdGVzdDpzM2NyZXQ=");

  // image1 (md5, sha1; its PhotoDNA is not matched), video1, image10, willupdate; image4,
  // video4 and willdelete were deleted.
  EXPECT_TRUE(Matches(bank_path_, hashbank::SignalType::kMd5, "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"));
  EXPECT_TRUE(
      Matches(bank_path_, hashbank::SignalType::kSha1, "b1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"));
  EXPECT_TRUE(Matches(bank_path_, hashbank::SignalType::kMd5, "facefacefacefacefacefacefaceface"));
  EXPECT_FALSE(Matches(bank_path_, hashbank::SignalType::kMd5, "bacebacebacebacebacebacebacebace"));
  const std::string entries = BankEntries(bank_path_);
  EXPECT_NE(entries.find("md5:facefacefacefacefacefacefaceface ncmec 101-willupdate A2"),
            std::string::npos)
      << entries;

  const host::ExchangeState s = State();
  EXPECT_EQ(s.checkpoint, "ncmec1 1700000000 0 -");  // the next window starts at this one's end
  EXPECT_EQ(s.entries, 7);
  EXPECT_EQ(s.last_success_unix, kNow);
  EXPECT_EQ(s.last_error, "");
}

TEST_F(ExchangeSyncTest, DeletionsStopMatchingAfterTheNextSync) {
  auto feed = MockNcmecServer::SampleFeed();
  // First window: the pages up to entries_xml3 (willdelete is added); it has no next link.
  std::string third = feed["3001"];
  third.erase(third.find("<paging>"), third.find("</paging>") + 9 - third.find("<paging>"));
  server_->SetFeed({{"", feed[""]}, {"2001", feed["2001"]}, {"3001", third}});
  ASSERT_TRUE(Sync().ok());
  EXPECT_TRUE(Matches(bank_path_, hashbank::SignalType::kMd5, "bacebacebacebacebacebacebacebace"));

  // The next window starts where the last one ended; NCMEC reports the deletion in it.
  server_->SetFeed({{"", feed["4001"]}});
  auto report = Sync();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report.value().deleted, 1u);
  EXPECT_EQ(server_->requests().back().query.at("from"), "2023-11-14T22:13:20Z");
  EXPECT_FALSE(Matches(bank_path_, hashbank::SignalType::kMd5, "bacebacebacebacebacebacebacebace"));
  EXPECT_TRUE(Matches(bank_path_, hashbank::SignalType::kMd5, "facefacefacefacefacefacefaceface"));
}

TEST_F(ExchangeSyncTest, WrongCredentialsAreRefusedWithoutRetrying) {
  auto report = Sync("vigil-test:wrong");
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("HTTP 401"), std::string::npos);
  EXPECT_NE(State().last_error.find("check the exchange's credentials"), std::string::npos);
  EXPECT_EQ(server_->requests().size(), 1u);
  EXPECT_EQ(State().checkpoint, "");
  EXPECT_FALSE(std::filesystem::exists(bank_path_));
  // Credentials that are not user:password are refused before any request.
  EXPECT_FALSE(MakeExchangeClient(exchange_, "no-colon", options_).ok());
}

TEST_F(ExchangeSyncTest, DroppedConnection500And429AreRetried) {
  auto reference = Sync();
  ASSERT_TRUE(reference.ok());
  const std::string expected = BankEntries(bank_path_);
  std::filesystem::remove(bank_path_);
  ASSERT_TRUE(host::RemoveExchange(store_->db(), "ncmec").ok());
  ASSERT_TRUE(host::AddExchange(store_->db(), exchange_).ok());

  server_->SetRetryAfter("7");
  server_->QueueFault(Fault::kNone);
  server_->QueueFault(Fault::kDrop);  // page 2: the connection drops half-way
  server_->QueueFault(Fault::kNone);
  server_->QueueFault(Fault::k500);  // page 3: 500, then success
  server_->QueueFault(Fault::kNone);
  server_->QueueFault(Fault::k429);  // page 4: 429 Retry-After: 7, then success
  waits_.clear();
  auto report = Sync();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report.value().pages, 4);
  EXPECT_EQ(BankEntries(bank_path_), expected);
  // Backoff for the drop and the 500, then what the server asked for.
  ASSERT_EQ(waits_.size(), 3u);
  EXPECT_EQ(waits_[0], 10);
  EXPECT_EQ(waits_[1], 10);
  EXPECT_EQ(waits_[2], 7000);
}

TEST_F(ExchangeSyncTest, RetriesRunOutWithTheLastError) {
  options_.retry.max_attempts = 3;
  for (int i = 0; i < 3; ++i) server_->QueueFault(Fault::k500);
  auto report = Sync();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(State().last_error.find("HTTP 500"), std::string::npos) << State().last_error;
  EXPECT_NE(State().last_error.find("gave up after 3 attempts"), std::string::npos);
  EXPECT_EQ(waits_, (std::vector<int64_t>{10, 20}));  // doubling backoff
  EXPECT_EQ(State().checkpoint, "");
}

TEST_F(ExchangeSyncTest, RetryAfterLongerThanTheLimitFailsTheSync) {
  options_.retry.max_retry_after_s = 60;
  server_->SetRetryAfter("3600");
  server_->QueueFault(Fault::k429);
  auto report = Sync();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(State().last_error.find("asking to wait 3600 s"), std::string::npos);
  EXPECT_TRUE(waits_.empty());
}

TEST_F(ExchangeSyncTest, MalformedPageStopsWithTheCheckpointUnchanged) {
  server_->QueueFault(Fault::kNone);
  server_->QueueFault(Fault::kNone);
  server_->QueueFault(Fault::kMalformed);  // page 3 is cut off half-way (HTTP 200)
  auto report = Sync();
  ASSERT_FALSE(report.ok());
  const host::ExchangeState s = State();
  EXPECT_NE(s.last_error.find("not well-formed XML"), std::string::npos) << s.last_error;
  // The checkpoint is the one after page 2: its next link is page 3.
  EXPECT_NE(s.checkpoint.find("start=3001"), std::string::npos) << s.checkpoint;
  EXPECT_EQ(s.last_success_unix, 0);
  EXPECT_TRUE(Matches(bank_path_, hashbank::SignalType::kMd5, "b1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"));
  EXPECT_FALSE(Matches(bank_path_, hashbank::SignalType::kMd5, "facefacefacefacefacefacefaceface"));

  // The next sync resumes at page 3 and ends where an uninterrupted one does.
  auto again = Sync();
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again.value().pages, 2);
  EXPECT_EQ(server_->requests().back().query.at("start"), "4001");
  EXPECT_EQ(State().last_error, "");
  EXPECT_FALSE(Matches(bank_path_, hashbank::SignalType::kMd5, "bacebacebacebacebacebacebacebace"));
  EXPECT_TRUE(Matches(bank_path_, hashbank::SignalType::kMd5, "facefacefacefacefacefacefaceface"));
}

TEST_F(ExchangeSyncTest, OtherDocumentsAreNotEntryPages) {
  server_->SetFeed({{"", MockNcmecServer::ReadTestdata("formats/ncmec/status_xml.xml")}});
  auto report = Sync();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(State().last_error.find("not an NCMEC <queryResult>"), std::string::npos)
      << State().last_error;
  EXPECT_FALSE(std::filesystem::exists(bank_path_));
}

TEST_F(ExchangeSyncTest, EndlessPagingStopsAtTheBound) {
  server_->SetEndless(true);
  auto report = Sync("vigil-test:s3cret", 5);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kResource);
  EXPECT_EQ(server_->requests().size(), 5u);
  EXPECT_NE(State().last_error.find("stopped after 5 pages"), std::string::npos);
}

TEST_F(ExchangeSyncTest, NextLinksElsewhereAreRefused) {
  std::string page = MockNcmecServer::SampleFeed()[""];
  const size_t at = page.find("<next>") + 6;
  page.insert(at, "http://198.51.100.7");  // an absolute URL to another host
  server_->SetFeed({{"", page}});
  auto report = Sync();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(State().last_error.find("not a /v2/entries path"), std::string::npos);
  EXPECT_EQ(server_->requests().size(), 1u);
}

TEST_F(ExchangeSyncTest, AnInterruptedSyncResumesAndEndsIdentical) {
  server_->SetFeed(MockNcmecServer::GeneratedFeed(12, 40));
  ASSERT_TRUE(Sync().ok());
  const std::string expected = BankEntries(bank_path_);
  ASSERT_NE(expected.find("md5:"), std::string::npos);

  for (int stop_after : {1, 5, 11}) {
    SCOPED_TRACE(stop_after);
    std::filesystem::remove(bank_path_);
    ASSERT_TRUE(host::RemoveExchange(store_->db(), "ncmec").ok());
    ASSERT_TRUE(host::AddExchange(store_->db(), exchange_).ok());
    // The server answers `stop_after` pages, then fails every try.
    for (int i = 0; i < stop_after; ++i) server_->QueueFault(Fault::kNone);
    for (int i = 0; i < 5; ++i) server_->QueueFault(Fault::k500);
    std::vector<std::string> checkpoints;
    ASSERT_FALSE(Sync("vigil-test:s3cret", 100, &checkpoints).ok());
    ASSERT_EQ(checkpoints.size(), static_cast<size_t>(stop_after));
    ASSERT_EQ(State().checkpoint, checkpoints.back());
    // A crash after the last page's bank was renamed into place but before its checkpoint
    // was saved: the store still holds the checkpoint before that page.
    ASSERT_TRUE(host::SaveExchangeCheckpoint(store_->db(), "ncmec",
                                             stop_after > 1 ? checkpoints[stop_after - 2] : "", 0,
                                             0, false, kNow)
                    .ok());
    // The next sync applies that page again and ends where an uninterrupted one does.
    auto resumed = Sync();
    ASSERT_TRUE(resumed.ok()) << resumed.status().message();
    EXPECT_EQ(resumed.value().pages, 12 - stop_after + 1);
    EXPECT_EQ(BankEntries(bank_path_), expected);
  }
}

TEST_F(ExchangeSyncTest, BatchesOfPagesGiveTheBankPageByPageGives) {
  // The sample pages: 1-3 touch different records and go into the bank together; page 4
  // updates and deletes records of page 3, so page 3's batch is written before it.
  std::vector<int> writes;
  ASSERT_TRUE(Sync("vigil-test:s3cret", 100, nullptr, 200000, &writes).ok());
  EXPECT_EQ(writes, (std::vector<int>{3, 4}));
  const std::string batched = BankEntries(bank_path_);

  const auto again = [&](size_t batch_ops, std::vector<int>* w) {
    std::filesystem::remove(bank_path_);
    EXPECT_TRUE(host::RemoveExchange(store_->db(), "ncmec").ok());
    EXPECT_TRUE(host::AddExchange(store_->db(), exchange_).ok());
    EXPECT_TRUE(Sync("vigil-test:s3cret", 100, nullptr, batch_ops, w).ok());
    return BankEntries(bank_path_);
  };
  writes.clear();
  EXPECT_EQ(again(1, &writes), batched);  // a bank write per page
  EXPECT_EQ(writes, (std::vector<int>{1, 2, 3, 4}));

  // A feed whose pages update and delete the records of the pages before them.
  server_->SetFeed(MockNcmecServer::GeneratedFeed(10, 30));
  const std::string page_by_page = again(1, nullptr);
  EXPECT_EQ(again(200000, nullptr), page_by_page);
  EXPECT_EQ(again(45, nullptr), page_by_page);
}

TEST(NcmecCheckpointTest, RoundTripsAndRefusesForeignText) {
  NcmecCheckpoint cp{10, 20, "/v2/entries?from=a&start=2001"};
  auto back = ParseNcmecCheckpoint(FormatNcmecCheckpoint(cp));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value().from_unix, 10);
  EXPECT_EQ(back.value().to_unix, 20);
  EXPECT_EQ(back.value().next, cp.next);
  EXPECT_TRUE(ParseNcmecCheckpoint("").ok());
  EXPECT_FALSE(ParseNcmecCheckpoint("ncmec1 10 20").ok());
  EXPECT_FALSE(ParseNcmecCheckpoint("ncmec1 20 10 -").ok());
  EXPECT_FALSE(ParseNcmecCheckpoint("ncmec1 x 10 -").ok());
  EXPECT_FALSE(ParseNcmecCheckpoint("ncmec1 1 2 http://elsewhere/v2/entries").ok());
  EXPECT_FALSE(ParseNcmecCheckpoint("folder-file.txt").ok());
}

TEST(NcmecNextLinkTest, ReadsTheSamplePagesLinks) {
  auto link = NcmecNextLink(MockNcmecServer::ReadTestdata("formats/ncmec/entries_xml.xml"));
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(link.value(),
            "/v2/entries?from=2017-10-20T00%3A00%3A00.000Z&to=2017-10-30T00%3A00%3A00.000Z"
            "&start=2001&size=1000&max=3000");
  auto none = NcmecNextLink(MockNcmecServer::ReadTestdata("formats/ncmec/entries_xml4.xml"));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value(), "");
  EXPECT_FALSE(NcmecNextLink("<queryResult><paging><next>").ok());
  EXPECT_FALSE(
      NcmecNextLink(MockNcmecServer::ReadTestdata("formats/ncmec/feedback_reasons_xml.xml")).ok());
}

TEST(RetryAfterTest, SecondsAndHttpDates) {
  EXPECT_EQ(RetryAfterSeconds("120", 0), 120);
  EXPECT_EQ(RetryAfterSeconds("", 0), -1);
  EXPECT_EQ(RetryAfterSeconds("soon", 0), -1);
  EXPECT_EQ(RetryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470), 10);
}

class HttpListExchangeTest : public host::TempStoreTest {};

TEST_F(HttpListExchangeTest, TheListReplacesTheBankAndAnUnchangedListChangesNothing) {
  MockNcmecServer server("unused", "unused");
  server.SetList("md5 00000000000000000000000000000001\nmd5 00000000000000000000000000000002\n",
                 "\"v1\"", "tok3n");
  host::Exchange e;
  e.name = "list";
  e.kind = "http";
  e.endpoint = server.base_url() + "/list.txt";
  e.bank = "list";
  e.created_by = "admin";
  ASSERT_TRUE(host::AddExchange(store_->db(), e).ok());
  const std::string bank = (dir_ / "list.bank").string();
  const auto sync = [&](const std::string& token) {
    ClientOptions options;
    options.retry.sleep = [](int64_t) {};
    auto client = MakeExchangeClient(e, token, options);
    EXPECT_TRUE(client.ok());
    return SyncExchange(store_->db(), e, *client.value(), bank);
  };
  EXPECT_FALSE(sync("wrong").ok());
  auto first = sync("tok3n");
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first.value().entries, 2u);
  EXPECT_EQ(host::ExchangeStateOf(store_->db(), "list").value().checkpoint, "\"v1\"");

  auto same = sync("tok3n");
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(server.requests().back().if_none_match, "\"v1\"");
  EXPECT_EQ(same.value().added + same.value().deleted, 0u);

  // A new version without value 1: it stops matching.
  server.SetList("md5 00000000000000000000000000000002\nmd5 00000000000000000000000000000003\n",
                 "\"v2\"", "tok3n");
  auto second = sync("tok3n");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.value().deleted, 1u);
  EXPECT_FALSE(Matches(bank, hashbank::SignalType::kMd5, "00000000000000000000000000000001"));
  EXPECT_TRUE(Matches(bank, hashbank::SignalType::kMd5, "00000000000000000000000000000003"));
}

class StopNciiExchangeTest : public host::TempStoreTest {};

TEST_F(StopNciiExchangeTest, FollowsPageTokensThenStartsFromNextSetTimestamp) {
  MockNcmecServer server("unused", "unused");
  server.SetStopNcii(MockNcmecServer::StopNciiSampleFeed(), "fetch-key", "sub-key");
  host::Exchange e;
  e.name = "stopncii";
  e.kind = "stopncii";
  e.endpoint = server.base_url() + "/v1";
  e.bank = "stopncii";
  e.credentials = "env:UNUSED";
  e.created_by = "admin";
  ASSERT_TRUE(host::AddExchange(store_->db(), e).ok());
  const std::string bank = (dir_ / "stopncii.bank").string();
  const auto sync = [&](const std::string& secret) {
    ClientOptions options;
    options.retry.sleep = [](int64_t) {};
    auto client = MakeExchangeClient(e, secret, options);
    EXPECT_TRUE(client.ok());
    return SyncExchange(store_->db(), e, *client.value(), bank);
  };
  EXPECT_FALSE(sync("sub-key:wrong").ok());
  EXPECT_FALSE(MakeExchangeClient(e, "no-colon", ClientOptions()).ok());
  auto report = sync("sub-key:fetch-key");
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report.value().pages, 2);
  EXPECT_EQ(report.value().entries, 3u);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);  // the refused one, then two pages
  EXPECT_EQ(requests[1].path, "/v1/FetchHashes");
  EXPECT_EQ(requests[1].query.at("startTimestamp"), "10");
  EXPECT_EQ(requests[1].query.count("nextPageToken"), 0u);
  EXPECT_EQ(requests[2].query.at("nextPageToken").substr(0, 20), "W3siY29tcG9zaXRlVG9r");
  EXPECT_EQ(requests[2].headers.at("x-functions-key"), "fetch-key");
  // The run is done: the next one starts at the last page's nextSetTimestamp.
  EXPECT_EQ(host::ExchangeStateOf(store_->db(), "stopncii").value().checkpoint,
            "stopncii1 1625167824 -");
  EXPECT_TRUE(Matches(bank, hashbank::SignalType::kPdq,
                      "9def0b7dafa86a1c90f2abd78e79ceb25ec3d1a4b3d4bc7a4354baf7717ea038"));

  // A later run: the hash was withdrawn; it stops matching.
  std::string withdrawn = MockNcmecServer::ReadTestdata("formats/stopncii/fetch_hashes_1.json");
  withdrawn.replace(withdrawn.find("\"Active\""), 8, "\"Withdrawn\"");
  server.SetStopNcii({{"", withdrawn}}, "fetch-key", "sub-key");
  auto later = sync("sub-key:fetch-key");
  ASSERT_TRUE(later.ok()) << later.status().message();
  EXPECT_EQ(server.requests().back().query.at("startTimestamp"), "1625167824");
  EXPECT_EQ(later.value().deleted, 1u);
  EXPECT_FALSE(Matches(bank, hashbank::SignalType::kPdq,
                       "9def0b7dafa86a1c90f2abd78e79ceb25ec3d1a4b3d4bc7a4354baf7717ea038"));

  // Malformed JSON and a page that says there is more without a token stop the sync.
  server.SetStopNcii({{"", "{\"hashRecords\": ["}}, "fetch-key", "sub-key");
  EXPECT_FALSE(sync("sub-key:fetch-key").ok());
  EXPECT_NE(host::ExchangeStateOf(store_->db(), "stopncii").value().last_error.find("JSON"),
            std::string::npos);
  server.SetStopNcii(
      {{"", "{\"count\":0,\"nextSetTimestamp\":5,\"hasMoreRecords\":true,\"hashRecords\":[]}"}},
      "fetch-key", "sub-key");
  EXPECT_FALSE(sync("sub-key:fetch-key").ok());
  EXPECT_EQ(host::ExchangeStateOf(store_->db(), "stopncii").value().checkpoint,
            "stopncii1 1625167824 -");
}

TEST(StopNciiCheckpointTest, RoundTripsAndRefusesForeignText) {
  auto back = ParseStopNciiCheckpoint(FormatStopNciiCheckpoint({1625167824, "abc=="}));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value().start_timestamp, 1625167824);
  EXPECT_EQ(back.value().next_page_token, "abc==");
  EXPECT_EQ(ParseStopNciiCheckpoint("").value().start_timestamp, 10);
  EXPECT_FALSE(ParseStopNciiCheckpoint("ncmec1 0 0 -").ok());
  EXPECT_FALSE(ParseStopNciiCheckpoint("stopncii1 -5 -").ok());
  EXPECT_FALSE(ParseStopNciiCheckpoint("stopncii1 5").ok());
  EXPECT_FALSE(StopNciiPaging("[]").ok());
  EXPECT_FALSE(StopNciiPaging("{\"hashRecords\":[],\"hasMoreRecords\":\"no\"}").ok());
}

class FolderExchangeTest : public host::TempStoreTest {};

TEST_F(FolderExchangeTest, TakesNewFilesInNameOrderOnce) {
  const auto feed = dir_ / "feed";
  std::filesystem::create_directories(feed);
  std::ofstream(feed / "001.txt") << "md5 00000000000000000000000000000001\n"
                                  << "md5 00000000000000000000000000000002\n";
  std::ofstream(feed / "002.xml") << MockNcmecServer::ReadTestdata(
      "formats/ncmec/entries_xml3.xml");
  host::Exchange e;
  e.name = "drops";
  e.kind = "folder";
  e.endpoint = feed.string();
  e.bank = "drops";
  e.created_by = "admin";
  ASSERT_TRUE(host::AddExchange(store_->db(), e).ok());
  const std::string bank = (dir_ / "drops.bank").string();
  const auto sync = [&] {
    ClientOptions options;
    auto client = MakeExchangeClient(e, "", options);
    EXPECT_TRUE(client.ok());
    return SyncExchange(store_->db(), e, *client.value(), bank);
  };
  auto first = sync();
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first.value().pages, 2);
  EXPECT_EQ(first.value().entries, 4u);
  EXPECT_EQ(host::ExchangeStateOf(store_->db(), "drops").value().checkpoint, "002.xml");

  std::ofstream(feed / "003.xml") << MockNcmecServer::ReadTestdata(
      "formats/ncmec/entries_xml4.xml");
  auto second = sync();
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second.value().pages, 1);  // only the new file
  EXPECT_EQ(second.value().deleted, 1u);
  EXPECT_FALSE(Matches(bank, hashbank::SignalType::kMd5, "bacebacebacebacebacebacebacebace"));
  EXPECT_TRUE(Matches(bank, hashbank::SignalType::kMd5, "00000000000000000000000000000002"));

  auto nothing = sync();
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing.value().added + nothing.value().deleted, 0u);

  // A bad file stops the sync there; the checkpoint stays before it.
  std::ofstream(feed / "004.xml") << "<queryResult><images>";
  ASSERT_FALSE(sync().ok());
  EXPECT_EQ(host::ExchangeStateOf(store_->db(), "drops").value().checkpoint, "003.xml");
}

}  // namespace
}  // namespace vigil::exchange
