// Issue 15 item 1 on the team store: the database itself decides who configures exchanges
// and who writes their sync state (PostgreSQL migration 12: GRANTs and row-level security).
#include <gtest/gtest.h>

#include "pg_test_server.h"
#include "store/exchanges.h"
#include "store/store.h"

namespace vigil::host::testing {
namespace {

class TeamExchanges : public PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    auto store = Store::Open(url_);  // the superuser migrates
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    PgTestServer::TearDown();
  }
  std::unique_ptr<Store> store_;
};

Exchange Ncmec(const std::string& name) {
  Exchange e;
  e.name = name;
  e.kind = "ncmec";
  e.endpoint = "https://hashsharing.ncmec.org/npo";
  e.bank = name + "-bank";
  e.credentials = "env:NCMEC_CREDENTIALS";
  e.created_by = "adm";
  return e;
}

TEST_F(TeamExchanges, AdminsConfigureTheScannerSyncsAuditorsRead) {
  const std::string admin = MakeLogin("adm", {"vigil_admin"});
  const std::string scanner = MakeLogin("scn", {"vigil_scanner"});
  const std::string reviewer = MakeLogin("rev", {"vigil_reviewer"});
  const std::string auditor = MakeLogin("aud", {"vigil_auditor"});
  auto admin_db = Connect(admin);
  auto scanner_db = Connect(scanner);
  auto reviewer_db = Connect(reviewer);
  auto auditor_db = Connect(auditor);
  ASSERT_TRUE(admin_db && scanner_db && reviewer_db && auditor_db);

  // Only an admin configures.
  EXPECT_FALSE(AddExchange(*scanner_db, Ncmec("by-scanner")).ok());
  EXPECT_FALSE(AddExchange(*reviewer_db, Ncmec("by-reviewer")).ok());
  ASSERT_TRUE(AddExchange(*admin_db, Ncmec("npo")).ok());

  // The scanner reads the configuration and writes checkpoints and errors.
  auto seen = ListExchanges(*scanner_db);
  ASSERT_TRUE(seen.ok()) << seen.status().message();
  ASSERT_EQ(seen.value().size(), 1u);
  ASSERT_TRUE(SaveExchangeCheckpoint(*scanner_db, "npo", "ncmec1 0 10 -", 5, 1, false, 10).ok());
  ASSERT_TRUE(RecordExchangeError(*scanner_db, "npo", "HTTP 500", 11).ok());
  EXPECT_FALSE(RemoveExchange(*scanner_db, "npo").ok());

  // A reviewer sees nothing and writes nothing; an auditor reads both tables.
  auto hidden = ListExchanges(*reviewer_db);
  EXPECT_TRUE(!hidden.ok() || hidden.value().empty());
  EXPECT_FALSE(SaveExchangeCheckpoint(*reviewer_db, "npo", "forged", 0, 0, true, 12).ok());
  EXPECT_FALSE(SaveExchangeCheckpoint(*auditor_db, "npo", "forged", 0, 0, true, 12).ok());
  auto audited = ExchangeStateOf(*auditor_db, "npo");
  ASSERT_TRUE(audited.ok()) << audited.status().message();
  EXPECT_EQ(audited.value().checkpoint, "ncmec1 0 10 -");
  EXPECT_EQ(audited.value().last_error, "HTTP 500");
  EXPECT_FALSE(AddExchange(*auditor_db, Ncmec("by-auditor")).ok());

  // The admin removes the exchange and its state.
  ASSERT_TRUE(RemoveExchange(*admin_db, "npo").ok());
  EXPECT_TRUE(ListExchanges(*auditor_db).value().empty());
}

}  // namespace
}  // namespace vigil::host::testing
