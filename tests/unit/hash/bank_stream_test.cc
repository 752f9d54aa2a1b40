// Streamed imports and the compact merge (issue 12, item 10): records split across read
// boundaries, a truncated final record, an over-long line refused with its line number and not
// held in memory, and merges (add, update, delete by id or value) checked against a plain model
// of the rules in bank_update.h.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "bank_test_util.h"
#include "import_reader.h"
#include "vigil/hashbank/bank.h"
#include "vigil/hashbank/bank_update.h"
#include "vigil/hashbank/compact_import.h"
#include "vigil/hashbank/importers.h"

namespace vigil::hashbank {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

constexpr char kPdqA[] = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
constexpr char kPdqB[] = "f8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
constexpr char kMd5[] = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";

// Values with their lines, and problems with theirs: what must not depend on chunking.
std::vector<std::string> Summary(const CompactImport& import) {
  std::vector<std::string> out;
  for (const CompactOp& op : import.ops) out.push_back(op.value().ToHex());
  for (const ImportProblem& p : import.problems) out.push_back(p.ToString());
  return out;
}

// [SECTION] read boundaries

TEST(StreamImportTest, EveryReadChunkSizeGivesTheSameImport) {
  // Line 5 is bad; the last line has no newline.
  const std::string doc = std::string("# a comment\r\npdq ") + kPdqA + "\r\n\nmd5 " + kMd5 +
                          "\npdq " + std::string(kPdqB).substr(0, 10) + "\n   \npdq " + kPdqB;
  ImportOptions options;
  Result<CompactImport> whole = ImportDocumentCompact(ImportFormat::kHma, doc, options);
  ASSERT_TRUE(whole.ok()) << whole.status().message();
  const std::vector<std::string> expected = Summary(whole.value());
  ASSERT_EQ(whole->ops.size(), 3u);
  ASSERT_EQ(whole->error_count(), 1u);
  EXPECT_EQ(whole->problems[0].line, 5u);
  for (size_t chunk = 1; chunk <= doc.size() + 1; ++chunk) {
    options.read_chunk_bytes = chunk;
    Result<CompactImport> r = ImportDocumentCompact(ImportFormat::kHma, doc, options);
    ASSERT_TRUE(r.ok()) << "chunk " << chunk;
    EXPECT_EQ(Summary(r.value()), expected) << "chunk " << chunk;
  }
  // The same from a file, which is what `vigil lists import` reads.
  TempDir dir;
  testing::WriteFileBytes(dir.File("l.txt"), doc);
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64}, size_t{1} << 20}) {
    options.read_chunk_bytes = chunk;
    Result<CompactImport> r = ImportFileCompact(ImportFormat::kHma, dir.File("l.txt"), options);
    ASSERT_TRUE(r.ok()) << "chunk " << chunk;
    EXPECT_EQ(Summary(r.value()), expected) << "chunk " << chunk;
  }
}

TEST(StreamImportTest, ATruncatedFinalRecordIsReportedWithItsLine) {
  TempDir dir;
  // A download cut off in the middle of line 3.
  const std::string doc =
      std::string("pdq ") + kPdqA + "\npdq " + kPdqB + "\npdq " + std::string(kPdqA).substr(0, 37);
  testing::WriteFileBytes(dir.File("cut.txt"), doc);
  ImportOptions options;
  options.read_chunk_bytes = 16;  // the cut falls inside a chunk, lines straddle chunks
  Result<CompactImport> r = ImportFileCompact(ImportFormat::kHma, dir.File("cut.txt"), options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->ops.size(), 2u);
  ASSERT_EQ(r->error_count(), 1u);
  EXPECT_EQ(r->problems[0].line, 3u);
  EXPECT_THAT(r->problems[0].message, HasSubstr("64"));  // the expected length is named
  options.policy = BadRecordPolicy::kRefuse;
  Result<CompactImport> strict =
      ImportFileCompact(ImportFormat::kHma, dir.File("cut.txt"), options);
  ASSERT_FALSE(strict.ok());
  EXPECT_THAT(strict.status().message(), HasSubstr("line 3"));
}

TEST(StreamImportTest, AHugeLineIsRefusedWithItsLineNumberAndNeverBuffered) {
  TempDir dir;
  const std::string huge(3 << 20, 'f');  // 3 MiB on one line, e.g. a JSON file given as hma
  const std::string doc = std::string("pdq ") + kPdqA + "\n\npdq " + huge + "\nmd5 " + kMd5 + "\n";
  testing::WriteFileBytes(dir.File("huge.txt"), doc);
  ImportOptions options;  // defaults: 1 MiB chunks, 1 MiB lines
  Result<CompactImport> r = ImportFileCompact(ImportFormat::kHma, dir.File("huge.txt"), options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->error_count(), 1u);
  EXPECT_EQ(r->problems[0].line, 3u);
  EXPECT_THAT(r->problems[0].message, HasSubstr("longer than 1048576 bytes"));
  ASSERT_EQ(r->ops.size(), 2u);  // the lines around it still count, with the right numbers
  EXPECT_EQ(r->ops[1].value().ToHex(), kMd5);

  // The reader skips the long line without holding it: its buffer stays at the line limit
  // plus a chunk, not the line's size.
  const int fd = ::open(dir.File("huge.txt").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  internal::FileSource source(fd, dir.File("huge.txt"));
  internal::LineReader reader(source, /*chunk_bytes=*/4096, /*max_line=*/1024);
  std::vector<size_t> long_lines, lines;
  std::string_view line;
  size_t line_no = 0;
  bool too_long = false;
  while (reader.Next(line, line_no, too_long)) (too_long ? long_lines : lines).push_back(line_no);
  ASSERT_TRUE(reader.status().ok());
  EXPECT_EQ(long_lines, std::vector<size_t>{3});
  EXPECT_EQ(lines, (std::vector<size_t>{1, 2, 4}));
  EXPECT_LE(reader.buffered_capacity(), 2 * (1024 + 4096));
}

TEST(StreamImportTest, TheWholeFileIsNeverHeld) {
  TempDir dir;
  std::string doc;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20000; ++i) {
    doc += "pdq " + PdqHex(testing::RandomPdq(rng)) + "\n";  // 1.4 MB
  }
  testing::WriteFileBytes(dir.File("l.txt"), doc);
  const int fd = ::open(dir.File("l.txt").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  internal::FileSource source(fd, dir.File("l.txt"));
  internal::LineReader reader(source, /*chunk_bytes=*/8192, /*max_line=*/256);
  std::string_view line;
  size_t line_no = 0, count = 0;
  bool too_long = false;
  while (reader.Next(line, line_no, too_long)) {
    ASSERT_FALSE(too_long);
    ASSERT_EQ(line.size(), 68u) << "line " << line_no;
    ++count;
  }
  EXPECT_EQ(count, 20000u);
  EXPECT_LE(reader.buffered_capacity(), 2 * (8192 + 256));
}

TEST(StreamImportTest, CsvRecordsSplitAcrossReadsAndQuotedLineBreaksGiveTheSameImport) {
  // A BOM, a quoted field with a line break and a doubled quote, CRLF, a bad row on line 5.
  const std::string doc = std::string("\xEF\xBB\xBF") + "id,indicator,type,tags\r\n" + "1," +
                          kPdqA + ",HASH_PDQ,\"A1;\nsecond \"\"line\"\"\"\r\n" + "2," + kMd5 +
                          ",HASH_MD5,B2\n" + "3,zz,HASH_MD5,B2\n" + "4," + kPdqB + ",HASH_PDQ,B1";
  ImportOptions options;
  Result<CompactImport> whole = ImportDocumentCompact(ImportFormat::kTeCsv, doc, options);
  ASSERT_TRUE(whole.ok()) << whole.status().message();
  ASSERT_EQ(whole->ops.size(), 3u);
  EXPECT_EQ(whole->String(whole->ops[0].category), "A1");
  ASSERT_EQ(whole->error_count(), 1u);
  EXPECT_EQ(whole->problems[0].line, 5u);
  const std::vector<std::string> expected = Summary(whole.value());
  for (size_t chunk = 1; chunk <= doc.size() + 1; ++chunk) {
    options.read_chunk_bytes = chunk;
    Result<CompactImport> r = ImportDocumentCompact(ImportFormat::kTeCsv, doc, options);
    ASSERT_TRUE(r.ok()) << "chunk " << chunk << ": " << r.status().message();
    EXPECT_EQ(Summary(r.value()), expected) << "chunk " << chunk;
  }
  // A record over the limit is a bad record with its line; the next one still imports.
  TempDir dir;
  const std::string big = std::string("id,indicator,type\n1,\"") + std::string(5000, 'x') +
                          "\",HASH_PDQ\n2," + kPdqA + ",HASH_PDQ\n";
  testing::WriteFileBytes(dir.File("big.csv"), big);
  options.read_chunk_bytes = 512;
  options.max_record_bytes = 1000;
  Result<CompactImport> r = ImportFileCompact(ImportFormat::kTeCsv, dir.File("big.csv"), options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->error_count(), 1u);
  EXPECT_EQ(r->problems[0].line, 2u);
  EXPECT_THAT(r->problems[0].message, HasSubstr("longer than 1000 bytes"));
  ASSERT_EQ(r->ops.size(), 1u);
  EXPECT_EQ(r->ops[0].value().ToHex(), kPdqA);
}

// [SECTION] compact form

TEST(CompactImportTest, RoundTripsAndRecordsShareOneExternalId) {
  const std::string xml = testing::ReadTestData("formats/ncmec/entries_xml.xml");
  Result<CompactImport> compact = ImportDocumentCompact(ImportFormat::kNcmecXml, xml, {});
  Result<ImportResult> full = ImportNcmecXml(xml, {});
  ASSERT_TRUE(compact.ok() && full.ok());
  ASSERT_EQ(compact->ops.size(), full->ops.size());
  // image1's md5 and sha1 are one record: one id in the arena.
  EXPECT_EQ(compact->ops[0].external_id, compact->ops[1].external_id);
  EXPECT_EQ(compact->String(compact->ops[0].external_id), "42-image1");
  const ImportResult back = compact->ToImportResult();
  ASSERT_EQ(back.entries.size(), full->entries.size());
  for (size_t i = 0; i < back.entries.size(); ++i) {
    EXPECT_EQ(back.entries[i].value, full->entries[i].value);
    EXPECT_EQ(back.entries[i].external_id, full->entries[i].external_id);
    EXPECT_EQ(back.entries[i].category, full->entries[i].category);
    EXPECT_EQ(back.entries[i].severity, full->entries[i].severity);
  }
  ASSERT_EQ(back.deletions.size(), full->deletions.size());
  EXPECT_EQ(back.deletions[0].external_id, full->deletions[0].external_id);
}

// [SECTION] merge against the bank file, checked against a plain model

// bank_update.h's rules, written as directly as possible (quadratic, for small tests).
ApplyStats ModelApply(std::vector<Entry>& bank, const ImportResult& import, bool replace) {
  const std::vector<Entry> before = bank;
  if (replace) bank.clear();
  std::vector<bool> live(bank.size(), true);
  std::vector<std::string> seen;
  auto remove = [&](auto&& pred) {
    for (size_t i = 0; i < bank.size(); ++i)
      if (live[i] && pred(bank[i])) live[i] = false;
  };
  for (const ImportOp& op : import.ops) {
    if (op.kind == ImportOp::Kind::kDelete) {
      const Deletion& d = import.deletions[op.index];
      if (!d.external_id.empty()) {
        remove([&](const Entry& e) {
          return e.external_id == d.external_id && (d.source.empty() || e.source == d.source) &&
                 (!d.has_value || e.value == d.value);
        });
        seen.erase(std::remove(seen.begin(), seen.end(), d.source + '\0' + d.external_id),
                   seen.end());
      } else if (d.has_value) {
        remove([&](const Entry& e) {
          return e.value == d.value && (d.source.empty() || e.source == d.source);
        });
      }
      continue;
    }
    const Entry& in = import.entries[op.index];
    if (!in.external_id.empty()) {
      const std::string key = in.source + '\0' + in.external_id;
      if (std::find(seen.begin(), seen.end(), key) == seen.end()) {
        seen.push_back(key);
        remove([&](const Entry& e) {
          return e.external_id == in.external_id && (in.source.empty() || e.source == in.source);
        });
      }
    } else {
      remove([&](const Entry& e) {
        return e.value == in.value && e.external_id.empty() &&
               (in.source.empty() || e.source == in.source);
      });
    }
    bank.push_back(in);
    live.push_back(true);
  }
  std::vector<Entry> after;
  for (size_t i = 0; i < bank.size(); ++i)
    if (live[i]) after.push_back(bank[i]);
  ApplyStats stats;
  std::vector<bool> used(before.size(), false);
  for (Entry& e : after) {
    bool found = false;
    for (size_t i = 0; i < before.size() && !found; ++i) {
      const Entry& b = before[i];
      if (used[i] || b.source != e.source || b.external_id != e.external_id || b.value != e.value)
        continue;
      used[i] = found = true;
      if (b.category == e.category && b.severity == e.severity) {
        e.added_unix = b.added_unix;
        ++stats.unchanged;
      } else {
        ++stats.updated;
      }
    }
    if (!found) ++stats.added;
  }
  stats.deleted = before.size() - (stats.unchanged + stats.updated);
  stats.total = after.size();
  bank = after;
  return stats;
}

// Random imports over a small space of values, ids and sources, so that updates, deletions by
// id, by id and value, by value, any-source deletions and re-adds all collide often.
ImportResult RandomImport(std::mt19937_64& rng, const std::vector<HashValue>& values, int ops) {
  ImportResult r;
  const char* sources[] = {"a", "b"};
  const char* ids[] = {"", "", "r1", "r2", "r3"};
  const char* categories[] = {"A1", "B2"};
  for (int i = 0; i < ops; ++i) {
    const int kind = static_cast<int>(rng() % 10);
    if (kind < 7) {
      Entry e;
      e.value = values[rng() % values.size()];
      e.source = sources[rng() % 2];
      e.external_id = ids[rng() % 5];
      e.category = categories[rng() % 2];
      e.severity = e.category == "A1" ? 5 : 3;
      e.added_unix = 1000 + static_cast<int64_t>(rng() % 1000);
      r.AddEntry(e);
    } else {
      Deletion d;
      d.source = rng() % 4 == 0 ? "" : sources[rng() % 2];
      d.external_id = ids[rng() % 5];
      d.has_value = d.external_id.empty() || rng() % 3 == 0;
      if (d.has_value) d.value = values[rng() % values.size()];
      r.AddDeletion(d);
    }
  }
  return r;
}

void ExpectBank(const std::string& path, const std::vector<Entry>& expected, int round) {
  Result<std::unique_ptr<Bank>> bank = Bank::Open(path);
  ASSERT_TRUE(bank.ok()) << bank.status().message();
  ASSERT_EQ(bank.value()->size(), expected.size()) << "round " << round;
  for (size_t i = 0; i < expected.size(); ++i) {
    const Entry got = bank.value()->entry(i);
    EXPECT_EQ(got.value, expected[i].value) << "round " << round << " entry " << i;
    EXPECT_EQ(got.source, expected[i].source) << "round " << round << " entry " << i;
    EXPECT_EQ(got.external_id, expected[i].external_id) << "round " << round << " entry " << i;
    EXPECT_EQ(got.category, expected[i].category) << "round " << round << " entry " << i;
    EXPECT_EQ(got.added_unix, expected[i].added_unix) << "round " << round << " entry " << i;
  }
}

TEST(StreamMergeTest, MergesAndReplacesMatchThePlainRulesOverManyRandomImports) {
  TempDir dir;
  const std::string path = dir.File("m.bank");
  std::mt19937_64 rng(12);
  std::vector<HashValue> values;
  for (int i = 0; i < 6; ++i) values.push_back(testing::PdqEntry(testing::RandomPdq(rng)).value);
  values.push_back(ParseHashValue(SignalType::kMd5, kMd5).value());
  std::vector<Entry> model;
  for (int round = 0; round < 200; ++round) {
    const ImportResult import = RandomImport(rng, values, 1 + static_cast<int>(rng() % 12));
    const bool replace = rng() % 8 == 0;
    const ApplyStats want = ModelApply(model, import, replace);
    Result<ApplyStats> got = UpdateBankFile(path, "m", CompactImport::FromImportResult(import),
                                            replace ? UpdateMode::kReplace : UpdateMode::kMerge);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(got->added, want.added) << "round " << round;
    EXPECT_EQ(got->updated, want.updated) << "round " << round;
    EXPECT_EQ(got->unchanged, want.unchanged) << "round " << round;
    EXPECT_EQ(got->deleted, want.deleted) << "round " << round;
    EXPECT_EQ(got->total, want.total) << "round " << round;
    ExpectBank(path, model, round);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(StreamMergeTest, AStreamedFileUpdatesAndDeletesByIdInTheBank) {
  TempDir dir;
  const std::string path = dir.File("n.bank");
  // te-csv with ids: two records, then a page that updates one and deletes the other.
  const std::string first = std::string("id,indicator,type,category\n") + "r1," + kPdqA +
                            ",HASH_PDQ,A1\n" + "r2," + kPdqB + ",HASH_PDQ,B2\n" + "r2," + kMd5 +
                            ",HASH_MD5,B2\n";
  const std::string second = std::string("id,indicator,type,category,should_delete\n") + "r1," +
                             kPdqA + ",HASH_PDQ,A2,false\n" + "r2,,HASH_PDQ,,true\n" + "r3," +
                             kMd5 + ",HASH_MD5,A1,false\n";
  ImportOptions options;
  options.source = "te";
  Result<CompactImport> a = ImportDocumentCompact(ImportFormat::kTeCsv, first, options);
  ASSERT_TRUE(a.ok()) << a.status().message();
  Result<ApplyStats> s1 = UpdateBankFile(path, "n", std::move(a).value());
  ASSERT_TRUE(s1.ok()) << s1.status().message();
  EXPECT_EQ(s1->added, 3u);
  Result<CompactImport> b = ImportDocumentCompact(ImportFormat::kTeCsv, second, options);
  ASSERT_TRUE(b.ok()) << b.status().message();
  Result<ApplyStats> s2 = UpdateBankFile(path, "n", std::move(b).value());
  ASSERT_TRUE(s2.ok()) << s2.status().message();
  EXPECT_EQ(s2->updated, 1u);  // r1: A1 -> A2
  EXPECT_EQ(s2->deleted, 2u);  // r2's pdq and md5
  EXPECT_EQ(s2->added, 1u);    // r3
  EXPECT_EQ(s2->total, 2u);
  Result<std::unique_ptr<Bank>> bank = Bank::Open(path);
  ASSERT_TRUE(bank.ok());
  ASSERT_EQ(bank.value()->size(), 2u);
  EXPECT_EQ(bank.value()->entry(0).external_id, "r1");
  EXPECT_EQ(bank.value()->entry(0).category, "A2");
  EXPECT_EQ(bank.value()->entry(1).external_id, "r3");
  EXPECT_TRUE(bank.value()->MatchExact(ParseHashValue(SignalType::kMd5, kMd5).value())->size() ==
              1u);
}

}  // namespace
}  // namespace vigil::hashbank
