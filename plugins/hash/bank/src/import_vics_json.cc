// A VICS (Project VIC, OData JSON) subset: hashes and category only.
//
//   {"@odata.context" | "odata.metadata": ..., "value": [ media, ... ]}
//   media: {"MediaID": number|string, "Category": number|string,
//           "MD5": hex, "SHA1": hex, "SHA256": hex, "PDQ": hex (each optional, >= 1 present),
//           "DateUpdated": ISO 8601 (optional)}
//   VICS 1.x cases that nest media as value[i].Media[] are read the same way.
// Key names match case-insensitively; every other field (PhotoDNA, paths, EXIF, victim and
// series data) is ignored without a note. Category: an industry category (A1..B2) is kept as
// such, a number n becomes "VICS n" (agencies' numbering differs; map it in policy). MediaID is
// the external id, so re-importing a media record replaces its hashes.
#include <string>

#include "json_common.h"

namespace vigil::hashbank {
namespace {

const nlohmann::json* FindKey(const nlohmann::json& obj, std::string_view key) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (internal::Lowercase(it.key()) == key) return &it.value();
  }
  return nullptr;
}

std::string Scalar(const nlohmann::json* v) {
  if (v == nullptr || v->is_null()) return {};
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_integer()) return std::to_string(v->get<int64_t>());
  if (v->is_number_unsigned()) return std::to_string(v->get<uint64_t>());
  return {};
}

}  // namespace

namespace {
Result<CompactImport> ImportVicsJsonImpl(std::string_view text, const ImportOptions& options) {
  const internal::LineIndex lines(text);
  nlohmann::json doc;
  if (Status s = internal::ParseJsonChecked(text, options, "vics-json", lines, doc); !s.ok())
    return s;
  const nlohmann::json* value = doc.is_object() ? FindKey(doc, "value") : nullptr;
  if (value == nullptr || !value->is_array()) {
    return Status::InvalidArgument(
        "vics-json: no top-level \"value\" array (not a VICS export); nothing was imported");
  }
  const std::vector<size_t> item_lines = internal::TopLevelArrayElementLines(text, "value", lines);
  internal::ImportContext ctx("vics-json", options);
  const std::string source = options.source.empty() ? "vics" : options.source;
  size_t record = 0;

  auto import_media = [&](const nlohmann::json& media, size_t line) {
    ++record;
    if (!media.is_object()) {
      ctx.Error(line, record, "media record is not an object");
      return;
    }
    Entry meta = internal::UnsetMeta();
    meta.source = source;
    meta.external_id = Scalar(FindKey(media, "mediaid"));
    const nlohmann::json* category = FindKey(media, "category");
    if (category != nullptr && category->is_number_integer()) {
      meta.category = "VICS " + std::to_string(category->get<int64_t>());
    } else if (category != nullptr && category->is_string()) {
      meta.category = category->get<std::string>();
    } else if (category != nullptr && !category->is_null()) {
      ctx.Error(line, record, "Category is neither a number nor a string");
      return;
    }
    if (const std::string date = Scalar(FindKey(media, "dateupdated")); !date.empty()) {
      const std::optional<int64_t> t = internal::ParseTimestamp(date);
      if (!t) {
        ctx.Error(line, record, "cannot read DateUpdated \"" + internal::Excerpt(date) + "\"");
        return;
      }
      meta.added_unix = *t;
    }
    struct Field {
      const char* key;
      SignalType type;
    };
    static constexpr Field kFields[] = {{"md5", SignalType::kMd5},
                                        {"sha1", SignalType::kSha1},
                                        {"sha256", SignalType::kSha256},
                                        {"pdq", SignalType::kPdq}};
    std::vector<std::pair<SignalType, std::string>> values;
    for (const Field& f : kFields) {
      const nlohmann::json* v = FindKey(media, f.key);
      if (v == nullptr || v->is_null()) continue;
      if (!v->is_string()) {
        ctx.Error(line, record, std::string(SignalTypeName(f.type)) + " is not a string");
        return;
      }
      if (Result<HashValue> parsed = ParseHashValue(f.type, v->get<std::string>()); !parsed.ok()) {
        ctx.Error(
            line, record,
            parsed.status().message() + " (\"" + internal::Excerpt(v->get<std::string>()) + "\")");
        return;
      }
      values.emplace_back(f.type, v->get<std::string>());
    }
    if (values.empty()) {
      ctx.Error(line, record, "media record has no MD5, SHA1, SHA256 or PDQ value");
      return;
    }
    for (const auto& [type, hex] : values) ctx.AddValue(line, record, type, hex, meta);
  };

  size_t index = 0;
  for (const nlohmann::json& item : *value) {
    const size_t line = index < item_lines.size() ? item_lines[index] : 0;
    ++index;
    const nlohmann::json* nested = item.is_object() ? FindKey(item, "media") : nullptr;
    if (nested != nullptr && nested->is_array()) {
      for (const nlohmann::json& media : *nested) import_media(media, line);
    } else {
      import_media(item, line);
    }
  }
  return ctx.Finish();
}

}  // namespace

namespace internal {
Result<CompactImport> ImportVicsJsonCompact(std::string_view text, const ImportOptions& options) {
  return GuardImport("vics-json", [&] { return ImportVicsJsonImpl(text, options); });
}
}  // namespace internal

Result<ImportResult> ImportVicsJson(std::string_view text, const ImportOptions& options) {
  return internal::GuardImport("vics-json", [&]() -> Result<ImportResult> {
    Result<CompactImport> r = ImportVicsJsonImpl(text, options);
    if (!r.ok()) return r.status();
    return r.value().ToImportResult();
  });
}

}  // namespace vigil::hashbank
