// Issue 13 item 3 on the team store, with real logins on their own connections: the media
// of queued items is read only through vigil_fetch_media (checked and logged by the
// database), a reviewer only for items they hold a lease on, an auditor never; retention
// and holds as the roles may; and a scan into the team store keeps the media of queued
// items, so that a console-side fetch works with the scanned file removed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "../unit/host/temp_store.h"
#include "pg_test_server.h"
#include "scan/sha256.h"
#include "store/audit_log.h"
#include "store/media_vault.h"
#include "store/retention.h"
#include "store/review_queue.h"
#include "store/store.h"

namespace vigil::host::testing {
namespace {

using ::testing::HasSubstr;

MediaKey TestKey() {
  std::array<unsigned char, kMediaKeyBytes> bytes;
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i * 7 + 1);
  return MediaKey::FromBytes(bytes);
}

std::string Bytes(size_t n, char seed) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>(seed + i * 31);
  return out;
}

class TeamMedia : public PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    auto store = Store::Open(url_);  // the superuser migrates and plays the scanner
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    first_bytes_ = Bytes(150000, 1);
    second_bytes_ = Bytes(3000, 2);
    first_ = AddQueuedItem(*store_, Sha256Hex(first_bytes_), Disposition::kReview, 4);
    second_ = AddQueuedItem(*store_, Sha256Hex(second_bytes_), Disposition::kReview, 3);
    MediaVault vault(store_->db(), TestKey());
    ASSERT_TRUE(vault.Put(first_, first_bytes_).ok());
    ASSERT_TRUE(vault.Put(second_, second_bytes_).ok());
  }
  void TearDown() override {
    store_.reset();
    PgTestServer::TearDown();
  }
  std::unique_ptr<Store> As(const std::string& login) {
    auto store = Store::Open(UrlFor(login, database_));
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  int64_t FetchEntries(const std::string& login) {
    return std::stoll(Scalar(store_->db(),
                             "SELECT count(*) FROM audit_log WHERE action = 'media.fetched' AND "
                             "actor = '" +
                                 login + "'"));
  }

  std::unique_ptr<Store> store_;
  std::string first_bytes_, second_bytes_;
  int64_t first_ = 0, second_ = 0;
};

TEST_F(TeamMedia, AReviewerFetchesOnlyWhatTheyHoldAndEachFetchIsLoggedByTheDatabase) {
  const std::string alice = MakeLogin("alice", {"vigil_reviewer"});
  auto as_alice = As(alice);
  ASSERT_NE(as_alice, nullptr);
  MediaVault vault(as_alice->db(), TestKey());
  // Not held: the database refuses, and logs nothing.
  auto refused = vault.Fetch(first_, alice);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("may not read the media"));
  EXPECT_EQ(FetchEntries(alice), 0);
  // Nor can her own connection read the table: not the ciphertext, not the rows.
  EXPECT_THAT(RunSql(as_alice->db(), "SELECT ciphertext FROM media"),
              HasSubstr("permission denied"));
  EXPECT_EQ(Scalar(as_alice->db(), "SELECT count(*) FROM media"), "0");

  ReviewQueue queue(*as_alice);
  ClaimOptions options;
  options.only_item = first_;
  auto claimed = queue.Claim(alice, options);
  ASSERT_TRUE(claimed.ok()) << claimed.status().message();
  ASSERT_TRUE(claimed->has_value());
  // Held: she sees the row (not the ciphertext) and fetches through the function.
  EXPECT_EQ(Scalar(as_alice->db(), "SELECT count(*) FROM media"), "1");
  EXPECT_THAT(RunSql(as_alice->db(), "SELECT ciphertext FROM media"),
              HasSubstr("permission denied"));
  auto fetched = vault.Fetch(first_, "whoever the client says");
  ASSERT_TRUE(fetched.ok()) << fetched.status().message();
  EXPECT_EQ(fetched.value(), first_bytes_);
  ASSERT_TRUE(vault.Fetch(first_, alice).ok());
  EXPECT_EQ(FetchEntries(alice), 2);  // the actor is the login, whatever the client passed
  EXPECT_EQ(Scalar(store_->db(),
                   "SELECT item_id FROM audit_log WHERE action = 'media.fetched' "
                   "ORDER BY seq DESC LIMIT 1"),
            std::to_string(first_));
  EXPECT_THAT(Scalar(store_->db(),
                     "SELECT details FROM audit_log WHERE action = "
                     "'media.fetched' ORDER BY seq DESC LIMIT 1"),
              HasSubstr(std::to_string(first_bytes_.size())));
  // Still not the other item.
  EXPECT_FALSE(vault.Fetch(second_, alice).ok());
  // A modified client cannot write the log line itself in someone else's name, nor skip it
  // by calling the check: the media only comes out of vigil_fetch_media.
  EXPECT_THAT(RunSql(as_alice->db(), "DELETE FROM media"), HasSubstr("permission denied"));
  EXPECT_THAT(RunSql(as_alice->db(), "UPDATE media SET size = 1"), HasSubstr("permission denied"));
  auto audit = VerifyAudit(store_->db());
  ASSERT_TRUE(audit.ok()) << audit.status().message();
  for (const std::string& p : audit->problems) ADD_FAILURE() << p;
}

TEST_F(TeamMedia, AnAuditorReadsNoMediaAndASeniorReadsAny) {
  const std::string audrey = MakeLogin("audrey", {"vigil_auditor"});
  auto as_audrey = As(audrey);
  ASSERT_NE(as_audrey, nullptr);
  EXPECT_THAT(RunSql(as_audrey->db(), "SELECT item_id FROM media"), HasSubstr("permission denied"));
  EXPECT_THAT(
      RunSql(as_audrey->db(), "SELECT * FROM vigil_fetch_media(" + std::to_string(first_) + ")"),
      HasSubstr("permission denied"));
  EXPECT_FALSE(MediaVault(as_audrey->db(), TestKey()).Fetch(first_, audrey).ok());
  EXPECT_EQ(FetchEntries(audrey), 0);

  const std::string carol = MakeLogin("carol", {"vigil_senior"});
  auto as_carol = As(carol);
  ASSERT_NE(as_carol, nullptr);
  auto fetched = MediaVault(as_carol->db(), TestKey()).Fetch(second_, carol);
  ASSERT_TRUE(fetched.ok()) << fetched.status().message();
  EXPECT_EQ(fetched.value(), second_bytes_);
  EXPECT_EQ(FetchEntries(carol), 1);
  // The scanner stores media but reads none back.
  const std::string scanner = MakeLogin("scanner", {"vigil_scanner"});
  auto as_scanner = As(scanner);
  ASSERT_NE(as_scanner, nullptr);
  EXPECT_FALSE(MediaVault(as_scanner->db(), TestKey()).Fetch(first_, scanner).ok());
  const std::string third = Bytes(500, 3);
  const int64_t third_item = AddQueuedItem(*store_, Sha256Hex(third), Disposition::kReview, 2);
  Status put = MediaVault(as_scanner->db(), TestKey()).Put(third_item, third);
  EXPECT_TRUE(put.ok()) << put.message();
}

TEST_F(TeamMedia, RetentionAndHoldsAsTheRolesMay) {
  // Both decided long ago (as the superuser, the store's administrator, records them).
  for (int64_t item : {first_, second_}) {
    ASSERT_EQ(RunSql(store_->db(),
                     "UPDATE queue SET state = 'decided' WHERE item_id = " + std::to_string(item)),
              "");
    ASSERT_EQ(RunSql(store_->db(),
                     "INSERT INTO decisions (item_id, reviewer, decision, "
                     "reason, decided_at) VALUES (" +
                         std::to_string(item) + ", 'policy:x', 'B1', 'r', '2020-01-01T00:00:00Z')"),
              "");
  }
  const std::string now = NowUtc();
  const std::string alice = MakeLogin("alice", {"vigil_reviewer"});
  const std::string carol = MakeLogin("carol", {"vigil_senior"});
  const std::string adam = MakeLogin("adam", {"vigil_admin"});
  auto as_alice = As(alice);
  auto as_carol = As(carol);
  auto as_adam = As(adam);
  ASSERT_TRUE(as_alice && as_carol && as_adam);
  // A reviewer places no hold; a senior does, as themself.
  EXPECT_FALSE(PlaceHold(as_alice->db(), first_, "2099-01-01", "x", alice, now).ok());
  EXPECT_FALSE(PlaceHold(as_carol->db(), first_, "2099-01-01", "x", alice, now).ok());
  ASSERT_TRUE(PlaceHold(as_carol->db(), first_, "2099-01-01", "legal", carol, now).ok());
  EXPECT_THAT(RunSql(as_carol->db(), "DELETE FROM preservation_holds"),
              HasSubstr("permission denied"));
  // A reviewer or senior deletes no media: the database refuses retention.
  EXPECT_FALSE(RunRetention(as_alice->db(), 90, false, alice, now).ok());
  EXPECT_FALSE(RunRetention(as_carol->db(), 90, false, carol, now).ok());
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM media"), "2");
  // An admin: the dry run changes nothing, the run deletes the unheld one only.
  auto dry = RunRetention(as_adam->db(), 90, true, adam, now);
  ASSERT_TRUE(dry.ok()) << dry.status().message();
  ASSERT_EQ(dry->deleted.size(), 1u);
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM media"), "2");
  auto run = RunRetention(as_adam->db(), 90, false, adam, now);
  ASSERT_TRUE(run.ok()) << run.status().message();
  ASSERT_EQ(run->deleted.size(), 1u);
  EXPECT_EQ(run->deleted[0].item_id, second_);
  ASSERT_EQ(run->held.size(), 1u);
  EXPECT_EQ(Scalar(store_->db(), "SELECT item_id FROM media"), std::to_string(first_));
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM items"), "2");
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM decisions"), "2");
  EXPECT_EQ(Scalar(store_->db(), "SELECT actor FROM audit_log WHERE action = 'media.deleted'"),
            adam);
  // The senior releases the hold (as themself); the next run deletes it.
  ASSERT_TRUE(ReleaseHolds(as_carol->db(), first_, carol, now).ok());
  EXPECT_EQ(Scalar(store_->db(), "SELECT released_by FROM preservation_holds"), carol);
  auto next = RunRetention(as_adam->db(), 90, false, adam, now);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->deleted.size(), 1u);
  EXPECT_EQ(Scalar(store_->db(), "SELECT count(*) FROM media"), "0");
  EXPECT_EQ(Scalar(store_->db(),
                   "SELECT count(*) FROM audit_log WHERE action IN ('retention.hold', "
                   "'retention.release', 'media.deleted')"),
            "4");
}

// `vigil scan` into the team store keeps the media of the queued item; with the file gone,
// the reviewer who claims it fetches it through the store.
TEST_F(TeamMedia, AScanKeepsQueuedMediaSoAConsoleElsewhereCanFetchIt) {
  const std::filesystem::path scratch =
      std::filesystem::temp_directory_path() / ("vigil-team-media-" + std::to_string(getpid()));
  std::filesystem::remove_all(scratch);
  std::filesystem::create_directories(scratch / "items");
  const std::filesystem::path image = std::filesystem::path(VIGIL_TESTDATA) / "pdq" /
                                      "images-and-lists" / "misc-images" / "small.jpg";
  std::ifstream in(image, std::ios::binary);
  ASSERT_TRUE(in) << image;
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const std::filesystem::path copy = scratch / "items" / "small.jpg";
  std::ofstream(copy, std::ios::binary) << bytes;
  // The item's MD5 in an exact list with a category the default policy sends to review.
  {
    const std::string command =
        "md5sum " + copy.string() + " | cut -d' ' -f1 > " + (scratch / "list.txt").string();
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  const std::filesystem::path key = scratch / "media.key";
  {
    std::ofstream out(key, std::ios::binary);
    out << std::string(32, 'q');
  }
  ::chmod(key.c_str(), 0600);
  std::ofstream(scratch / "policy.toml") << "[defaults]\nunmatched = \"review\"\n";
  const std::string policy = "--policy " + (scratch / "policy.toml").string() + " ";
  std::ofstream(scratch / "org.toml") << "[store]\nmedia_key_file = \"media.key\"\n";
  const std::string scanner = MakeLogin("scanner", {"vigil_scanner"});
  auto vigil = [&](const std::string& login, const std::string& args) {
    const std::string command = "HOME=" + scratch.string() + " " + VIGIL_BINARY_DIR +
                                "/bin/vigil " + args + " --store " + UrlFor(login, database_) +
                                " > " + (scratch / "out").string() + " 2> " +
                                (scratch / "err").string();
    const int status = std::system(command.c_str());
    std::ifstream err(scratch / "err");
    std::string text((std::istreambuf_iterator<char>(err)), {});
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, text);
  };
  auto imported = vigil(scanner, "lists import --type md5 --format plain --bank b --category B1 " +
                                     (scratch / "list.txt").string());
  ASSERT_EQ(imported.first, 0) << imported.second;
  // Without a media key the team store refuses to scan (the media would be lost).
  auto no_key = vigil(scanner, "scan " + policy + copy.string());
  EXPECT_NE(no_key.first, 0);
  EXPECT_THAT(no_key.second, HasSubstr("a team store keeps the media"));
  auto scanned = vigil(scanner, "scan " + policy + "--config " + (scratch / "org.toml").string() +
                                    " " + copy.string());
  ASSERT_EQ(scanned.first, 0) << scanned.second;
  std::filesystem::remove(copy);

  const std::string item =
      Scalar(store_->db(), "SELECT id FROM items WHERE sha256 = '" + Sha256Hex(bytes) + "'");
  ASSERT_FALSE(item.empty());
  EXPECT_EQ(Scalar(store_->db(), "SELECT state FROM queue WHERE item_id = " + item), "pending");
  const std::string alice = MakeLogin("alice", {"vigil_reviewer"});
  auto as_alice = As(alice);
  ASSERT_NE(as_alice, nullptr);
  ReviewQueue queue(*as_alice);
  ClaimOptions options;
  options.only_item = std::stoll(item);
  auto claimed = queue.Claim(alice, options);
  ASSERT_TRUE(claimed.ok() && claimed->has_value()) << claimed.status().message();
  auto key_loaded = MediaKey::Load(key);
  ASSERT_TRUE(key_loaded.ok()) << key_loaded.status().message();
  // The console's one way to an item's bytes: the store's copy (the file is gone).
  MediaVault vault(as_alice->db(), key_loaded.value());
  auto fetched = ReadItemBytes(&vault, std::stoll(item), copy.string(), alice);
  ASSERT_TRUE(fetched.ok()) << fetched.status().message();
  EXPECT_EQ(fetched.value(), bytes);
  EXPECT_EQ(FetchEntries(alice), 1);
  std::filesystem::remove_all(scratch);
}

}  // namespace
}  // namespace vigil::host::testing
