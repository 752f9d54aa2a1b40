// Issue 13 item 6 on a team store, with real logins: who may add a decision's
// hashes to a local bank and who may disable a bank entry is decided by
// PostgreSQL. A reviewer adds only through a rule the store records, on their
// own confirmed decision, the item's own signals; a senior (and an admin) also
// explicitly; only an admin disables or enables; no one edits the history. The
// scanner's workstation matches what the store holds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "pg_test_server.h"
#include "store/local_banks.h"
#include "store/named_queues.h"
#include "store/store.h"

namespace vigil::host::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Ran {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// PDQ hashes and md5 digests of three made-up items (values only: no media is
// involved).
std::string Pdq(int n) { return std::string(63, 'a') + std::to_string(n); }
std::string Md5(int n) { return std::string(31, 'b') + std::to_string(n); }

class TeamBanks : public PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    scratch_ = std::filesystem::temp_directory_path() /
               ("vigil-team-banks-" + std::to_string(getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(scratch_);
    auto store = Store::Open(url_);  // the superuser migrates, then plays the scanner
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    ASSERT_TRUE(RecordQueueSpecs(store_->db(), {{"default", "", {"reviewer", "senior"}}}).ok());
    ASSERT_TRUE(RecordBankRules(store_->db(), {{"confirmed-a1", {"A1"}, "local-confirmed"}}).ok());
    for (int n = 1; n <= 3; ++n) items_.push_back(Add(n));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(scratch_);
    PgTestServer::TearDown();
  }

  int64_t Add(int n) {
    ItemRecord record;
    record.sha256 = "item" + std::to_string(n);
    record.path = "/items/" + record.sha256;
    record.media_kind = "image";
    record.outcome.disposition = Disposition::kReview;
    record.outcome.severity = 3;
    record.outcome.rule = "test rule";
    DetectorRun run;
    run.detector = "vigil.pdq";
    auto *pdq = run.result.add_signals();
    pdq->set_type("pdq");
    pdq->set_value(Pdq(n));
    pdq->set_quality(100);
    pdq->set_has_quality(true);
    DetectorRun exact;
    exact.detector = "vigil.exact";
    auto *md5 = exact.result.add_signals();
    md5->set_type("md5");
    md5->set_value(Md5(n));
    record.runs = {run, exact};
    auto id = store_->RecordItem(record);
    EXPECT_TRUE(id.ok()) << id.status().message();
    return id.ok() ? id.value() : 0;
  }

  // `vigil ARGS --store <login's URL>`, HOME in the scratch folder (the
  // workstation's lists folder is there).
  Ran Vigil(const std::string &login, const std::string &args) {
    const std::string command = "HOME=" + scratch_.string() + " " + VIGIL_BINARY_DIR +
                                "/bin/vigil " + args + " --store " + UrlFor(login, database_) +
                                " >" + (scratch_ / "out").string() + " 2>" +
                                (scratch_ / "err").string();
    const int status = std::system(command.c_str());
    Ran ran;
    ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream out(scratch_ / "out"), err(scratch_ / "err");
    ran.out.assign(std::istreambuf_iterator<char>(out), {});
    ran.err.assign(std::istreambuf_iterator<char>(err), {});
    return ran;
  }
  std::string Item(int n) const { return std::to_string(items_[n - 1]); }

  std::filesystem::path scratch_;
  std::unique_ptr<Store> store_;
  std::vector<int64_t> items_;
};

TEST_F(TeamBanks, AReviewerAddsThroughRulesOnlyAndTheDatabaseRefusesTheRest) {
  const std::string alice = MakeLogin("alice", {"vigil_reviewer"});
  ASSERT_EQ(Vigil(alice, "queue claim --item " + Item(1)).exit_code, 0);
  // Explicitly: refused by the row-level security of local_bank_entries; the
  // decision that came with it is rolled back.
  Ran manual = Vigil(alice, "queue decide " + Item(1) + " A1 --add-to-bank local-manual");
  EXPECT_EQ(manual.exit_code, 1) << manual.out;
  EXPECT_THAT(manual.err, HasSubstr("row-level security"));
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM decisions"), "0");
  // Through the recorded rule: added, as alice.
  Ran ruled = Vigil(alice, "queue decide " + Item(1) + " A1 --reason 'seen'");
  ASSERT_EQ(ruled.exit_code, 0) << ruled.err;
  EXPECT_EQ(Scalar(store_->db(),
                   "SELECT count(*) || ' ' || min(added_by) || ' ' || min(rule) FROM "
                   "local_bank_entries WHERE bank = 'local-confirmed'"),
            "2 " + alice + " confirmed-a1");
  EXPECT_EQ(Scalar(store_->db(), "SELECT actor FROM audit_log WHERE action = 'bank.entries_added'"),
            alice);

  // With her own connection, around the command: each refused by the database.
  auto own = Connect(alice);
  ASSERT_NE(own, nullptr);
  const std::string decision =
      Scalar(store_->db(), "SELECT max(id) FROM decisions WHERE reviewer = '" + alice + "'");
  const std::string insert =
      "INSERT INTO local_bank_entries (bank, type, "
      "value, category, item_id, decision_id, "
      "rule, added_by, reason, added_at) VALUES ";
  const std::string now = "'2026-12-07T00:00:00Z'";
  // A value that is not the item's signal, under the rule.
  EXPECT_THAT(
      RunSql(*own, insert + "('local-confirmed', 'md5', '" + Md5(9) + "', 'A1', " + Item(1) + ", " +
                       decision + ", 'confirmed-a1', '" + alice + "', 'x', " + now + ")"),
      HasSubstr("row-level security"));
  // Another item's signal, with her decision on item 1.
  EXPECT_THAT(
      RunSql(*own, insert + "('local-confirmed', 'md5', '" + Md5(2) + "', 'A1', " + Item(2) + ", " +
                       decision + ", 'confirmed-a1', '" + alice + "', 'x', " + now + ")"),
      HasSubstr("row-level security"));
  // As someone else.
  EXPECT_THAT(RunSql(*own, insert + "('local-other', 'md5', '" + Md5(1) + "', 'A1', " + Item(1) +
                               ", " + decision + ", 'confirmed-a1', 'carol', 'x', " + now + ")"),
              HasSubstr("row-level security"));
  EXPECT_THAT(RunSql(*own, "UPDATE local_bank_entries SET bank = 'local-x'"),
              HasSubstr("permission denied"));
  EXPECT_THAT(RunSql(*own, "DELETE FROM local_bank_entries"), HasSubstr("permission denied"));
  EXPECT_THAT(RunSql(*own, "DELETE FROM bank_rules"), HasSubstr("permission denied"));
  EXPECT_THAT(RunSql(*own,
                     "INSERT INTO bank_entry_holds (bank, entry, action, until_unix, "
                     "reason, actor, at) VALUES ('local-confirmed', 'decision-1', "
                     "'disable', 4070908800, 'x', '" +
                         alice + "', " + now + ")"),
              HasSubstr("permission denied"));

  // A senior adds explicitly.
  const std::string carol = MakeLogin("carol", {"vigil_senior"});
  ASSERT_EQ(Vigil(carol, "queue claim --item " + Item(2)).exit_code, 0);
  Ran senior = Vigil(carol, "queue decide " + Item(2) + " B1 --add-to-bank local-manual --json");
  ASSERT_EQ(senior.exit_code, 0) << senior.err;
  EXPECT_EQ(Scalar(store_->db(),
                   "SELECT count(*) FROM local_bank_entries WHERE bank = "
                   "'local-manual' AND added_by = '" +
                       carol + "' AND rule = ''"),
            "2");
  // Not even the owner edits the history.
  EXPECT_THAT(RunSql(store_->db(), "DELETE FROM local_bank_entries"), HasSubstr("append-only"));
}

TEST_F(TeamBanks, OnlyAnAdminDisablesAndTheScannersMatchingHonoursItAtOnce) {
  const std::string alice = MakeLogin("alice", {"vigil_reviewer"});
  ASSERT_EQ(Vigil(alice, "queue claim --item " + Item(3)).exit_code, 0);
  ASSERT_EQ(Vigil(alice, "queue decide " + Item(3) + " A1").exit_code, 0);
  const std::string entry = "decision-" + Scalar(store_->db(), "SELECT max(id) FROM decisions");

  // The scanner's workstation: the decision is in its next match, with no
  // import.
  const std::string scanner = MakeLogin("scanner", {"vigil_scanner"});
  Ran found = Vigil(scanner, "match --type md5 " + Md5(3));
  ASSERT_EQ(found.exit_code, 0) << found.err;
  EXPECT_THAT(found.out, HasSubstr("local-confirmed entry " + entry));

  const std::string disable =
      "lists disable local-confirmed " + entry + " --until 2099-01-01 --reason 'stock photo'";
  for (const std::string &login : {alice, MakeLogin("carol", {"vigil_senior"}), scanner}) {
    Ran refused = Vigil(login, disable);
    EXPECT_EQ(refused.exit_code, 1) << login << refused.out;
    EXPECT_THAT(refused.err, HasSubstr("permission denied")) << login;
  }
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM bank_entry_holds"), "0");
  const std::string dave = MakeLogin("dave", {"vigil_admin"});
  Ran disabled = Vigil(dave, disable);
  ASSERT_EQ(disabled.exit_code, 0) << disabled.err;
  EXPECT_EQ(Scalar(store_->db(), "SELECT actor FROM bank_entry_holds"), dave);
  EXPECT_EQ(Scalar(store_->db(),
                   "SELECT actor FROM audit_log WHERE action = "
                   "'bank.entry_disabled'"),
            dave);
  Ran held = Vigil(scanner, "match --type md5 " + Md5(3));
  ASSERT_EQ(held.exit_code, 0) << held.err;
  EXPECT_THAT(held.out, Not(HasSubstr("local-confirmed")));
  // Everyone reads the holds; a reviewer cannot end one.
  Ran listed = Vigil(alice, "lists disabled");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("by " + dave));
  EXPECT_NE(Vigil(alice, "lists enable local-confirmed " + entry).exit_code, 0);
  ASSERT_EQ(Vigil(dave, "lists enable local-confirmed " + entry).exit_code, 0);
  EXPECT_THAT(Vigil(scanner, "match --type md5 " + Md5(3)).out,
              HasSubstr("local-confirmed entry " + entry));
  EXPECT_THAT(RunSql(store_->db(), "DELETE FROM bank_entry_holds"), HasSubstr("append-only"));
  const std::string audrey = MakeLogin("audrey", {"vigil_auditor"});
  Ran verify = Vigil(audrey, "audit verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace vigil::host::testing
