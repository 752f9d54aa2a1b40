// Bank files: round trip, updates and deletions, atomic replacement, and refusal of
// truncated, damaged and crafted files.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <random>

#include "bank_format.h"
#include "bank_test_util.h"
#include "checksum.h"
#include "verified_marker.h"
#include "vigil/hashbank/bank.h"
#include "vigil/hashbank/bank_update.h"
#include "vigil/hashbank/importers.h"
#include "vigil/hashbank/temp_files.h"

namespace vigil::hashbank {
namespace {

using ::testing::HasSubstr;
using testing::ReadFileBytes;
using testing::ReadTestData;
using testing::TempDir;
using testing::WriteFileBytes;

HashValue Value(SignalType type, const std::string& hex) {
  Result<HashValue> v = ParseHashValue(type, hex);
  EXPECT_TRUE(v.ok()) << v.status().message();
  return v.ok() ? v.value() : HashValue{};
}

// A small bank with every signal type, metadata and a near-duplicate PDQ family.
std::vector<Entry> MixedEntries() {
  std::vector<Entry> entries;
  std::mt19937_64 rng(7);
  const PdqWords centre = testing::RandomPdq(rng);
  for (int i = 0; i < 40; ++i) {
    Entry e = testing::PdqEntry(i % 2 ? centre : testing::FlipBits(centre, i % 30, rng),
                                "pdq-" + std::to_string(i));
    e.category = i % 3 ? "A1" : "free text category";
    e.severity = i % 6;
    e.added_unix = 1700000000 + i;
    entries.push_back(e);
  }
  for (SignalType type : {SignalType::kMd5, SignalType::kSha1, SignalType::kSha256}) {
    for (int i = 0; i < 10; ++i) {
      Entry e;
      e.value.type = type;
      for (size_t b = 0; b < e.value.size(); ++b) e.value.bytes[b] = static_cast<uint8_t>(rng());
      e.source = "digest-source";
      e.external_id = std::string(SignalTypeName(type)) + std::to_string(i);
      entries.push_back(e);
    }
  }
  entries.push_back(entries[45]);  // a duplicate digest: both entries must be found
  entries.back().external_id = "duplicate";
  return entries;
}

TEST(BankFileTest, RoundTripKeepsEveryEntryAndFindsEveryValue) {
  TempDir dir;
  const std::vector<Entry> entries = MixedEntries();
  ASSERT_TRUE(WriteBankFile(dir.File("b.vbank"), "mixed", entries).ok());
  Result<std::unique_ptr<Bank>> bank = Bank::Open(dir.File("b.vbank"));
  ASSERT_TRUE(bank.ok()) << bank.status().message();
  const Bank& b = *bank.value();
  EXPECT_EQ(b.name(), "mixed");
  ASSERT_EQ(b.size(), entries.size());
  EXPECT_EQ(b.count(SignalType::kPdq), 40u);
  EXPECT_EQ(b.count(SignalType::kMd5), 11u);
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry e = b.entry(i);
    EXPECT_EQ(e.value, entries[i].value);
    EXPECT_EQ(e.category, entries[i].category);
    EXPECT_EQ(e.severity, entries[i].severity);
    EXPECT_EQ(e.added_unix, entries[i].added_unix);
    EXPECT_EQ(e.external_id, entries[i].external_id);
    Result<std::vector<Match>> m = b.MatchExact(entries[i].value);
    ASSERT_TRUE(m.ok());
    bool found = false;
    for (const Match& x : m.value()) found |= x.entry_index == i && x.bank == "mixed";
    EXPECT_TRUE(found) << "entry " << i;
  }
  Result<std::vector<Match>> dup = b.MatchExact(entries[45].value);
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->size(), 2u);
  HashValue absent = entries[45].value;
  absent.bytes[0] ^= 1;
  EXPECT_TRUE(b.MatchExact(absent)->empty());
}

TEST(BankFileTest, EmptyBankOpensAndMatchesNothing) {
  TempDir dir;
  ASSERT_TRUE(WriteBankFile(dir.File("e.vbank"), "empty", {}).ok());
  Result<std::unique_ptr<Bank>> bank = Bank::Open(dir.File("e.vbank"));
  ASSERT_TRUE(bank.ok()) << bank.status().message();
  PdqWords q{};
  EXPECT_TRUE(bank.value()->QueryPdq(&q, 1, 256)->empty());
  EXPECT_TRUE(bank.value()->MatchExact(Value(SignalType::kMd5, std::string(32, '0')))->empty());
}

TEST(BankFileTest, MissingFileIsNotFound) {
  TempDir dir;
  Result<std::unique_ptr<Bank>> bank = Bank::Open(dir.File("absent.vbank"));
  ASSERT_FALSE(bank.ok());
  EXPECT_EQ(bank.status().code(), StatusCode::kNotFound);
}

TEST(BankFileTest, TruncatedFilesAreRefusedWithAMessage) {
  TempDir dir;
  ASSERT_TRUE(WriteBankFile(dir.File("b.vbank"), "mixed", MixedEntries()).ok());
  const std::string bytes = ReadFileBytes(dir.File("b.vbank"));
  for (size_t len : {size_t{0}, size_t{1}, size_t{8}, size_t{159}, size_t{160}, size_t{1000},
                     bytes.size() / 2, bytes.size() - 33, bytes.size() - 1}) {
    WriteFileBytes(dir.File("t.vbank"), bytes.substr(0, len));
    Result<std::unique_ptr<Bank>> bank = Bank::Open(dir.File("t.vbank"));
    ASSERT_FALSE(bank.ok()) << "truncated to " << len;
    EXPECT_EQ(bank.status().code(), StatusCode::kCorruption) << bank.status().message();
    EXPECT_FALSE(bank.status().message().empty());
  }
  WriteFileBytes(dir.File("t.vbank"), bytes + "appended");
  EXPECT_THAT(Bank::Open(dir.File("t.vbank")).status().message(), HasSubstr("appended"));
  WriteFileBytes(dir.File("t.vbank"),
                 "not a bank file at all, just text that is long enough to fill a header " +
                     std::string(200, 'x'));
  EXPECT_THAT(Bank::Open(dir.File("t.vbank")).status().message(), HasSubstr("magic"));
}

// Any single flipped byte is either refused on open or (padding) changes no answer.
TEST(BankFileTest, EveryFlippedByteIsDetectedOrHarmless) {
  TempDir dir;
  const std::vector<Entry> entries = MixedEntries();
  ASSERT_TRUE(WriteBankFile(dir.File("b.vbank"), "mixed", entries).ok());
  const std::string bytes = ReadFileBytes(dir.File("b.vbank"));
  std::vector<PdqWords> queries;
  for (int i = 0; i < 40; i += 5)
    queries.push_back(PdqWordsFromBytes(entries[i].value.bytes.data()));
  Result<std::unique_ptr<Bank>> good = Bank::Open(dir.File("b.vbank"));
  ASSERT_TRUE(good.ok());
  size_t refused = 0;
  size_t tried = 0;
  // Every header byte, then a prime stride through the sections and the section table.
  for (size_t at = 0; at < bytes.size(); at += at < sizeof(internal::FileHeader) ? 1 : 29) {
    ++tried;
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5a);
    WriteFileBytes(dir.File("d.vbank"), damaged);
    Result<std::unique_ptr<Bank>> bank = Bank::Open(dir.File("d.vbank"));
    if (!bank.ok()) {
      ++refused;
      continue;
    }
    for (const PdqWords& q : queries) {
      EXPECT_EQ(bank.value()->QueryPdq(&q, 1)->size(), good.value()->QueryPdq(&q, 1)->size())
          << "byte " << at;
    }
  }
  EXPECT_GT(refused, tried / 2);
}

// Without checksum verification, damaged content must still never lead outside the mapping
// (ASan checks this); structural damage is refused.
TEST(BankFileTest, UncheckedDamageNeverReadsOutOfBounds) {
  TempDir dir;
  const std::vector<Entry> entries = MixedEntries();
  ASSERT_TRUE(WriteBankFile(dir.File("b.vbank"), "mixed", entries).ok());
  const std::string bytes = ReadFileBytes(dir.File("b.vbank"));
  OpenOptions unchecked;
  unchecked.verify_checksums = false;
  std::mt19937_64 rng(3);
  for (size_t at = sizeof(internal::FileHeader); at < bytes.size(); at += 19) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(rng());
    WriteFileBytes(dir.File("d.vbank"), damaged);
    Result<std::unique_ptr<Bank>> bank = Bank::Open(dir.File("d.vbank"), unchecked);
    if (!bank.ok()) continue;
    const Bank& b = *bank.value();
    for (size_t i = 0; i < b.size(); ++i) (void)b.entry(i);
    for (const Entry& e : entries) (void)b.MatchExact(e.value);
    const PdqWords q = PdqWordsFromBytes(entries[3].value.bytes.data());
    (void)b.QueryPdq(&q, 1, 64);
  }
}

// A crafted file with valid checksums but an index id past the table is refused.
TEST(BankFileTest, CraftedIndexWithValidChecksumsIsRefused) {
  TempDir dir;
  ASSERT_TRUE(WriteBankFile(dir.File("b.vbank"), "mixed", MixedEntries()).ok());
  std::string bytes = ReadFileBytes(dir.File("b.vbank"));
  internal::FileHeader header;
  std::memcpy(&header, bytes.data(), sizeof header);
  auto* table = reinterpret_cast<internal::SectionRecord*>(&bytes[header.section_table_offset]);
  bool patched = false;
  for (uint32_t i = 0; i < header.section_count; ++i) {
    internal::SectionRecord& rec = table[i];
    if (rec.kind != internal::kMihIds || rec.index != 3) continue;
    uint32_t huge = 0x7fffffff;
    std::memcpy(&bytes[rec.offset + 8], &huge, 4);
    rec.checksum = internal::Checksum64(&bytes[rec.offset], rec.bytes);
    patched = true;
  }
  ASSERT_TRUE(patched);
  header.section_table_checksum =
      internal::Checksum64(table, header.section_count * sizeof(internal::SectionRecord));
  header.header_checksum =
      internal::Checksum64(&header, offsetof(internal::FileHeader, header_checksum));
  std::memcpy(bytes.data(), &header, sizeof header);
  WriteFileBytes(dir.File("c.vbank"), bytes);
  Result<std::unique_ptr<Bank>> bank = Bank::Open(dir.File("c.vbank"));
  ASSERT_FALSE(bank.ok());
  EXPECT_THAT(bank.status().message(), HasSubstr("refers past"));
}

// [SECTION] updates, deletions, atomicity

TEST(BankUpdateTest, NcmecPagesUpdateAndDeleteRecords) {
  TempDir dir;
  const std::string path = dir.File("ncmec.vbank");
  for (const char* page : {"entries_xml3.xml", "entries_xml4.xml"}) {
    Result<ImportResult> r =
        ImportNcmecXml(ReadTestData(std::string("formats/ncmec/") + page), ImportOptions{});
    ASSERT_TRUE(r.ok()) << r.status().message();
    Result<ApplyStats> stats = UpdateBankFile(path, "ncmec", r.value());
    ASSERT_TRUE(stats.ok()) << stats.status().message();
  }
  Result<std::unique_ptr<Bank>> bank = Bank::Open(path);
  ASSERT_TRUE(bank.ok());
  ASSERT_EQ(bank.value()->size(), 1u);  // willdelete is gone
  const Entry e = bank.value()->entry(0);
  EXPECT_EQ(e.external_id, "101-willupdate");
  EXPECT_EQ(e.category, "A2");  // updated from A1
  EXPECT_EQ(e.value.ToHex(), "facefacefacefacefacefacefaceface");
}

TEST(BankUpdateTest, DeletionsByValueAndByIdAndDocumentOrder) {
  std::vector<Entry> entries;
  ImportResult first;
  std::mt19937_64 rng(11);
  const PdqWords a = testing::RandomPdq(rng), b = testing::RandomPdq(rng);
  first.AddEntry(testing::PdqEntry(a));
  first.AddEntry(testing::PdqEntry(b, "rec-b"));
  first.AddEntry(testing::PdqEntry(a));  // same value, no id: replaces, not duplicates
  ApplyStats s1 = ApplyImport(entries, first);
  EXPECT_EQ(s1.total, 2u);
  EXPECT_EQ(s1.added, 2u);  // the repeated value is one entry

  ImportResult second;
  Deletion by_value;
  by_value.has_value = true;
  by_value.value = testing::PdqEntry(a).value;
  second.AddDeletion(by_value);
  second.AddEntry(testing::PdqEntry(a));  // re-added after its deletion: stays
  Deletion by_id;
  by_id.source = "test";
  by_id.external_id = "rec-b";
  second.AddDeletion(by_id);
  ApplyStats s2 = ApplyImport(entries, second);
  EXPECT_EQ(s2.deleted, 1u);  // rec-b; a was deleted and added back as it was
  EXPECT_EQ(s2.unchanged, 1u);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].value, testing::PdqEntry(a).value);
}

TEST(BankUpdateTest, RefusedImportLeavesTheBankFileUnchanged) {
  TempDir dir;
  const std::string path = dir.File("b.vbank");
  Result<ImportResult> sample =
      ImportHma(testing::ReadSourceFile("samples/lists/demo.hma.txt"), ImportOptions{});
  ASSERT_TRUE(sample.ok());
  ASSERT_TRUE(UpdateBankFile(path, "demo", sample.value()).ok());
  const std::string before = ReadFileBytes(path);
  ImportOptions refuse;
  refuse.policy = BadRecordPolicy::kRefuse;
  Result<ImportResult> bad = ImportHma("pdq " + std::string(64, 'a') + "\npdq short\n", refuse);
  ASSERT_FALSE(bad.ok());  // nothing to apply: the caller has no result
  EXPECT_EQ(ReadFileBytes(path), before);
}

TEST(BankUpdateTest, FailedWriteLeavesTheBankFileUnchangedAndNoTempFile) {
  TempDir dir;
  const std::string path = dir.File("b.vbank");
  ImportResult small;
  small.AddEntry(testing::PdqEntry(testing::RandomHashes(1, 1)[0]));
  ASSERT_TRUE(UpdateBankFile(path, "b", small).ok());
  const std::string before = ReadFileBytes(path);

  ImportResult big;
  for (const PdqWords& h : testing::RandomHashes(20000, 2)) big.AddEntry(testing::PdqEntry(h));
  // Make the write fail part-way: a file-size limit below the new bank's size.
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGXFSZ, &ignore, &old);
  rlimit saved{};
  getrlimit(RLIMIT_FSIZE, &saved);
  rlimit limited = saved;
  limited.rlim_cur = 64 * 1024;
  setrlimit(RLIMIT_FSIZE, &limited);
  Result<ApplyStats> stats = UpdateBankFile(path, "b", big);
  setrlimit(RLIMIT_FSIZE, &saved);
  sigaction(SIGXFSZ, &old, nullptr);
  ASSERT_FALSE(stats.ok());
  EXPECT_THAT(stats.status().message(), HasSubstr("was not changed"));
  EXPECT_EQ(ReadFileBytes(path), before);
  EXPECT_THAT(dir.List(), ::testing::UnorderedElementsAre("b.vbank", "b.vbank.verified"));
  ASSERT_TRUE(Bank::Open(path).ok());
}

TEST(BankUpdateTest, ADamagedExistingBankIsNotSilentlyReplaced) {
  TempDir dir;
  const std::string path = dir.File("b.vbank");
  WriteFileBytes(path, std::string(500, 'x'));
  ImportResult one;
  one.AddEntry(testing::PdqEntry(testing::RandomHashes(1, 1)[0]));
  Result<ApplyStats> stats = UpdateBankFile(path, "b", one);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ReadFileBytes(path), std::string(500, 'x'));
}

// [SECTION] full verification once per file version (the verified marker)

// Flips one byte in place (same inode, same size), as bit rot or a careless edit would.
void FlipByteInPlace(const std::string& path, uint64_t at) {
  const int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  unsigned char c = 0;
  ASSERT_EQ(::pread(fd, &c, 1, static_cast<off_t>(at)), 1);
  c ^= 0x5a;
  ASSERT_EQ(::pwrite(fd, &c, 1, static_cast<off_t>(at)), 1);
  ::close(fd);
}

// The offset of the first byte of section (kind, index).
uint64_t SectionOffset(const std::string& path, uint32_t kind, uint32_t index) {
  const std::string bytes = ReadFileBytes(path);
  internal::FileHeader header;
  std::memcpy(&header, bytes.data(), sizeof header);
  for (uint32_t i = 0; i < header.section_count; ++i) {
    internal::SectionRecord rec;
    std::memcpy(&rec, &bytes[header.section_table_offset + i * sizeof rec], sizeof rec);
    if (rec.kind == kind && rec.index == index && rec.bytes > 0) return rec.offset;
  }
  ADD_FAILURE() << "no section " << kind << "/" << index;
  return 0;
}

struct stat StatOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st;
}

// WriteBankFile records the marker of the bank it wrote; an open of that unchanged bank then
// checks only the structure. On main every open recomputed every checksum.
TEST(BankVerificationTest, AnUnchangedVerifiedBankIsNotReadAgain) {
  TempDir dir;
  const std::string path = dir.File("b.bank");
  ASSERT_TRUE(WriteBankFile(path, "mixed", MixedEntries()).ok());
  ASSERT_EQ(ReadFileBytes(VerifiedMarkerPath(path)).size(), 64u);
  Result<std::unique_ptr<Bank>> first = Bank::Open(path);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_FALSE(first.value()->fully_verified());
  EXPECT_EQ(first.value()->Entries().size(), MixedEntries().size());
  OpenOptions always;
  always.verification = BankVerification::kAlways;
  Result<std::unique_ptr<Bank>> full = Bank::Open(path, always);
  ASSERT_TRUE(full.ok());
  EXPECT_TRUE(full.value()->fully_verified());

  // Proof that the structural open does not read the payload: damage a PDQ code and give
  // the damaged file a marker (as if it had been verified). Open accepts it unread; a full
  // verification finds the damage.
  FlipByteInPlace(path, SectionOffset(path, internal::kPdqCodes, 0) + 5);
  OpenOptions no_record;
  no_record.record_verified = false;
  const struct stat st = StatOf(path);
  internal::FileHeader header;
  std::memcpy(&header, ReadFileBytes(path).data(), sizeof header);
  ASSERT_TRUE(internal::RecordMarker(path, st, header.header_checksum,
                                     internal::RealtimeNanos() + 1'000'000'000, 0));
  Result<std::unique_ptr<Bank>> trusted = Bank::Open(path, no_record);
  ASSERT_TRUE(trusted.ok()) << "the marker matched: the open must not have read the payload";
  EXPECT_FALSE(trusted.value()->fully_verified());
  const Status verified = VerifyBankFile(path);
  EXPECT_FALSE(verified.ok());
  EXPECT_THAT(verified.message(), HasSubstr("checksum mismatch in section 5/0"));
  EXPECT_FALSE(Bank::Open(path, always).ok());
}

// A bank changed after it was written (same inode, same size) is verified again on open and
// refused: its mtime moved, so the marker no longer describes it. Replacing the file (a new
// inode) has the same effect.
TEST(BankVerificationTest, AChangedBankIsFullyVerifiedAgainAndRefused) {
  TempDir dir;
  const std::string path = dir.File("b.bank");
  ASSERT_TRUE(WriteBankFile(path, "mixed", MixedEntries()).ok());
  ASSERT_FALSE(Bank::Open(path).value()->fully_verified());
  FlipByteInPlace(path, SectionOffset(path, internal::kEntries, 0) + 40);
  Result<std::unique_ptr<Bank>> reopened = Bank::Open(path);
  ASSERT_FALSE(reopened.ok()) << "a damaged bank was trusted on a stale marker";
  EXPECT_EQ(reopened.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(reopened.status().message(), HasSubstr("checksum mismatch"));

  ASSERT_TRUE(WriteBankFile(path, "mixed", MixedEntries()).ok());
  const std::string good = ReadFileBytes(path);
  ASSERT_TRUE(Bank::Open(path).ok());
  const std::string copy = dir.File("copy");
  WriteFileBytes(copy, good);
  ASSERT_EQ(::rename(copy.c_str(), path.c_str()), 0);
  Result<std::unique_ptr<Bank>> replaced = Bank::Open(path);
  ASSERT_TRUE(replaced.ok());
  EXPECT_TRUE(replaced.value()->fully_verified());
}

// Files modified within the racy window get no marker (their timestamps cannot tell a later
// same-tick change apart); a damaged marker reads as none.
TEST(BankVerificationTest, RacyFilesGetNoMarkerAndDamagedMarkersAreIgnored) {
  TempDir dir;
  const std::string path = dir.File("b.bank");
  ASSERT_TRUE(WriteBankFile(dir.File("w.bank"), "mixed", MixedEntries()).ok());
  WriteFileBytes(path, ReadFileBytes(dir.File("w.bank")));  // written just now
  ::unlink(dir.File("w.bank").c_str());
  ::unlink(VerifiedMarkerPath(dir.File("w.bank")).c_str());
  Result<std::unique_ptr<Bank>> bank = Bank::Open(path);  // default window: 2 s
  ASSERT_TRUE(bank.ok());
  EXPECT_TRUE(bank.value()->fully_verified());
  EXPECT_THAT(dir.List(), ::testing::ElementsAre("b.bank"));
  const struct stat st = StatOf(path);
  EXPECT_FALSE(internal::RecordMarker(path, st, 0, internal::RealtimeNanos(), 2'000'000'000));
  OpenOptions options;
  options.racy_window_ns = 0;
  ASSERT_TRUE(Bank::Open(path, options).ok());
  ASSERT_FALSE(Bank::Open(path, options).value()->fully_verified());
  std::string marker = ReadFileBytes(VerifiedMarkerPath(path));
  ASSERT_EQ(marker.size(), 64u);
  marker[20] ^= 1;  // the inode field: the record's own checksum no longer matches
  WriteFileBytes(VerifiedMarkerPath(path), marker);
  options.record_verified = false;
  EXPECT_TRUE(Bank::Open(path, options).value()->fully_verified());
  WriteFileBytes(VerifiedMarkerPath(path), "short");
  EXPECT_TRUE(Bank::Open(path, options).value()->fully_verified());
  // Checksum verification off (fuzzing, diagnostics): the marker is neither used nor made.
  OpenOptions unchecked;
  unchecked.verify_checksums = false;
  unchecked.racy_window_ns = 0;
  ::unlink(VerifiedMarkerPath(path).c_str());
  EXPECT_TRUE(Bank::Open(path, unchecked).value()->fully_verified());
  EXPECT_THAT(dir.List(), ::testing::ElementsAre("b.bank"));
}

// [SECTION] merge and replace statistics

TEST(BankUpdateTest, MergeReportsAddedUpdatedUnchangedDeletedAndReplaceDropsTheRest) {
  TempDir dir;
  const std::string path = dir.File("n.bank");
  Result<ImportResult> page3 = ImportNcmecXml(ReadTestData("formats/ncmec/entries_xml3.xml"), {});
  Result<ImportResult> page4 = ImportNcmecXml(ReadTestData("formats/ncmec/entries_xml4.xml"), {});
  ASSERT_TRUE(page3.ok() && page4.ok());
  Result<ApplyStats> s3 = UpdateBankFile(path, "n", page3.value());
  ASSERT_TRUE(s3.ok());
  EXPECT_EQ(s3->added, 2u);
  EXPECT_EQ(s3->total, 2u);
  Result<ApplyStats> again = UpdateBankFile(path, "n", page3.value());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->added, 0u);
  EXPECT_EQ(again->unchanged, 2u);
  Result<ApplyStats> s4 = UpdateBankFile(path, "n", page4.value());
  ASSERT_TRUE(s4.ok());
  EXPECT_EQ(s4->added, 0u);
  EXPECT_EQ(s4->updated, 1u);  // willupdate: A1 -> A2
  EXPECT_EQ(s4->deleted, 1u);  // willdelete
  EXPECT_EQ(s4->total, 1u);

  ImportResult other;
  other.AddEntry(testing::PdqEntry(testing::RandomHashes(1, 9)[0], "other"));
  Result<ApplyStats> merged = UpdateBankFile(path, "n", other);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->total, 2u);
  Result<ApplyStats> replaced = UpdateBankFile(path, "n", other, UpdateMode::kReplace);
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->unchanged, 1u);
  EXPECT_EQ(replaced->deleted, 1u);
  EXPECT_EQ(replaced->total, 1u);
  EXPECT_EQ(Bank::Open(path).value()->entry(0).external_id, "other");
}

// An unchanged re-import keeps the date the entry was first added.
TEST(BankUpdateTest, UnchangedEntriesKeepTheirDateAdded) {
  std::vector<Entry> entries;
  ImportResult first;
  Entry e = testing::PdqEntry(testing::RandomHashes(1, 4)[0], "r1");
  e.added_unix = 1000;
  first.AddEntry(e);
  ApplyImport(entries, first);
  ImportResult second;
  e.added_unix = 2000;
  second.AddEntry(e);
  ApplyStats s = ApplyImport(entries, second);
  EXPECT_EQ(s.unchanged, 1u);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].added_unix, 1000);
}

// The type filter records what else the file held, for the "nothing imported" message.
TEST(BankImportFilterTest, FilteredOutValuesAreCountedByType) {
  ImportOptions md5_only;
  md5_only.signal_type = SignalType::kMd5;
  Result<ImportResult> r =
      ImportStopNciiJson(ReadTestData("formats/stopncii/fetch_hashes_1.json"), md5_only);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->entries.empty());
  EXPECT_EQ(r->filtered_out[static_cast<int>(SignalType::kPdq)], 1u);
  EXPECT_EQ(r->filtered_out_count(), 1u);
}

// [SECTION] temporary files of killed writers

pid_t DeadPid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;  // reaped: no process has this pid (until it is reused, which keeps a file)
}

TEST(TempFilesTest, OnlyTheFilesOfDeadWritersAreRemoved) {
  TempDir dir;
  const std::string dead = dir.File("b.bank.tmp-" + std::to_string(DeadPid()) + "-AbCdEf");
  WriteFileBytes(dead, "half a bank");
  // A live writer: this process, holding the lock.
  Result<LockedTempFile> live = CreateLockedTempFile(dir.File("c.bank"));
  ASSERT_TRUE(live.ok()) << live.status().message();
  EXPECT_THAT(live->path, HasSubstr(".tmp-" + std::to_string(::getpid()) + "-"));
  // A dead pid in the name, but the lock is held (a writer in another PID namespace).
  const std::string locked = dir.File("d.bank.tmp-" + std::to_string(DeadPid()) + "-GhIjKl");
  WriteFileBytes(locked, "x");
  const int locked_fd = ::open(locked.c_str(), O_RDONLY);
  ASSERT_EQ(::flock(locked_fd, LOCK_EX), 0);
  // Names of older versions (no pid): removed only when idle for ten minutes.
  const std::string legacy_recent = dir.File("e.bank.tmp-MnOpQr");
  const std::string legacy_old = dir.File("f.bank.tmp-StUvWx");
  const std::string legacy_list = dir.File("h.ulist.tmp");
  WriteFileBytes(legacy_recent, "x");
  WriteFileBytes(legacy_old, "x");
  WriteFileBytes(legacy_list, "x");
  struct timespec old_times[2] = {{::time(nullptr) - 3600, 0}, {::time(nullptr) - 3600, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, legacy_old.c_str(), old_times, 0), 0);
  ASSERT_EQ(::utimensat(AT_FDCWD, legacy_list.c_str(), old_times, 0), 0);
  WriteFileBytes(dir.File("g.bank"), "not a temp file");

  const std::vector<std::string> removed = RemoveStaleTempFiles(dir.path());
  EXPECT_THAT(removed, ::testing::UnorderedElementsAre(dead, legacy_old, legacy_list));
  EXPECT_THAT(dir.List(), ::testing::UnorderedElementsAre(
                              "g.bank", ::testing::StartsWith("c.bank.tmp-"),
                              ::testing::StartsWith("d.bank.tmp-"), "e.bank.tmp-MnOpQr"));
  ::close(locked_fd);
  ::close(live->fd);
  // Its lock released and its writer gone: now stale.
  EXPECT_THAT(RemoveStaleTempFiles(dir.path()), ::testing::ElementsAre(locked));
}

}  // namespace
}  // namespace vigil::hashbank
