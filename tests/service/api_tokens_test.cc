// `vigil tokens`' store half (issue 14 item 2): tokens kept as SHA-256 only, revoked
// never deleted, found in constant time; and the server's cached lookup of them.
#include "store/api_tokens.h"

#include <gtest/gtest.h>

#include <mutex>

#include "service/token_auth.h"
#include "tests/unit/host/temp_store.h"

namespace vigil::host {
namespace {

class ApiTokensTest : public TempStoreTest {};

TEST_F(ApiTokensTest, CreatedTokenIsStoredAsItsHashOnly) {
  auto secret = CreateApiToken(store_->db(), "platform-a", {"submit", "match"}, 5, "alice");
  ASSERT_TRUE(secret.ok()) << secret.status().message();
  const std::string& token = secret.value();
  EXPECT_EQ(token.rfind("vgl_", 0), 0u);
  EXPECT_EQ(token.size(), 4u + 64u);
  // Nothing in the row is the secret; its hash is.
  Statement row(store_->db(),
                "SELECT name, token_sha256, scopes, rate_per_s, created_by FROM api_tokens");
  ASSERT_EQ(row.Step(), kRow);
  for (int c = 0; c < 5; ++c) EXPECT_EQ(row.ColumnText(c).find(token.substr(4)), std::string::npos);
  EXPECT_EQ(row.ColumnText(1), ApiTokenHash(token));
  EXPECT_EQ(row.ColumnText(2), "submit,match");

  auto found = FindLiveApiToken(store_->db(), token);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found.value().has_value());
  EXPECT_EQ(found.value()->name, "platform-a");
  EXPECT_EQ(found.value()->scopes, (std::vector<std::string>{"submit", "match"}));
  EXPECT_EQ(found.value()->rate_per_s, 5);
  // A near miss, another prefix, garbage: nobody.
  std::string near = token;
  near.back() = near.back() == '0' ? '1' : '0';
  EXPECT_FALSE(FindLiveApiToken(store_->db(), near).value().has_value());
  EXPECT_FALSE(FindLiveApiToken(store_->db(), token.substr(4)).value().has_value());
  EXPECT_FALSE(FindLiveApiToken(store_->db(), "").value().has_value());
  // Two tokens never share a secret.
  auto other = CreateApiToken(store_->db(), "platform-b", {"match"}, 0, "alice");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other.value(), token);
}

TEST_F(ApiTokensTest, RevokedTokensAreRefusedAndKept) {
  auto secret = CreateApiToken(store_->db(), "t1", {"admin"}, 0, "alice");
  ASSERT_TRUE(secret.ok());
  ASSERT_TRUE(RevokeApiToken(store_->db(), "t1", "bob").ok());
  EXPECT_FALSE(FindLiveApiToken(store_->db(), secret.value()).value().has_value());
  Status again = RevokeApiToken(store_->db(), "t1", "bob");
  EXPECT_EQ(again.code(), Status::Code::kInvalidArgument) << again.message();
  EXPECT_EQ(RevokeApiToken(store_->db(), "nobody", "bob").code(), Status::Code::kNotFound);
  auto list = ListApiTokens(store_->db());
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list.value().size(), 1u);
  EXPECT_EQ(list.value()[0].revoked_by, "bob");
  EXPECT_FALSE(list.value()[0].revoked_at.empty());
  // A revoked name is not reused.
  EXPECT_FALSE(CreateApiToken(store_->db(), "t1", {"admin"}, 0, "alice").ok());
  // History: no delete, no un-revoke, no widening of scopes, even by hand.
  EXPECT_NE(Statement(store_->db(), "DELETE FROM api_tokens").Step(), kDone);
  EXPECT_NE(Statement(store_->db(), "UPDATE api_tokens SET revoked_at = NULL").Step(), kDone);
  auto live = CreateApiToken(store_->db(), "t2", {"match"}, 0, "alice");
  ASSERT_TRUE(live.ok());
  EXPECT_NE(
      Statement(store_->db(), "UPDATE api_tokens SET scopes = 'admin' WHERE name = 't2'").Step(),
      kDone);
  // Each creation and revocation is in the audit log.
  Statement audit(store_->db(),
                  "SELECT count(*) FROM audit_log WHERE action IN ('token.created', "
                  "'token.revoked')");
  ASSERT_EQ(audit.Step(), kRow);
  EXPECT_EQ(audit.ColumnInt(0), 3);
}

TEST_F(ApiTokensTest, BadNamesScopesAndRatesAreRefused) {
  EXPECT_FALSE(CreateApiToken(store_->db(), "", {"match"}, 0, "a").ok());
  EXPECT_FALSE(CreateApiToken(store_->db(), "has space", {"match"}, 0, "a").ok());
  EXPECT_FALSE(CreateApiToken(store_->db(), std::string(65, 'x'), {"match"}, 0, "a").ok());
  EXPECT_FALSE(CreateApiToken(store_->db(), "ok", {}, 0, "a").ok());
  EXPECT_FALSE(CreateApiToken(store_->db(), "ok", {"match"}, -1, "a").ok());
  auto scopes = ParseApiScopes("match, submit");
  ASSERT_TRUE(scopes.ok());
  EXPECT_EQ(scopes.value(), (std::vector<std::string>{"submit", "match"}));
  EXPECT_FALSE(ParseApiScopes("").ok());
  EXPECT_FALSE(ParseApiScopes("match,match").ok());
  Status unknown = ParseApiScopes("match,root").status();
  EXPECT_NE(unknown.message().find("root"), std::string::npos);
}

TEST_F(ApiTokensTest, ServerSeesRevocationOnceTheCacheExpires) {
  auto secret = CreateApiToken(store_->db(), "svc", {"match"}, 2.5, "alice");
  ASSERT_TRUE(secret.ok());
  std::mutex db_mutex;
  // ttl 0: every request reads the store, so a revocation is seen at once.
  service::StoreAuthenticator fresh(store_->db(), db_mutex, std::chrono::milliseconds(0));
  auto who = fresh.Authenticate(secret.value());
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->name, "svc");
  EXPECT_EQ(who->scopes, (std::set<std::string>{"match"}));
  EXPECT_EQ(who->rate_per_s, 2.5);
  // A long ttl: the second request is answered from the cache.
  service::StoreAuthenticator cached(store_->db(), db_mutex, std::chrono::hours(1));
  EXPECT_TRUE(cached.Authenticate(secret.value()).has_value());
  EXPECT_TRUE(cached.Authenticate(secret.value()).has_value());
  EXPECT_FALSE(cached.Authenticate("vgl_nope").has_value());
  EXPECT_FALSE(cached.Authenticate("vgl_nope").has_value());
  EXPECT_EQ(cached.lookups(), 2);

  ASSERT_TRUE(RevokeApiToken(store_->db(), "svc", "alice").ok());
  EXPECT_FALSE(fresh.Authenticate(secret.value()).has_value());
}

}  // namespace
}  // namespace vigil::host
