// Issue 17 item 5 on the team store: shadow results (PostgreSQL migration 16, GRANTs and
// row-level security). The scanner and admins insert them, everyone reads them, nobody
// updates them, and only an admin deletes them.
#include <gtest/gtest.h>

#include "pg_test_server.h"
#include "store/shadow_results.h"
#include "store/store.h"

namespace vigil::host::testing {
namespace {

class TeamShadowResults : public PgTestServer {
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

// Runs one statement; true when the database accepted it.
bool Accepted(Database& db, const std::string& sql) {
  Statement statement(db, sql);
  if (!statement.ok()) return false;
  const int step = statement.Step();
  return step == kDone || step == kRow;
}

TEST_F(TeamShadowResults, TheScannerRecordsEveryoneReadsNobodyRewrites) {
  ItemRecord record;
  record.sha256 = std::string(64, 'a');
  record.path = "/intake/a.png";
  record.media_kind = "image";
  DetectorRun shadow;
  shadow.detector = "acme.candidate";
  auto* detection = shadow.result.add_detections();
  detection->set_label("nudity");
  detection->set_score(0.9);
  record.shadow_runs.push_back(shadow);
  DetectorRun failed;
  failed.detector = "acme.crashy";
  failed.status = Status::PluginError("worker crashed");
  record.shadow_runs.push_back(failed);
  ASSERT_TRUE(store_->RecordItems({&record}).ok());

  const std::string admin = MakeLogin("adm", {"vigil_admin"});
  const std::string scanner = MakeLogin("scn", {"vigil_scanner"});
  const std::string reviewer = MakeLogin("rev", {"vigil_reviewer"});
  const std::string auditor = MakeLogin("aud", {"vigil_auditor"});
  auto admin_db = Connect(admin);
  auto scanner_db = Connect(scanner);
  auto reviewer_db = Connect(reviewer);
  auto auditor_db = Connect(auditor);
  ASSERT_TRUE(admin_db && scanner_db && reviewer_db && auditor_db);
  const std::map<std::string, std::string> versions = {{"acme.candidate", "2.0"},
                                                       {"acme.crashy", "0.1"}};

  EXPECT_FALSE(RecordShadowResults(*reviewer_db, {&record}, versions, "run").ok());
  EXPECT_FALSE(RecordShadowResults(*auditor_db, {&record}, versions, "run").ok());
  ASSERT_TRUE(RecordShadowResults(*scanner_db, {&record}, versions, "run").ok());

  for (Database* db : {reviewer_db.get(), auditor_db.get(), admin_db.get()}) {
    auto report = CompareShadowResults(*db, "", 0, 5);
    ASSERT_TRUE(report.ok()) << report.status().message();
    ASSERT_EQ(report.value().size(), 2u);
    EXPECT_EQ(report.value()[0].detector, "acme.candidate");
    EXPECT_EQ(report.value()[0].version, "2.0");
    EXPECT_EQ(report.value()[0].only_shadow, 1);
    ASSERT_EQ(report.value()[0].only_shadow_examples.size(), 1u);
    EXPECT_EQ(report.value()[0].only_shadow_examples[0].path, "/intake/a.png");
    EXPECT_EQ(report.value()[1].detector, "acme.crashy");
    EXPECT_EQ(report.value()[1].shadow_failed, 1);
  }
  // History is not rewritten: no UPDATE for anyone, DELETE for admins only.
  for (Database* db : {scanner_db.get(), reviewer_db.get(), admin_db.get()}) {
    EXPECT_FALSE(Accepted(*db, "UPDATE shadow_results SET status = 'ok'"));
  }
  EXPECT_FALSE(Accepted(*scanner_db, "DELETE FROM shadow_results"));
  EXPECT_FALSE(Accepted(*reviewer_db, "DELETE FROM shadow_results"));
  EXPECT_TRUE(Accepted(*admin_db, "DELETE FROM shadow_results"));
}

}  // namespace
}  // namespace vigil::host::testing
