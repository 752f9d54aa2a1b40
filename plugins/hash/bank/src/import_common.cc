#include "import_common.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace vigil::hashbank {

int DefaultSeverityForCategory(std::string_view category) {
  const std::optional<std::string> c = internal::IndustryCategory(category);
  if (!c) return 0;
  if (*c == "A1") return 5;
  if (*c == "A2" || *c == "B1") return 4;
  return 3;  // B2
}

namespace internal {

void ImportContext::Add(ImportProblem::Kind kind, size_t line, size_t record, std::string message) {
  if (result_.problems.size() >= options_.max_reported_problems) {
    (kind == ImportProblem::Kind::kError ? dropped_errors_ : dropped_ignored_)++;
    return;
  }
  result_.problems.push_back({kind, line, record, std::move(message)});
}

void ImportContext::Error(size_t line, size_t record, std::string message) {
  Add(ImportProblem::Kind::kError, line, record, std::move(message));
}

void ImportContext::Ignored(size_t line, size_t record, std::string message) {
  Add(ImportProblem::Kind::kIgnored, line, record, std::move(message));
}

bool ImportContext::AddValue(size_t line, size_t record, SignalType type, std::string_view hex,
                             Entry meta) {
  if (options_.signal_type && *options_.signal_type != type) {
    if (ParseHashValue(type, Trim(hex)).ok()) ++result_.filtered_out[static_cast<int>(type)];
    Ignored(line, record,
            std::string(SignalTypeName(type)) + " value skipped: this import takes " +
                std::string(SignalTypeName(*options_.signal_type)) + " only");
    return true;
  }
  Result<HashValue> value = ParseHashValue(type, Trim(hex));
  if (!value.ok()) {
    Error(line, record, value.status().message() + " (\"" + Excerpt(hex) + "\")");
    return false;
  }
  meta.value = value.value();
  if (meta.source.empty()) meta.source = options_.source;
  if (meta.category.empty()) meta.category = options_.category;
  if (auto industry = IndustryCategory(meta.category)) meta.category = *industry;
  if (meta.severity < 0) {
    meta.severity =
        options_.severity >= 0 ? options_.severity : DefaultSeverityForCategory(meta.category);
  }
  if (meta.severity > kMaxSeverity) {
    Error(line, record, "severity " + std::to_string(meta.severity) + " is out of range 0..5");
    return false;
  }
  if (meta.added_unix == 0) meta.added_unix = options_.now_unix;
  result_.AddEntry(meta);
  return true;
}

Result<CompactImport> ImportContext::Finish() {
  const size_t errors = result_.error_count() + dropped_errors_;
  if (dropped_errors_ + dropped_ignored_ > 0) {
    result_.problems.push_back(
        {dropped_errors_ > 0 ? ImportProblem::Kind::kError : ImportProblem::Kind::kIgnored, 0, 0,
         std::to_string(dropped_errors_) + " more errors and " + std::to_string(dropped_ignored_) +
             " more ignored records not listed"});
  }
  if (errors > 0 && options_.policy == BadRecordPolicy::kRefuse) {
    std::string msg = format_ + " import refused: " + std::to_string(errors) +
                      (errors == 1 ? " bad record" : " bad records") + " (nothing was imported)";
    size_t shown = 0;
    for (const ImportProblem& p : result_.problems) {
      if (p.kind != ImportProblem::Kind::kError) continue;
      msg += shown == 0 ? ": " : "; ";
      msg += p.ToString();
      if (++shown == 5) break;
    }
    return Status::InvalidArgument(msg);
  }
  return std::move(result_);
}

Status CheckDocumentSize(std::string_view text, const ImportOptions& options,
                         std::string_view format) {
  if (text.size() > options.max_document_bytes) {
    return Status::InvalidArgument(std::string(format) + " document has " +
                                   std::to_string(text.size()) + " bytes, more than the limit of " +
                                   std::to_string(options.max_document_bytes));
  }
  return Status::Ok();
}

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<int64_t> ParseTimestamp(std::string_view text) {
  const std::string_view s = Trim(text);
  if (s.empty()) return std::nullopt;
  if (s.size() <= 12 && s.find_first_not_of("0123456789") == std::string_view::npos) {
    return std::stoll(std::string(s));
  }
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!Digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
    return std::nullopt;
  }
  size_t pos = 10;
  if (pos < s.size()) {
    if ((s[pos] != 'T' && s[pos] != ' ') || !Digits(s, pos + 1, 2, h) || s.size() < pos + 9 ||
        s[pos + 3] != ':' || !Digits(s, pos + 4, 2, mi) || s[pos + 6] != ':' ||
        !Digits(s, pos + 7, 2, sec) || h > 23 || mi > 59 || sec > 60) {
      return std::nullopt;
    }
    pos += 9;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
    }
  }
  int64_t offset = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh, om;
      const bool colon = pos + 3 < s.size() && s[pos + 3] == ':';
      if (!Digits(s, pos + 1, 2, oh) || !Digits(s, pos + (colon ? 4 : 3), 2, om))
        return std::nullopt;
      offset = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
      pos += colon ? 6 : 5;
    }
  }
  if (pos != s.size()) return std::nullopt;
  return DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
         mi * 60 + sec - offset;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Excerpt(std::string_view s, size_t max) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isprint(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

size_t LineOfOffset(std::string_view text, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n';
  return line;
}

LineIndex::LineIndex(std::string_view text) {
  starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') starts_.push_back(i + 1);
  }
}

size_t LineIndex::LineOf(size_t offset) const {
  return static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), offset) -
                             starts_.begin());
}

std::optional<std::string> IndustryCategory(std::string_view text) {
  const std::string_view t = Trim(text);
  if (t.size() != 2) return std::nullopt;
  const char a = static_cast<char>(std::toupper(static_cast<unsigned char>(t[0])));
  if ((a != 'A' && a != 'B') || (t[1] != '1' && t[1] != '2')) return std::nullopt;
  return std::string{a, t[1]};
}

std::vector<size_t> TopLevelArrayElementLines(std::string_view text, std::string_view key,
                                              const LineIndex& lines) {
  std::vector<size_t> out;
  size_t depth = 0;
  size_t array_depth = 0;  // depth inside the wanted array, 0 when not in it
  bool expect_element = false;
  std::string_view last_string;
  bool key_pending = false;  // the last string at depth 1 was `key` and a ':' may follow
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (expect_element && c != ']') {
      out.push_back(lines.LineOf(i));
      expect_element = false;
    }
    if (c == '"') {
      const size_t start = i + 1;
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      last_string = text.substr(start, std::min(i, text.size()) - start);
      key_pending = depth == 1 && array_depth == 0 && last_string == key;
      continue;
    }
    if (c == ':') continue;
    if (c == '[' || c == '{') {
      ++depth;
      if (c == '[' && key_pending && depth == 2) {
        array_depth = depth;
        expect_element = true;
      }
      key_pending = false;
      continue;
    }
    key_pending = false;
    if (c == ']' || c == '}') {
      if (array_depth != 0 && depth == array_depth) return out;
      if (depth > 0) --depth;
      continue;
    }
    if (c == ',' && array_depth != 0 && depth == array_depth) expect_element = true;
  }
  return out;
}

size_t JsonNestingDepth(std::string_view text, size_t limit) {
  size_t depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth && (max_depth = depth) > limit) return max_depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

}  // namespace internal
}  // namespace vigil::hashbank
