// The exchanges and their sync state in the store (issue 15 item 1; store/exchanges.h).
#include <gtest/gtest.h>

#include "store/exchanges.h"
#include "tests/unit/host/temp_store.h"

namespace vigil::host {
namespace {

Exchange Ncmec(const std::string& name = "ncmec-npo", const std::string& bank = "ncmec") {
  Exchange e;
  e.name = name;
  e.kind = "ncmec";
  e.endpoint = "https://hashsharing.ncmec.org/npo";
  e.bank = bank;
  e.credentials = "env:NCMEC_CREDENTIALS";
  e.interval_s = 300;
  e.created_by = "admin";
  return e;
}

class ExchangeStoreTest : public TempStoreTest {};

TEST_F(ExchangeStoreTest, AddListFindRemove) {
  ASSERT_TRUE(AddExchange(store_->db(), Ncmec()).ok());
  auto list = ListExchanges(store_->db());
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list.value().size(), 1u);
  EXPECT_EQ(list.value()[0].bank, "ncmec");
  EXPECT_EQ(list.value()[0].credentials, "env:NCMEC_CREDENTIALS");
  EXPECT_EQ(list.value()[0].interval_s, 300);
  EXPECT_FALSE(list.value()[0].created_at.empty());
  auto found = FindExchange(store_->db(), "ncmec-npo");
  ASSERT_TRUE(found.ok() && found.value().has_value());
  EXPECT_EQ(found.value()->endpoint, "https://hashsharing.ncmec.org/npo");
  ASSERT_TRUE(SaveExchangeCheckpoint(store_->db(), "ncmec-npo", "cp", 3, 1, false, 100).ok());
  ASSERT_TRUE(RemoveExchange(store_->db(), "ncmec-npo").ok());
  EXPECT_TRUE(ListExchanges(store_->db()).value().empty());
  EXPECT_EQ(RemoveExchange(store_->db(), "ncmec-npo").code(), Status::Code::kNotFound);
  // Its state went with it: a new exchange of that name starts from the beginning.
  ASSERT_TRUE(AddExchange(store_->db(), Ncmec()).ok());
  EXPECT_EQ(ExchangeStateOf(store_->db(), "ncmec-npo").value().checkpoint, "");
}

TEST_F(ExchangeStoreTest, RefusesDuplicatesAndMalformedConfigurations) {
  ASSERT_TRUE(AddExchange(store_->db(), Ncmec()).ok());
  EXPECT_EQ(AddExchange(store_->db(), Ncmec()).code(), Status::Code::kInvalidArgument);
  Status same_bank = AddExchange(store_->db(), Ncmec("other", "ncmec"));
  EXPECT_NE(same_bank.message().find("fed by exchange 'ncmec-npo'"), std::string::npos)
      << same_bank.message();

  Exchange e = Ncmec("x", "b");
  e.credentials = "user:hunter2";  // a secret, not a reference
  EXPECT_NE(AddExchange(store_->db(), e).message().find("never the secret"), std::string::npos);
  e = Ncmec("x", "b");
  e.credentials = "env:1BAD";
  EXPECT_FALSE(AddExchange(store_->db(), e).ok());
  e = Ncmec("x", "local-decisions");
  EXPECT_FALSE(AddExchange(store_->db(), e).ok());  // local- banks hold decisions
  e = Ncmec("x", "b");
  e.kind = "threatexchange-v9";
  EXPECT_FALSE(AddExchange(store_->db(), e).ok());
  e = Ncmec("x", "b");
  e.endpoint = "ftp://example.org/";
  EXPECT_FALSE(AddExchange(store_->db(), e).ok());
  e = Ncmec("x", "b");
  e.endpoint = "http://hashsharing.example.org/npo";  // credentials in clear text
  EXPECT_NE(AddExchange(store_->db(), e).message().find("must be https://"), std::string::npos);
  e.endpoint = "http://127.0.0.1.example.org/npo";
  EXPECT_FALSE(AddExchange(store_->db(), e).ok());
  e = Ncmec("x", "b");
  e.kind = "folder";
  e.endpoint = "relative/dir";
  EXPECT_FALSE(AddExchange(store_->db(), e).ok());
  e = Ncmec("../x", "b");
  EXPECT_FALSE(AddExchange(store_->db(), e).ok());
  e = Ncmec("x", "b");
  e.interval_s = 0;
  EXPECT_FALSE(AddExchange(store_->db(), e).ok());
  EXPECT_EQ(ListExchanges(store_->db()).value().size(), 1u);
}

TEST_F(ExchangeStoreTest, CheckpointAndErrorState) {
  ASSERT_TRUE(AddExchange(store_->db(), Ncmec()).ok());
  ExchangeState s = ExchangeStateOf(store_->db(), "ncmec-npo").value();
  EXPECT_EQ(s.checkpoint, "");
  EXPECT_EQ(s.last_success_unix, 0);

  ASSERT_TRUE(SaveExchangeCheckpoint(store_->db(), "ncmec-npo", "page-1", 10, 1, false, 1000).ok());
  s = ExchangeStateOf(store_->db(), "ncmec-npo").value();
  EXPECT_EQ(s.checkpoint, "page-1");
  EXPECT_EQ(s.entries, 10);
  EXPECT_EQ(s.pages, 1);
  EXPECT_EQ(s.last_success_unix, 0);  // not complete yet

  ASSERT_TRUE(RecordExchangeError(store_->db(), "ncmec-npo", "HTTP 500", 1001).ok());
  s = ExchangeStateOf(store_->db(), "ncmec-npo").value();
  EXPECT_EQ(s.checkpoint, "page-1");  // an error never moves the checkpoint
  EXPECT_EQ(s.last_error, "HTTP 500");
  EXPECT_EQ(s.last_error_at, "1970-01-01T00:16:41Z");

  ASSERT_TRUE(SaveExchangeCheckpoint(store_->db(), "ncmec-npo", "done", 12, 2, true, 2000).ok());
  s = ExchangeStateOf(store_->db(), "ncmec-npo").value();
  EXPECT_EQ(s.checkpoint, "done");
  EXPECT_EQ(s.last_error, "");
  EXPECT_EQ(s.last_success_unix, 2000);
  EXPECT_EQ(s.last_success, "1970-01-01T00:33:20Z");
  EXPECT_EQ(s.pages, 0);
  EXPECT_EQ(SaveExchangeCheckpoint(store_->db(), "nobody", "x", 0, 0, true, 1).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(RecordExchangeError(store_->db(), "nobody", "x", 1).code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace vigil::host
