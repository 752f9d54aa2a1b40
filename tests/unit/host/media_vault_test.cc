// Issue 13 item 3 on the workstation store (SQLite): media kept in the store,
// encrypted at rest (round trip, wrong key, tampered, truncated, moved streams
// refused; key file rules), each fetch audited, the scan's record keeping the
// media of queued items, and `vigil retention` deleting exactly the expired,
// unheld, decided items' media.
#include "store/media_vault.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <random>

#include "scan/sha256.h"
#include "store/audit_log.h"
#include "store/retention.h"
#include "store/store_settings.h"
#include "temp_store.h"

namespace vigil::host {
namespace {

using ::testing::HasSubstr;

std::string Bytes(size_t n, uint32_t seed) {
  std::mt19937 random(seed);
  std::string out(n, '\0');
  for (char &c : out) c = static_cast<char>(random() & 0xff);
  return out;
}

MediaKey KeyOf(unsigned char fill) {
  std::array<unsigned char, kMediaKeyBytes> bytes;
  bytes.fill(fill);
  bytes[0] = 0x5a;
  return MediaKey::FromBytes(bytes);
}

int64_t Count(Database &db, const std::string &sql) {
  Statement query(db, sql);
  EXPECT_EQ(query.Step(), kRow) << sql;
  return query.ColumnInt(0);
}

void Exec(Database &db, const std::string &sql) {
  Status s = db.Exec(sql);
  ASSERT_TRUE(s.ok()) << sql << ": " << s.message();
}

class MediaVaultTest : public TempStoreTest {
 protected:
  // An item in the store whose sha256 is that of `bytes` (queued for review).
  int64_t AddItem(const std::string &bytes) {
    return AddQueuedItem(*store_, Sha256Hex(bytes), Disposition::kReview, 3);
  }
  std::string Ciphertext(int64_t item) {
    Statement q(store_->db(), "SELECT ciphertext FROM media WHERE item_id = ?1");
    q.Bind(1, item);
    EXPECT_EQ(q.Step(), kRow);
    return q.ColumnBytes(0);
  }
  void SetCiphertext(int64_t item, const std::string &ciphertext) {
    Statement q(store_->db(), "UPDATE media SET ciphertext = ?2 WHERE item_id = ?1");
    q.Bind(1, item).BindBlob(2, ciphertext);
    ASSERT_EQ(q.Step(), kDone);
  }
  int64_t Fetches(int64_t item) {
    return Count(store_->db(),
                 "SELECT count(*) FROM audit_log WHERE action = 'media.fetched' "
                 "AND item_id = " +
                     std::to_string(item));
  }
  std::filesystem::path WriteFile(const std::string &name, const std::string &bytes, mode_t mode) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    ::chmod(path.c_str(), mode);
    return path;
  }
};

TEST_F(MediaVaultTest, BytesRoundTripInChunksAndEachFetchIsAudited) {
  // Three full 64 KiB chunks and a part: several chunks, and a size that is not
  // a multiple.
  const std::string bytes = Bytes(3 * kMediaChunkBytes + 1234, 1);
  const int64_t item = AddItem(bytes);
  MediaVault vault(store_->db(), KeyOf(7));
  ASSERT_TRUE(vault.Put(item, bytes).ok());
  // At rest it is not the plaintext (nor contains its first kilobyte).
  const std::string stored = Ciphertext(item);
  EXPECT_EQ(stored.find(bytes.substr(0, 1024)), std::string::npos);
  EXPECT_GT(stored.size(), bytes.size());

  EXPECT_EQ(Fetches(item), 0);
  auto fetched = vault.Fetch(item, "alice");
  ASSERT_TRUE(fetched.ok()) << fetched.status().message();
  EXPECT_EQ(fetched.value(), bytes);
  EXPECT_EQ(Fetches(item), 1);
  ASSERT_TRUE(vault.Fetch(item, "bob").ok());
  EXPECT_EQ(Fetches(item), 2);
  EXPECT_EQ(Count(store_->db(),
                  "SELECT count(*) FROM audit_log WHERE action = 'media.fetched' "
                  "AND actor = 'bob' AND details LIKE '%\"size\":" +
                      std::to_string(bytes.size()) + "%'"),
            1);
  auto audit = VerifyAudit(store_->db());
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit.value().problems.empty());

  // Edge sizes: empty, exactly one chunk, exactly two.
  for (size_t n : {size_t{0}, kMediaChunkBytes, 2 * kMediaChunkBytes}) {
    const std::string b = Bytes(n, static_cast<uint32_t>(n + 3));
    auto sealed = EncryptMedia(KeyOf(7), Sha256Hex(b), b);
    ASSERT_TRUE(sealed.ok());
    auto opened = DecryptMedia(KeyOf(7), Sha256Hex(b), sealed.value());
    ASSERT_TRUE(opened.ok()) << n << ": " << opened.status().message();
    EXPECT_EQ(opened.value(), b);
  }
}

TEST_F(MediaVaultTest, NoMediaIsNotFoundAndWrongBytesAreRefused) {
  const std::string bytes = Bytes(5000, 2);
  const int64_t item = AddItem(bytes);
  MediaVault vault(store_->db(), KeyOf(7));
  auto none = vault.Fetch(item, "alice");
  EXPECT_EQ(none.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(Fetches(item), 0);
  Status wrong = vault.Put(item, Bytes(5000, 3));
  EXPECT_EQ(wrong.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(wrong.message(), HasSubstr("SHA-256 differs"));
  EXPECT_EQ(Count(store_->db(), "SELECT count(*) FROM media"), 0);
}

TEST_F(MediaVaultTest, AWrongKeyIsRefused) {
  const std::string bytes = Bytes(70000, 4);
  const int64_t item = AddItem(bytes);
  ASSERT_TRUE(MediaVault(store_->db(), KeyOf(7)).Put(item, bytes).ok());
  MediaVault other(store_->db(), KeyOf(8));
  auto fetched = other.Fetch(item, "alice");
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(fetched.status().message(), HasSubstr("not authentic"));
}

TEST_F(MediaVaultTest, ATamperedChunkIsRefused) {
  const std::string bytes = Bytes(3 * kMediaChunkBytes, 5);
  const int64_t item = AddItem(bytes);
  MediaVault vault(store_->db(), KeyOf(7));
  ASSERT_TRUE(vault.Put(item, bytes).ok());
  const std::string original = Ciphertext(item);
  // One bit in the second chunk (past the magic, the header and the first
  // chunk).
  std::string tampered = original;
  tampered[4 + 24 + kMediaChunkBytes + 17 + 100] ^= 0x01;
  SetCiphertext(item, tampered);
  auto fetched = vault.Fetch(item, "alice");
  ASSERT_FALSE(fetched.ok());
  EXPECT_THAT(fetched.status().message(), HasSubstr("chunk 1 was altered"));
  // Two chunks swapped: each authentic alone, refused in the wrong order.
  std::string swapped = original;
  const size_t c = kMediaChunkBytes + 17, at = 4 + 24;
  std::swap_ranges(swapped.begin() + at, swapped.begin() + at + c, swapped.begin() + at + c);
  SetCiphertext(item, swapped);
  EXPECT_FALSE(vault.Fetch(item, "alice").ok());
  // The header changed: refused.
  std::string header = original;
  header[10] ^= 0x40;
  SetCiphertext(item, header);
  EXPECT_FALSE(vault.Fetch(item, "alice").ok());
}

TEST_F(MediaVaultTest, ATruncatedStreamIsRefused) {
  const std::string bytes = Bytes(2 * kMediaChunkBytes + 10, 6);
  const int64_t item = AddItem(bytes);
  MediaVault vault(store_->db(), KeyOf(7));
  ASSERT_TRUE(vault.Put(item, bytes).ok());
  const std::string original = Ciphertext(item);
  // Cut at a chunk boundary: every chunk left is authentic, but the final one
  // is missing.
  const size_t two_chunks = 4 + 24 + 2 * (kMediaChunkBytes + 17);
  ASSERT_LT(two_chunks, original.size());
  SetCiphertext(item, original.substr(0, two_chunks));
  auto cut = vault.Fetch(item, "alice");
  ASSERT_FALSE(cut.ok());
  EXPECT_THAT(cut.status().message(), HasSubstr("truncated"));
  // Cut inside the last chunk, and after the header only.
  SetCiphertext(item, original.substr(0, original.size() - 3));
  EXPECT_FALSE(vault.Fetch(item, "alice").ok());
  SetCiphertext(item, original.substr(0, 4 + 24));
  EXPECT_FALSE(vault.Fetch(item, "alice").ok());
  // Bytes appended after the final chunk.
  SetCiphertext(item, original + "x");
  EXPECT_FALSE(vault.Fetch(item, "alice").ok());
}

TEST_F(MediaVaultTest, AStreamMovedToAnotherItemIsRefused) {
  const std::string a = Bytes(1000, 7), b = Bytes(1000, 8);
  const int64_t item_a = AddItem(a), item_b = AddItem(b);
  MediaVault vault(store_->db(), KeyOf(7));
  ASSERT_TRUE(vault.Put(item_a, a).ok());
  ASSERT_TRUE(vault.Put(item_b, b).ok());
  // Item b's row gets a's stream (and a's sha256, so that only the binding can
  // tell).
  Statement move(store_->db(), "UPDATE media SET ciphertext = ?1 WHERE item_id = ?2");
  move.BindBlob(1, Ciphertext(item_a)).Bind(2, item_b);
  ASSERT_EQ(move.Step(), kDone);
  EXPECT_FALSE(vault.Fetch(item_b, "alice").ok());
  // The stream checks its item's sha256 after decryption too.
  auto sealed = EncryptMedia(KeyOf(7), Sha256Hex(b), a);
  ASSERT_TRUE(sealed.ok());
  auto opened = DecryptMedia(KeyOf(7), Sha256Hex(b), sealed.value());
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.status().message(), HasSubstr("SHA-256 is not the item's"));
}

TEST_F(MediaVaultTest, KeyFilesMustBePrivateAndExactly32Bytes) {
  const std::string key(32, 'k');
  auto good = MediaKey::Load(WriteFile("good.key", key, 0600));
  EXPECT_TRUE(good.ok()) << good.status().message();
  auto group = MediaKey::Load(WriteFile("group.key", key, 0640));
  ASSERT_FALSE(group.ok());
  EXPECT_THAT(group.status().message(), HasSubstr("accessible to group or others (mode 0640)"));
  auto world = MediaKey::Load(WriteFile("world.key", key, 0604));
  EXPECT_FALSE(world.ok());
  auto short_key = MediaKey::Load(WriteFile("short.key", std::string(31, 'k'), 0600));
  ASSERT_FALSE(short_key.ok());
  EXPECT_THAT(short_key.status().message(), HasSubstr("holds 31 bytes"));
  EXPECT_FALSE(MediaKey::Load(WriteFile("long.key", std::string(33, 'k'), 0600)).ok());
  EXPECT_FALSE(MediaKey::Load(WriteFile("empty.key", "", 0600)).ok());
  auto missing = MediaKey::Load(dir_ / "missing.key");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("missing.key"));
  EXPECT_FALSE(MediaKey::Load(dir_).ok());  // a folder
  // One line each.
  EXPECT_EQ(group.status().message().find('\n'), std::string::npos);
}

TEST_F(MediaVaultTest, TheRecordOfAQueuedItemKeepsItsMediaInTheSameTransaction) {
  store_->KeepMediaOfQueuedItems(KeyOf(9));
  const std::string bytes = Bytes(100000, 10);
  const std::filesystem::path file = WriteFile("item.bin", bytes, 0644);
  ItemRecord record;
  record.sha256 = Sha256Hex(bytes);
  record.path = file.string();
  record.size = bytes.size();
  record.media_kind = "binary";
  record.outcome.disposition = Disposition::kReview;
  auto id = store_->RecordItem(record);
  ASSERT_TRUE(id.ok()) << id.status().message();
  std::filesystem::remove(file);  // the console elsewhere cannot read the scanner's path
  auto fetched = MediaVault(store_->db(), KeyOf(9)).Fetch(id.value(), "alice");
  ASSERT_TRUE(fetched.ok()) << fetched.status().message();
  EXPECT_EQ(fetched.value(), bytes);

  // A cleared item keeps nothing.
  const std::string clear_bytes = Bytes(100, 11);
  ItemRecord clear = record;
  clear.sha256 = Sha256Hex(clear_bytes);
  clear.path = WriteFile("clear.bin", clear_bytes, 0644).string();
  clear.outcome.disposition = Disposition::kClear;
  ASSERT_TRUE(store_->RecordItem(clear).ok());
  EXPECT_EQ(Count(store_->db(), "SELECT count(*) FROM media"), 1);

  // A queued item whose file is gone (or changed) fails its record as a whole:
  // no item, no queue row without its media.
  ItemRecord gone = record;
  gone.sha256 = Sha256Hex("other bytes");
  gone.path = (dir_ / "gone.bin").string();
  auto failed = store_->RecordItem(gone);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("cannot keep the media"));
  EXPECT_EQ(Count(store_->db(), "SELECT count(*) FROM items WHERE sha256 = '" + gone.sha256 + "'"),
            0);
  ItemRecord changed = record;
  changed.sha256 = Sha256Hex("what was scanned");
  changed.path = WriteFile("changed.bin", "what is there now", 0644).string();
  auto refused = store_->RecordItem(changed);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("changed since it was scanned"));
  EXPECT_EQ(Count(store_->db(), "SELECT count(*) FROM queue"), 1);

  // A bare URL record (a manifest's URL, no file) is queued with no media to keep.
  ItemRecord url = record;
  url.sha256 = Sha256Hex("http://gallery.example.test/photo-7.jpg");
  url.path = "http://gallery.example.test/photo-7.jpg";
  url.size = 0;
  url.media_kind = "url";
  auto queued = store_->RecordItem(url);
  ASSERT_TRUE(queued.ok()) << queued.status().message();
  EXPECT_EQ(Count(store_->db(), "SELECT count(*) FROM queue"), 2);
  EXPECT_EQ(Count(store_->db(), "SELECT count(*) FROM media"), 1);
}

TEST_F(MediaVaultTest, AWorkstationStoreKeepsNoMediaUnlessAsked) {
  const std::string bytes = Bytes(100, 12);
  ItemRecord record;
  record.sha256 = Sha256Hex(bytes);
  record.path = WriteFile("item.bin", bytes, 0644).string();
  record.media_kind = "binary";
  record.outcome.disposition = Disposition::kReview;
  ASSERT_TRUE(store_->RecordItem(record).ok());
  EXPECT_EQ(Count(store_->db(), "SELECT count(*) FROM media"), 0);
}

class RetentionTest : public MediaVaultTest {
 protected:
  // An item with stored media, decided at `decided_at` (or pending when empty).
  int64_t AddDecided(uint32_t seed, const std::string &decided_at) {
    const std::string bytes = Bytes(2000, seed);
    const int64_t item = AddItem(bytes);
    EXPECT_TRUE(MediaVault(store_->db(), KeyOf(7)).Put(item, bytes).ok());
    if (!decided_at.empty()) {
      Exec(store_->db(),
           "UPDATE queue SET state = 'decided' WHERE item_id = " + std::to_string(item));
      Exec(store_->db(),
           "INSERT INTO decisions (item_id, reviewer, decision, "
           "reason, decided_at) "
           "VALUES (" +
               std::to_string(item) + ", 'alice', 'B1', 'r', '" + decided_at + "')");
      // As a decision through the queue would: its audit entry.
      Transaction tx(store_->db());
      EXPECT_TRUE(tx.Begin().ok());
      EXPECT_TRUE(AppendAudit(store_->db(),
                              {"alice", "queue.decided", item, R"({"decision":"B1","reason":"r"})"},
                              decided_at)
                      .ok());
      EXPECT_TRUE(tx.Commit().ok());
    }
    return item;
  }
  bool HasMedia(int64_t item) {
    return Count(store_->db(),
                 "SELECT count(*) FROM media WHERE item_id = " + std::to_string(item)) == 1;
  }
  const std::string now_ = "2026-12-07T12:00:00Z";
};

TEST_F(RetentionTest, DeletesExactlyTheExpiredUnheldDecidedItemsMedia) {
  const int64_t old_item = AddDecided(20, "2026-08-01T10:00:00Z");  // 128 days ago
  const int64_t held = AddDecided(21, "2026-08-02T10:00:00Z");      // expired, held
  const int64_t recent = AddDecided(22, "2026-11-30T10:00:00Z");    // 7 days ago
  const int64_t pending = AddDecided(23, "");                       // not decided
  const int64_t reopened = AddDecided(24, "2026-07-01T10:00:00Z");  // decided, reopened
  Exec(store_->db(),
       "UPDATE queue SET state = 'pending' WHERE item_id = " + std::to_string(reopened));
  const int64_t released = AddDecided(25, "2026-07-02T10:00:00Z");  // hold released
  const int64_t lapsed = AddDecided(26, "2026-07-03T10:00:00Z");    // hold ran out
  ASSERT_TRUE(PlaceHold(store_->db(), held, "2027-06-30", "legal request 17", "sam", now_).ok());
  ASSERT_TRUE(PlaceHold(store_->db(), released, "2027-06-30", "x", "sam", now_).ok());
  ASSERT_TRUE(ReleaseHolds(store_->db(), released, "sam", now_).ok());
  ASSERT_TRUE(
      PlaceHold(store_->db(), lapsed, "2026-12-08", "short", "sam", "2026-12-01T00:00:00Z").ok());
  const std::string later = "2026-12-09T12:00:00Z";  // the lapsed hold has ended
  const int64_t decisions = Count(store_->db(), "SELECT count(*) FROM decisions");
  const int64_t audit_before = Count(store_->db(), "SELECT count(*) FROM audit_log");

  // A dry run says what would go and changes nothing.
  auto dry = RunRetention(store_->db(), 90, /*dry_run=*/true, "sam", later);
  ASSERT_TRUE(dry.ok()) << dry.status().message();
  ASSERT_EQ(dry.value().deleted.size(), 3u);
  EXPECT_EQ(dry.value().deleted[0].item_id, old_item);
  EXPECT_EQ(dry.value().deleted[1].item_id, released);
  EXPECT_EQ(dry.value().deleted[2].item_id, lapsed);
  ASSERT_EQ(dry.value().held.size(), 1u);
  EXPECT_EQ(dry.value().held[0].item_id, held);
  EXPECT_EQ(dry.value().kept, 3);
  EXPECT_EQ(Count(store_->db(), "SELECT count(*) FROM media"), 7);
  EXPECT_EQ(Count(store_->db(), "SELECT count(*) FROM audit_log"), audit_before);

  auto run = RunRetention(store_->db(), 90, /*dry_run=*/false, "sam", later);
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_EQ(run.value().deleted.size(), 3u);
  EXPECT_FALSE(HasMedia(old_item));
  EXPECT_FALSE(HasMedia(released));
  EXPECT_FALSE(HasMedia(lapsed));
  EXPECT_TRUE(HasMedia(held));
  EXPECT_TRUE(HasMedia(recent));
  EXPECT_TRUE(HasMedia(pending));
  EXPECT_TRUE(HasMedia(reopened));
  // The items, their decisions and the audit log stay; each deletion is
  // audited.
  EXPECT_EQ(Count(store_->db(), "SELECT count(*) FROM items"), 7);
  EXPECT_EQ(Count(store_->db(), "SELECT count(*) FROM decisions"), decisions);
  EXPECT_EQ(Count(store_->db(), "SELECT count(*) FROM audit_log WHERE action = 'media.deleted'"),
            3);
  EXPECT_EQ(Count(store_->db(),
                  "SELECT count(*) FROM audit_log WHERE action = 'media.deleted' "
                  "AND actor = 'sam' AND item_id = " +
                      std::to_string(old_item)),
            1);
  auto audit = VerifyAudit(store_->db());
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit.value().problems.empty()) << ::testing::PrintToString(audit.value().problems);
  // Run again: nothing more.
  auto again = RunRetention(store_->db(), 90, false, "sam", later);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.value().deleted.empty());
  // A shorter period reaches the recent item.
  auto shorter = RunRetention(store_->db(), 5, false, "sam", later);
  ASSERT_TRUE(shorter.ok());
  ASSERT_EQ(shorter.value().deleted.size(), 1u);
  EXPECT_EQ(shorter.value().deleted[0].item_id, recent);
}

TEST_F(RetentionTest, HoldsAreAuditedListedAndNeverDeleted) {
  const int64_t item = AddDecided(30, "2026-01-01T00:00:00Z");
  EXPECT_EQ(PlaceHold(store_->db(), item, "2026-12-06", "r", "sam", now_).code(),
            Status::Code::kInvalidArgument);  // in the past
  EXPECT_EQ(PlaceHold(store_->db(), item, "2027-02-30", "r", "sam", now_).code(),
            Status::Code::kInvalidArgument);  // no such day
  EXPECT_EQ(PlaceHold(store_->db(), item, "next week", "r", "sam", now_).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(PlaceHold(store_->db(), item, "2027-01-01", "", "sam", now_).code(),
            Status::Code::kInvalidArgument);  // no reason
  EXPECT_EQ(PlaceHold(store_->db(), 9999, "2027-01-01", "r", "sam", now_).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(ReleaseHolds(store_->db(), item, "sam", now_).code(), Status::Code::kNotFound);
  ASSERT_TRUE(PlaceHold(store_->db(), item, "2027-01-01", "court order", "sam", now_).ok());
  auto holds = ListHolds(store_->db());
  ASSERT_TRUE(holds.ok());
  ASSERT_EQ(holds.value().size(), 1u);
  EXPECT_EQ(holds.value()[0].item_id, item);
  EXPECT_EQ(holds.value()[0].until, "2027-01-01T23:59:59Z");
  EXPECT_EQ(holds.value()[0].reason, "court order");
  ASSERT_TRUE(ReleaseHolds(store_->db(), item, "ria", now_).ok());
  EXPECT_TRUE(ListHolds(store_->db()).value().empty());
  EXPECT_EQ(Count(store_->db(),
                  "SELECT count(*) FROM audit_log WHERE action = 'retention.hold' "
                  "AND actor = 'sam'"),
            1);
  EXPECT_EQ(Count(store_->db(),
                  "SELECT count(*) FROM audit_log WHERE action = "
                  "'retention.release' AND actor = 'ria'"),
            1);
  // The released hold stays as history.
  EXPECT_EQ(Count(store_->db(),
                  "SELECT count(*) FROM preservation_holds WHERE released_by = "
                  "'ria'"),
            1);
  EXPECT_FALSE(store_->db().Exec("DELETE FROM preservation_holds").ok());
}

TEST(StoreSettingsTest, ReadsTheStoreTableStrictly) {
  auto settings = ParseStoreSettings(
      "[reviewer]\nlease_seconds = "
      "600\n[store]\nmedia_key_file = \"keys/media.key\"\n"
      "keep_media = true\nretention_days = 30\n",
      "/etc/vigil/org.toml");
  ASSERT_TRUE(settings.ok()) << settings.status().message();
  EXPECT_EQ(settings.value().media_key_file, std::filesystem::path("/etc/vigil/keys/media.key"));
  EXPECT_TRUE(settings.value().keep_media);
  EXPECT_EQ(settings.value().retention_days, 30);
  auto defaults = ParseStoreSettings("[reviewer]\n", "org.toml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults.value().retention_days, kDefaultRetentionDays);
  EXPECT_FALSE(defaults.value().keep_media);
  EXPECT_TRUE(defaults.value().media_key_file.empty());
  auto unknown = ParseStoreSettings("[store]\nmedia_key = \"k\"\n", "org.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("org.toml:2:13: unknown key 'media_key'"));
  EXPECT_FALSE(ParseStoreSettings("[store]\nkeep_media = \"yes\"\n", "o").ok());
  EXPECT_FALSE(ParseStoreSettings("[store]\nretention_days = 0\n", "o").ok());
  EXPECT_FALSE(ParseStoreSettings("[store]\nmedia_key_file = 3\n", "o").ok());
  EXPECT_FALSE(ParseStoreSettings("store = 1\n", "o").ok());
  EXPECT_FALSE(ParseStoreSettings("[store\n", "o").ok());
}

}  // namespace
}  // namespace vigil::host
