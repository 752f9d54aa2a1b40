// An import held compactly: what `vigil lists import` keeps in memory between parsing a list and
// writing the bank.
//
// Every upsert and deletion is one fixed-size 56-byte CompactOp in document order (the value's
// bytes inline, metadata as ids into one string arena): no std::string or struct per field. Sources
// and categories (few distinct values) are interned; external ids are appended to the arena once
// per record (the entries of one record share the id). ImportResult, with an Entry per value,
// remains the convenient form for tests and small documents (ToImportResult / FromImportResult
// convert).
#ifndef VIGIL_HASHBANK_COMPACT_IMPORT_H_
#define VIGIL_HASHBANK_COMPACT_IMPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vigil/hashbank/entry.h"
#include "vigil/hashbank/signal.h"

namespace vigil::hashbank {

struct CompactOp {
  enum Kind : uint8_t { kUpsert = 0, kDelete = 1 };
  uint8_t kind = kUpsert;
  uint8_t type = 0;       // SignalType; for a deletion only meaningful with has_value
  uint8_t severity = 0;   // upserts: 0..5
  uint8_t has_value = 0;  // deletions: the deletion names a value
  uint32_t source = 0;    // string ids (CompactImport::String); 0 is ""
  uint32_t category = 0;
  uint32_t external_id = 0;
  int64_t added_unix = 0;
  uint8_t bytes[32] = {};

  HashValue value() const;
};
static_assert(sizeof(CompactOp) == 56, "CompactOp is the per-value cost of an import");

class CompactImport {
 public:
  CompactImport();

  std::vector<CompactOp> ops;
  std::vector<ImportProblem> problems;
  // As ImportResult::filtered_out: valid values left out by the signal type filter.
  size_t filtered_out[5] = {};

  size_t upsert_count() const { return upserts_; }
  size_t deletion_count() const { return ops.size() - upserts_; }
  size_t error_count() const;
  size_t ignored_count() const { return problems.size() - error_count(); }
  size_t filtered_out_count() const;

  std::string_view String(uint32_t id) const {
    const Ref& r = refs_[id];
    return std::string_view(arena_.data() + r.offset, r.size);
  }
  // Sources and categories: the same text gets the same id.
  uint32_t Intern(std::string_view text);
  // External ids: appended, unless equal to the last one appended (entries of one record).
  uint32_t AddExternalId(std::string_view text);

  void AddEntry(const Entry& entry);
  void AddDeletion(const Deletion& deletion);
  Entry EntryOf(const CompactOp& op) const;
  Deletion DeletionOf(const CompactOp& op) const;

  ImportResult ToImportResult() const;
  static CompactImport FromImportResult(const ImportResult& result);

  // Bytes held (ops, arena, string table), for tests and diagnostics.
  size_t memory_bytes() const;
  // Frees everything (after the bank is built).
  void Release();

 private:
  struct Ref {
    uint64_t offset;
    uint32_t size;
  };
  uint32_t Append(std::string_view text);
  std::string arena_;
  std::vector<Ref> refs_;
  std::unordered_map<std::string, uint32_t> interned_;
  uint32_t last_external_id_ = 0;
  size_t upserts_ = 0;
};

}  // namespace vigil::hashbank

#endif  // VIGIL_HASHBANK_COMPACT_IMPORT_H_
