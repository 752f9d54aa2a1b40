#include "eval/eval_corpus.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace vigil::eval {

bool SplitCsvLine(const std::string& line, std::vector<std::string>& fields, std::string& error) {
  fields.clear();
  std::string field;
  size_t i = 0;
  for (;;) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) {
          error = "unterminated quote";
          return false;
        }
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      if (i < line.size() && line[i] != ',') {
        error = "text after a closing quote";
        return false;
      }
    } else {
      while (i < line.size() && line[i] != ',') field += line[i++];
    }
    fields.push_back(field);
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

bool ValidLabel(const std::string& label) {
  if (label.empty() || label.size() > 64) return false;
  for (char c : label) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

namespace {

std::string Trim(const std::string& text) {
  size_t begin = 0, end = text.size();
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  return text.substr(begin, end - begin);
}

}  // namespace

Corpus ReadCorpus(const std::string& csv_path) {
  Corpus corpus;
  std::ifstream in(csv_path, std::ios::binary);
  if (!in) {
    corpus.problems.push_back(csv_path + ": cannot read the corpus: " + std::strerror(errno));
    return corpus;
  }
  std::error_code ec;
  const fs::path base = fs::absolute(fs::path(csv_path), ec).parent_path();
  std::string line;
  int number = 0;
  bool first = true;
  std::vector<std::string> fields;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Trim(line).empty() || Trim(line)[0] == '#') continue;
    const std::string where = csv_path + ":" + std::to_string(number) + ": ";
    std::string error;
    if (!SplitCsvLine(line, fields, error)) {
      corpus.problems.push_back(where + error);
      first = false;
      continue;
    }
    for (std::string& f : fields) f = Trim(f);
    if (first && fields.size() >= 2 && fields[0] == "path" && fields[1] == "label") {
      first = false;
      continue;  // the header
    }
    first = false;
    if (fields.size() < 2 || fields.size() > 3) {
      corpus.problems.push_back(where + "expected path,label[,category], found " +
                                std::to_string(fields.size()) + " field" +
                                (fields.size() == 1 ? "" : "s"));
      continue;
    }
    CorpusItem item;
    item.line = number;
    item.label = fields[1];
    if (fields.size() == 3) item.category = fields[2];
    bool ok = true;
    if (!ValidLabel(item.label)) {
      corpus.problems.push_back(where + "bad label '" + item.label +
                                "' (1 to 64 letters, digits, '.', '_' or '-')");
      ok = false;
    }
    for (char c : item.category) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        corpus.problems.push_back(where + "the category has a control character");
        ok = false;
        break;
      }
    }
    if (fields[0].empty()) {
      corpus.problems.push_back(where + "the path is empty");
      continue;
    }
    fs::path path(fields[0]);
    if (path.is_relative()) path = base / path;
    fs::path real = fs::weakly_canonical(path, ec);
    if (ec) real = path;
    std::error_code status_ec;
    const fs::file_status status = fs::status(real, status_ec);
    if (!fs::exists(status)) {
      corpus.problems.push_back(where + "no such file " + real.string());
      continue;
    }
    if (!fs::is_regular_file(status)) {
      corpus.problems.push_back(where + real.string() + " is not a regular file");
      continue;
    }
    item.path = real.string();
    if (ok) corpus.items.push_back(std::move(item));
  }
  if (in.bad()) corpus.problems.push_back(csv_path + ": read error");
  if (corpus.items.empty() && corpus.problems.empty()) {
    corpus.problems.push_back(csv_path + ": no labelled items (an empty corpus)");
  }
  return corpus;
}

}  // namespace vigil::eval
