// NCMEC hash-sharing API v2: <queryResult> pages from /v2/entries (namespace
// https://hashsharing.ncmec.org/hashsharing/v2). Each <image>/<video> is a record:
//   external id  "<member id>-<id>" (the key pytx uses: NCMEC ids are per member)
//   category     <classification> (A1, A2, B1, B2, or kept as given)
//   added        <timestamp>
//   entries      one per <fingerprints> child Vigil matches: <md5>, <sha1>, (<pdq>);
//                <pdna> (PhotoDNA), <tmk-pdqf>, <videntifier> are reported as ignored
// <deletedImage>/<deletedVideo> remove the record. A record with any malformed fingerprint is
// rejected whole (no half records). Other documents the API returns (status, feedback) are
// refused: they are not entry lists. pugixml never loads external entities and does not
// expand DTD entities, so entity tricks leave literal "&name;" text that fails validation.
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "import_common.h"

namespace vigil::hashbank {
namespace {

std::string_view LocalName(const pugi::xml_node& node) {
  std::string_view name = node.name();
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view local) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c) == local) return c;
  }
  return {};
}

std::string Text(const pugi::xml_node& node) {
  return std::string(internal::Trim(node.child_value()));
}

std::string RecordId(const pugi::xml_node& record) {
  const pugi::xml_node member = Child(record, "member");
  const std::string id = Text(Child(record, "id"));
  if (id.empty()) return {};
  const std::string member_id =
      member ? std::string(member.attribute("id").value()) : std::string();
  return member_id.empty() ? id : member_id + "-" + id;
}

}  // namespace

namespace {
Result<CompactImport> ImportNcmecXmlImpl(std::string_view text, const ImportOptions& options) {
  if (Status s = internal::CheckDocumentSize(text, options, "ncmec-xml"); !s.ok()) return s;
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed =
      doc.load_buffer(text.data(), text.size(), pugi::parse_default & ~pugi::parse_doctype);
  const internal::LineIndex lines(text);
  if (!parsed) {
    return Status::InvalidArgument(
        "ncmec-xml: not well-formed XML at line " +
        std::to_string(lines.LineOf(static_cast<size_t>(parsed.offset))) + ": " +
        parsed.description());
  }
  const pugi::xml_node root = doc.document_element();
  if (LocalName(root) != "queryResult") {
    return Status::InvalidArgument("ncmec-xml: <" + internal::Excerpt(root.name()) +
                                   "> is not an entries document (expected <queryResult> from "
                                   "the NCMEC /v2/entries endpoint); nothing was imported");
  }
  internal::ImportContext ctx("ncmec-xml", options);
  const std::string source = options.source.empty() ? "ncmec" : options.source;
  size_t record = 0;
  for (pugi::xml_node group = root.first_child(); group; group = group.next_sibling()) {
    if (group.type() != pugi::node_element) continue;
    const std::string_view group_name = LocalName(group);
    if (group_name == "paging") continue;
    if (group_name != "images" && group_name != "videos") {
      ctx.Ignored(lines.LineOf(static_cast<size_t>(group.offset_debug())), 0,
                  "unknown element <" + internal::Excerpt(group.name()) + ">");
      continue;
    }
    for (pugi::xml_node item = group.first_child(); item; item = item.next_sibling()) {
      if (item.type() != pugi::node_element) continue;
      ++record;
      const size_t line = lines.LineOf(static_cast<size_t>(item.offset_debug()));
      const std::string_view kind = LocalName(item);
      const std::string id = RecordId(item);
      if (kind == "deletedImage" || kind == "deletedVideo") {
        if (id.empty()) {
          ctx.Error(line, record, "<" + std::string(kind) + "> without an <id>");
          continue;
        }
        Deletion d;
        d.source = source;
        d.external_id = id;
        ctx.result().AddDeletion(std::move(d));
        continue;
      }
      if (kind != "image" && kind != "video") {
        ctx.Ignored(line, record, "unknown element <" + internal::Excerpt(item.name()) + ">");
        continue;
      }
      if (id.empty()) {
        ctx.Error(line, record, "<" + std::string(kind) + "> without an <id>");
        continue;
      }
      Entry meta = internal::UnsetMeta();
      meta.source = source;
      meta.external_id = id;
      meta.category = Text(Child(item, "classification"));
      if (const std::string ts = Text(Child(item, "timestamp")); !ts.empty()) {
        const std::optional<int64_t> t = internal::ParseTimestamp(ts);
        if (!t) {
          ctx.Error(line, record, "cannot read <timestamp> \"" + internal::Excerpt(ts) + "\"");
          continue;
        }
        meta.added_unix = *t;
      }
      // Validate every fingerprint before adding any, so a record is all or nothing.
      struct Fingerprint {
        SignalType type;
        std::string hex;
        size_t line;
      };
      std::vector<Fingerprint> prints;
      std::string bad;
      size_t bad_line = line;
      const pugi::xml_node fingerprints = Child(item, "fingerprints");
      for (pugi::xml_node fp = fingerprints.first_child(); fp; fp = fp.next_sibling()) {
        if (fp.type() != pugi::node_element) continue;
        const size_t fp_line = lines.LineOf(static_cast<size_t>(fp.offset_debug()));
        const std::string_view fp_name = LocalName(fp);
        std::optional<SignalType> type;
        if (fp_name == "md5")
          type = SignalType::kMd5;
        else if (fp_name == "sha1")
          type = SignalType::kSha1;
        else if (fp_name == "pdq")
          type = SignalType::kPdq;
        if (!type) {
          ctx.Ignored(
              fp_line, record,
              "<" + internal::Excerpt(fp.name()) + "> fingerprint is not a signal Vigil matches");
          continue;
        }
        const std::string hex = Text(fp);
        if (Result<HashValue> v = ParseHashValue(*type, hex); !v.ok() && bad.empty()) {
          bad = v.status().message() + " (\"" + internal::Excerpt(hex) + "\")";
          bad_line = fp_line;
        }
        prints.push_back({*type, hex, fp_line});
      }
      if (!bad.empty()) {
        ctx.Error(bad_line, record, "record " + internal::Excerpt(id) + ": " + bad);
        continue;
      }
      if (prints.empty()) {
        ctx.Ignored(line, record,
                    "record " + internal::Excerpt(id) + " has no fingerprint Vigil matches");
        continue;
      }
      for (const Fingerprint& fp : prints) ctx.AddValue(fp.line, record, fp.type, fp.hex, meta);
    }
  }
  return ctx.Finish();
}

}  // namespace

namespace internal {
Result<CompactImport> ImportNcmecXmlCompact(std::string_view text, const ImportOptions& options) {
  return GuardImport("ncmec-xml", [&] { return ImportNcmecXmlImpl(text, options); });
}
}  // namespace internal

Result<ImportResult> ImportNcmecXml(std::string_view text, const ImportOptions& options) {
  return internal::GuardImport("ncmec-xml", [&]() -> Result<ImportResult> {
    Result<CompactImport> r = ImportNcmecXmlImpl(text, options);
    if (!r.ok()) return r.status();
    return r.value().ToImportResult();
  });
}

}  // namespace vigil::hashbank
