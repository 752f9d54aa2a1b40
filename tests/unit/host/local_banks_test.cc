// Issue 13 item 6 in the store and the bank set: a confirmed decision adds the
// item's hashes to local banks (policy rules and explicitly), with who, when
// and why; entries disabled until a date, with the clock given; the files the
// host writes for matching.
#include "store/local_banks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "bank_set.h"
#include "policy/policy.h"
#include "store/audit_log.h"
#include "store/bank_materialise.h"
#include "store/review_queue.h"
#include "temp_store.h"
#include "vigil/hashbank/bank.h"
#include "vigil/hashbank/signal.h"
#include "vigil/plugin.hpp"

namespace vigil::host {
namespace {

using ::testing::HasSubstr;

constexpr char kPdq[] = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
constexpr char kMd5[] = "d35c785545392755e7e4164457657269";
constexpr char kLowQualityPdq[] =
    "0000000000000000000000000000000000000000000000000000000000000001";

class LocalBanksTest : public TempStoreTest {
 protected:
  // An item queued for review with a PDQ hash (quality 100), an md5 digest and
  // a PDQ hash of quality 10 (too weak to be matched, so never added).
  int64_t AddItemWithSignals(const std::string &sha, bool with_signals = true) {
    ItemRecord record;
    record.sha256 = sha;
    record.path = "/items/" + sha;
    record.media_kind = "image";
    record.outcome.disposition = Disposition::kReview;
    record.outcome.severity = 3;
    record.outcome.rule = "test rule";
    if (with_signals) {
      DetectorRun pdq;
      pdq.detector = "vigil.pdq";
      auto *strong = pdq.result.add_signals();
      strong->set_type("pdq");
      strong->set_value(kPdq);
      strong->set_quality(100);
      strong->set_has_quality(true);
      auto *weak = pdq.result.add_signals();
      weak->set_type("pdq");
      weak->set_value(kLowQualityPdq);
      weak->set_quality(10);
      weak->set_has_quality(true);
      DetectorRun exact;
      exact.detector = "vigil.exact";
      auto *md5 = exact.result.add_signals();
      md5->set_type("md5");
      md5->set_value(kMd5);
      record.runs = {pdq, exact};
    }
    auto id = store_->RecordItem(record);
    EXPECT_TRUE(id.ok()) << id.status().message();
    return id.ok() ? id.value() : 0;
  }
  Status ClaimAndDecide(int64_t item, const std::string &decision,
                        const std::vector<std::string> &banks = {},
                        const std::string &reviewer = "ann") {
    ReviewQueue queue(*store_);
    ClaimOptions options;
    options.only_item = item;
    auto claimed = queue.Claim(reviewer, options);
    EXPECT_TRUE(claimed.ok() && claimed.value()) << "claim of item " << item;
    return queue.Decide(item, reviewer, decision, "seen: " + decision, banks);
  }
  int64_t Count(const std::string &sql) {
    Statement q(store_->db(), sql);
    EXPECT_EQ(q.Step(), kRow) << sql;
    return q.ColumnInt(0);
  }
  std::string Data() const { return (dir_ / "lists").string(); }
};

TEST_F(LocalBanksTest, ARuleAddsAConfirmedDecisionsHashesWithWhoWhenAndWhy) {
  ASSERT_TRUE(
      RecordBankRules(store_->db(), {{"confirmed-a", {"A1", "A2"}, "local-confirmed"}}).ok());
  const int64_t item = AddItemWithSignals("i1");
  ASSERT_TRUE(ClaimAndDecide(item, "A1").ok());
  auto entries = ListLocalBankEntries(store_->db());
  ASSERT_TRUE(entries.ok()) << entries.status().message();
  // The strong PDQ hash and the digest; never the PDQ hash of quality 10.
  ASSERT_EQ(entries.value().size(), 2u);
  std::set<std::string> values;
  for (const LocalBankEntry &e : entries.value()) {
    values.insert(e.type + " " + e.value);
    EXPECT_EQ(e.bank, "local-confirmed");
    EXPECT_EQ(e.category, "A1");
    EXPECT_EQ(e.item_id, item);
    EXPECT_EQ(e.rule, "confirmed-a");
    EXPECT_EQ(e.added_by, "ann");
    EXPECT_EQ(e.reason, "seen: A1");
    EXPECT_FALSE(e.added_at.empty());
    EXPECT_EQ(e.decision_id, Count("SELECT max(id) FROM decisions"));
  }
  EXPECT_EQ(values,
            (std::set<std::string>{std::string("pdq ") + kPdq, std::string("md5 ") + kMd5}));
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = "
                  "'bank.entries_added' AND "
                  "item_id = " +
                  std::to_string(item) + " AND details LIKE '%\"rule\":\"confirmed-a\"%'"),
            1);
  auto report = VerifyAudit(store_->db());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().problems.empty()) << report.value().problems.front();

  // B2 is not named by the rule: nothing more. A second A2 of the same hashes
  // (another item with the same signals) does not duplicate them: the first
  // decision keeps them.
  const int64_t other = AddItemWithSignals("i2");
  ASSERT_TRUE(ClaimAndDecide(other, "B2").ok());
  EXPECT_EQ(Count("SELECT count(*) FROM local_bank_entries"), 2);
  const int64_t third = AddItemWithSignals("i3");
  ASSERT_TRUE(ClaimAndDecide(third, "A2").ok());
  EXPECT_EQ(Count("SELECT count(*) FROM local_bank_entries"), 2);
  // History is never edited.
  EXPECT_FALSE(store_->db().Exec("UPDATE local_bank_entries SET bank = 'local-x'").ok());
  EXPECT_FALSE(store_->db().Exec("DELETE FROM local_bank_entries").ok());
}

TEST_F(LocalBanksTest, ExplicitBanksNeedAConfirmedDecisionALocalNameAndSignals) {
  const int64_t item = AddItemWithSignals("i1");
  // Refused before anything is recorded: the item stays claimed, undecided.
  Status cleared = ClaimAndDecide(item, "not-illegal", {"local-manual"});
  EXPECT_EQ(cleared.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(cleared.message(), HasSubstr("only a confirmed decision"));
  ReviewQueue queue(*store_);
  Status imported_name = queue.Decide(item, "ann", "A1", "", {"ncmec"});
  EXPECT_THAT(imported_name.message(), HasSubstr("must start with 'local-'"));
  EXPECT_EQ(Count("SELECT count(*) FROM decisions"), 0);
  ASSERT_TRUE(queue.Decide(item, "ann", "B1", "", {"local-manual"}).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM local_bank_entries WHERE bank = "
                  "'local-manual' AND "
                  "rule = '' AND category = 'B1'"),
            2);

  const int64_t bare = AddItemWithSignals("i2", /*with_signals=*/false);
  Status nothing = ClaimAndDecide(bare, "A1", {"local-manual"});
  EXPECT_EQ(nothing.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(nothing.message(), HasSubstr("no PDQ hash"));
  // The whole decision was rolled back with it.
  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE item_id = " + std::to_string(bare)), 0);
}

TEST_F(LocalBanksTest, AHoldEndsAtItsDateWithNoOneActing) {
  EntryHold hold;
  hold.bank = "ncmec";
  hold.entry = "42-7";
  hold.until_unix = 2000;
  hold.reason = "matches a stock photo";
  hold.actor = "root";
  ASSERT_TRUE(DisableBankEntry(store_->db(), hold, /*now_unix=*/1000).ok());
  auto before = ActiveHolds(store_->db(), 1999);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before.value().size(), 1u);
  EXPECT_EQ(before.value()[0].reason, "matches a stock photo");
  EXPECT_EQ(before.value()[0].actor, "root");
  EXPECT_TRUE(ActiveHolds(store_->db(), 2000).value().empty());
  EXPECT_EQ(EnableBankEntry(store_->db(), "ncmec", "42-7", "root", 2001).code(),
            Status::Code::kNotFound);
  // Enabled before the date: not held any more, and both acts are on record.
  ASSERT_TRUE(EnableBankEntry(store_->db(), "ncmec", "42-7", "root", 1500).ok());
  EXPECT_TRUE(ActiveHolds(store_->db(), 1500).value().empty());
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action IN "
                  "('bank.entry_disabled', "
                  "'bank.entry_enabled')"),
            2);
  EXPECT_FALSE(store_->db().Exec("DELETE FROM bank_entry_holds").ok());

  hold.until_unix = 999;
  EXPECT_THAT(DisableBankEntry(store_->db(), hold, 1000).message(), HasSubstr("not in the future"));
  hold.until_unix = 5000;
  hold.reason = "";
  EXPECT_THAT(DisableBankEntry(store_->db(), hold, 1000).message(), HasSubstr("reason"));
}

TEST_F(LocalBanksTest, TheHostWritesLocalBanksAndHoldsAndTheBankSetHonoursThem) {
  ASSERT_TRUE(RecordBankRules(store_->db(), {{"all", {}, "local-confirmed"}}).ok());
  const int64_t item = AddItemWithSignals("i1");
  ASSERT_TRUE(ClaimAndDecide(item, "A2").ok());
  auto written = MaterialiseBanks(store_->db(), Data(), 1000);
  ASSERT_TRUE(written.ok()) << written.status().message();
  EXPECT_EQ(written.value().banks_written, 1);
  // Nothing changed in the store: the file is not rebuilt.
  EXPECT_EQ(MaterialiseBanks(store_->db(), Data(), 1000).value().banks_written, 0);

  auto pdq = hashbank::ParsePdqHex(kPdq);
  ASSERT_TRUE(pdq.ok());
  {
    hashdetect::BankSet banks(Data());
    ASSERT_EQ(banks.banks().size(), 1u);
    auto matches = banks.banks()[0]->MatchPdq(&pdq.value(), 1);
    ASSERT_TRUE(matches.ok());
    ASSERT_EQ(matches.value().size(), 1u);
    const hashbank::Match &m = matches.value()[0];
    EXPECT_EQ(m.bank, "local-confirmed");
    EXPECT_EQ(m.entry.category, "A2");
    EXPECT_EQ(m.entry.external_id,
              "decision-" + std::to_string(Count("SELECT max(id) FROM decisions")));
    EXPECT_FALSE(banks.Disabled(m, 1000));
  }

  EntryHold hold;
  hold.bank = "local-confirmed";
  hold.entry = "decision-1";
  hold.until_unix = 2000;
  hold.reason = "noisy";
  hold.actor = "root";
  ASSERT_TRUE(DisableBankEntry(store_->db(), hold, 1000).ok());
  ASSERT_EQ(MaterialiseBanks(store_->db(), Data(), 1000).value().held_entries, 1);
  hashdetect::BankSet banks(Data());
  auto matches = banks.banks()[0]->MatchPdq(&pdq.value(), 1);
  ASSERT_TRUE(matches.ok());
  ASSERT_EQ(matches.value().size(), 1u);
  EXPECT_TRUE(banks.Disabled(matches.value()[0], 1999));
  // The date passes: the sidecar still lists the hold, and it no longer holds.
  EXPECT_FALSE(banks.Disabled(matches.value()[0], 2000));
  // ... and the next sync leaves it out.
  EXPECT_EQ(MaterialiseBanks(store_->db(), Data(), 2000).value().held_entries, 0);
  EXPECT_TRUE(hashdetect::ReadHeldEntries(Data()).empty());
}

TEST_F(LocalBanksTest, AHoldByValueAppliesAndAMalformedSidecarIsRefused) {
  std::filesystem::create_directories(hashdetect::BankDirectory(Data()));
  hashbank::Entry entry;
  entry.value = hashbank::ParseHashValue(hashbank::SignalType::kMd5, kMd5).value();
  entry.category = "B2";
  ASSERT_TRUE(hashbank::WriteBankFile(hashdetect::BankPath(Data(), "seed"), "seed", {entry}).ok());
  // DropDisabled asks the real clock: a hold until 1970 is over, one until 2100
  // is not.
  ASSERT_EQ(hashdetect::WriteHeldEntries(Data(), {{"seed", kMd5, 4000}}), "");
  {
    hashdetect::BankSet banks(Data());
    auto matches = banks.banks()[0]->MatchExact(entry.value);
    ASSERT_TRUE(matches.ok());
    ASSERT_EQ(matches.value().size(), 1u);
    EXPECT_TRUE(banks.Disabled(matches.value()[0], 3999));
    std::vector<hashbank::Match> kept = matches.value();
    banks.DropDisabled(kept);
    EXPECT_EQ(kept.size(), 1u);
  }
  ASSERT_EQ(hashdetect::WriteHeldEntries(Data(), {{"seed", "0", 4102444800}}), "");
  {
    hashdetect::BankSet banks(Data());
    auto matches = banks.banks()[0]->MatchExact(entry.value);
    ASSERT_TRUE(matches.ok());
    std::vector<hashbank::Match> kept = matches.value();
    banks.DropDisabled(kept);  // by entry id: "0", the entry's index (it has no external id)
    EXPECT_TRUE(kept.empty());
  }

  {
    std::ofstream bad(hashdetect::HeldEntriesPath(Data()));
    bad << "{\"version\": 1, \"entries\": [{\"bank\": \"seed\"}]}";
  }
  EXPECT_THROW(hashdetect::BankSet{Data()}, vigil::sdk::ConfigError);
}

TEST_F(LocalBanksTest, ABankFileTheStoreDidNotWriteIsNeverWrittenOver) {
  const int64_t item = AddItemWithSignals("i1");
  ASSERT_TRUE(ClaimAndDecide(item, "A1", {"local-x"}).ok());
  std::filesystem::create_directories(hashdetect::BankDirectory(Data()));
  hashbank::Entry entry;
  entry.value = hashbank::ParseHashValue(hashbank::SignalType::kMd5, kMd5).value();
  ASSERT_TRUE(
      hashbank::WriteBankFile(hashdetect::BankPath(Data(), "local-x"), "local-x", {entry}).ok());
  auto written = MaterialiseBanks(store_->db(), Data(), 1000);
  ASSERT_FALSE(written.ok());
  EXPECT_THAT(written.status().message(), HasSubstr("was not written from the store"));
}

// Two stores in one folder share its lists folder: the file follows the store that
// writes it, even when both banks have as many entries with the same ids.
TEST_F(LocalBanksTest, AnotherStoresLocalBankInTheSameFolderIsWrittenOver) {
  ASSERT_TRUE(ClaimAndDecide(AddItemWithSignals("i1"), "A1", {"local-x"}).ok());
  ASSERT_EQ(MaterialiseBanks(store_->db(), Data(), 1000).value().banks_written, 1);
  auto other = Store::Open(dir_ / "other.db");
  ASSERT_TRUE(other.ok()) << other.status().message();
  std::swap(store_, other.value());
  ASSERT_TRUE(ClaimAndDecide(AddItemWithSignals("i1"), "B2", {"local-x"}).ok());
  auto written = MaterialiseBanks(store_->db(), Data(), 1000);
  std::swap(store_, other.value());
  ASSERT_TRUE(written.ok()) << written.status().message();
  EXPECT_EQ(written.value().banks_written, 1);
  hashdetect::BankSet banks(Data());
  ASSERT_EQ(banks.banks().size(), 1u);
  EXPECT_EQ(banks.banks()[0]->entry(0).category, "B2");
}

TEST(BankRulesPolicy, RulesAreReadStrictly) {
  auto policy = Policy::Parse(
      "[[bank_rules]]\nname = \"a\"\ndecisions = "
      "[\"A1\"]\nbank = \"local-confirmed\"\n",
      "p");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  ASSERT_EQ(policy.value().bank_rules().size(), 1u);
  EXPECT_EQ(policy.value().bank_rules()[0].bank, "local-confirmed");
  EXPECT_THAT(
      Policy::Parse("[[bank_rules]]\nname = \"a\"\nbank = \"ncmec\"\n", "p").status().message(),
      HasSubstr("must start with 'local-'"));
  EXPECT_THAT(Policy::Parse("[[bank_rules]]\nname = \"a\"\ndecisions = [\"not-illegal\"]\n"
                            "bank = \"local-x\"\n",
                            "p")
                  .status()
                  .message(),
              HasSubstr("A1, A2, B1 or B2"));
  EXPECT_THAT(Policy::Parse("[[bank_rules]]\nname = \"a\"\nbank = \"local-x\"\n"
                            "[[bank_rules]]\nname = \"a\"\nbank = \"local-y\"\n",
                            "p")
                  .status()
                  .message(),
              HasSubstr("named twice"));
  EXPECT_THAT(Policy::Parse("[[bank_rules]]\nname = \"a\"\nbank = \"local-x\"\nqueue = 1\n", "p")
                  .status()
                  .message(),
              HasSubstr("queue"));
}

}  // namespace
}  // namespace vigil::host
