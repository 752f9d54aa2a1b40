// Bank entries and what an import produces.
//
// A bank is a named list of entries. Each entry is one hash value with the metadata a
// reviewer and a policy need: where it came from, its category (industry categories A1, A2,
// B1, B2, or free text from the source), a severity from 0 (unknown) to 5, when it was added
// and the source's own id for it (NCMEC entry id, ThreatExchange descriptor id, ...).
#ifndef VIGIL_HASHBANK_ENTRY_H_
#define VIGIL_HASHBANK_ENTRY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "vigil/hashbank/signal.h"

namespace vigil::hashbank {

inline constexpr int kMaxSeverity = 5;

struct Entry {
  HashValue value;
  std::string source;       // e.g. "ncmec", "stopncii", the exchange or file the entry came from
  std::string category;     // "A1".."B2" or free text; may be empty
  int severity = 0;         // 0 = unknown, 1..5
  int64_t added_unix = 0;   // seconds since the epoch, UTC
  std::string external_id;  // the source's id for the record; entries of one record share it
};

// A removal requested by the source. With an external id, every entry of that record (from
// the same source when source is set) goes; without one, every entry with that exact value.
struct Deletion {
  std::string source;
  std::string external_id;
  bool has_value = false;
  HashValue value;
};

// One thing that was wrong (kError) or deliberately not imported (kIgnored, e.g. a PhotoDNA
// fingerprint, which Vigil does not match) in the input. `line` is 1-based (0 when the format
// has no meaningful line); `record` is the 1-based record number within the document.
struct ImportProblem {
  enum class Kind { kError, kIgnored };
  Kind kind = Kind::kError;
  size_t line = 0;
  size_t record = 0;
  std::string message;
  std::string ToString() const;  // "line 12 (record 3): ..."
};

// One change in document order, so that "add X then delete X" in one file means deleted.
struct ImportOp {
  enum class Kind { kUpsert, kDelete };
  Kind kind = Kind::kUpsert;
  size_t index = 0;  // into ImportResult::entries or ImportResult::deletions
};

struct ImportResult {
  std::vector<Entry> entries;
  std::vector<Deletion> deletions;
  std::vector<ImportOp> ops;
  std::vector<ImportProblem> problems;
  // Valid values left out because ImportOptions::signal_type asked for another type, by
  // SignalType value ([0] unused): what the file holds besides what was imported.
  size_t filtered_out[5] = {};

  size_t error_count() const;
  size_t filtered_out_count() const;
  size_t ignored_count() const;
  void AddEntry(Entry entry);
  void AddDeletion(Deletion deletion);
};

}  // namespace vigil::hashbank

#endif  // VIGIL_HASHBANK_ENTRY_H_
