// StopNCII FetchHashes responses: {"count", "nextPageToken", "hasMoreRecords",
// "hashRecords": [{hashValue, signalType, hashStatus, caseNumbers, lastModtimestamp,
// CSPFeedbacks: [{source, feedbackValue, tags}]}]}.
//
//   signalType   ImagePDQ -> pdq, VideoMD5 -> md5; VideoTMK, Text, URL -> ignored (Vigil
//                does not match them); anything else is an unknown enum
//   hashStatus   Received, Active -> entry; Withdrawn, Deleted -> deletion of that value;
//                Unknown or anything else is an unknown enum
//   feedbackValue, caseNumbers statuses: validated against the API's enums
//   identity     StopNCII identifies a record by (signalType, hashValue): a later record
//                replaces an earlier one. An entry's external id is its hashValue as given
//                (trimmed), so a detection's entry_id names the hash StopNCII's feedback is
//                about (issue 15 item 2); a value mentioned twice in one document is deleted
//                (as a record) before its second mention, so the later snapshot replaces the
//                earlier one as a later document's would
//   category     "NCII" unless ImportOptions::category says otherwise (StopNCII hashes are
//                adults' non-consensual intimate images, not CSAM)
// Unknown enum values: with UnknownEnumPolicy::kReject (default) the record is an error (as
// pytx skips it); with kMapAndWarn an unknown feedbackValue/hashStatus/case status is noted
// as ignored and the record kept as active. An unknown signalType is always an error.
#include <set>
#include <string>

#include "json_common.h"

namespace vigil::hashbank {
namespace {

const std::set<std::string> kCaseStatuses = {"Unknown", "Received", "Active", "Withdrawn",
                                             "Deleted"};
const std::set<std::string> kFeedbackValues = {"Unknown",       "None",    "QualityUnknown",
                                               "PendingReview", "Blocked", "NotBlocked",
                                               "Withdrawn",     "Deleted"};

std::string TrimmedValue(const std::string& value) {
  const size_t begin = value.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  return value.substr(begin, value.find_last_not_of(" \t\r\n") - begin + 1);
}

}  // namespace

namespace {
Result<CompactImport> ImportStopNciiJsonImpl(std::string_view text, const ImportOptions& options) {
  const internal::LineIndex lines(text);
  nlohmann::json doc;
  if (Status s = internal::ParseJsonChecked(text, options, "stopncii-json", lines, doc); !s.ok())
    return s;
  if (!doc.is_object() || !doc.contains("hashRecords") || !doc["hashRecords"].is_array()) {
    return Status::InvalidArgument(
        "stopncii-json: not a FetchHashes response (no \"hashRecords\" array); nothing was "
        "imported");
  }
  const std::vector<size_t> record_lines =
      internal::TopLevelArrayElementLines(text, "hashRecords", lines);
  internal::ImportContext ctx("stopncii-json", options);
  const bool strict = options.unknown_enums == UnknownEnumPolicy::kReject;
  const std::string source = options.source.empty() ? "stopncii" : options.source;
  size_t record = 0;
  std::set<std::string> upserted;  // "<signalType> <value>" of this document's entries
  for (const nlohmann::json& rec : doc["hashRecords"]) {
    const size_t line = record < record_lines.size() ? record_lines[record] : 0;
    ++record;
    if (!rec.is_object()) {
      ctx.Error(line, record, "hash record is not an object");
      continue;
    }
    const std::string signal = internal::StringAt(rec, "signalType");
    const std::string value = internal::StringAt(rec, "hashValue");
    std::optional<SignalType> type;
    if (signal == "ImagePDQ")
      type = SignalType::kPdq;
    else if (signal == "VideoMD5")
      type = SignalType::kMd5;
    if (!type) {
      if (signal == "VideoTMK" || signal == "Text" || signal == "URL") {
        ctx.Ignored(line, record, "signalType " + signal + " is not a signal Vigil matches");
      } else {
        ctx.Error(line, record, "unknown signalType \"" + internal::Excerpt(signal) + "\"");
      }
      continue;
    }
    // Enum checks: hashStatus, caseNumbers (object or empty list), CSPFeedbacks.
    std::string unknown;
    std::string malformed;
    const std::string status = internal::StringAt(rec, "hashStatus");
    if (!kCaseStatuses.count(status) || status == "Unknown")
      unknown = "hashStatus \"" + internal::Excerpt(status) + "\"";
    if (auto it = rec.find("caseNumbers"); it != rec.end()) {
      if (it->is_object()) {
        for (const auto& [case_id, case_status] : it->items()) {
          if (!case_status.is_string()) {
            malformed = "caseNumbers[" + internal::Excerpt(case_id) + "] is not a string";
          } else if (!kCaseStatuses.count(case_status.get<std::string>()) && unknown.empty()) {
            unknown = "case status \"" + internal::Excerpt(case_status.get<std::string>()) + "\"";
          }
        }
      } else if (!(it->is_array() && it->empty())) {
        malformed = "caseNumbers is neither an object nor an empty list";
      }
    }
    if (auto it = rec.find("CSPFeedbacks"); it != rec.end()) {
      if (!it->is_array()) {
        malformed = "CSPFeedbacks is not a list";
      } else {
        for (const nlohmann::json& fb : *it) {
          const std::string fv =
              fb.is_object() ? internal::StringAt(fb, "feedbackValue") : std::string();
          if (!fb.is_object())
            malformed = "a CSPFeedbacks item is not an object";
          else if (!kFeedbackValues.count(fv) && unknown.empty())
            unknown = "feedbackValue \"" + internal::Excerpt(fv) + "\"";
        }
      }
    }
    if (!malformed.empty()) {
      ctx.Error(line, record, malformed);
      continue;
    }
    if (!unknown.empty()) {
      if (strict) {
        ctx.Error(line, record, "unknown " + unknown + " (strict enums; see docs/hash-banks.md)");
        continue;
      }
      ctx.Ignored(line, record, "unknown " + unknown + " kept as an active record");
    }
    if (status == "Withdrawn" || status == "Deleted") {
      Result<HashValue> parsed = ParseHashValue(*type, value);
      if (!parsed.ok()) {
        ctx.Error(line, record, parsed.status().message());
        continue;
      }
      Deletion d;
      d.source = source;
      d.has_value = true;
      d.value = parsed.value();
      ctx.result().AddDeletion(std::move(d));
      continue;
    }
    Entry meta = internal::UnsetMeta();
    meta.source = source;
    meta.category = options.category.empty() ? "NCII" : options.category;
    if (auto it = rec.find("lastModtimestamp"); it != rec.end()) {
      if (!it->is_number_integer()) {
        ctx.Error(line, record, "lastModtimestamp is not an integer");
        continue;
      }
      meta.added_unix = it->get<int64_t>();
    }
    meta.external_id = TrimmedValue(value);
    if (!upserted.insert(signal + " " + meta.external_id).second) {
      Deletion again;  // the record's earlier mention in this document
      again.source = source;
      again.external_id = meta.external_id;
      ctx.result().AddDeletion(std::move(again));
    }
    ctx.AddValue(line, record, *type, value, std::move(meta));
  }
  return ctx.Finish();
}

}  // namespace

namespace internal {
Result<CompactImport> ImportStopNciiJsonCompact(std::string_view text,
                                                const ImportOptions& options) {
  return GuardImport("stopncii-json", [&] { return ImportStopNciiJsonImpl(text, options); });
}
}  // namespace internal

Result<ImportResult> ImportStopNciiJson(std::string_view text, const ImportOptions& options) {
  return internal::GuardImport("stopncii-json", [&]() -> Result<ImportResult> {
    Result<CompactImport> r = ImportStopNciiJsonImpl(text, options);
    if (!r.ok()) return r.status();
    return r.value().ToImportResult();
  });
}

}  // namespace vigil::hashbank
