// Issue 14 item 2 on the team store: the database itself decides who may create, revoke
// and read API tokens (PostgreSQL migration 10: GRANTs, RLS, revoke-only trigger).
#include <gtest/gtest.h>

#include "pg_test_server.h"
#include "store/api_tokens.h"
#include "store/store.h"

namespace vigil::host::testing {
namespace {

class TeamApiTokens : public PgTestServer {
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

TEST_F(TeamApiTokens, OnlyAnAdminCreatesAndRevokesTheServerReads) {
  const std::string admin = MakeLogin("adm", {"vigil_admin"});
  const std::string scanner = MakeLogin("scn", {"vigil_scanner"});
  const std::string reviewer = MakeLogin("rev", {"vigil_reviewer"});
  auto admin_db = Connect(admin);
  auto scanner_db = Connect(scanner);
  auto reviewer_db = Connect(reviewer);
  ASSERT_TRUE(admin_db && scanner_db && reviewer_db);

  auto secret = CreateApiToken(*admin_db, "platform", {"submit"}, 10, admin);
  ASSERT_TRUE(secret.ok()) << secret.status().message();
  // The admin cannot sign a token in someone else's name.
  EXPECT_FALSE(CreateApiToken(*admin_db, "forged", {"admin"}, 0, "someone-else").ok());
  // Neither the server's login nor a reviewer makes or revokes tokens.
  EXPECT_FALSE(CreateApiToken(*scanner_db, "mine", {"admin"}, 0, scanner).ok());
  EXPECT_FALSE(CreateApiToken(*reviewer_db, "mine", {"admin"}, 0, reviewer).ok());
  EXPECT_FALSE(RevokeApiToken(*scanner_db, "platform", scanner).ok());

  // The server (vigil_scanner) finds the live token; a reviewer reads nothing.
  auto found = FindLiveApiToken(*scanner_db, secret.value());
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_TRUE(found.value().has_value());
  EXPECT_EQ(found.value()->name, "platform");
  EXPECT_FALSE(FindLiveApiToken(*reviewer_db, secret.value()).ok());

  ASSERT_TRUE(RevokeApiToken(*admin_db, "platform", admin).ok());
  auto after = FindLiveApiToken(*scanner_db, secret.value());
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after.value().has_value());
  // History: nobody deletes or widens a token, the superuser included.
  EXPECT_FALSE(admin_db->Exec("DELETE FROM api_tokens").ok());
  EXPECT_FALSE(store_->db().Exec("DELETE FROM api_tokens").ok());
  EXPECT_FALSE(store_->db().Exec("UPDATE api_tokens SET revoked_at = NULL").ok());
  EXPECT_FALSE(admin_db->Exec("UPDATE api_tokens SET scopes = 'admin'").ok());
}

}  // namespace
}  // namespace vigil::host::testing
