// Video entries from the reference per-frame file, pytx/HMA vPDQ lines and ThreatExchange CSV.
#include "vigil/vpdq/video_list_import.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "vigil/vpdq/vpdq_signal.h"

namespace vigil::vpdq {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string Shown(std::string_view field) {
  std::string s(field.substr(0, 40));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return "\"" + s + (field.size() > 40 ? "...\"" : "\"");
}

// The type names pytx and ThreatExchange use for vPDQ.
bool IsVpdqType(std::string_view type) {
  const std::string t = Lower(Trim(type));
  return t == "vpdq" || t == "video_vpdq" || t == "hash_video_vpdq" || t == "hash_vpdq";
}

void AddEntry(VideoListImport& out, size_t line, std::string id, std::vector<FrameHash> frames) {
  if (id.empty()) id = VideoEntryIdFor(frames);
  if (!IsValidVideoEntryId(id)) {
    out.problems.push_back({false, line,
                            "id " + Shown(id) +
                                " cannot name a video entry (1..100 of letters, digits, "
                                "'-', '_', '.', not starting with '.')"});
    return;
  }
  out.entries.push_back({std::move(id), std::move(frames)});
}

StatusOr<VideoListImport> ParseHma(std::string_view text) {
  VideoListImport out;
  size_t line_number = 0, pos = 0;
  while (pos < text.size()) {
    ++line_number;
    size_t end = text.find('\n', pos);
    std::string_view line =
        Trim(text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (line.empty() || line.front() == '#') continue;
    // pytx's local file: the signal type, one space, the signal.
    size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      out.problems.push_back(
          {false, line_number, "expected \"vpdq <signal>\", found no signal type"});
      continue;
    }
    std::string_view type = line.substr(0, space);
    if (!IsVpdqType(type)) {
      out.problems.push_back(
          {true, line_number,
           "signal type " + Shown(type) + " is not a video entry (import it with --format hma)"});
      continue;
    }
    auto frames = ParseVpdqSignal(Trim(line.substr(space + 1)));
    if (!frames.ok()) {
      out.problems.push_back({false, line_number, frames.status().message()});
      continue;
    }
    AddEntry(out, line_number, "", std::move(frames).value());
  }
  return out;
}

// One RFC 4180 record from `pos`: quoted fields may hold commas, "" and line breaks.
bool NextCsvRecord(std::string_view text, size_t& pos, size_t& line,
                   std::vector<std::string>& fields, std::string& error) {
  fields.assign(1, std::string());
  bool quoted = false, was_quoted = false;
  while (pos < text.size()) {
    char c = text[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < text.size() && text[pos] == '"') {
          fields.back() += '"';
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        fields.back() += c;
      }
      continue;
    }
    if (c == '"' && fields.back().empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
      was_quoted = false;
    } else if (c == '\n') {
      ++line;
      if (!was_quoted && !fields.back().empty() && fields.back().back() == '\r') {
        fields.back().pop_back();
      }
      return true;
    } else if (c == '\r' && was_quoted) {
      // CR before the LF of a quoted last field
    } else if (was_quoted) {
      error = "text after a closing quote";
      return false;
    } else {
      fields.back() += c;
    }
  }
  if (quoted) {
    error = "a quoted field is not closed before the end of the file";
    return false;
  }
  if (!fields.back().empty() && fields.back().back() == '\r') fields.back().pop_back();
  return true;
}

int FindColumn(const std::vector<std::string>& header, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (Lower(Trim(header[i])) == name) return static_cast<int>(i);
    }
  }
  return -1;
}

StatusOr<VideoListImport> ParseTeCsv(std::string_view text) {
  VideoListImport out;
  size_t pos = 0, line = 1;
  std::vector<std::string> header, fields;
  std::string error;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // a UTF-8 byte order mark
  if (pos >= text.size()) return out;
  if (!NextCsvRecord(text, pos, line, header, error)) {
    return Status::InvalidArgument("te-csv-vpdq: header line: " + error);
  }
  const int hash = FindColumn(
      header, {"td_raw_indicator", "raw_indicator", "indicator", "hash", "signal_value"});
  const int type =
      FindColumn(header, {"td_indicator_type", "indicator_type", "type", "signal_type"});
  const int id = FindColumn(header, {"id", "td_id", "descriptor_id", "first_descriptor_id"});
  const int del = FindColumn(header, {"should_delete"});
  if (hash < 0) {
    return Status::InvalidArgument(
        "te-csv-vpdq: no hash column (td_raw_indicator, raw_indicator, indicator, hash or "
        "signal_value) in the header line");
  }
  while (pos < text.size()) {
    const size_t start = line;
    if (!NextCsvRecord(text, pos, line, fields, error)) {
      out.problems.push_back({false, start, error});
      break;  // the rest of the file cannot be split into records
    }
    if (fields.size() == 1 && Trim(fields[0]).empty()) continue;  // blank line
    auto at = [&](int column) -> std::string_view {
      return column >= 0 && static_cast<size_t>(column) < fields.size()
                 ? Trim(fields[static_cast<size_t>(column)])
                 : std::string_view();
    };
    if (type >= 0 && !IsVpdqType(at(type))) {
      out.problems.push_back(
          {true, start,
           "type " + Shown(at(type)) + " is not vPDQ (import it with --format te-csv)"});
      continue;
    }
    const std::string record_id(at(id));
    const std::string should_delete = Lower(at(del));
    if (should_delete == "true" || should_delete == "1" || should_delete == "yes") {
      if (record_id.empty() || !IsValidVideoEntryId(record_id)) {
        out.problems.push_back(
            {false, start, "a deletion needs a valid id, not " + Shown(record_id)});
      } else {
        out.deletions.push_back(record_id);
      }
      continue;
    }
    if (!should_delete.empty() && should_delete != "false" && should_delete != "0" &&
        should_delete != "no") {
      out.problems.push_back(
          {false, start, "should_delete " + Shown(should_delete) + " is not true or false"});
      continue;
    }
    auto frames = ParseVpdqSignal(at(hash));
    if (!frames.ok()) {
      out.problems.push_back({false, start, frames.status().message()});
      continue;
    }
    AddEntry(out, start, record_id, std::move(frames).value());
  }
  return out;
}

}  // namespace

std::optional<VideoListFormat> ParseVideoListFormat(std::string_view name) {
  if (name == "vpdq") return VideoListFormat::kFrames;
  if (name == "hma-vpdq") return VideoListFormat::kHmaVpdq;
  if (name == "te-csv-vpdq") return VideoListFormat::kTeCsvVpdq;
  return std::nullopt;
}

std::string_view VideoListFormatName(VideoListFormat format) {
  switch (format) {
    case VideoListFormat::kFrames:
      return "vpdq";
    case VideoListFormat::kHmaVpdq:
      return "hma-vpdq";
    case VideoListFormat::kTeCsvVpdq:
      return "te-csv-vpdq";
  }
  return "?";
}

std::string VideoListProblem::ToString() const {
  return (line > 0 ? "line " + std::to_string(line) + ": " : std::string()) + message;
}

size_t VideoListImport::error_count() const {
  return static_cast<size_t>(std::count_if(problems.begin(), problems.end(),
                                           [](const VideoListProblem& p) { return !p.ignored; }));
}

bool IsValidVideoEntryId(std::string_view id) {
  if (id.empty() || id.size() > 100 || id.front() == '.') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::string VideoEntryIdFor(const std::vector<FrameHash>& frames) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : FormatFrameHashes(frames)) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  char text[24];
  std::snprintf(text, sizeof text, "vpdq-%016llx", static_cast<unsigned long long>(h));
  return text;
}

StatusOr<VideoListImport> ParseVideoList(VideoListFormat format, std::string_view text,
                                         std::string_view frames_id) {
  if (text.size() > kMaxVideoListBytes) {
    return Status::Resource("the list is " + std::to_string(text.size()) +
                            " bytes, more than the " + std::to_string(kMaxVideoListBytes >> 20) +
                            " MiB a video list may have");
  }
  switch (format) {
    case VideoListFormat::kFrames: {
      auto frames = ParseFrameHashes(text);
      if (!frames.ok()) return frames.status();
      if (!IsValidVideoEntryId(frames_id)) {
        return Status::InvalidArgument("the file name " + Shown(frames_id) +
                                       " cannot name a video entry (1..100 of letters, digits, "
                                       "'-', '_', '.', not starting with '.')");
      }
      VideoListImport out;
      out.entries.push_back({std::string(frames_id), std::move(frames).value()});
      return out;
    }
    case VideoListFormat::kHmaVpdq:
      return ParseHma(text);
    case VideoListFormat::kTeCsvVpdq:
      return ParseTeCsv(text);
  }
  return Status::InvalidArgument("unknown video list format");
}

StatusOr<VideoListImport> ReadVideoListFile(VideoListFormat format, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0 || static_cast<uint64_t>(size) > kMaxVideoListBytes) {
    return Status::Resource(path + ": more than the " + std::to_string(kMaxVideoListBytes >> 20) +
                            " MiB a video list may have");
  }
  in.seekg(0);
  std::string text(std::istreambuf_iterator<char>(in), {});
  // The per-frame file's video is named after the file: "clip.vpdq" / "clip.txt" -> "clip".
  std::string stem = path.substr(path.find_last_of('/') + 1);
  if (size_t dot = stem.rfind('.'); dot != std::string::npos && dot > 0) stem.resize(dot);
  return ParseVideoList(format, text, stem);
}

}  // namespace vigil::vpdq
