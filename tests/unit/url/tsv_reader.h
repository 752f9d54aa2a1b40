// Reads the shared TSV vectors (PostgreSQL COPY text escaping, see
// testdata/url/README.txt): "\\" "\t" "\n" "\r" "\xHH" escapes, "\N" = not specified.
#ifndef VIGIL_TESTS_UNIT_URL_TSV_READER_H_
#define VIGIL_TESTS_UNIT_URL_TSV_READER_H_

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace vigil::url::testing {

using Field = std::optional<std::string>;  // nullopt for "\N"

inline Field UnescapeField(const std::string& f) {
  if (f == "\\N") return std::nullopt;
  std::string out;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '\\' || i + 1 >= f.size()) {
      out.push_back(f[i]);
      continue;
    }
    const char n = f[++i];
    if (n == '\\')
      out.push_back('\\');
    else if (n == 't')
      out.push_back('\t');
    else if (n == 'n')
      out.push_back('\n');
    else if (n == 'r')
      out.push_back('\r');
    else if (n == 'x' && i + 2 < f.size()) {
      out.push_back(static_cast<char>(std::stoi(f.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back('\\');
      out.push_back(n);
    }
  }
  return out;
}

// Rows without the header; empty (and a recorded failure) when the file is missing.
inline std::vector<std::vector<Field>> ReadTsv(const std::string& name, std::string* error) {
  std::vector<std::vector<Field>> rows;
  const std::string path = std::string(VIGIL_TESTDATA) + "/url/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "missing shared test data: " + path;
    return rows;
  }
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      continue;
    }
    std::vector<Field> row;
    size_t start = 0;
    while (true) {
      const size_t tab = line.find('\t', start);
      row.push_back(UnescapeField(
          line.substr(start, tab == std::string::npos ? std::string::npos : tab - start)));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace vigil::url::testing

#endif  // VIGIL_TESTS_UNIT_URL_TSV_READER_H_
