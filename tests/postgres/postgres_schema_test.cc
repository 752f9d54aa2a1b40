// The team store's PostgreSQL schema (store/postgres_schema.h) against the real
// server: migrations, the audit chain kept by the database under concurrent
// writers, and what each role's OWN login (SCRAM over 127.0.0.1) may and may
// not do (issue 13, "Done when").
#include "store/postgres_schema.h"

#include <gtest/gtest.h>

#include <ctime>
#include <thread>

#include "pg_test_server.h"
#include "scan/sha256.h"
#include "store/audit_log.h"
#include "store/postgres_schema_check.h"
#include "store/store_postgres.h"

namespace vigil::host::testing {
namespace {

// The C++ chain formula, written out again here (store/audit_log.cc keeps its
// own): what the database's trigger must reproduce byte for byte.
std::string ExpectedHash(const std::string &prev, int64_t seq, const std::string &at,
                         const std::string &actor, const std::string &action, int64_t item_id,
                         const std::string &details) {
  std::string material;
  for (const std::string &field :
       {prev, std::to_string(seq), at, actor, action, std::to_string(item_id), details}) {
    material += std::to_string(field.size()) + ":" + field;
  }
  return Sha256Hex(material);
}

// Recomputes the whole chain; "" when it verifies, else the first problem.
std::string VerifyChain(Database &db, int64_t *entries) {
  Statement rows(db,
                 "SELECT seq, at, actor, action, item_id, details, prev_hash, hash "
                 "FROM audit_log ORDER BY seq");
  std::string prev = kAuditGenesis;
  int64_t expected_seq = 1;
  int rc;
  while ((rc = rows.Step()) == kRow) {
    const int64_t seq = rows.ColumnInt(0);
    if (seq != expected_seq)
      return "seq " + std::to_string(seq) + " where " + std::to_string(expected_seq) + " was due";
    if (rows.ColumnText(6) != prev) return "entry " + std::to_string(seq) + ": prev_hash";
    const std::string hash =
        ExpectedHash(prev, seq, rows.ColumnText(1), rows.ColumnText(2), rows.ColumnText(3),
                     rows.ColumnInt(4), rows.ColumnText(5));
    if (rows.ColumnText(7) != hash) return "entry " + std::to_string(seq) + ": hash";
    prev = hash;
    ++expected_seq;
  }
  if (rc != kDone) return rows.Error("reading the chain").message();
  *entries = expected_seq - 1;
  return "";
}

class PostgresSchema : public PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    db_ = Connect("postgres");  // the superuser, on this test's database (url_)
    ASSERT_TRUE(db_);
  }
  void TearDown() override {
    db_.reset();
    PgTestServer::TearDown();
  }

  void Migrate() {
    Status s = MigratePostgresSchema(*db_);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  // Items 1..n, each with a pending queue entry (as the scanner would leave
  // them).
  void AddQueuedItems(int n) {
    for (int i = 1; i <= n; ++i) {
      Statement item(*db_,
                     "INSERT INTO items (id, sha256, size, media_kind, first_path, "
                     "last_path, first_seen, last_scanned, status, outcome) VALUES "
                     "(?1, ?2, 10, 'image', ?3, ?3, 'now', 'now', 'ok', 'review')");
      item.Bind(1, int64_t{i})
          .Bind(2, "sha-" + std::to_string(i))
          .Bind(3, "/x/" + std::to_string(i));
      ASSERT_EQ(item.Step(), kDone) << item.Error("item").message();
      Statement queue(*db_,
                      "INSERT INTO queue (item_id, state, priority, severity, "
                      "obscure_level, enqueued_at, updated_at) VALUES "
                      "(?1, 'pending', 0, 3, 1, 'now', 'now')");
      queue.Bind(1, int64_t{i});
      ASSERT_EQ(queue.Step(), kDone) << queue.Error("queue").message();
    }
  }

  std::unique_ptr<PostgresDatabase> db_;
};

// A reviewer's claim as the store makes it (the lease owner is the login).
std::string Claim(Database &db, int64_t item, int64_t lease_seconds = 600) {
  Statement claim(db,
                  "UPDATE queue SET state = 'claimed', lease_owner = session_user, "
                  "lease_expires = ?2, updated_at = 'now' WHERE item_id = ?1");
  claim.Bind(1, item).Bind(2, static_cast<int64_t>(std::time(nullptr)) + lease_seconds);
  if (claim.Step() != kDone) return claim.Error("claim").message();
  return claim.RowsChanged() == 1 ? "" : "no row";
}

std::string Decide(Database &db, int64_t item, const std::string &reviewer) {
  Statement insert(db,
                   "INSERT INTO decisions (item_id, reviewer, decision, reason, decided_at) "
                   "VALUES (?1, ?2, 'B1', '', 'now')");
  insert.Bind(1, item).Bind(2, reviewer);
  return insert.Step() == kDone ? "" : insert.Error("decide").message();
}

bool Refused(const std::string &error) { return error.find("[42501]") != std::string::npos; }

TEST_F(PostgresSchema, MigratesFromEmptyAndIsIdempotentAtReopen) {
  StatusOr<int> before = PostgresSchemaVersion(*db_);
  ASSERT_TRUE(before.ok()) << before.status().message();
  EXPECT_EQ(*before, 0);
  Migrate();
  StatusOr<int> after = PostgresSchemaVersion(*db_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, static_cast<int>(std::size(kPostgresMigrations)));
  for (const char *table : {"items", "signals", "detections", "detector_runs", "queue", "decisions",
                            "exposure", "reveals", "audit_log", "item_scans"}) {
    EXPECT_EQ(Scalar(*db_, std::string("SELECT relrowsecurity AND relforcerowsecurity FROM "
                                       "pg_class WHERE relname = '") +
                               table + "'"),
              "t")
        << table;
  }
  // Re-open: a second connection migrates again, nothing changes.
  StatusOr<std::unique_ptr<PostgresDatabase>> again = PostgresDatabase::Open(url_);
  ASSERT_TRUE(again.ok());
  Status s = MigratePostgresSchema(**again);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM vigil_schema"),
            std::to_string(std::size(kPostgresMigrations)));
  // SQLite's group_concat, as the store's reports use it.
  AddQueuedItems(3);
  EXPECT_EQ(Scalar(*db_,
                   "SELECT group_concat(sha256, ' ') FROM (SELECT sha256 FROM items "
                   "ORDER BY id) s"),
            "sha-1 sha-2 sha-3");
  EXPECT_EQ(Scalar(*db_,
                   "SELECT group_concat(sha256) FROM (SELECT sha256 FROM items "
                   "ORDER BY id) s"),
            "sha-1,sha-2,sha-3");
}

TEST_F(PostgresSchema, OpeningTheTeamStore) {
  // Not in vigil_reviewer yet: the group roles are made by the first migration on the
  // server, and this test may be the first one to run.
  const std::string alice = MakeLogin("alice", {});
  const std::string alice_url = UrlFor(alice, database_);
  // An empty database: read-only refuses and changes nothing; a reviewer cannot create
  // the schema; the superuser can, then the reviewer opens it (nothing left to migrate).
  StatusOr<std::unique_ptr<PostgresDatabase>> read_only = OpenPostgresStore(url_, false);
  ASSERT_FALSE(read_only.ok());
  EXPECT_NE(read_only.status().message().find("not a Vigil store"), std::string::npos)
      << read_only.status().message();
  EXPECT_EQ(Scalar(*db_, "SELECT to_regclass('vigil_schema') IS NULL"), "t");
  StatusOr<std::unique_ptr<PostgresDatabase>> as_alice = OpenPostgresStore(alice_url, true);
  ASSERT_FALSE(as_alice.ok());
  EXPECT_NE(as_alice.status().message().find("superuser"), std::string::npos);
  StatusOr<std::unique_ptr<PostgresDatabase>> admin = OpenPostgresStore(url_, true);
  ASSERT_TRUE(admin.ok()) << admin.status().message();
  ASSERT_EQ(RunSql(*db_, "GRANT vigil_reviewer TO " + alice), "");
  as_alice = OpenPostgresStore(alice_url, true);
  ASSERT_TRUE(as_alice.ok()) << as_alice.status().message();
  EXPECT_EQ(*(*as_alice)->SessionUser(), alice);
  read_only = OpenPostgresStore(alice_url, false);
  EXPECT_TRUE(read_only.ok()) << read_only.status().message();
  // A store of a newer vigil is refused either way.
  ASSERT_EQ(RunSql(*db_, "INSERT INTO vigil_schema VALUES (99)"), "");
  for (bool writable : {true, false}) {
    StatusOr<std::unique_ptr<PostgresDatabase>> newer = OpenPostgresStore(url_, writable);
    ASSERT_FALSE(newer.ok());
    EXPECT_NE(newer.status().message().find("upgrade vigil"), std::string::npos)
        << newer.status().message();
  }
}

TEST_F(PostgresSchema, AReviewerCannotMigrateAnOldStore) {
  const std::string alice = MakeLogin("alice", {});
  std::unique_ptr<PostgresDatabase> db = Connect(alice);
  ASSERT_NE(db, nullptr);
  Status s = MigratePostgresSchema(*db);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("superuser"), std::string::npos) << s.message();
}

TEST_F(PostgresSchema, OneVerifiableAuditChainUnderEightConcurrentWriters) {
  Migrate();
  const std::string scanner = MakeLogin("scanner", {"vigil_scanner"});
  const std::string reviewer = MakeLogin("rev", {"vigil_reviewer"});
  constexpr int kWriters = 8;
  constexpr int kAppends = 200;
  std::vector<std::unique_ptr<PostgresDatabase>> connections;
  for (int w = 0; w < kWriters; ++w) {
    connections.push_back(Connect(w % 2 == 0 ? scanner : reviewer));
    ASSERT_NE(connections.back(), nullptr);
  }
  std::vector<std::string> errors(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      Database &db = *connections[w];
      for (int n = 0; n < kAppends && errors[w].empty(); ++n) {
        Transaction tx(db);
        if (Status s = tx.Begin(); !s.ok()) {
          errors[w] = s.message();
          break;
        }
        // What a modified client might send for the fields the database owns is
        // ignored.
        Statement insert(db,
                         "INSERT INTO audit_log (seq, at, actor, action, item_id, details, "
                         "prev_hash, hash) VALUES (1, 'then', 'mallory', 'test.append', ?1, "
                         "?2, 'x', 'y')");
        if (n % 3 == 0)
          insert.BindNull(1);
        else
          insert.Bind(1, int64_t{n});
        insert.Bind(2, "{\"writer\":" + std::to_string(w) + ",\"n\":" + std::to_string(n) + "}");
        if (insert.Step() != kDone) {
          errors[w] = insert.Error("append").message();
          break;
        }
        if (Status s = tx.Commit(); !s.ok()) errors[w] = s.message();
      }
    });
  }
  for (std::thread &t : threads) t.join();
  for (int w = 0; w < kWriters; ++w) EXPECT_EQ(errors[w], "") << "writer " << w;

  int64_t entries = 0;
  EXPECT_EQ(VerifyChain(*db_, &entries), "");
  EXPECT_EQ(entries, kWriters * kAppends);
  // The actor is the login, never what the client said; the time is the
  // server's.
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM audit_log WHERE actor = 'mallory'"), "0");
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM audit_log WHERE actor = '" + scanner + "'"),
            std::to_string(kWriters / 2 * kAppends));
  EXPECT_EQ(Scalar(*db_,
                   "SELECT count(*) FROM audit_log WHERE at !~ "
                   "'^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$'"),
            "0");

  // A tampered entry no longer verifies (the check can fail): the superuser
  // disables the append-only trigger, which only a superuser can.
  ASSERT_TRUE(db_->Exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update; "
                        "UPDATE audit_log SET details = '{}' WHERE seq = 700; "
                        "ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update")
                  .ok());
  EXPECT_EQ(VerifyChain(*db_, &entries), "entry 700: hash");
}

TEST_F(PostgresSchema, TheAuditLogIsAppendOnlyEvenForTheSuperuser) {
  Migrate();
  ASSERT_EQ(RunSql(*db_, "INSERT INTO audit_log (action, details) VALUES ('x', '{}')"), "");
  EXPECT_NE(RunSql(*db_, "UPDATE audit_log SET details = 'y'").find("append-only"),
            std::string::npos);
  EXPECT_NE(RunSql(*db_, "DELETE FROM audit_log").find("append-only"), std::string::npos);
  EXPECT_NE(RunSql(*db_, "TRUNCATE audit_log").find("append-only"), std::string::npos);
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM audit_log"), "1");
  EXPECT_EQ(Scalar(*db_, "SELECT actor FROM audit_log"), "postgres");
}

TEST_F(PostgresSchema, AuditVerifyFindsDisabledTriggersAndRowSecurity) {
  Migrate();
  StatusOr<std::vector<std::string>> intact = CheckPostgresProtections(*db_);
  ASSERT_TRUE(intact.ok()) << intact.status().message();
  EXPECT_TRUE(intact->empty()) << (*intact)[0];
  // What a superuser could do to a store; each is reported.
  ASSERT_TRUE(db_->Exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain; "
                        "DROP TRIGGER decisions_no_update ON decisions; "
                        "ALTER TABLE exposure NO FORCE ROW LEVEL SECURITY; "
                        "ALTER TABLE decisions DISABLE ROW LEVEL SECURITY; "
                        "ALTER TABLE submissions DISABLE ROW LEVEL SECURITY")
                  .ok());
  StatusOr<std::vector<std::string>> broken = CheckPostgresProtections(*db_);
  ASSERT_TRUE(broken.ok()) << broken.status().message();
  EXPECT_EQ(*broken, (std::vector<std::string>{
                         "trigger audit_log_chain on audit_log is disabled",
                         "trigger decisions_no_update on decisions is missing",
                         "row-level security is off on decisions",
                         "row-level security is not forced on exposure",
                         "row-level security is off on submissions",
                     }));
}

class PostgresRoles : public PostgresSchema {
 protected:
  void SetUp() override {
    PostgresSchema::SetUp();
    if (HasFatalFailure()) return;
    Migrate();
    AddQueuedItems(4);
    alice_ = MakeLogin("alice", {"vigil_reviewer"});
    bob_ = MakeLogin("bob", {"vigil_reviewer"});
    auditor_ = MakeLogin("audrey", {"vigil_auditor"});
    as_alice_ = Connect(alice_);
    as_bob_ = Connect(bob_);
    as_auditor_ = Connect(auditor_);
    ASSERT_TRUE(as_alice_ && as_bob_ && as_auditor_);
  }
  void TearDown() override {
    as_alice_.reset();
    as_bob_.reset();
    as_auditor_.reset();
    PostgresSchema::TearDown();
  }
  std::string alice_, bob_, auditor_;
  std::unique_ptr<PostgresDatabase> as_alice_, as_bob_, as_auditor_;
};

TEST_F(PostgresRoles, FourReviewersRacingForTheSameItemsEachDecideOnce) {
  // The database alone keeps two reviewers off one item, even with a client that picks an
  // item and then leases it without re-checking (the lease's UPDATE re-reads the row
  // after the other's commit; row-level security then no longer matches it, or the
  // transition trigger refuses it): the race is lost, never won twice.
  AddQueuedItems(0);
  for (int i = 5; i <= 100; ++i) {
    Statement item(*db_,
                   "INSERT INTO items (id, sha256, size, media_kind, first_path, last_path, "
                   "first_seen, last_scanned, status) VALUES (?1, ?2, 1, 'image', 'p', 'p', "
                   "'now', 'now', 'ok')");
    item.Bind(1, int64_t{i}).Bind(2, "more-" + std::to_string(i));
    ASSERT_EQ(item.Step(), kDone) << item.Error("item").message();
    ASSERT_EQ(RunSql(*db_,
                     "INSERT INTO queue (item_id, state, priority, severity, "
                     "obscure_level, enqueued_at, updated_at) VALUES (" +
                         std::to_string(i) + ", 'pending', 0, 3, 1, 'now', 'now')"),
              "");
  }
  std::vector<std::unique_ptr<PostgresDatabase>> reviewers;
  reviewers.push_back(std::move(as_alice_));
  reviewers.push_back(std::move(as_bob_));
  reviewers.push_back(Connect(MakeLogin("carol", {"vigil_reviewer"})));
  reviewers.push_back(Connect(MakeLogin("dave", {"vigil_senior"})));
  std::vector<std::string> errors(reviewers.size());
  std::vector<std::thread> threads;
  for (size_t r = 0; r < reviewers.size(); ++r) {
    threads.emplace_back([&, r] {
      Database &db = *reviewers[r];
      for (int round = 0; round < 1000 && errors[r].empty(); ++round) {
        Transaction tx(db);
        if (Status s = tx.Begin(); !s.ok()) {
          errors[r] = s.message();
          return;
        }
        Statement pick(db,
                       "SELECT item_id FROM queue WHERE state = 'pending' ORDER BY item_id "
                       "LIMIT 1");
        const int rc = pick.Step();
        if (rc == kDone) return;  // all decided
        if (rc != kRow) {
          errors[r] = pick.Error("pick").message();
          return;
        }
        const int64_t item = pick.ColumnInt(0);
        Statement lease(db,
                        "UPDATE queue SET state = 'claimed', lease_owner = session_user, "
                        "lease_expires = ?2 WHERE item_id = ?1");
        lease.Bind(1, item).Bind(2, static_cast<int64_t>(std::time(nullptr)) + 600);
        if (lease.Step() != kDone) {
          // Refused by the database (a senior's policy also matches a decided row, and
          // the transition trigger turns that claim down): lost the race too.
          const std::string why = lease.Error("lease").message();
          if (!Refused(why)) errors[r] = why;
          continue;
        }
        if (lease.RowsChanged() == 0) continue;  // another reviewer took it first
        Statement decide(db,
                         "INSERT INTO decisions (item_id, reviewer, decision, decided_at) "
                         "VALUES (?1, session_user, 'B1', 'now')");
        decide.Bind(1, item);
        Statement done(db,
                       "UPDATE queue SET state = 'decided', lease_owner = NULL, "
                       "lease_expires = NULL WHERE item_id = ?1");
        done.Bind(1, item);
        if (decide.Step() != kDone || done.Step() != kDone || done.RowsChanged() != 1) {
          errors[r] = "deciding " + std::to_string(item) + ": " + decide.Error("").message();
          return;
        }
        if (Status s = tx.Commit(); !s.ok()) errors[r] = s.message();
      }
    });
  }
  for (std::thread &t : threads) t.join();
  for (size_t r = 0; r < errors.size(); ++r) EXPECT_EQ(errors[r], "") << "reviewer " << r;
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM decisions"), "100");
  EXPECT_EQ(Scalar(*db_, "SELECT count(DISTINCT item_id) FROM decisions"), "100");
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM queue WHERE state <> 'decided'"), "0");
}

TEST_F(PostgresRoles, AReviewerClaimsAndDecidesWhatTheyHold) {
  StatusOr<std::string> login = as_alice_->SessionUser();
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(*login, alice_);
  ASSERT_EQ(Claim(*as_alice_, 1), "");
  ASSERT_TRUE(as_alice_->Begin().ok());
  EXPECT_EQ(Decide(*as_alice_, 1, alice_), "");
  EXPECT_EQ(RunSql(*as_alice_,
                   "UPDATE queue SET state = 'decided', lease_owner = NULL, "
                   "lease_expires = NULL WHERE item_id = 1"),
            "");
  EXPECT_EQ(RunSql(*as_alice_,
                   "INSERT INTO audit_log (actor, action, item_id, details) VALUES "
                   "('bob', 'queue.decided', 1, '{}')"),
            "");
  ASSERT_TRUE(as_alice_->Commit().ok());
  EXPECT_EQ(Scalar(*db_, "SELECT reviewer FROM decisions WHERE item_id = 1"), alice_);
  EXPECT_EQ(Scalar(*db_, "SELECT actor FROM audit_log WHERE action = 'queue.decided'"), alice_);
  // Release of one's own lease works too.
  ASSERT_EQ(Claim(*as_alice_, 2), "");
  EXPECT_EQ(RunSql(*as_alice_,
                   "UPDATE queue SET state = 'pending', lease_owner = NULL, "
                   "lease_expires = NULL WHERE item_id = 2"),
            "");
  EXPECT_EQ(Scalar(*db_, "SELECT state FROM queue WHERE item_id = 2"), "pending");
}

TEST_F(PostgresRoles, AReviewerCannotDecideAnItemTheyDoNotHold) {
  // Not claimed at all.
  EXPECT_TRUE(Refused(Decide(*as_alice_, 3, alice_))) << Decide(*as_alice_, 3, alice_);
  // Held by bob: alice can neither decide it nor take his lease.
  ASSERT_EQ(Claim(*as_bob_, 3), "");
  const std::string stolen = Decide(*as_alice_, 3, alice_);
  EXPECT_TRUE(Refused(stolen)) << stolen;
  EXPECT_NE(stolen.find("row-level security"), std::string::npos) << stolen;
  EXPECT_NE(Claim(*as_alice_, 3), "");
  EXPECT_EQ(Scalar(*db_, "SELECT lease_owner FROM queue WHERE item_id = 3"), bob_);
  // Held by alice, but recorded under bob's name: the reviewer is the login.
  ASSERT_EQ(Claim(*as_alice_, 4), "");
  EXPECT_TRUE(Refused(Decide(*as_alice_, 4, bob_)));
  // Alice's lease has run out: no decision on it.
  ASSERT_EQ(RunSql(*db_, "UPDATE queue SET lease_expires = 1 WHERE item_id = 4"), "");
  EXPECT_TRUE(Refused(Decide(*as_alice_, 4, alice_)));
  // Marking someone's item decided without a decision, or changing what an
  // entry is.
  EXPECT_TRUE(Refused(RunSql(*as_bob_, "UPDATE queue SET severity = 0 WHERE item_id = 3")));
  EXPECT_EQ(RunSql(*as_alice_,
                   "UPDATE queue SET state = 'decided', lease_owner = NULL WHERE "
                   "item_id = 3"),
            "");  // no row matches for alice: nothing happens
  EXPECT_EQ(Scalar(*db_, "SELECT state || ':' || lease_owner FROM queue WHERE item_id = 3"),
            "claimed:" + bob_);
  EXPECT_TRUE(Refused(RunSql(*as_alice_,
                             "UPDATE queue SET state = 'decided', lease_owner = NULL "
                             "WHERE item_id = 1")));  // pending -> decided
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM decisions"), "0");
}

TEST_F(PostgresRoles, NoOneEditsOrDeletesADecision) {
  ASSERT_EQ(Claim(*as_alice_, 1), "");
  ASSERT_EQ(Decide(*as_alice_, 1, alice_), "");
  EXPECT_TRUE(Refused(RunSql(*as_alice_, "UPDATE decisions SET decision = 'not-illegal'")));
  EXPECT_TRUE(Refused(RunSql(*as_alice_, "DELETE FROM decisions")));
  EXPECT_TRUE(Refused(RunSql(*as_alice_, "TRUNCATE decisions")));
  // Not the superuser either: the trigger holds for everyone.
  EXPECT_TRUE(Refused(RunSql(*db_, "UPDATE decisions SET decision = 'not-illegal'")));
  EXPECT_TRUE(Refused(RunSql(*db_, "DELETE FROM decisions")));
  EXPECT_EQ(Scalar(*db_, "SELECT decision FROM decisions"), "B1");
}

TEST_F(PostgresRoles, AReviewerCannotDeleteOrEditAnAuditRow) {
  ASSERT_EQ(RunSql(*as_alice_, "INSERT INTO audit_log (action, details) VALUES ('x', '{}')"), "");
  const std::string deleted = RunSql(*as_alice_, "DELETE FROM audit_log");
  EXPECT_TRUE(Refused(deleted)) << deleted;
  EXPECT_TRUE(Refused(RunSql(*as_alice_, "UPDATE audit_log SET details = 'y'")));
  EXPECT_TRUE(Refused(RunSql(*as_alice_, "TRUNCATE audit_log")));
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM audit_log"), "1");
}

TEST_F(PostgresRoles, AReviewerReadsOnlyTheirOwnExposure) {
  const std::string record =
      "INSERT INTO exposure (reviewer, item_id, severity, seconds_unobscured, "
      "reveals, "
      "recorded_at) VALUES (session_user, 1, 3, 2.5, 1, 'now')";
  ASSERT_EQ(RunSql(*as_alice_, record), "");
  ASSERT_EQ(RunSql(*as_bob_, record), "");
  ASSERT_EQ(RunSql(*as_bob_,
                   "INSERT INTO reveals (reviewer, item_id, started_at, duration_ms) "
                   "VALUES (session_user, 1, 'now', 5)"),
            "");
  EXPECT_EQ(Scalar(*as_alice_, "SELECT count(*) FROM exposure"), "1");
  EXPECT_EQ(Scalar(*as_alice_, "SELECT count(*) FROM exposure WHERE reviewer = '" + bob_ + "'"),
            "0");
  EXPECT_EQ(Scalar(*as_alice_, "SELECT count(*) FROM reveals"), "0");
  // Nor write into another's ledger.
  EXPECT_TRUE(Refused(RunSql(*as_alice_,
                             "INSERT INTO exposure (reviewer, item_id, severity, "
                             "seconds_unobscured, reveals, recorded_at) VALUES ('" +
                                 bob_ + "', 1, 3, 1, 0, 'now')")));
  // Nor read it through the audit log: a reviewer sees their own entries only.
  ASSERT_EQ(RunSql(*as_bob_,
                   "INSERT INTO audit_log (action, item_id, details) VALUES "
                   "('exposure', 1, '{\"seconds_unobscured\":2.5}')"),
            "");
  EXPECT_EQ(Scalar(*as_alice_, "SELECT count(*) FROM audit_log"), "0");
  // The auditor reads every ledger and the whole log.
  EXPECT_EQ(Scalar(*as_auditor_, "SELECT count(*) FROM exposure"), "2");
  EXPECT_EQ(Scalar(*as_auditor_, "SELECT count(*) FROM audit_log"), "1");
}

TEST_F(PostgresRoles, AnAuditorDecidesNothingAndWritesNothing) {
  ASSERT_EQ(RunSql(*db_, "UPDATE queue SET state = 'claimed', lease_owner = '" + auditor_ +
                             "', lease_expires = 99999999999 WHERE item_id = 1"),
            "");
  const std::string decided = Decide(*as_auditor_, 1, auditor_);
  EXPECT_TRUE(Refused(decided)) << decided;
  EXPECT_NE(decided.find("permission denied"), std::string::npos) << decided;
  EXPECT_TRUE(Refused(Claim(*as_auditor_, 2)));
  EXPECT_TRUE(Refused(RunSql(*as_auditor_,
                             "INSERT INTO audit_log (action, details) VALUES "
                             "('x', '{}')")));
  EXPECT_TRUE(Refused(RunSql(*as_auditor_, "DELETE FROM items")));
  EXPECT_EQ(Scalar(*as_auditor_, "SELECT count(*) FROM items"), "4");
}

}  // namespace
}  // namespace vigil::host::testing

namespace vigil::host::testing {
namespace {

// Named queues (PostgreSQL migration 3): a reviewer claims only in a queue one of their
// roles may work; a seniors' queue refuses a reviewer login's claim in the database, and
// a senior (who is also a reviewer) works both.
TEST_F(PostgresRoles, AReviewerClaimsOnlyInQueuesTheirRolesMayWork) {
  ASSERT_EQ(RunSql(*db_,
                   "INSERT INTO queues (name, description, roles, updated_at) VALUES "
                   "('seniors-only', '', 'senior', 'now'), ('everyone', '', 'reviewer, senior', "
                   "'now')"),
            "");
  ASSERT_EQ(RunSql(*db_, "UPDATE queue SET queue_name = 'seniors-only' WHERE item_id = 1"), "");
  ASSERT_EQ(RunSql(*db_, "UPDATE queue SET queue_name = 'everyone' WHERE item_id = 2"), "");
  ASSERT_EQ(RunSql(*db_, "UPDATE queue SET queue_name = 'dropped' WHERE item_id = 3"), "");
  // Item 4 stays in "default", which no row defines: reviewers may work it.
  EXPECT_EQ(Claim(*as_alice_, 1), "no row");  // row-level security hides it from the UPDATE
  EXPECT_EQ(Claim(*as_alice_, 2), "");
  EXPECT_EQ(Claim(*as_alice_, 3), "no row");  // a queue no policy defines: seniors only
  EXPECT_EQ(Claim(*as_alice_, 4), "");
  // Nor can a reviewer move an item into a queue they may work (no column privilege).
  EXPECT_TRUE(Refused(RunSql(*as_alice_, "UPDATE queue SET queue_name = 'everyone' WHERE item_id = 1")));
  const std::string carol = MakeLogin("carol", {"vigil_senior"});
  auto as_carol = Connect(carol);
  ASSERT_TRUE(as_carol);
  EXPECT_EQ(Claim(*as_carol, 1), "");
  EXPECT_EQ(Claim(*as_carol, 3), "");
}

// Migration 4 (issue 13 item 1, what the SQLite store allows): one's own expired lease may
// be given back while nobody took it over, and a senior's reopen writes its reason; no
// more than that.
TEST_F(PostgresRoles, AnExpiredLeaseIsGivenBackOnlyByItsHolderAndOnlyAsItWas) {
  ASSERT_EQ(Claim(*as_alice_, 1), "");
  ASSERT_EQ(Claim(*as_bob_, 2), "");
  ASSERT_EQ(RunSql(*db_, "UPDATE queue SET lease_expires = 1000 WHERE item_id IN (1, 2)"), "");
  // Not someone else's, though it expired (alice may claim it, not release it).
  EXPECT_TRUE(Refused(RunSql(*as_alice_,
                             "UPDATE queue SET state = 'pending', lease_owner = NULL, "
                             "lease_expires = NULL WHERE item_id = 2")));
  // Not as decided, nor with its priority raised, as only a live lease's decision does.
  EXPECT_TRUE(Refused(RunSql(*as_alice_,
                             "UPDATE queue SET state = 'decided', lease_owner = NULL, "
                             "lease_expires = NULL WHERE item_id = 1")));
  EXPECT_TRUE(Refused(RunSql(*as_alice_,
                             "UPDATE queue SET state = 'pending', lease_owner = NULL, "
                             "lease_expires = NULL, priority = priority + 100 WHERE item_id = 1")));
  EXPECT_TRUE(Refused(Decide(*as_alice_, 1, alice_)));
  // Given back as it was: pending again.
  EXPECT_EQ(RunSql(*as_alice_,
                   "UPDATE queue SET state = 'pending', lease_owner = NULL, "
                   "lease_expires = NULL WHERE item_id = 1"),
            "");
  EXPECT_EQ(Scalar(*db_,
                   "SELECT state || ':' || coalesce(lease_owner, '-') FROM queue ORDER BY "
                   "item_id LIMIT 2"),
            "pending:-");
  EXPECT_EQ(Scalar(*db_, "SELECT lease_owner FROM queue WHERE item_id = 2"), bob_);
  EXPECT_EQ(Scalar(*db_, "SELECT count(*) FROM decisions"), "0");
}

TEST_F(PostgresRoles, OnlyASeniorsReopenChangesAnEntrysReason) {
  const std::string senior = MakeLogin("sam", {"vigil_senior"});
  std::unique_ptr<PostgresDatabase> as_senior = Connect(senior);
  ASSERT_NE(as_senior, nullptr);
  ASSERT_EQ(Claim(*as_alice_, 1), "");
  ASSERT_TRUE(as_alice_->Begin().ok());
  ASSERT_EQ(Decide(*as_alice_, 1, alice_), "");
  ASSERT_EQ(RunSql(*as_alice_,
                   "UPDATE queue SET state = 'decided', lease_owner = NULL, "
                   "lease_expires = NULL WHERE item_id = 1"),
            "");
  ASSERT_TRUE(as_alice_->Commit().ok());
  // A reviewer: not the reason of any entry (the column is not theirs).
  EXPECT_TRUE(Refused(RunSql(*as_alice_, "UPDATE queue SET reason = 'x' WHERE item_id = 2")));
  EXPECT_TRUE(Refused(
      RunSql(*as_alice_, "UPDATE queue SET state = 'pending', reason = 'x' WHERE item_id = 1")));
  // A senior: not outside a reopen (a pending entry; a decided one left decided)...
  EXPECT_TRUE(Refused(RunSql(*as_senior, "UPDATE queue SET reason = 'x' WHERE item_id = 2")));
  EXPECT_TRUE(Refused(RunSql(*as_senior, "UPDATE queue SET reason = 'x' WHERE item_id = 1")));
  // ...but as they reopen a decided item.
  EXPECT_EQ(RunSql(*as_senior,
                   "UPDATE queue SET state = 'pending', reason = 'reopened: why' "
                   "WHERE item_id = 1"),
            "");
  EXPECT_EQ(Scalar(*db_, "SELECT state || ':' || reason FROM queue WHERE item_id = 1"),
            "pending:reopened: why");
}

}  // namespace
}  // namespace vigil::host::testing
