// Issue 15 item 3 on the team store: only senior and admin logins build, submit and retract
// CyberTipline reports (PostgreSQL migration 13: GRANTs and row-level security); auditors
// read them; a reviewer is refused and sees none. The senior's report goes through the
// loopback mock of NCMEC's reporting API with the login in every audit entry.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <map>

#include "pg_test_server.h"
#include "report/cybertip_client.h"
#include "report/report_builder.h"
#include "report/report_sender.h"
#include "scan/sha256.h"
#include "store/cyber_reports.h"
#include "store/review_queue.h"
#include "store/store.h"
#include "tests/report/mock_cybertip_server.h"

namespace vigil::host::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class TeamCybertipReports : public PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    auto store = Store::Open(url_);  // the superuser migrates and records the items
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    PgTestServer::TearDown();
  }

  int64_t AddItem(const std::string& name, const std::string& uploader) {
    const std::string bytes = "benign bytes of " + name;
    ItemRecord record;
    record.sha256 = Sha256Hex(bytes);
    record.path = "/nowhere/" + name;
    record.size = bytes.size();
    record.media_kind = "image";
    record.uploader_id = uploader;
    record.outcome.disposition = Disposition::kReview;
    record.outcome.priority = 10;
    record.outcome.severity = 3;
    record.outcome.obscure_level = 5;
    record.outcome.rule = "known hash";
    auto id = store_->RecordItem(record);
    EXPECT_TRUE(id.ok()) << id.status().message();
    bytes_[id.ok() ? id.value() : 0] = bytes;
    return id.ok() ? id.value() : 0;
  }

  report::BuildOptions Build(const std::string& actor) {
    report::BuildOptions o;
    o.reporter = {"Sam", "Senior", "sam@example.org"};
    o.actor = actor;
    o.now = NowUtc();
    o.read_bytes = [this](const ReportableFile& f) -> StatusOr<std::string> {
      return bytes_[f.item_id];
    };
    return o;
  }

  report::SendOptions Send(const std::string& actor, int64_t now_ms) {
    report::SendOptions o;
    o.actor = actor;
    o.now = [] { return NowUtc(); };
    o.now_ms = now_ms;
    o.read_bytes = [this](const CyberReportFile& f) -> StatusOr<std::string> {
      return bytes_[f.item_id];
    };
    return o;
  }

  std::unique_ptr<Store> store_;
  std::map<int64_t, std::string> bytes_;
};

TEST_F(TeamCybertipReports, OnlySeniorsAndAdminsBuildAndSubmitAuditorsRead) {
  const std::string senior = MakeLogin("sen", {"vigil_senior"});
  const std::string reviewer = MakeLogin("rev", {"vigil_reviewer"});
  const std::string auditor = MakeLogin("aud", {"vigil_auditor"});
  const int64_t item = AddItem("a.jpg", "user-7");
  auto senior_store = Store::Open(UrlFor(senior, database_));
  auto reviewer_db = Connect(reviewer);
  auto auditor_db = Connect(auditor);
  ASSERT_TRUE(senior_store.ok()) << senior_store.status().message();
  ASSERT_TRUE(reviewer_db && auditor_db);
  Database& senior_db = senior_store.value()->db();
  {
    ReviewQueue queue(*senior_store.value());
    ClaimOptions only;
    only.only_item = item;
    auto claimed = queue.Claim(senior, only);
    ASSERT_TRUE(claimed.ok() && claimed.value().has_value())
        << (claimed.ok() ? "nothing claimed" : claimed.status().message());
    ASSERT_TRUE(queue.RecordReveal(senior, item, 0, 0, 1, 1, 900).ok());
    const Status decided = queue.Decide(item, senior, "A1", "");
    ASSERT_TRUE(decided.ok()) << decided.message();
  }

  // `vigil reports build` as the reviewer login: refused with one line, nothing built.
  {
    const std::string cmd = std::string(VIGIL_BINARY_DIR) + "/bin/vigil --store " +
                            UrlFor(reviewer, database_) +
                            " reports build --reporter-first R --reporter-last V "
                            "--reporter-email r@example.org 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int status = ::pclose(p);
    EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 2) << out;
    EXPECT_THAT(out, HasSubstr("only senior and admin logins may build, submit or retract"));
  }
  // A reviewer may not build a report (the database refuses the rows) nor see one.
  auto refused = report::BuildReports(*reviewer_db, Build(reviewer));
  EXPECT_TRUE(!refused.ok() || refused.value().report_ids.empty());
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM cybertip_reports"), "0");

  auto built = report::BuildReports(senior_db, Build(senior));
  ASSERT_TRUE(built.ok()) << built.status().message();
  ASSERT_EQ(built.value().report_ids.size(), 1u);
  const int64_t id = built.value().report_ids[0];
  auto draft = GetCyberReport(senior_db, id);
  ASSERT_TRUE(draft.ok()) << draft.status().message();
  ASSERT_EQ(draft.value().files.size(), 1u);
  EXPECT_TRUE(draft.value().files[0].viewed_by_esp);  // the senior revealed it

  report::testing::MockCybertipServer mock("esp-user", "pw");
  report::CybertipClient client(mock.base_url(), "esp-user:pw", 10000);
  // The reviewer can neither queue nor send it: the report is invisible to them.
  EXPECT_FALSE(QueueCyberReport(*reviewer_db, id, reviewer, NowUtc(), 1000).ok());
  EXPECT_FALSE(report::SendReport(*reviewer_db, client, id, Send(reviewer, 1000)).ok());
  EXPECT_TRUE(mock.calls().empty());
  EXPECT_THAT(RunSql(*reviewer_db, "UPDATE cybertip_reports SET state = 'queued'"),
              HasSubstr("permission denied"));
  auto unchanged = GetCyberReport(senior_db, id);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged.value().state, "draft");

  // The senior submits it.
  const Status queued = QueueCyberReport(senior_db, id, senior, NowUtc(), 1000);
  ASSERT_TRUE(queued.ok()) << queued.message();
  const Status sent = report::SendReport(senior_db, client, id, Send(senior, 1000));
  ASSERT_TRUE(sent.ok()) << sent.message();
  EXPECT_THAT(mock.sequence(), ElementsAre("submit", "upload", "fileinfo", "finish"));

  // An auditor reads the report and its audit entries; nobody deletes it.
  auto audited = GetCyberReport(*auditor_db, id);
  ASSERT_TRUE(audited.ok()) << audited.status().message();
  EXPECT_EQ(audited.value().state, "submitted");
  EXPECT_FALSE(audited.value().ncmec_report_id.empty());
  EXPECT_EQ(Scalar(*auditor_db, "SELECT actor FROM audit_log WHERE action = 'cybertip.finished'"),
            senior);
  EXPECT_THAT(RunSql(*auditor_db, "UPDATE cybertip_reports SET state = 'draft'"),
              HasSubstr("permission denied"));
  EXPECT_FALSE(RunSql(senior_db, "DELETE FROM cybertip_reports").empty());
  EXPECT_FALSE(RunSql(senior_db, "UPDATE cybertip_report_files SET viewed_by_esp = 0").empty());
  EXPECT_FALSE(RunSql(senior_db, "DELETE FROM cybertip_preservations").empty());
}

}  // namespace
}  // namespace vigil::host::testing
