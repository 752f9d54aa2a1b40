// `vigil store migrate` (issue 13, item 9): a workstation store made by a real
// `vigil scan` of the demo corpus (../shared/testdata/pdq/images-and-lists and
// the demo manifest, with the demo bank and URL list), worked with decisions, a
// reopen, exposure and reveals, copied into an empty team store on the real
// server: every table's rows and the audit log exactly as they were, verified,
// the team store continuing the chain and the ids afterwards; a non-empty
// target, a tampered source, a non-superuser and a row the team store refuses
// each leave the target empty (or as it was). Real processes, the real server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pg_test_server.h"
#include "store/audit_log.h"
#include "store/review_queue.h"
#include "store/store.h"
#include "store/store_migrate.h"

namespace vigil::host::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct Ran {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The tables a workstation store has (SQLite schema 6); each is copied.
// Every table of the store's schema (host/store/schema.h): a table the copy left out
// fails the count below.
const std::vector<std::string> kTables = {
    "items",          "detector_runs",      "signals",          "detections",
    "queue",          "decisions",          "exposure",         "reveals",
    "item_scans",     "queues",             "audit_log",        "media",
    "preservation_holds", "bank_rules",     "local_bank_entries", "bank_entry_holds",
    "exposure_budgets", "review_settings",  "golden_items",     "golden_claims",
    "golden_answers", "qa_tasks",           "qa_verdicts",      "submissions",
    "webhook_endpoints", "webhook_events",  "webhook_deliveries",  // issue 14 item 3
    "api_tokens",                                                  // issue 14 item 2
    "exchanges", "exchange_state",                                 // issue 15 item 1
    "cybertip_reports", "cybertip_report_files", "cybertip_preservations",  // issue 15 item 3
    "exchange_feedback",                                                   // issue 15 item 2
    "shadow_results"};                                             // issue 17 item 5

// Every row of `table` as text, in key order: what must be equal on both
// backends. REAL columns are compared as numbers printed with 17 digits (each
// backend prints them its way).
std::vector<std::string> Rows(Database &db, const std::string &table,
                              const std::string &columns,
                              const std::string &order) {
  std::vector<std::string> out;
  const int count =
      1 + static_cast<int>(std::count(columns.begin(), columns.end(), ','));
  Statement rows(db,
                 "SELECT " + columns + " FROM " + table + " ORDER BY " + order);
  int rc;
  while ((rc = rows.Step()) == kRow) {
    std::string line;
    for (int c = 0; c < count; ++c) {
      const std::string type = rows.ColumnType(c);
      if (type == "real") {
        char text[40];
        std::snprintf(text, sizeof text, "%.17g", rows.ColumnDouble(c));
        line += text;
      } else {
        line += type == "null" ? "NULL" : rows.ColumnBytes(c);
      }
      line += "|";
    }
    out.push_back(line);
  }
  EXPECT_EQ(rc, kDone) << table << ": " << rows.Error("read").message();
  std::sort(out.begin(),
            out.end()); // as bytes: PostgreSQL's ORDER BY text uses a collation
  return out;
}

int64_t Count(Database &db, const std::string &table) {
  Statement count(db, "SELECT count(*) FROM " + table);
  EXPECT_EQ(count.Step(), kRow) << count.Error(table).message();
  return count.ColumnInt(0);
}

class StoreMigrate : public PgTestServer {
protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure())
      return;
    scratch_ =
        fs::temp_directory_path() /
        ("vigil-migrate-" + std::to_string(getpid()) + "-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(scratch_);
    fs::create_directories(scratch_);
    source_ = (scratch_ / "store.db").string();
    // The team store, created (schema migrated) by the superuser, empty.
    auto target = Store::Open(url_);
    ASSERT_TRUE(target.ok()) << target.status().message();
  }
  void TearDown() override {
    fs::remove_all(scratch_);
    PgTestServer::TearDown();
  }

  // `vigil ARGS` with HOME in the scratch folder and the build's plugins.
  Ran Vigil(const std::string &args) {
    const std::string command =
        "env -u VIGIL_PLUGIN_PATH -u VIGIL_HOST_CONFIG HOME=" +
        scratch_.string() + " " + VIGIL_BINARY_DIR "/bin/vigil " + args + " >" +
        (scratch_ / "out").string() + " 2>" + (scratch_ / "err").string();
    const int status = std::system(command.c_str());
    Ran ran;
    ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream out(scratch_ / "out"), err(scratch_ / "err");
    ran.out.assign(std::istreambuf_iterator<char>(out), {});
    ran.err.assign(std::istreambuf_iterator<char>(err), {});
    return ran;
  }
  Ran Migrate(const std::string &to, const std::string &extra = "") {
    return Vigil("store migrate --from " + source_ + " --to " + to + " " +
                 extra);
  }

  // The workstation store: the demo lists, a real scan of the demo corpus and
  // manifest (the default policy without the classifier's rules: the classifier
  // is not needed here), then a reviewer's decisions, a senior's reopen,
  // exposure and reveals.
  void MakeSource() {
    const fs::path corpus = fs::path(VIGIL_SOURCE_DIR) / ".." / "shared" /
                            "testdata" / "pdq" / "images-and-lists";
    ASSERT_TRUE(fs::is_directory(corpus))
        << "shared test data is missing: " << corpus;
    std::ifstream policy_in(fs::path(VIGIL_SOURCE_DIR) / "policy" /
                            "default.toml");
    std::stringstream policy_text;
    policy_text << policy_in.rdbuf();
    std::string policy = policy_text.str();
    const std::string rule = "\n[[rules]]\n";
    std::string kept;
    size_t at = 0;
    while (true) {
      const size_t next = policy.find(rule, at + 1);
      const std::string block =
          policy.substr(at, next == std::string::npos ? next : next - at);
      if (at == 0 || block.find("vigil.classifier") == std::string::npos)
        kept += block;
      if (next == std::string::npos)
        break;
      at = next;
    }
    std::ofstream(scratch_ / "policy.toml") << kept;
    const std::string store = " --store " + source_;
    const std::string demo = VIGIL_SOURCE_DIR "/samples/demo/";
    ASSERT_EQ(
        Vigil("lists import --type pdq --format te-csv --bank demo-known " +
              demo + "demo-bank.te.csv" + store)
            .exit_code,
        0);
    ASSERT_EQ(Vigil("lists import --type url --format plain --bank demo-urls " +
                    demo + "demo-urls.txt" + store)
                  .exit_code,
              0);
    Ran scan = Vigil("scan " + corpus.string() + " --manifest " + demo +
                     "demo-manifest.jsonl" + " --policy " +
                     (scratch_ / "policy.toml").string() + store);
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
    // Work the queue headlessly: alice decides two items, bob holds a third; a
    // senior reopens one of alice's decisions.
    std::vector<int64_t> decided;
    for (const char *decision :
         {"B1", "not-illegal --reason 'a benign test image'"}) {
      Ran claim = Vigil("queue claim --json --reviewer alice" + store);
      ASSERT_EQ(claim.exit_code, 0) << claim.err;
      const int64_t item =
          nlohmann::json::parse(claim.out).value("item", int64_t{0});
      ASSERT_GT(item, 0) << claim.out;
      Ran decide = Vigil("queue decide " + std::to_string(item) + " " +
                         decision + " --reviewer alice" + store);
      ASSERT_EQ(decide.exit_code, 0) << decide.err;
      decided.push_back(item);
    }
    ASSERT_EQ(Vigil("queue claim --reviewer bob" + store).exit_code, 0);
    Ran reopen = Vigil("queue reopen " + std::to_string(decided[0]) +
                       " --reason 'second look' --reviewer carol" + store);
    ASSERT_EQ(reopen.exit_code, 0) << reopen.err;
    auto opened = Store::Open(source_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    ReviewQueue queue(**opened);
    ASSERT_TRUE(queue.RecordExposure("alice", decided[1], 3, 4.25, 1).ok());
    ASSERT_TRUE(
        queue.RecordReveal("alice", decided[1], 0.1f, 0.2f, 0.3f, 0.4f, 1500)
            .ok());
  }

  // Runs one SQL statement on the source file directly (below the store, as a
  // tamperer).
  void SourceSql(const std::string &sql) {
    sqlite3 *db = nullptr;
    ASSERT_EQ(sqlite3_open(source_.c_str(), &db), SQLITE_OK);
    char *error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  // Rows in every table the copy fills.
  int64_t TargetRows() {
    auto db = Connect("postgres");
    int64_t rows = 0;
    for (const std::string &table : kTables)
      rows += Count(*db, table);
    return rows;
  }

  fs::path scratch_;
  std::string source_;
};

TEST_F(StoreMigrate, CopiesADemoScanWithItsAuditChainAndVerifies) {
  MakeSource();
  if (HasFatalFailure())
    return;
  Ran verified = Vigil("audit verify --store " + source_);
  ASSERT_EQ(verified.exit_code, 0) << verified.out;
  // "... head <64 hex digits> ..." (std::regex trips GCC 12's -Wmaybe-uninitialized
  // under the sanitizer build's -Werror).
  const size_t at = verified.out.find("head ");
  ASSERT_NE(at, std::string::npos) << verified.out;
  const std::string head = verified.out.substr(at + 5, 64);
  ASSERT_EQ(head.find_first_not_of("0123456789abcdef"), std::string::npos) << verified.out;
  ASSERT_EQ(head.size(), 64u) << verified.out;

  Ran migrated = Migrate(url_, "--json");
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  const nlohmann::json report =
      nlohmann::json::parse(migrated.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << migrated.out;
  EXPECT_EQ(report.value("head", ""), head);
  EXPECT_TRUE(report.value("verified", false));

  auto source = Store::Open(source_, OpenMode::kReadOnly);
  ASSERT_TRUE(source.ok()) << source.status().message();
  Database &from = source.value()->db();
  auto target_db = Connect("postgres");
  ASSERT_NE(target_db, nullptr);
  Database &to = *target_db;
  // Every table is copied, each with the source's row count, and the demo's
  // content is there: items, signals, hash and URL matches, automatic and human
  // decisions, a reopen.
  ASSERT_EQ(report["tables"].size(), kTables.size()) << migrated.out;
  for (const std::string &table : kTables) {
    SCOPED_TRACE(table);
    EXPECT_EQ(report["tables"].value(table, int64_t{-1}), Count(from, table));
    EXPECT_EQ(Count(to, table), Count(from, table));
  }
  EXPECT_GT(Count(from, "items"), 50);
  EXPECT_GT(Count(from, "signals"), 100);
  EXPECT_EQ(Count(from, "exposure"), 1);
  EXPECT_EQ(Count(from, "reveals"), 1);
  EXPECT_GE(Count(from, "decisions"), 3); // the policy's and alice's
  // Row for row the same: ids, actors, times, hashes.
  const std::vector<std::tuple<std::string, std::string, std::string>>
      compared = {
          {"items",
           "id, sha256, size, media_kind, first_path, last_path, first_seen, "
           "last_scanned, status, "
           "error, url, source, uploader_id, format, width, height, "
           "orientation, outcome, "
           "outcome_rule, outcome_reason",
           "id"},
          {"detector_runs",
           "item_id, detector, status, error, ran_at, detections_returned, "
           "detections_kept",
           "item_id, detector"},
          {"signals", "item_id, detector, type, value, quality",
           "item_id, detector, type, value"},
          {"detections",
           "id, item_id, detector, label, score, severity, signal_type, bank, "
           "entry_id, category, "
           "distance, dihedral, reason",
           "id"},
          {"queue",
           "item_id, state, priority, severity, obscure_level, category, "
           "reason, lease_owner, "
           "lease_expires, enqueued_at, updated_at, confidence, queue_name",
           "item_id"},
          {"decisions", "id, item_id, reviewer, decision, reason, decided_at",
           "id"},
          {"exposure",
           "id, reviewer, item_id, severity, seconds_unobscured, reveals, "
           "recorded_at",
           "id"},
          {"reveals",
           "id, reviewer, item_id, x, y, w, h, started_at, duration_ms", "id"},
          {"item_scans",
           "item_id, scan_key, scanned_with, scanned_at, scan_run", "item_id"},
          {"queues", "name, description, roles, updated_at", "name"},
          {"audit_log",
           "seq, at, actor, action, item_id, details, prev_hash, hash", "seq"}};
  for (const auto &[table, columns, order] : compared) {
    SCOPED_TRACE(table);
    const std::vector<std::string> expected = Rows(from, table, columns, order);
    EXPECT_FALSE(expected.empty());
    EXPECT_EQ(Rows(to, table, columns, order), expected);
  }
  EXPECT_EQ(Scalar(to, "SELECT count(DISTINCT actor) FROM audit_log"),
            Scalar(from, "SELECT count(DISTINCT actor) FROM audit_log"));
  EXPECT_EQ(
      Scalar(to, "SELECT count(*) FROM audit_log WHERE actor = 'alice'"),
      Scalar(from, "SELECT count(*) FROM audit_log WHERE actor = 'alice'"));

  // `vigil audit verify` on the team store agrees, anchored at the source's
  // head.
  Ran target_verified =
      Vigil("audit verify --store " + url_ + " --expect-head " + head);
  EXPECT_EQ(target_verified.exit_code, 0)
      << target_verified.out << target_verified.err;

  // The team store carries on: the next audit entry chains onto the copied
  // head, written by the trigger again (actor: the login), and new rows get ids
  // past the copied ones.
  const int64_t entries = Count(to, "audit_log");
  Ran claim = Vigil("queue claim --json --store " + url_);
  ASSERT_EQ(claim.exit_code, 0) << claim.err;
  EXPECT_EQ(Scalar(to, "SELECT prev_hash FROM audit_log WHERE seq = " +
                           std::to_string(entries + 1)),
            head);
  EXPECT_EQ(Scalar(to, "SELECT actor FROM audit_log WHERE seq = " +
                           std::to_string(entries + 1)),
            "postgres");
  for (const char *table :
       {"items", "detections", "decisions", "exposure", "reveals"}) {
    SCOPED_TRACE(table);
    const int64_t next = std::stoll(
        Scalar(to, std::string("SELECT nextval(pg_get_serial_sequence('") +
                       table + "', 'id'))"));
    EXPECT_GT(next, std::stoll(Scalar(to, std::string("SELECT max(id) FROM ") +
                                              table)));
  }
  EXPECT_EQ(Vigil("audit verify --store " + url_).exit_code, 0);
}

TEST_F(StoreMigrate, RefusesATargetThatIsNotEmpty) {
  MakeSource();
  if (HasFatalFailure())
    return;
  ASSERT_EQ(Migrate(url_).exit_code, 0);
  const int64_t rows = TargetRows();
  Ran again = Migrate(url_);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("is not empty"));
  EXPECT_EQ(std::count(again.err.begin(), again.err.end(), '\n'), 1)
      << again.err;
  EXPECT_EQ(TargetRows(), rows);
}

TEST_F(StoreMigrate, RefusesATamperedSourceAndCopiesNothing) {
  MakeSource();
  if (HasFatalFailure())
    return;
  // An audit entry edited by hand: its append-only trigger dropped, the row
  // changed, the trigger put back as it was.
  SourceSql("DROP TRIGGER audit_log_no_update;"
            "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3;"
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;");
  ASSERT_NE(Vigil("audit verify --store " + source_).exit_code, 0);
  Ran migrated = Migrate(url_);
  EXPECT_EQ(migrated.exit_code, 1);
  EXPECT_THAT(migrated.err, HasSubstr("does not verify"));
  EXPECT_THAT(migrated.err, HasSubstr("nothing was copied"));
  EXPECT_EQ(TargetRows(), 0);
}

TEST_F(StoreMigrate, ARowTheTeamStoreRefusesRollsTheWholeCopyBack) {
  MakeSource();
  if (HasFatalFailure())
    return;
  // SQLite keeps text in an INTEGER column; PostgreSQL refuses it in a BIGINT.
  // Detections are copied after items, runs and signals: all of those go back
  // too.
  SourceSql("UPDATE detections SET distance = 'far' WHERE id = (SELECT max(id) "
            "FROM detections)");
  Ran migrated = Migrate(url_);
  EXPECT_EQ(migrated.exit_code, 1);
  EXPECT_THAT(migrated.err, HasSubstr("copying detections"));
  EXPECT_EQ(TargetRows(), 0);
  // Mended, the same migration succeeds into the same (still empty) team store.
  SourceSql("UPDATE detections SET distance = 0 WHERE distance = 'far'");
  Ran again = Migrate(url_);
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

TEST_F(StoreMigrate, NeedsASuperuserAndSaysSo) {
  MakeSource();
  if (HasFatalFailure())
    return;
  const std::string admin = MakeLogin("admin", {"vigil_admin"});
  Ran migrated = Migrate(UrlFor(admin, database_));
  EXPECT_EQ(migrated.exit_code, 1);
  EXPECT_THAT(migrated.err, HasSubstr("needs a PostgreSQL superuser"));
  EXPECT_EQ(TargetRows(), 0);
}

TEST_F(StoreMigrate, BadArgumentsAreOneLineErrors) {
  Ran no_url = Vigil("store migrate --from " + source_ + " --to " + source_);
  EXPECT_EQ(no_url.exit_code, 2);
  EXPECT_THAT(no_url.err, HasSubstr("--to names the team store"));
  Ran missing = Migrate(url_);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no store at"));
  Ran url_source = Vigil("store migrate --from " + url_ + " --to " + url_);
  EXPECT_EQ(url_source.exit_code, 2);
  EXPECT_THAT(url_source.err,
              HasSubstr("--from names the workstation's store file"));
}

// The library: progress is reported per batch and per table, and a store
// migrated to itself's dialect is refused.
TEST_F(StoreMigrate, ReportsProgressAndRefusesTheWrongBackends) {
  MakeSource();
  if (HasFatalFailure())
    return;
  auto source = Store::Open(source_, OpenMode::kReadOnly);
  ASSERT_TRUE(source.ok());
  auto target = Store::Open(url_);
  ASSERT_TRUE(target.ok());
  auto wrong = MigrateStore(**target, **source);
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.status().message(),
              HasSubstr("--from names a workstation store"));
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> seen;
  auto report = MigrateStore(
      **source, **target,
      [&](const std::string &table, int64_t copied, int64_t total) {
        seen[table].push_back({copied, total});
      },
      10);
  ASSERT_TRUE(report.ok()) << report.status().message();
  const int64_t signals = report->tables[2].second;
  ASSERT_EQ(report->tables[2].first, "signals");
  ASSERT_GT(signals, 20);
  // Every 10 rows at least (batches of up to 500 rows here), then the table's
  // total.
  ASSERT_FALSE(seen["signals"].empty());
  EXPECT_EQ(seen["signals"].back(), std::make_pair(signals, signals));
  EXPECT_EQ(seen["audit_log"].back().first, report->audit_entries);
}

} // namespace
} // namespace vigil::host::testing
