// Issue 18 item 10: what the hash chain alone let through. Retyped values with
// the same text, dropped or rewritten append-only triggers, and rows the audit
// log does not account for (an empty log on a store full of items verified OK).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "store/audit_log.h"
#include "store/db/database.h"
#include "store/db/sqlite_database.h"
#include "store/review_queue.h"
#include "store/schema_check.h"
#include "store/store.h"
#include "store_backend.h"

namespace vigil::host {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class AuditVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-audit-verify-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  fs::path path() const { return dir_ / "store.db"; }

  void Reopen(OpenMode mode = OpenMode::kReadWrite) {
    store_.reset();
    auto store = Store::Open(path(), mode);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }

  int64_t Add(const std::string &sha, Disposition d = Disposition::kReview,
              const std::string &category = "") {
    ItemRecord record;
    record.sha256 = sha;
    record.path = "/items/" + sha;
    record.media_kind = "image";
    record.outcome.disposition = d;
    record.outcome.priority = 10;
    record.outcome.severity = 3;
    record.outcome.category = category;
    record.outcome.rule = "test rule";
    auto id = store_->RecordItem(record);
    EXPECT_TRUE(id.ok()) << id.status().message();
    return id.ok() ? id.value() : 0;
  }

  // SQL run as someone with the file and the sqlite3 shell: a separate
  // connection, the triggers dropped first and put back after when
  // `restore_triggers`.
  void Tamper(const std::string &sql, bool restore_triggers = true) {
    sqlite3 *raw = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &raw), SQLITE_OK);
    SqliteDatabase connection(raw, path().string());  // closes it
    sqlite3 *db = connection.raw();
    std::string triggers;
    {
      Statement saved(connection,
                      "SELECT group_concat(sql, '; ') FROM sqlite_master WHERE "
                      "type = 'trigger' AND tbl_name = 'audit_log'");
      ASSERT_EQ(saved.Step(), host::kRow);
      triggers = saved.ColumnText(0);
    }
    std::string full =
        "DROP TRIGGER IF EXISTS audit_log_no_update; "
        "DROP TRIGGER IF EXISTS audit_log_no_delete; " +
        sql + ";";
    if (restore_triggers) full += triggers + ";";
    const int rc = sqlite3_exec(db, full.c_str(), nullptr, nullptr, nullptr);
    EXPECT_EQ(rc, SQLITE_OK) << sqlite3_errmsg(db);
  }

  std::vector<std::string> Problems() {
    auto report = VerifyAudit(store_->db());
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? report.value().problems : std::vector<std::string>{"(no report)"};
  }

  bool TriggerExists(const std::string &name) {
    Statement q(store_->db(),
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name = ?1");
    q.Bind(1, name);
    EXPECT_EQ(q.Step(), host::kRow);
    return q.ColumnInt(0) == 1;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
};

// [SECTION] Types: the same text in another type hashed the same.

TEST_F(AuditVerifyTest, ItemIdRetypedAsTextWithTheSameNumberIsCaught) {
  for (int i = 0; i < 12; ++i) Add("s" + std::to_string(i));
  ASSERT_THAT(Problems(), IsEmpty());
  // Entry 12 is about item 12; '12abc' reads back as 12 through
  // sqlite3_column_int64.
  Tamper("UPDATE audit_log SET item_id = '12abc' WHERE seq = 12");
  EXPECT_THAT(Problems(), Contains(AllOf(HasSubstr("entry 12: item_id is stored as text"),
                                         HasSubstr("12abc"))));
}

TEST_F(AuditVerifyTest, DetailsRetypedAsABlobWithTheSameBytesIsCaught) {
  for (int i = 0; i < 4; ++i) Add("s" + std::to_string(i));
  Tamper("UPDATE audit_log SET details = CAST(details AS BLOB) WHERE seq = 3");
  EXPECT_THAT(Problems(), Contains(HasSubstr("entry 3: details is stored as blob")));
}

TEST_F(AuditVerifyTest, TextWithAHiddenTailAfterANulIsCaught) {
  for (int i = 0; i < 4; ++i) Add("s" + std::to_string(i));
  // Still text, the same up to a NUL: a C-string read of it hashed the same.
  Tamper(
      "UPDATE audit_log SET details = CAST(CAST(details AS BLOB) || x'00' || "
      "CAST('{\"outcome\":\"clear\"}' AS BLOB) AS TEXT) WHERE seq = 2");
  EXPECT_THAT(Problems(), Contains(HasSubstr("entry 2 was changed after it was written")));
}

// [SECTION] Triggers and schema, checked at open.

TEST_F(AuditVerifyTest, DroppedTriggerIsReportedByAReadOnlyOpenAndVerify) {
  Add("s0");
  Tamper("SELECT 1", /*restore_triggers=*/false);
  Reopen(OpenMode::kReadOnly);
  EXPECT_THAT(store_->schema_warnings(),
              Contains(HasSubstr("trigger audit_log_no_delete is missing")));
  EXPECT_THAT(Problems(),
              Contains(HasSubstr("the store's trigger audit_log_no_update is missing")));
  EXPECT_THAT(Problems(),
              Contains(HasSubstr("the store's trigger audit_log_no_delete is missing")));
  EXPECT_FALSE(TriggerExists("audit_log_no_delete")) << "a read-only open changes nothing";
}

TEST_F(AuditVerifyTest, WritableOpenRestoresDroppedTriggersAndAuditsIt) {
  Add("s0");
  Add("s1");
  Tamper("SELECT 1", /*restore_triggers=*/false);
  Reopen();
  EXPECT_THAT(
      store_->schema_warnings(),
      Contains(AllOf(HasSubstr("trigger audit_log_no_delete is missing"), HasSubstr("restored"))));
  EXPECT_TRUE(TriggerExists("audit_log_no_update"));
  EXPECT_TRUE(TriggerExists("audit_log_no_delete"));
  EXPECT_NE(sqlite3_exec(vigil::host::SqliteHandle(store_->db()), "DELETE FROM audit_log WHERE seq = 1", nullptr, nullptr,
                         nullptr),
            SQLITE_OK)
      << "the restored trigger refuses deletes again";
  {
    // Finalised before the store is reopened below (an open statement keeps the
    // connection from closing).
    Statement last(store_->db(),
                   "SELECT seq, actor, action, details FROM "
                   "audit_log ORDER BY seq DESC LIMIT 1");
    ASSERT_EQ(last.Step(), host::kRow);
    EXPECT_EQ(last.ColumnInt(0), 3);
    EXPECT_EQ(last.ColumnText(2), kSchemaRestoredAction);
    EXPECT_THAT(last.ColumnText(3), HasSubstr("trigger audit_log_no_update is missing"));
  }
  // The tampering stays visible: verify names the repair entry, and nothing
  // else.
  const auto problems = Problems();
  ASSERT_EQ(problems.size(), 1u) << ::testing::PrintToString(problems);
  EXPECT_THAT(problems[0], AllOf(HasSubstr("entry 3"), HasSubstr("changed by hand"),
                                 HasSubstr("audit_log_no_delete is missing")));
  // A second open finds nothing more to restore.
  Reopen();
  EXPECT_THAT(store_->schema_warnings(), IsEmpty());
}

TEST_F(AuditVerifyTest, AlteredTriggerIsReplacedByTheExpectedOne) {
  Add("s0");
  Tamper(
      "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN "
      "SELECT 1; END; "
      "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN "
      "SELECT 1; END",
      /*restore_triggers=*/false);
  Reopen(OpenMode::kReadOnly);
  EXPECT_THAT(Problems(), Contains(HasSubstr("trigger audit_log_no_delete was altered")));
  Reopen();
  EXPECT_NE(
      sqlite3_exec(vigil::host::SqliteHandle(store_->db()), "UPDATE audit_log SET actor = 'x'", nullptr, nullptr, nullptr),
      SQLITE_OK);
  EXPECT_THAT(Problems(), Contains(HasSubstr("audit_log_no_update was altered")));
}

TEST_F(AuditVerifyTest, UnexpectedTriggerIsReportedAndDropped) {
  const int64_t id = Add("s0");
  // Silently swallows every decision after it is made.
  Tamper(
      "CREATE TRIGGER hide_decisions AFTER INSERT ON decisions "
      "BEGIN DELETE FROM decisions WHERE id = new.id; END");
  Reopen(OpenMode::kReadOnly);
  EXPECT_THAT(Problems(), Contains(HasSubstr("unexpected trigger hide_decisions")));
  Reopen();
  EXPECT_FALSE(TriggerExists("hide_decisions"));
  ReviewQueue queue(*store_);
  ASSERT_TRUE(queue.Claim("alice", {}).ok());
  ASSERT_TRUE(queue.Decide(id, "alice", "B1", "").ok());
  Statement decisions(store_->db(), "SELECT count(*) FROM decisions");
  ASSERT_EQ(decisions.Step(), host::kRow);
  EXPECT_EQ(decisions.ColumnInt(0), 1);
}

TEST_F(AuditVerifyTest, AlteredTableIsReportedNotRepaired) {
  Add("s0");
  // The audit log rebuilt without its NOT NULLs, rows copied over.
  Tamper(
      "CREATE TABLE copy AS SELECT * FROM audit_log; DROP TABLE audit_log; "
      "ALTER TABLE copy RENAME TO audit_log");
  Reopen();
  EXPECT_THAT(store_->schema_warnings(), Contains(HasSubstr("table audit_log was altered")));
  EXPECT_THAT(Problems(), Contains(HasSubstr("the store's table audit_log was altered")));
}

// [SECTION] Opening.

TEST_F(AuditVerifyTest, ReadOnlyOpenCreatesNothing) {
  auto missing = Store::Open(dir_ / "absent" / "store.db", OpenMode::kReadOnly);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("cannot open the store"));
  EXPECT_FALSE(fs::exists(dir_ / "absent"));
}

// [SECTION] Accounting: every item, decision, reveal and exposure record has its entry.
// On both stores (issue 13, item 1): what an owner of the file or of the database writes
// or deletes behind the log's back is named.

class AuditAccountingTest : public StoreBackendTest {
 protected:
  int64_t Add(const std::string &sha, Disposition d = Disposition::kReview,
              const std::string &category = "") {
    ItemRecord record;
    record.sha256 = sha;
    record.path = "/items/" + sha;
    record.media_kind = "image";
    record.outcome.disposition = d;
    record.outcome.priority = 10;
    record.outcome.severity = 3;
    record.outcome.category = category;
    record.outcome.rule = "test rule";
    auto id = store_->RecordItem(record);
    EXPECT_TRUE(id.ok()) << id.status().message();
    return id.ok() ? id.value() : 0;
  }
  std::vector<std::string> Problems() {
    auto report = VerifyAudit(store_->db());
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? report.value().problems : std::vector<std::string>{"(no report)"};
  }
};

TEST_P(AuditAccountingTest, ItemIdZeroInsteadOfNullIsCaught) {
  Add("s0");
  ASSERT_TRUE(QueueOf("alice").RecordExposure(Who("alice"), 1, 3, 1.0, 0).ok());
  // An export: about no item, so item_id is NULL.
  Transaction tx(store_->db());
  ASSERT_TRUE(tx.Begin().ok());
  ASSERT_TRUE(AppendAudit(store_->db(), {"export", "export", 0, "{}"}, NowUtc()).ok());
  ASSERT_TRUE(tx.Commit().ok());
  ASSERT_THAT(Problems(), IsEmpty());
  Tamper("UPDATE audit_log SET item_id = 0 WHERE seq = 3");
  EXPECT_THAT(Problems(), Contains(HasSubstr("entry 3: item_id is 0 where the log writes NULL")));
}

TEST_P(AuditAccountingTest, EmptyAuditLogOnAStoreWithItemsFails) {
  for (int i = 0; i < 25; ++i) Add("s" + std::to_string(i));
  Tamper("DELETE FROM audit_log");
  auto report = VerifyAudit(store_->db());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().entries, 0);
  const auto &problems = report.value().problems;
  EXPECT_THAT(problems, Contains(HasSubstr("item 1 has no 'item.scanned' audit entry")));
  EXPECT_THAT(problems, Contains(HasSubstr("item 20 has no 'item.scanned' audit entry")));
  EXPECT_THAT(problems, Not(Contains(HasSubstr("item 21 has"))));
  EXPECT_THAT(problems, Contains("... and 5 more items without an 'item.scanned' audit entry"));
}

TEST_P(AuditAccountingTest, RowsWrittenBehindTheLogsBackAreNamed) {
  const int64_t id = Add("s0");
  Tamper(
      "INSERT INTO decisions (item_id, reviewer, decision, reason, decided_at) "
      "VALUES (1, 'mallory', 'not-illegal', 'x', '2026-01-01T00:00:00Z'); "
      "INSERT INTO reveals (reviewer, item_id, started_at, duration_ms) "
      "VALUES ('mallory', 1, '2026-01-01T00:00:00Z', 10); "
      "INSERT INTO exposure (reviewer, item_id, severity, seconds_unobscured, "
      "reveals, "
      "recorded_at) VALUES ('mallory', 1, 3, 2.0, 1, '2026-01-01T00:00:00Z')");
  ASSERT_EQ(id, 1);
  const auto problems = Problems();
  EXPECT_THAT(problems, Contains(HasSubstr("decision 1 on item 1 (not-illegal "
                                           "by mallory) has no 'queue.decided' "
                                           "audit entry")));
  EXPECT_THAT(problems,
              Contains(HasSubstr("reveal 1 on item 1 by mallory has no 'reveal' audit entry")));
  EXPECT_THAT(problems,
              Contains(HasSubstr("exposure 1 on item 1 by mallory has no 'exposure' audit entry")));
}

TEST_P(AuditAccountingTest, AutomaticDecisionWithoutItsScanEntryIsNamed) {
  Add("s0", Disposition::kAutoAction, "A1");
  ASSERT_THAT(Problems(), IsEmpty());
  // The item.scanned entry said auto-action; now it says clear (chain broken
  // too).
  Tamper(
      "UPDATE audit_log SET details = replace(details, 'auto-action', "
      "'clear')");
  EXPECT_THAT(Problems(), Contains(HasSubstr("decision 1 on item 1 (A1 by policy:test rule) has "
                                             "no 'item.scanned' audit entry with that automatic "
                                             "outcome")));
}

TEST_P(AuditAccountingTest, RowsDeletedBehindTheLogsBackAreNamed) {
  const int64_t first = Add("s0");
  Add("s1");
  ASSERT_TRUE(QueueOf("alice").Claim(Who("alice"), {}).ok());
  ASSERT_TRUE(QueueOf("alice").Decide(first, Who("alice"), "B1", "").ok());
  ASSERT_TRUE(QueueOf("alice").RecordReveal(Who("alice"), first, 0, 0, 1, 1, 100).ok());
  ASSERT_TRUE(QueueOf("alice").RecordExposure(Who("alice"), first, 3, 1.5, 1).ok());
  ASSERT_THAT(Problems(), IsEmpty());
  Tamper(
      "DELETE FROM decisions; DELETE FROM reveals; DELETE FROM exposure; "
      "DELETE FROM queue WHERE item_id = 2; DELETE FROM items WHERE id = 2");
  const auto problems = Problems();
  EXPECT_THAT(problems, Contains(HasSubstr("entry 2 records a scan of item 2, which is not in the "
                                           "store (deleted)")));
  EXPECT_THAT(problems, Contains(HasSubstr("records decision B1 by " + Who("alice") +
                                           " on item 1, which is not "
                                           "in the store")));
  EXPECT_THAT(problems, Contains(HasSubstr("records a reveal by " + Who("alice") + " on item 1")));
  EXPECT_THAT(problems,
              Contains(HasSubstr("records an exposure record by " + Who("alice") + " on item 1")));
}

TEST_P(AuditAccountingTest, AStoreWithEveryKindOfRecordVerifies) {
  const int64_t a = Add("a");
  const int64_t b = Add("b");
  Add("auto", Disposition::kAutoAction, "A1");
  Add("a");  // a rescan: two entries for one item
  ASSERT_TRUE(QueueOf("alice").Claim(Who("alice"), {}).ok());
  ASSERT_TRUE(QueueOf("alice").Decide(a, Who("alice"), "escalate", "unsure").ok());
  ASSERT_TRUE(QueueOf("bob").Claim(Who("bob"), {}).ok());  // the escalated item comes first
  ASSERT_TRUE(QueueOf("bob").Decide(a, Who("bob"), "A2", "").ok());
  ASSERT_TRUE(QueueOf("bob").Claim(Who("bob"), {}).ok());
  ASSERT_TRUE(QueueOf("bob").Release(b, Who("bob")).ok());
  ASSERT_TRUE(QueueOf("bob").RecordReveal(Who("bob"), a, 0.1f, 0.1f, 0.5f, 0.5f, 1200).ok());
  ASSERT_TRUE(QueueOf("bob").RecordReveal(Who("bob"), a, 0.1f, 0.1f, 0.5f, 0.5f, 800).ok());
  ASSERT_TRUE(QueueOf("bob").RecordExposure(Who("bob"), a, 4, 2.0, 2).ok());
  EXPECT_THAT(Problems(), IsEmpty());
  Reopen(OpenMode::kReadOnly);
  EXPECT_THAT(store_->schema_warnings(), IsEmpty());
  EXPECT_THAT(Problems(), IsEmpty());
}

VIGIL_ON_BOTH_STORES(AuditAccountingTest);

}  // namespace
}  // namespace vigil::host
