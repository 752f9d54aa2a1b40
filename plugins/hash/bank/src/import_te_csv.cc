// ThreatExchange CSV. A header line names the columns (case-insensitive); recognised:
//   value     td_raw_indicator | raw_indicator | indicator | hash | signal_value
//   type      td_indicator_type | indicator_type | type | signal_type
//             (HASH_PDQ, HASH_MD5, HASH_SHA1, HASH_SHA256 or pdq/md5/sha1/sha256)
//   id        id | td_id | descriptor_id | first_descriptor_id
//   added     added_on | td_added_on | time | last_updated (ISO 8601 or epoch seconds)
//   tags      td_subjective_tags | tags | labels   (split on ';', ',' or spaces)
//   category  category   (else the first tag that is A1/A2/B1/B2, else the tags joined)
//   severity  severity (0..5) | td_severity (INFO 1, WARNING 2, SUSPICIOUS 3, SEVERE 4,
//             APOCALYPSE 5, UNKNOWN 0)
//   delete    should_delete (true/false, 1/0, yes/no): the row is a deletion
// That covers the ThreatExchange UI's CSV export (td_* columns), pytx's descriptor rollup rows
// (id, added_on, space-separated labels) and /threat_updates records (id, indicator, type,
// should_delete). Other columns are ignored. Fields follow RFC 4180 (quotes, doubled quotes,
// line breaks inside quotes); a problem reports the line its record starts on.
#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "import_common.h"
#include "import_reader.h"

namespace vigil::hashbank {
namespace {

enum Column {
  kValue,
  kType,
  kId,
  kAdded,
  kTags,
  kCategory,
  kSeverity,
  kTeSeverity,
  kDelete,
  kColumnCount
};

std::optional<Column> ColumnOf(const std::string& name) {
  static const std::map<std::string, Column> kNames = {
      {"td_raw_indicator", kValue},
      {"raw_indicator", kValue},
      {"indicator", kValue},
      {"hash", kValue},
      {"signal_value", kValue},
      {"td_indicator_type", kType},
      {"indicator_type", kType},
      {"type", kType},
      {"signal_type", kType},
      {"id", kId},
      {"td_id", kId},
      {"descriptor_id", kId},
      {"first_descriptor_id", kId},
      {"added_on", kAdded},
      {"td_added_on", kAdded},
      {"time", kAdded},
      {"last_updated", kAdded},
      {"td_subjective_tags", kTags},
      {"tags", kTags},
      {"labels", kTags},
      {"category", kCategory},
      {"severity", kSeverity},
      {"td_severity", kTeSeverity},
      {"should_delete", kDelete},
  };
  auto it = kNames.find(name);
  if (it == kNames.end()) return std::nullopt;
  return it->second;
}

struct CsvRecord {
  size_t line = 0;  // where the record starts
  std::vector<std::string> fields;
};

// Reads one RFC 4180 record; false at end of input. Sets `error` on an unterminated quote, text
// after a closing quote, or a record longer than `max_bytes` (whose rest, to the end of its
// line, is skipped without being kept).
bool NextRecord(internal::CharReader& in, size_t& line, size_t max_bytes, CsvRecord& out,
                std::string& error) {
  out.fields.clear();
  error.clear();
  char c;
  if (!in.Peek(c)) return false;
  out.line = line;
  std::string field;
  size_t bytes = 0;
  bool quoted = false;
  bool after_quote = false;
  char next;
  while (in.Get(c)) {
    if (++bytes > max_bytes) {
      error = "record is longer than " + std::to_string(max_bytes) + " bytes; skipped";
      out.fields.clear();
      if (c == '\n') {
        ++line;
        return true;
      }
      while (in.Get(c)) {
        if (c == '\n') {
          ++line;
          break;
        }
      }
      return true;
    }
    if (quoted) {
      if (c == '"') {
        if (in.Peek(next) && next == '"') {
          field.push_back('"');
          in.Get(next);
          ++bytes;
        } else {
          quoted = false;
          after_quote = true;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == ',') {
      out.fields.push_back(std::move(field));
      field.clear();
      after_quote = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && in.Peek(next) && next == '\n') in.Get(next);
      ++line;
      out.fields.push_back(std::move(field));
      return true;
    } else if (c == '"' && field.empty() && !after_quote) {
      quoted = true;
    } else if (after_quote) {
      error = "text after a closing quote";
      // Skip to the end of the line so the next record starts cleanly.
      while (in.Peek(next) && next != '\n') in.Get(next);
    } else {
      field.push_back(c);
    }
  }
  if (quoted) {
    error = "a quoted field is not closed before the end of the file";
  }
  out.fields.push_back(std::move(field));
  return true;
}

std::optional<int> TeSeverity(const std::string& text) {
  static const std::map<std::string, int> kLevels = {{"unknown", 0}, {"info", 1},
                                                     {"warning", 2}, {"suspicious", 3},
                                                     {"severe", 4},  {"apocalypse", 5}};
  auto it = kLevels.find(internal::Lowercase(internal::Trim(text)));
  if (it == kLevels.end()) return std::nullopt;
  return it->second;
}

std::optional<bool> Boolean(const std::string& text) {
  const std::string t = internal::Lowercase(internal::Trim(text));
  if (t == "true" || t == "1" || t == "yes") return true;
  if (t == "false" || t == "0" || t == "no" || t.empty()) return false;
  return std::nullopt;
}

std::vector<std::string> SplitTags(const std::string& text) {
  std::vector<std::string> tags;
  std::string cur;
  for (char c : text) {
    if (c == ';' || c == ',' || c == ' ' || c == '\t') {
      if (!cur.empty()) tags.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) tags.push_back(std::move(cur));
  return tags;
}

}  // namespace

namespace {
// Drops a UTF-8 byte order mark at the start of the input.
class BomSkippingSource : public internal::ByteSource {
 public:
  explicit BomSkippingSource(internal::ByteSource& inner) : inner_(inner) {}
  Result<size_t> Read(char* out, size_t n) override {
    if (!started_) {
      started_ = true;
      char head[3];
      size_t got = 0;
      while (got < 3) {
        Result<size_t> r = inner_.Read(head + got, 3 - got);
        if (!r.ok()) return r;
        if (r.value() == 0) break;
        got += r.value();
      }
      if (!(got == 3 && std::string_view(head, 3) == "\xEF\xBB\xBF")) pending_.assign(head, got);
    }
    if (!pending_.empty()) {
      const size_t count = std::min(n, pending_.size());
      std::memcpy(out, pending_.data(), count);
      pending_.erase(0, count);
      return count;
    }
    return inner_.Read(out, n);
  }

 private:
  internal::ByteSource& inner_;
  bool started_ = false;
  std::string pending_;
};

Result<CompactImport> ImportTeCsvImpl(internal::ByteSource& raw, const ImportOptions& options) {
  BomSkippingSource source(raw);
  internal::CharReader in(source, options.read_chunk_bytes);
  internal::ImportContext ctx("te-csv", options);
  size_t line = 1;
  CsvRecord header;
  std::string error;
  const bool has_header = NextRecord(in, line, options.max_record_bytes, header, error);
  if (!in.status().ok()) return in.status();
  if (!has_header || !error.empty()) {
    return Status::InvalidArgument("te-csv: the file has no header line" +
                                   (error.empty() ? std::string() : " (" + error + ")"));
  }
  std::array<int, kColumnCount> col;
  col.fill(-1);
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::optional<Column> c = ColumnOf(internal::Lowercase(internal::Trim(header.fields[i])));
    if (c && col[*c] < 0) col[*c] = static_cast<int>(i);
  }
  if (col[kValue] < 0) {
    return Status::InvalidArgument(
        "te-csv: line 1 has no hash column (expected td_raw_indicator, indicator or hash)");
  }
  if (col[kType] < 0 && !options.signal_type) {
    return Status::InvalidArgument(
        "te-csv: line 1 has no type column (td_indicator_type or type); import with a signal type");
  }

  CsvRecord rec;
  size_t record = 0;
  while (NextRecord(in, line, options.max_record_bytes, rec, error)) {
    if (rec.fields.size() == 1 && internal::Trim(rec.fields[0]).empty()) continue;  // blank line
    ++record;
    if (!error.empty()) {
      ctx.Error(rec.line, record, "malformed CSV: " + error);
      continue;
    }
    if (rec.fields.size() != header.fields.size()) {
      ctx.Error(rec.line, record,
                "has " + std::to_string(rec.fields.size()) + " fields, the header has " +
                    std::to_string(header.fields.size()));
      continue;
    }
    auto field = [&](Column c) -> std::string {
      return col[c] < 0 ? std::string()
                        : std::string(internal::Trim(rec.fields[static_cast<size_t>(col[c])]));
    };
    std::optional<SignalType> type = options.signal_type;
    if (col[kType] >= 0) {
      type = ParseSignalType(field(kType));
      if (!type) {
        ctx.Error(rec.line, record,
                  "unsupported indicator type \"" + internal::Excerpt(field(kType)) +
                      "\" (expected HASH_PDQ, HASH_MD5, HASH_SHA1 or HASH_SHA256)");
        continue;
      }
    }
    const std::optional<bool> should_delete = Boolean(field(kDelete));
    if (!should_delete) {
      ctx.Error(
          rec.line, record,
          "should_delete is \"" + internal::Excerpt(field(kDelete)) + "\", expected true or false");
      continue;
    }
    Entry meta = internal::UnsetMeta();
    meta.external_id = field(kId);
    if (const std::string added = field(kAdded); !added.empty()) {
      const std::optional<int64_t> t = internal::ParseTimestamp(added);
      if (!t) {
        ctx.Error(rec.line, record, "cannot read the date \"" + internal::Excerpt(added) + "\"");
        continue;
      }
      meta.added_unix = *t;
    }
    const std::vector<std::string> tags = SplitTags(field(kTags));
    meta.category = field(kCategory);
    if (meta.category.empty()) {
      for (const std::string& tag : tags) {
        if (auto industry = internal::IndustryCategory(tag)) {
          meta.category = *industry;
          break;
        }
      }
    }
    if (meta.category.empty()) {
      for (const std::string& tag : tags) meta.category += (meta.category.empty() ? "" : " ") + tag;
    }
    if (const std::string sev = field(kSeverity); !sev.empty()) {
      if (sev.size() != 1 || sev[0] < '0' || sev[0] > '5') {
        ctx.Error(rec.line, record, "severity \"" + internal::Excerpt(sev) + "\" is not 0..5");
        continue;
      }
      meta.severity = sev[0] - '0';
    } else if (const std::string te = field(kTeSeverity); !te.empty()) {
      const std::optional<int> level = TeSeverity(te);
      if (!level) {
        ctx.Error(rec.line, record,
                  "td_severity \"" + internal::Excerpt(te) + "\" is not a ThreatExchange severity");
        continue;
      }
      meta.severity = *level;
    }
    if (*should_delete) {
      Deletion d;
      d.source = options.source;
      d.external_id = meta.external_id;
      const std::string value_text = field(kValue);
      if (!value_text.empty()) {
        Result<HashValue> value = ParseHashValue(*type, value_text);
        if (!value.ok()) {
          ctx.Error(rec.line, record, value.status().message());
          continue;
        }
        d.has_value = true;
        d.value = value.value();
      } else if (d.external_id.empty()) {
        ctx.Error(rec.line, record, "deletion names neither a hash nor an id");
        continue;
      }
      ctx.result().AddDeletion(std::move(d));
      continue;
    }
    ctx.AddValue(rec.line, record, *type, field(kValue), std::move(meta));
  }
  if (!in.status().ok()) return in.status();
  return ctx.Finish();
}

}  // namespace

namespace internal {
Result<CompactImport> ImportTeCsvFrom(ByteSource& source, const ImportOptions& options) {
  return GuardImport("te-csv",
                     [&]() -> Result<CompactImport> { return ImportTeCsvImpl(source, options); });
}
}  // namespace internal

Result<ImportResult> ImportTeCsv(std::string_view text, const ImportOptions& options) {
  return internal::GuardImport("te-csv", [&]() -> Result<ImportResult> {
    if (Status s = internal::CheckDocumentSize(text, options, "te-csv"); !s.ok()) return s;
    internal::MemorySource source(text);
    Result<CompactImport> r = ImportTeCsvImpl(source, options);
    if (!r.ok()) return r.status();
    return r.value().ToImportResult();
  });
}

}  // namespace vigil::hashbank
