// Issue 15 item 3: CyberTipline reports built from decided items and sent to a loopback mock
// of NCMEC's reporting API (tests/report/mock_cybertip_server.h), with the Done-when
// and the fault cases: 500 then success from the queue, a connection dropped mid-upload
// (resumed, no file uploaded twice), a malformed answer (a clear error, retried).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "report/cybertip_client.h"
#include "report/report_builder.h"
#include "report/report_sender.h"
#include "store/audit_log.h"
#include "store/cyber_reports.h"
#include "store/media_vault.h"
#include "store/retention.h"
#include "tests/report/cybertip_test_util.h"
#include "tests/report/mock_cybertip_server.h"
#include "tests/unit/host/temp_store.h"

namespace vigil::report {
namespace {

using testing::AddDecidedItem;
using ::testing::ElementsAre;
using testing::Fault;
using ::testing::HasSubstr;
using testing::MockCybertipServer;

class CybertipReportTest : public host::TempStoreTest {
 protected:
  host::Database& db() { return store_->db(); }

  int64_t Item(const std::string& name, const std::string& uploader, const std::string& decision,
               bool revealed) {
    return AddDecidedItem(*store_, dir_, name, "benign bytes of " + name, uploader, decision,
                          revealed);
  }

  BuildOptions Build(std::vector<int64_t> items = {}) {
    BuildOptions o;
    o.item_ids = std::move(items);
    o.reporter = {"Sam", "Reporter", "sam@example.org"};
    o.actor = "senior-sam";
    o.now = host::NowUtc();
    o.read_bytes = [this](const host::ReportableFile& f) {
      return ReadStoredItem(db(), nullptr, f.item_id, "senior-sam");
    };
    return o;
  }

  SendOptions Send(int64_t now_ms) {
    SendOptions o;
    o.actor = "senior-sam";
    o.now = [] { return host::NowUtc(); };
    o.now_ms = now_ms;
    o.first_backoff_ms = 60000;
    o.read_bytes = [this](const host::CyberReportFile& f) {
      return ReadStoredItem(db(), nullptr, f.item_id, "senior-sam");
    };
    return o;
  }

  int64_t BuildOne(std::vector<int64_t> items = {}) {
    auto built = BuildReports(db(), Build(std::move(items)));
    EXPECT_TRUE(built.ok()) << built.status().message();
    if (!built.ok() || built.value().report_ids.size() != 1) {
      ADD_FAILURE() << "expected one report";
      return 0;
    }
    return built.value().report_ids.front();
  }

  int AuditCount(const std::string& action) {
    host::Statement row(db(), "SELECT count(*) FROM audit_log WHERE action = ?1");
    row.Bind(1, action);
    EXPECT_EQ(row.Step(), host::kRow);
    return static_cast<int>(row.ColumnInt(0));
  }

  MockCybertipServer mock_{"esp-user", "s3cret:pass"};
  CybertipClient client_{mock_.base_url(), "esp-user:s3cret:pass", 10000};
};

// The Done-when: 3 files of one uploader, one revealed -> exactly that one carries
// fileViewedByEsp true; the mock sees submit, upload x3, fileinfo x3, finish; NCMEC's report
// id is recorded (and audited); a retracted report is marked.
TEST_F(CybertipReportTest, ThreeFilesOneRevealedSendsTheDocumentedSequence) {
  const int64_t a = Item("a.jpg", "user-7", "A1", false);  // a known-hash decision, no reveal
  const int64_t b = Item("b.jpg", "user-7", "B2", true);   // a person revealed it
  const int64_t c = Item("c.jpg", "user-7", "A2", false);
  const int64_t id = BuildOne();
  auto draft = host::GetCyberReport(db(), id);
  ASSERT_TRUE(draft.ok());
  EXPECT_EQ(draft.value().state, "draft");
  EXPECT_EQ(draft.value().group_key, "uploader:user-7");
  ASSERT_EQ(draft.value().files.size(), 3u);
  for (const host::CyberReportFile& f : draft.value().files) {
    EXPECT_EQ(f.viewed_by_esp, f.item_id == b) << "item " << f.item_id;
    EXPECT_EQ(f.md5, Md5Hex("benign bytes of " + f.original_name));
  }
  EXPECT_EQ(draft.value().preservations.size(), 3u);

  ASSERT_TRUE(host::QueueCyberReport(db(), id, "senior-sam", host::NowUtc(), 1000).ok());
  auto sent = SendDueReports(db(), client_, Send(1000));
  ASSERT_TRUE(sent.ok()) << sent.status().message();
  EXPECT_THAT(sent.value().submitted, ElementsAre(id));
  EXPECT_THAT(mock_.sequence(), ElementsAre("submit", "upload", "upload", "upload", "fileinfo",
                                            "fileinfo", "fileinfo", "finish"));
  for (const testing::MockCall& call : mock_.calls()) {
    if (call.path == "/submit" || call.path == "/fileinfo") {
      EXPECT_THAT(call.content_type, HasSubstr("text/xml"));
    } else if (call.path == "/upload") {
      EXPECT_THAT(call.content_type, HasSubstr("multipart/form-data"));
    } else {
      EXPECT_THAT(call.content_type, HasSubstr("application/x-www-form-urlencoded"));
    }
    EXPECT_EQ(call.response_code, 0) << call.path;
  }
  const auto reports = mock_.reports();
  ASSERT_EQ(reports.size(), 1u);
  const std::string ncmec_id = reports.begin()->first;
  const testing::MockReport& at_ncmec = reports.begin()->second;
  EXPECT_TRUE(at_ncmec.finished);
  ASSERT_EQ(at_ncmec.files.size(), 3u);
  int viewed = 0;
  for (const testing::MockFile& f : at_ncmec.files) {
    EXPECT_TRUE(f.described);
    if (f.viewed_by_esp == "true") {
      ++viewed;
      EXPECT_EQ(f.name, "b.jpg");
      EXPECT_EQ(f.classification, "B2");
    } else {
      EXPECT_EQ(f.viewed_by_esp, "false");
    }
    EXPECT_THAT(f.details_xml, HasSubstr("<originalFileName>" + f.name + "</originalFileName>"));
  }
  EXPECT_EQ(viewed, 1);
  EXPECT_THAT(at_ncmec.report_xml, HasSubstr("<espIdentifier>user-7</espIdentifier>"));

  auto done = host::GetCyberReport(db(), id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done.value().state, "submitted");
  EXPECT_EQ(done.value().ncmec_report_id, ncmec_id);
  for (const host::CyberReportFile& f : done.value().files) {
    EXPECT_EQ(f.state, "described");
    EXPECT_FALSE(f.ncmec_file_id.empty());
  }
  // A preservation record per file at build and again at the finish, a year on at least.
  ASSERT_EQ(done.value().preservations.size(), 6u);
  auto year = host::DaysAfter(host::NowUtc(), 365);
  ASSERT_TRUE(year.ok());
  for (const host::Preservation& p : done.value().preservations) EXPECT_GE(p.until, year.value());
  // Every call and answer is audited, with NCMEC's report id.
  EXPECT_EQ(AuditCount("cybertip.opened"), 1);
  EXPECT_EQ(AuditCount("cybertip.uploaded"), 3);
  EXPECT_EQ(AuditCount("cybertip.described"), 3);
  EXPECT_EQ(AuditCount("cybertip.finished"), 1);
  host::Statement opened(db(), "SELECT details FROM audit_log WHERE action = 'cybertip.opened'");
  ASSERT_EQ(opened.Step(), host::kRow);
  EXPECT_THAT(opened.ColumnText(0), HasSubstr("\"reportId\":\"" + ncmec_id + "\""));
  auto verified = host::VerifyAudit(db());
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified.value().problems.empty()) << verified.value().problems.front();
  (void)a;
  (void)c;

  // A finished report cannot be cancelled through the API: refused, nothing sent.
  const size_t calls = mock_.calls().size();
  const Status refused = RetractReport(db(), &client_, id, Send(2000));
  EXPECT_THAT(refused.message(), HasSubstr("finished at NCMEC"));
  EXPECT_EQ(mock_.calls().size(), calls);

  // A report opened at NCMEC but not finished (the upload failed) is retracted there and
  // marked retracted; the queue no longer tries it.
  Item("d.jpg", "user-9", "A1", true);
  const int64_t second = BuildOne();
  mock_.QueueFault("/upload", Fault::k500);
  ASSERT_TRUE(host::QueueCyberReport(db(), second, "senior-sam", host::NowUtc(), 3000).ok());
  EXPECT_FALSE(SendReport(db(), client_, second, Send(3000)).ok());
  auto open = host::GetCyberReport(db(), second);
  ASSERT_TRUE(open.ok());
  ASSERT_FALSE(open.value().ncmec_report_id.empty());
  const Status retracted = RetractReport(db(), &client_, second, Send(4000));
  ASSERT_TRUE(retracted.ok()) << retracted.message();
  EXPECT_EQ(mock_.sequence().back(), "retract");
  EXPECT_TRUE(mock_.reports()[open.value().ncmec_report_id].retracted);
  auto marked = host::GetCyberReport(db(), second);
  ASSERT_TRUE(marked.ok());
  EXPECT_EQ(marked.value().state, "retracted");
  EXPECT_EQ(marked.value().retracted_by, "senior-sam");
  auto due = host::DueCyberReports(db(), int64_t{1} << 50);
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(due.value().empty());
  EXPECT_EQ(AuditCount("cybertip.retracted"), 1);
}

TEST_F(CybertipReportTest, ServerErrorThenSuccessIsRetriedFromTheQueue) {
  Item("a.jpg", "user-1", "A1", false);
  const int64_t id = BuildOne();
  mock_.QueueFault("/submit", Fault::k500);
  ASSERT_TRUE(host::QueueCyberReport(db(), id, "senior-sam", host::NowUtc(), 1000).ok());
  auto first = SendDueReports(db(), client_, Send(1000));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first.value().failed.size(), 1u);
  EXPECT_THAT(first.value().failed.front().second, HasSubstr("HTTP 500"));
  auto failed = host::GetCyberReport(db(), id);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed.value().state, "failed");
  EXPECT_EQ(failed.value().attempts, 1);
  EXPECT_EQ(failed.value().next_attempt_ms, 1000 + 60000);
  EXPECT_THAT(failed.value().last_error, HasSubstr("HTTP 500"));
  // Not due before its backoff ends.
  auto early = SendDueReports(db(), client_, Send(60999));
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(early.value().submitted.empty() && early.value().failed.empty());
  auto later = SendDueReports(db(), client_, Send(61000));
  ASSERT_TRUE(later.ok());
  EXPECT_THAT(later.value().submitted, ElementsAre(id));
  EXPECT_THAT(mock_.sequence(), ElementsAre("submit", "submit", "upload", "fileinfo", "finish"));
  EXPECT_EQ(mock_.reports().size(), 1u);  // the 500 opened nothing
  EXPECT_EQ(AuditCount("cybertip.failed"), 1);
}

TEST_F(CybertipReportTest, DroppedMidUploadResumesWithoutUploadingAFileTwice) {
  Item("a.jpg", "user-2", "A1", false);
  Item("b.jpg", "user-2", "A1", false);
  Item("c.jpg", "user-2", "A1", false);
  const int64_t id = BuildOne();
  mock_.QueueFault("/upload", Fault::kNone);
  mock_.QueueFault("/upload", Fault::kDrop);  // the second upload: the connection drops
  ASSERT_TRUE(host::QueueCyberReport(db(), id, "senior-sam", host::NowUtc(), 1000).ok());
  const Status first = SendReport(db(), client_, id, Send(1000));
  ASSERT_FALSE(first.ok());
  EXPECT_THAT(first.message(), HasSubstr("/upload"));
  auto partway = host::GetCyberReport(db(), id);
  ASSERT_TRUE(partway.ok());
  EXPECT_EQ(partway.value().files[0].state, "uploaded");
  EXPECT_EQ(partway.value().files[1].state, "pending");
  ASSERT_GT(partway.value().next_attempt_ms, 0);

  auto resumed = SendDueReports(db(), client_, Send(partway.value().next_attempt_ms));
  ASSERT_TRUE(resumed.ok());
  EXPECT_THAT(resumed.value().submitted, ElementsAre(id));
  // One report opened, each file uploaded once: a, then (dropped b), then b and c.
  EXPECT_THAT(mock_.sequence(), ElementsAre("submit", "upload", "upload", "upload", "fileinfo",
                                            "fileinfo", "fileinfo", "finish"));
  const auto reports = mock_.reports();
  ASSERT_EQ(reports.size(), 1u);
  std::vector<std::string> names;
  for (const testing::MockFile& f : reports.begin()->second.files) names.push_back(f.name);
  EXPECT_THAT(names, ElementsAre("a.jpg", "b.jpg", "c.jpg"));
}

TEST_F(CybertipReportTest, MalformedAnswerIsAClearErrorAndRetried) {
  Item("a.jpg", "user-3", "B1", true);
  const int64_t id = BuildOne();
  mock_.QueueFault("/finish", Fault::kMalformed);  // the finish happened; its answer is cut
  ASSERT_TRUE(host::QueueCyberReport(db(), id, "senior-sam", host::NowUtc(), 1000).ok());
  const Status first = SendReport(db(), client_, id, Send(1000));
  ASSERT_FALSE(first.ok());
  EXPECT_THAT(first.message(), HasSubstr("/finish: the answer is not XML"));
  EXPECT_EQ(first.message().find('\n'), std::string::npos);
  auto failed = host::GetCyberReport(db(), id);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed.value().state, "failed");
  ASSERT_GT(failed.value().next_attempt_ms, 0);
  // The retry finishes again; NCMEC answers "already finished", which is done.
  ASSERT_TRUE(SendReport(db(), client_, id, Send(failed.value().next_attempt_ms)).ok());
  EXPECT_THAT(mock_.sequence(), ElementsAre("submit", "upload", "fileinfo", "finish", "finish"));
  auto done = host::GetCyberReport(db(), id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done.value().state, "submitted");
}

TEST_F(CybertipReportTest, WrongCredentialsAreNotRetried) {
  Item("a.jpg", "user-4", "A1", false);
  const int64_t id = BuildOne();
  CybertipClient wrong(mock_.base_url(), "esp-user:wrong", 10000);
  ASSERT_TRUE(host::QueueCyberReport(db(), id, "senior-sam", host::NowUtc(), 1000).ok());
  const Status s = SendReport(db(), wrong, id, Send(1000));
  EXPECT_THAT(s.message(), HasSubstr("HTTP 401"));
  EXPECT_THAT(s.message(), HasSubstr("not tried again until queued"));
  auto r = host::GetCyberReport(db(), id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().next_attempt_ms, 0);
  // Queued again by a person, it goes.
  ASSERT_TRUE(host::QueueCyberReport(db(), id, "senior-sam", host::NowUtc(), 2000).ok());
  EXPECT_TRUE(SendReport(db(), client_, id, Send(2000)).ok());
}

TEST_F(CybertipReportTest, GroupsPerUploaderAndTakesOnlyReportingDecisions) {
  const int64_t a = Item("a.jpg", "user-1", "A1", false);
  Item("b.jpg", "user-2", "A2", false);
  Item("c.jpg", "user-1", "B1", false);
  const int64_t benign = Item("d.jpg", "user-1", "not-illegal", true);
  const int64_t anonymous = Item("e.jpg", "", "A1", false);
  auto built = BuildReports(db(), Build());
  ASSERT_TRUE(built.ok()) << built.status().message();
  ASSERT_EQ(built.value().report_ids.size(), 2u);
  ASSERT_EQ(built.value().notes.size(), 1u);
  EXPECT_THAT(built.value().notes.front(), HasSubstr("item " + std::to_string(anonymous)));
  auto first = host::GetCyberReport(db(), built.value().report_ids[0]);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value().group_key, "uploader:user-1");
  ASSERT_EQ(first.value().files.size(), 2u);
  EXPECT_EQ(first.value().files[0].item_id, a);
  // Built again: nothing new (each item is in a report already).
  auto again = BuildReports(db(), Build());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.value().report_ids.empty());
  // An explicit list: the item without an uploader forms an incident report.
  auto incident = BuildReports(db(), Build({anonymous}));
  ASSERT_TRUE(incident.ok()) << incident.status().message();
  ASSERT_EQ(incident.value().report_ids.size(), 1u);
  auto r = host::GetCyberReport(db(), incident.value().report_ids[0]);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().group_key, "incident:" + std::to_string(anonymous));
  EXPECT_THAT(r.value().report_xml, ::testing::Not(HasSubstr("personOrUserReported")));
  // Items that do not report, or are reported already, are refused by name.
  auto refused = BuildReports(db(), Build({benign}));
  EXPECT_THAT(refused.status().message(), HasSubstr("not-illegal, which does not report"));
  auto twice = BuildReports(db(), Build({a}));
  EXPECT_THAT(twice.status().message(), HasSubstr("already in CyberTipline report"));
  auto missing = BuildReports(db(), Build({9999}));
  EXPECT_THAT(missing.status().message(), HasSubstr("no item 9999"));
  BuildOptions no_reporter = Build();
  no_reporter.reporter.email = "not an address";
  EXPECT_THAT(BuildReports(db(), no_reporter).status().message(), HasSubstr("e-mail"));
}

TEST_F(CybertipReportTest, RetentionKeepsPreservedMediaUntilItsDate) {
  std::array<unsigned char, host::kMediaKeyBytes> raw{};
  raw.fill(7);
  host::MediaVault vault(db(), host::MediaKey::FromBytes(raw));
  const int64_t kept = Item("a.jpg", "user-5", "A1", false);
  const int64_t other = Item("b.jpg", "user-6", "not-illegal", false);
  ASSERT_TRUE(vault.Put(kept, "benign bytes of a.jpg").ok());
  ASSERT_TRUE(vault.Put(other, "benign bytes of b.jpg").ok());
  const int64_t id = BuildOne({kept});
  auto report = host::GetCyberReport(db(), id);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report.value().preservations.size(), 1u);
  const std::string until = report.value().preservations[0].until;
  // A month on, with 1-day retention: the unreported item's media goes, the reported one
  // is kept by its preservation record.
  auto month = host::DaysAfter(host::NowUtc(), 30);
  ASSERT_TRUE(month.ok());
  auto run = host::RunRetention(db(), 1, false, "admin", month.value());
  ASSERT_TRUE(run.ok()) << run.status().message();
  ASSERT_EQ(run.value().deleted.size(), 1u);
  EXPECT_EQ(run.value().deleted[0].item_id, other);
  ASSERT_EQ(run.value().held.size(), 1u);
  EXPECT_EQ(run.value().held[0].item_id, kept);
  auto has = vault.Has(kept);
  ASSERT_TRUE(has.ok());
  EXPECT_TRUE(has.value());
  // After the preservation date it expires like any other.
  auto after = host::DaysAfter(until, 1);
  ASSERT_TRUE(after.ok());
  auto late = host::RunRetention(db(), 1, false, "admin", after.value());
  ASSERT_TRUE(late.ok());
  ASSERT_EQ(late.value().deleted.size(), 1u);
  EXPECT_EQ(late.value().deleted[0].item_id, kept);
}

TEST_F(CybertipReportTest, HistoryIsNeverDeletedOrRewritten) {
  Item("a.jpg", "user-8", "A1", false);
  const int64_t id = BuildOne();
  EXPECT_FALSE(db().Exec("DELETE FROM cybertip_reports").ok());
  EXPECT_FALSE(db().Exec("DELETE FROM cybertip_report_files").ok());
  EXPECT_FALSE(db().Exec("DELETE FROM cybertip_preservations").ok());
  EXPECT_FALSE(db().Exec("UPDATE cybertip_report_files SET viewed_by_esp = 1").ok());
  EXPECT_FALSE(db().Exec("UPDATE cybertip_reports SET report_xml = '<report/>'").ok());
  EXPECT_FALSE(db().Exec("UPDATE cybertip_preservations SET until = '2000-01-01T00:00:00Z'").ok());
  ASSERT_TRUE(RetractReport(db(), nullptr, id, Send(1000)).ok());  // never opened: no call
  EXPECT_TRUE(mock_.calls().empty());
  EXPECT_FALSE(db().Exec("UPDATE cybertip_reports SET state = 'queued'").ok());
  EXPECT_THAT(RetractReport(db(), nullptr, id, Send(1000)).message(),
              HasSubstr("already retracted"));
}

}  // namespace
}  // namespace vigil::report
