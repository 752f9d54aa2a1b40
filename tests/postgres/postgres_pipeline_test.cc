// PostgresDatabase's two round-trip savers against the real throw-away server:
// writes of a transaction sent together (Statement::Write, libpq's pipeline
// mode) and statements prepared once per connection. What must not change: the
// order of writes and reads, one error failing the transaction as a whole and
// naming its write, nothing of a failed transaction landing, and a statement
// that still runs after DDL changes its result.
#include <gtest/gtest.h>

#include <string>

#include "pg_test_server.h"

namespace vigil::host::testing {
namespace {

class PostgresPipeline : public PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    db_ = Connect("postgres");
    ASSERT_TRUE(db_);
    ASSERT_TRUE(db_->Exec("CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT NOT NULL)").ok());
  }
  void TearDown() override {
    db_.reset();
    PgTestServer::TearDown();
  }
  Status Insert(int64_t id, const std::string &v, const std::string &what) {
    Statement insert(*db_, "INSERT INTO t (id, v) VALUES (?1, ?2)");
    insert.Bind(1, id).Bind(2, v);
    return insert.Write(what);
  }
  std::unique_ptr<PostgresDatabase> db_;
};

TEST_F(PostgresPipeline, WritesLandAtTheCommitInTheOrderMade) {
  Transaction tx(*db_);
  ASSERT_TRUE(tx.Begin().ok());
  for (int i = 1; i <= 50; ++i) ASSERT_TRUE(Insert(i, "v" + std::to_string(i), "row").ok());
  Statement update(*db_, "UPDATE t SET v = v || '!' WHERE id <= ?1");  // after the inserts
  update.Bind(1, int64_t{10});
  ASSERT_TRUE(update.Write("marking").ok());
  // Another connection sees nothing before the commit.
  auto other = Connect("postgres");
  EXPECT_EQ(Scalar(*other, "SELECT count(*) FROM t"), "0");
  ASSERT_TRUE(tx.Commit().ok());
  EXPECT_EQ(Scalar(*other, "SELECT count(*) FROM t"), "50");
  EXPECT_EQ(Scalar(*other, "SELECT count(*) FROM t WHERE v LIKE '%!'"), "10");
}

TEST_F(PostgresPipeline, AReadSeesTheWritesMadeBeforeIt) {
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(Insert(1, "a", "first").ok());
  ASSERT_TRUE(Insert(2, "b", "second").ok());
  Statement read(*db_, "SELECT string_agg(v, ',' ORDER BY id) FROM t");
  ASSERT_EQ(read.Step(), kRow) << read.Error("read").message();
  EXPECT_EQ(read.ColumnText(0), "a,b");
  ASSERT_TRUE(Insert(3, "c", "third").ok());
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(Scalar(*db_, "SELECT string_agg(v, ',' ORDER BY id) FROM t"), "a,b,c");
}

TEST_F(PostgresPipeline, AFailedWriteFailsTheCommitByNameAndNothingLands) {
  {
    Transaction tx(*db_);
    ASSERT_TRUE(tx.Begin().ok());
    ASSERT_TRUE(Insert(1, "a", "first row").ok());
    ASSERT_TRUE(Insert(1, "again", "the duplicate row").ok());  // fails on the server
    ASSERT_TRUE(Insert(2, "b", "third row").ok());
    Status commit = tx.Commit();
    ASSERT_FALSE(commit.ok());
    EXPECT_EQ(commit.message().rfind("the duplicate row: ", 0), 0u) << commit.message();
    EXPECT_NE(commit.message().find("[23505]"), std::string::npos) << commit.message();
  }
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM t"), "0");
  // The connection is usable: the next transaction commits.
  Transaction tx(*db_);
  ASSERT_TRUE(tx.Begin().ok());
  ASSERT_TRUE(Insert(7, "x", "row").ok());
  ASSERT_TRUE(tx.Commit().ok());
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM t"), "1");
}

TEST_F(PostgresPipeline, AFailedWriteFailsTheNextRead) {
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(Insert(1, "a", "first row").ok());
  Statement bad(*db_, "INSERT INTO t (id, v) VALUES (?1, NULL)");
  bad.Bind(1, int64_t{2});
  ASSERT_TRUE(bad.Write("the row without a value").ok());
  Statement read(*db_, "SELECT count(*) FROM t");
  ASSERT_NE(read.Step(), kRow);
  EXPECT_NE(read.Error("read").message().find("the row without a value: "), std::string::npos)
      << read.Error("read").message();
  EXPECT_FALSE(db_->Commit().ok());
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM t"), "0");
}

TEST_F(PostgresPipeline, RolledBackWritesAreNeverSent) {
  {
    Transaction tx(*db_);
    ASSERT_TRUE(tx.Begin().ok());
    ASSERT_TRUE(Insert(1, "a", "row").ok());
  }  // rolled back
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM t"), "0");
  // Nothing of it is sent with the next transaction either.
  Transaction tx(*db_);
  ASSERT_TRUE(tx.Begin().ok());
  ASSERT_TRUE(Insert(2, "b", "row").ok());
  ASSERT_TRUE(tx.Commit().ok());
  EXPECT_EQ(Scalar(*db_, "SELECT string_agg(v, ',') FROM t"), "b");
}

TEST_F(PostgresPipeline, AWriteOutsideATransactionRunsAtOnce) {
  ASSERT_TRUE(Insert(1, "a", "row").ok());
  auto other = Connect("postgres");
  EXPECT_EQ(Scalar(*other, "SELECT count(*) FROM t"), "1");
  Status duplicate = Insert(1, "b", "the duplicate");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.message().rfind("the duplicate: ", 0), 0u) << duplicate.message();
}

TEST_F(PostgresPipeline, APreparedStatementTakesNullsAndValuesAndSurvivesDdl) {
  // One SQL text bound with a NULL, then a number, then text: each runs.
  ASSERT_TRUE(db_->Exec("CREATE TABLE u (a BIGINT, b TEXT)").ok());
  for (int round = 0; round < 3; ++round) {
    Statement insert(*db_, "INSERT INTO u (a, b) VALUES (?1, ?2)");
    if (round == 0)
      insert.BindNull(1);
    else
      insert.Bind(1, int64_t{round});
    insert.Bind(2, "r" + std::to_string(round));
    ASSERT_EQ(insert.Step(), kDone) << insert.Error("insert").message();
  }
  const std::string select = "SELECT * FROM u ORDER BY b";
  {
    Statement read(*db_, select);
    ASSERT_EQ(read.Step(), kRow) << read.Error("read").message();
  }
  // The table gains a column: the same SQL now returns three columns, not a
  // "cached plan must not change result type" error.
  ASSERT_TRUE(db_->Exec("ALTER TABLE u ADD COLUMN c TEXT DEFAULT 'x'").ok());
  Statement read(*db_, select);
  ASSERT_EQ(read.Step(), kRow) << read.Error("read").message();
  EXPECT_EQ(read.ColumnText(2), "x");
}

TEST_F(PostgresPipeline, AStatementRunAgainIsPreparedOnce) {
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(Insert(i, "v", "row").ok());
  // This session's prepared statements (the count itself is one of them).
  const std::string prepared =
      "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO t %'";
  EXPECT_EQ(Scalar(*db_, prepared), "1");
}

TEST_F(PostgresPipeline, MoreDistinctStatementsThanTheConnectionPreparesStillRun) {
  for (int i = 0; i < 700; ++i) {  // beyond kMaxPrepared (512): the rest are sent as SQL
    Statement read(*db_, "SELECT " + std::to_string(i) + " + ?1");
    read.Bind(1, int64_t{1});
    ASSERT_EQ(read.Step(), kRow) << i << ": " << read.Error("read").message();
    ASSERT_EQ(read.ColumnInt(0), i + 1);
  }
}

TEST_F(PostgresPipeline, ABadStatementSaysWhyAtItsFirstRun) {
  Statement bad(*db_, "SELEC 1");
  EXPECT_TRUE(bad.ok());
  ASSERT_NE(bad.Step(), kRow);
  EXPECT_NE(bad.Error("bad").message().find("[42601]"), std::string::npos)
      << bad.Error("bad").message();
  ASSERT_TRUE(db_->Begin().ok());
  Statement bad_write(*db_, "INSERT INTO nowhere VALUES (?1)");
  bad_write.Bind(1, int64_t{1});
  Status s = bad_write.Write("writing nowhere");
  ASSERT_FALSE(s.ok());  // it does not prepare: said at once
  EXPECT_NE(s.message().find("[42P01]"), std::string::npos) << s.message();
  db_->Rollback();
}

}  // namespace
}  // namespace vigil::host::testing
