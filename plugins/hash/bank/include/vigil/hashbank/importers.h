// Importers for the hash-list formats the field uses.
//
//   hma            pytx / HMA local file: "<signal type> <value>" per line, or
//   "<value>"
//                  when ImportOptions::signal_type fixes the type; '#'
//                  comments, blank lines
//   te-csv         ThreatExchange CSV with a header line (UI export or pytx
//   rollup columns) ncmec-xml      NCMEC hash-sharing API v2 <queryResult>
//   pages stopncii-json  StopNCII FetchHashes responses vics-json      a VICS
//   (Project VIC, OData) JSON subset: value[] with hashes + Category
//
// Every importer returns the entries and deletions it found and a problem (with line and record
// number) for every record it could not use. hma and te-csv stream: they read the input in chunks
// and keep only the compact import (compact_import.h), never the whole document; the XML and JSON
// importers parse the whole document first. With BadRecordPolicy::kRefuse any error problem makes
// the import fail as a whole, with a message that lists the first problems; nothing is returned for
// the caller to apply by mistake. docs/hash-banks.md describes each format and the choices made for
// it.
#ifndef VIGIL_HASHBANK_IMPORTERS_H_
#define VIGIL_HASHBANK_IMPORTERS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/hashbank/compact_import.h"
#include "vigil/hashbank/entry.h"
#include "vigil/hashbank/status.h"

namespace vigil::hashbank {

enum class BadRecordPolicy {
  kSkipAndReport,  // keep the good records, report each bad one
  kRefuse,         // any bad record fails the whole import
};

// StopNCII enum values this build does not know (hashStatus, feedbackValue, signalType).
enum class UnknownEnumPolicy {
  kReject,      // the record is an error (strict, the default)
  kMapAndWarn,  // unknown feedbackValue/hashStatus are kept verbatim with an
                // ignored-note; an unknown signalType is always an error (the value cannot be
                // matched)
};

struct ImportOptions {
  BadRecordPolicy policy = BadRecordPolicy::kSkipAndReport;
  UnknownEnumPolicy unknown_enums = UnknownEnumPolicy::kReject;
  // hma: the type of lines that carry only a value. Other formats: when set, entries of
  // other types are skipped with an ignored-note.
  std::optional<SignalType> signal_type;
  std::string source;    // default source when the format names none
  std::string category;  // default category when the record has none
  int severity = -1;     // -1: derive from the category (A1 5, A2 4, B1 4, B2 3, else 0)
  int64_t now_unix = 0;  // "date added" for records that carry no date
  size_t max_document_bytes = size_t{1} << 31;  // refuse larger inputs outright
  size_t max_json_depth = 64;                   // refuse deeper JSON before parsing it
  size_t max_reported_problems = 1000;          // later problems are counted, not stored one by one
  // Streaming (hma, te-csv): the input is read in chunks of this size, and a line (hma) or record
  // (te-csv) longer than max_record_bytes is a bad record, skipped without being held in memory.
  size_t read_chunk_bytes = size_t{1} << 20;
  size_t max_record_bytes = size_t{1} << 20;
};

enum class ImportFormat { kHma, kTeCsv, kNcmecXml, kStopNciiJson, kVicsJson };
std::optional<ImportFormat> ParseImportFormat(std::string_view name);  // "hma", "te-csv", ...
std::string_view ImportFormatName(ImportFormat format);

Result<ImportResult> ImportHma(std::string_view text, const ImportOptions& options);
Result<ImportResult> ImportTeCsv(std::string_view text, const ImportOptions& options);
Result<ImportResult> ImportNcmecXml(std::string_view text, const ImportOptions& options);
Result<ImportResult> ImportStopNciiJson(std::string_view text, const ImportOptions& options);
Result<ImportResult> ImportVicsJson(std::string_view text, const ImportOptions& options);

Result<ImportResult> ImportDocument(ImportFormat format, std::string_view text,
                                    const ImportOptions& options);
// Reads the file (refusing it when larger than options.max_document_bytes) and imports it.
Result<ImportResult> ImportFile(ImportFormat format, const std::string& path,
                                const ImportOptions& options);

// The same, into the compact form `vigil lists import` uses (ImportResult holds an Entry with three
// strings per value; CompactImport 56 bytes). ImportFileCompact streams hma and te-csv from the
// file.
Result<CompactImport> ImportDocumentCompact(ImportFormat format, std::string_view text,
                                            const ImportOptions& options);
Result<CompactImport> ImportFileCompact(ImportFormat format, const std::string& path,
                                        const ImportOptions& options);

// Severity the importers give a category when the record and the options carry none.
int DefaultSeverityForCategory(std::string_view category);

}  // namespace vigil::hashbank

#endif  // VIGIL_HASHBANK_IMPORTERS_H_
