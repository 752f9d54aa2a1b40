// A PostgreSQL restart under an open store connection (issue 13: "PostgreSQL
// restarted mid-scan: the scan retries and finishes"). Restarts the shared test
// server, so ctest runs this binary alone (RUN_SERIAL).
#include <gtest/gtest.h>

#include "pg_test_server.h"

namespace vigil::host::testing {
namespace {

using PostgresRestart = PgTestServer;

TEST_F(PostgresRestart, ALostConnectionIsReportedThenReopenedAtTheNextTransaction) {
  StatusOr<std::unique_ptr<PostgresDatabase>> opened = PostgresDatabase::Open(url_);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  PostgresDatabase &db = **opened;
  ASSERT_TRUE(db.Exec("CREATE TABLE t (i BIGINT)").ok());

  // Mid-transaction: the statement fails as a connection error, the transaction
  // is gone.
  ASSERT_TRUE(db.Begin().ok());
  EXPECT_EQ(RunSql(db, "INSERT INTO t VALUES (1)"), "");
  ASSERT_EQ(RunPostgresScript("restart"), 0);
  Statement insert(db, "INSERT INTO t VALUES (2)");
  ASSERT_NE(insert.Step(), kDone);
  Status lost = insert.Error("inserting");
  EXPECT_TRUE(IsConnectionError(lost)) << lost.message();
  EXPECT_NE(lost.message().find("connection lost"), std::string::npos) << lost.message();
  db.Rollback();

  // The next transaction reconnects and the retried work lands once.
  Transaction retry(db);
  Status begun = retry.Begin();
  ASSERT_TRUE(begun.ok()) << begun.message();
  EXPECT_EQ(RunSql(db, "INSERT INTO t VALUES (1)"), "");
  EXPECT_EQ(RunSql(db, "INSERT INTO t VALUES (2)"), "");
  ASSERT_TRUE(retry.Commit().ok());
  EXPECT_EQ(Scalar(db, "SELECT string_agg(i::text, ',' ORDER BY i) FROM t"), "1,2");

  // Between transactions: BEGIN itself notices the restart and reopens once.
  ASSERT_EQ(RunPostgresScript("restart"), 0);
  Transaction after(db);
  begun = after.Begin();
  ASSERT_TRUE(begun.ok()) << begun.message();
  EXPECT_EQ(RunSql(db, "INSERT INTO t VALUES (3)"), "");
  ASSERT_TRUE(after.Commit().ok());

  // A statement outside a transaction: the one that meets the dead connection
  // fails as a connection error; the next one runs on a reopened connection.
  ASSERT_EQ(RunPostgresScript("restart"), 0);
  Statement first(db, "SELECT count(*) FROM t");
  ASSERT_NE(first.Step(), kRow);
  EXPECT_TRUE(IsConnectionError(first.Error("counting"))) << first.Error("counting").message();
  EXPECT_EQ(Scalar(db, "SELECT count(*) FROM t"), "3");
}

TEST_F(PostgresRestart, ATransactionRetriedAfterARestartLandsOnce) {
  StatusOr<std::unique_ptr<PostgresDatabase>> opened = PostgresDatabase::Open(url_);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  PostgresDatabase &db = **opened;
  ASSERT_TRUE(db.Exec("CREATE TABLE t (i BIGINT)").ok());
  int attempts = 0;
  Status done = RetryOnConnectionLoss([&]() -> Status {
    ++attempts;
    Transaction tx(db);
    if (Status s = tx.Begin(); !s.ok()) return s;
    Statement insert(db, "INSERT INTO t VALUES (?1)");
    insert.Bind(1, int64_t{1});
    if (insert.Step() != kDone) return insert.Error("inserting");
    // The server restarts mid-transaction, once (the scan's item in flight).
    if (attempts == 1 && RunPostgresScript("restart") != 0) return Status::Internal("restart");
    Statement second(db, "INSERT INTO t VALUES (?1)");
    second.Bind(1, int64_t{2});
    if (second.Step() != kDone) return second.Error("inserting");
    return tx.Commit();
  });
  ASSERT_TRUE(done.ok()) << done.message();
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(Scalar(db, "SELECT string_agg(i::text, ',' ORDER BY i) FROM t"), "1,2");

  // Other errors are not retried.
  attempts = 0;
  Status failed = RetryOnConnectionLoss([&]() -> Status {
    ++attempts;
    Statement bad(db, "SELECT nope");
    return bad.Step() == kRow ? Status::Ok() : bad.Error("selecting");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(attempts, 1);
}

}  // namespace
}  // namespace vigil::host::testing
