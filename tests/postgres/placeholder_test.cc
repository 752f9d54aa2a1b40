// The PostgreSQL backend's pure parts, no server: `?N` -> `$N` translation and
// the URL rules (issue 13: credentials never on the command line).
#include <gtest/gtest.h>

#include "store/db/postgres_database.h"

namespace vigil::host {
namespace {

TEST(PostgresPlaceholders, NumberedBecomeDollar) {
  int max_index = 0;
  EXPECT_EQ(TranslatePlaceholders("SELECT a FROM t WHERE b = ?1 AND c = ?12", &max_index),
            "SELECT a FROM t WHERE b = $1 AND c = $12");
  EXPECT_EQ(max_index, 12);
}

TEST(PostgresPlaceholders, ReusedNumberStaysOneParameter) {
  int max_index = 0;
  std::vector<bool> used;
  EXPECT_EQ(TranslatePlaceholders("VALUES (?8, ?8, ?2)", &max_index, &used), "VALUES ($8, $8, $2)");
  EXPECT_EQ(max_index, 8);
  ASSERT_EQ(used.size(), 8u);
  EXPECT_TRUE(used[7]);
  EXPECT_TRUE(used[1]);
  EXPECT_FALSE(used[0]);
  EXPECT_FALSE(used[2]);
}

TEST(PostgresPlaceholders, BareQuestionMarksCountOnFromTheLargest) {
  // SQLite: a bare ? takes one more than the largest number so far.
  int max_index = 0;
  EXPECT_EQ(TranslatePlaceholders("?, ?, ?5, ?", &max_index), "$1, $2, $5, $6");
  EXPECT_EQ(max_index, 6);
}

TEST(PostgresPlaceholders, LiteralsIdentifiersAndCommentsAreLeftAlone) {
  int max_index = 0;
  EXPECT_EQ(TranslatePlaceholders("SELECT '?1', 'it''s ?', \"col?\", E'\\'?', ?1 -- ?2\n"
                                  "/* ? /* ?3 */ ? */ , $$ ? $$, $tag$ ?4 $tag$, ?",
                                  &max_index),
            "SELECT '?1', 'it''s ?', \"col?\", E'\\'?', $1 -- ?2\n"
            "/* ? /* ?3 */ ? */ , $$ ? $$, $tag$ ?4 $tag$, $2");
  EXPECT_EQ(max_index, 2);
}

TEST(PostgresPlaceholders, DollarParametersAndUnterminatedTextDoNotConfuseIt) {
  int max_index = 0;
  EXPECT_EQ(TranslatePlaceholders("SELECT $1, ?2", &max_index), "SELECT $1, $2");
  EXPECT_EQ(TranslatePlaceholders("SELECT 'open ?1", &max_index), "SELECT 'open ?1");
  EXPECT_EQ(max_index, 0);
  EXPECT_EQ(TranslatePlaceholders("SELECT 1 /* open ?1", &max_index), "SELECT 1 /* open ?1");
  EXPECT_EQ(TranslatePlaceholders("", &max_index), "");
}

TEST(PostgresUrl, RecognisesBothSchemes) {
  EXPECT_TRUE(IsPostgresUrl("postgresql://alice@db.example:5432/vigil"));
  EXPECT_TRUE(IsPostgresUrl("postgres://127.0.0.1/vigil"));
  EXPECT_FALSE(IsPostgresUrl("store.db"));
  EXPECT_FALSE(IsPostgresUrl("/var/lib/vigil/postgresql://x"));
}

TEST(PostgresUrl, APasswordInTheUrlIsRefusedWithoutEchoingIt) {
  for (const char *url : {"postgresql://alice:s3cret@127.0.0.1:1/vigil",
                          "postgres://127.0.0.1:1/vigil?password=s3cret",
                          "postgresql://alice@127.0.0.1:1/"
                          "vigil?sslmode=disable&password=s3cret"}) {
    StatusOr<std::unique_ptr<PostgresDatabase>> db = PostgresDatabase::Open(url);
    ASSERT_FALSE(db.ok()) << url;
    EXPECT_EQ(db.status().code(), Status::Code::kInvalidArgument) << url;
    EXPECT_NE(db.status().message().find("PGPASSFILE"), std::string::npos);
    EXPECT_NE(db.status().message().find("PGPASSWORD"), std::string::npos);
    EXPECT_EQ(db.status().message().find("s3cret"), std::string::npos);
    EXPECT_EQ(db.status().message().find('\n'), std::string::npos);
  }
}

TEST(PostgresUrl, OtherUrlsAndUnreachableServersAreOneLineErrors) {
  StatusOr<std::unique_ptr<PostgresDatabase>> db = PostgresDatabase::Open("mysql://x/y");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Status::Code::kInvalidArgument);
  db = PostgresDatabase::Open("postgresql://127.0.0.1:1/vigil?connect_timeout=2");
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(IsConnectionError(db.status())) << db.status().message();
  EXPECT_EQ(db.status().message().find('\n'), std::string::npos) << db.status().message();
  db = PostgresDatabase::Open("postgresql://127.0.0.1:1/vigil?nonsense=1");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Status::Code::kInvalidArgument) << db.status().message();
}

}  // namespace
}  // namespace vigil::host
