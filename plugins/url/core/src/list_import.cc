#include "vigil/url/list_import.h"

#include <fstream>
#include <sstream>

#include "vigil/url/idna.h"

namespace vigil::url {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> SplitColumns(std::string_view line, bool loose) {
  std::vector<std::string_view> cols;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    const bool sep =
        i == line.size() || line[i] == '\t' || (loose && (line[i] == ' ' || line[i] == ','));
    if (!sep) continue;
    const std::string_view col = Trim(line.substr(start, i - start));
    if (!col.empty()) cols.push_back(col);
    start = i + 1;
  }
  return cols;
}

Status ParseKind(std::string_view v, EntryKind* kind) {
  if (v == "url") {
    *kind = EntryKind::kUrl;
  } else if (v == "prefix") {
    *kind = EntryKind::kPathPrefix;
  } else if (v == "domain") {
    *kind = EntryKind::kDomain;
  } else {
    return Status::InvalidArgument("kind must be url, prefix or domain, not '" + std::string(v) +
                                   "'");
  }
  return Status::Ok();
}

Status ApplyColumn(std::string_view col, EntryMetadata* meta, EntryKind* kind) {
  const size_t eq = col.find('=');
  if (eq == std::string_view::npos) {
    return Status::InvalidArgument("expected key=value, got '" + std::string(col.substr(0, 80)) +
                                   "'");
  }
  const std::string_view key = col.substr(0, eq), value = col.substr(eq + 1);
  if (key == "kind") return ParseKind(value, kind);
  if (key == "source") {
    meta->source = value;
  } else if (key == "category") {
    meta->category = value;
  } else if (key == "date") {
    meta->date_added = value;
  } else if (key == "id") {
    meta->entry_id = value;
  } else if (key == "severity") {
    if (value.size() != 1 || value[0] < '0' || value[0] > '5') {
      return Status::InvalidArgument("severity must be 0..5, not '" + std::string(value) + "'");
    }
    meta->severity = static_cast<uint8_t>(value[0] - '0');
  } else {
    return Status::InvalidArgument("unknown column '" + std::string(key) + "'");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> DomainEntryHost(std::string_view text) {
  std::string_view host = text;
  if (host.size() >= 2 && host[0] == '*' && host[1] == '.') host.remove_prefix(2);
  if (host.empty()) return Status::InvalidArgument("empty host name");
  if (host.find('*') != std::string_view::npos) {
    return Status::InvalidArgument("'*' is only allowed as a leading '*.' (the whole domain): '" +
                                   std::string(text.substr(0, 80)) + "'");
  }
  // IP literals are checked by the canonicaliser.
  if (host.front() == '[') return std::string(host);
  auto ascii = DomainToAscii(host);
  if (!ascii.ok()) {
    return Status::InvalidArgument("invalid host name '" + std::string(host.substr(0, 80)) +
                                   "': " + ascii.status().message());
  }
  std::string name = std::move(ascii).value();
  if (!name.empty() && name.back() == '.') name.pop_back();  // the root label
  if (name.size() > 253) {
    return Status::InvalidArgument("host name longer than 253 bytes: '" + name.substr(0, 80) +
                                   "...'");
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('.', start);
    if (end == std::string::npos) end = name.size();
    const std::string_view label = std::string_view(name).substr(start, end - start);
    if (label.empty()) {
      return Status::InvalidArgument("host name '" + name.substr(0, 80) + "' has an empty label");
    }
    if (label.size() > 63) {
      return Status::InvalidArgument("host name label '" + std::string(label.substr(0, 20)) +
                                     "...' is " + std::to_string(label.size()) +
                                     " bytes, more than 63");
    }
    for (char c : label) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        return Status::InvalidArgument("invalid host name '" + std::string(host.substr(0, 80)) +
                                       "': labels are letters, digits, '-' and '_'");
      }
    }
    start = end + 1;
  }
  return name;
}

Result<ImportReport> ImportList(std::string_view text, ImportFormat format,
                                const ImportOptions& options, BlocklistBuilder* builder) {
  if (format == ImportFormat::kSha256List && builder->format() != ListFormat::kHashed) {
    return Status::InvalidArgument("a sha256 list can only be imported into a hashed list");
  }
  ImportReport report;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++report.lines;
    auto error = [&](std::string msg) { report.errors.push_back({report.lines, std::move(msg)}); };
    if (raw.size() > options.max_line_length) {
      error("line longer than " + std::to_string(options.max_line_length) + " bytes");
      continue;
    }
    if (raw.find('\0') != std::string_view::npos) {
      error("line contains a NUL byte");
      continue;
    }
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') {
      ++report.skipped;
      continue;
    }
    const auto cols = SplitColumns(line, format == ImportFormat::kSha256List);
    EntryMetadata meta = options.defaults;
    EntryKind kind = format == ImportFormat::kDomainList   ? EntryKind::kDomain
                     : format == ImportFormat::kSha256List ? EntryKind::kPathPrefix
                                                           : options.url_kind;
    Status st;
    for (size_t c = 1; c < cols.size() && st.ok(); ++c) st = ApplyColumn(cols[c], &meta, &kind);
    if (!st.ok()) {
      error(st.message());
      continue;
    }
    if (meta.entry_id.empty()) meta.entry_id = "line:" + std::to_string(report.lines);
    switch (format) {
      case ImportFormat::kUrlList:
        st = builder->AddUrl(cols[0], kind, meta);
        break;
      case ImportFormat::kDomainList:
        if (kind == EntryKind::kDomain && cols[0].find_first_of("/:@") == std::string_view::npos) {
          auto host = DomainEntryHost(cols[0]);
          st = host.ok() ? builder->AddDomain(host.value(), meta) : host.status();
        } else {
          st = kind == EntryKind::kDomain ? builder->AddDomain(cols[0], meta)
                                          : builder->AddUrl(cols[0], kind, meta);
        }
        break;
      case ImportFormat::kSha256List: {
        const auto digest = DigestFromHex(cols[0]);
        st = digest ? builder->AddDigest(*digest, kind, meta)
                    : Status::InvalidArgument("not a 64-hex-digit SHA-256: '" +
                                              std::string(cols[0].substr(0, 80)) + "'");
        break;
      }
    }
    if (!st.ok()) {
      error(st.message());
      continue;
    }
    ++report.added;
  }
  return report;
}

Result<ImportReport> ImportListFile(const std::string& path, ImportFormat format,
                                    const ImportOptions& options, BlocklistBuilder* builder) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open list " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read list " + path);
  return ImportList(ss.str(), format, options, builder);
}

}  // namespace vigil::url
