// Shared pieces of the importers (internal): problem reporting, the refuse policy, dates,
// severities and building entries from text.
#ifndef VIGIL_HASHBANK_SRC_IMPORT_COMMON_H_
#define VIGIL_HASHBANK_SRC_IMPORT_COMMON_H_

#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/hashbank/compact_import.h"
#include "vigil/hashbank/importers.h"

namespace vigil::hashbank::internal {

// Collects problems, keeping at most options.max_reported_problems of them in detail; the
// rest are counted and summarised at the end, so a hostile file cannot exhaust memory through
// its error list.
class ImportContext {
 public:
  ImportContext(std::string_view format, const ImportOptions& options)
      : format_(format), options_(options) {}

  const ImportOptions& options() const { return options_; }
  CompactImport& result() { return result_; }

  void Error(size_t line, size_t record, std::string message);
  void Ignored(size_t line, size_t record, std::string message);

  // Builds an entry from a value in text, applying defaults; reports and returns false on a
  // bad value. An entry of a type the options exclude is reported as ignored.
  bool AddValue(size_t line, size_t record, SignalType type, std::string_view hex, Entry meta);

  // Applies the policy: the result, or the refusal with the first problems listed.
  Result<CompactImport> Finish();

 private:
  void Add(ImportProblem::Kind kind, size_t line, size_t record, std::string message);
  std::string format_;
  const ImportOptions& options_;
  CompactImport result_;
  size_t dropped_errors_ = 0;
  size_t dropped_ignored_ = 0;
};

// Metadata with severity "not given" (-1), for AddValue to fill from the options.
inline Entry UnsetMeta() {
  Entry e;
  e.severity = -1;
  return e;
}

// Runs an importer body; exceptions from the parsers or the allocator become a Status, so
// none crosses the library boundary.
template <typename Body>
auto GuardImport(std::string_view format, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Status::InvalidArgument(std::string(format) +
                                   ": out of memory while importing; the document is too large");
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string(format) + ": unreadable document (" + e.what() +
                                   ")");
  }
}

// Document-level checks every importer runs first (size limit).
Status CheckDocumentSize(std::string_view text, const ImportOptions& options,
                         std::string_view format);

// "2019-11-24T15:10:00Z", "2020-07-01T18:31:15+0000", "2023-06-07T02:31:49.8300Z",
// "2019-11-24", or seconds since the epoch ("1625175071").
std::optional<int64_t> ParseTimestamp(std::string_view text);

std::string_view Trim(std::string_view s);
std::string Lowercase(std::string_view s);
// At most `max` characters of `s` for messages, with non-printable bytes escaped.
std::string Excerpt(std::string_view s, size_t max = 40);
// 1-based line of a byte offset.
size_t LineOfOffset(std::string_view text, size_t offset);
// The same for many lookups into one document: line starts indexed once.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  size_t LineOf(size_t offset) const;

 private:
  std::vector<size_t> starts_;
};
// The four industry categories, normalised ("a1" -> "A1"); nullopt for anything else.
std::optional<std::string> IndustryCategory(std::string_view text);
// Lines where the elements of the array under top-level key `key` start ({"key": [e1, e2]}),
// found by a string-aware scan; empty when there is no such array. JSON parsers report no
// positions, and problems should still name a line.
std::vector<size_t> TopLevelArrayElementLines(std::string_view text, std::string_view key,
                                              const LineIndex& lines);

// Depth of the deepest [ / { nesting outside strings (stops counting past `limit`).
size_t JsonNestingDepth(std::string_view text, size_t limit);

class ByteSource;

// The importers in compact form: hma and te-csv stream from a ByteSource (import_reader.h); the
// others parse the whole document.
Result<CompactImport> ImportHmaFrom(ByteSource& source, const ImportOptions& options);
Result<CompactImport> ImportTeCsvFrom(ByteSource& source, const ImportOptions& options);
Result<CompactImport> ImportNcmecXmlCompact(std::string_view text, const ImportOptions& options);
Result<CompactImport> ImportStopNciiJsonCompact(std::string_view text,
                                                const ImportOptions& options);
Result<CompactImport> ImportVicsJsonCompact(std::string_view text, const ImportOptions& options);

}  // namespace vigil::hashbank::internal

#endif  // VIGIL_HASHBANK_SRC_IMPORT_COMMON_H_
