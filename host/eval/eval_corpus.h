// Issue 17 item 3: the labelled corpus `vigil eval` reads. A CSV file, one item
// per line:
//
//   path,label[,category]
//
// `path` is relative to the CSV's folder (or absolute), `label` the item's
// truth (letters, digits, '.', '_', '-'), `category` optional free text (e.g.
// "A1"). An optional first line "path,label[,category]" is a header; blank
// lines and lines starting with '#' are skipped. Fields may be double-quoted
// ("a,b.jpg"; "" inside quotes is one quote).
#ifndef VIGIL_HOST_EVAL_EVAL_CORPUS_H_
#define VIGIL_HOST_EVAL_EVAL_CORPUS_H_

#include <string>
#include <vector>

namespace vigil::eval {

struct CorpusItem {
  int line = 0;      // 1-based line in the CSV
  std::string path;  // absolute, real (symbolic links resolved)
  std::string label;
  std::string category;  // may be empty
};

struct Corpus {
  std::vector<CorpusItem> items;
  // One line each, "FILE:LINE: what is wrong" ("FILE: ..." for the file as a
  // whole): a missing file, a bad label, a wrong number of fields, an
  // unterminated quote, no items at all. Any problem means nothing is
  // evaluated.
  std::vector<std::string> problems;
};

Corpus ReadCorpus(const std::string& csv_path);

// Splits one CSV line into fields; false (and `error` set) for an unterminated
// quote or text after a closing quote.
bool SplitCsvLine(const std::string& line, std::vector<std::string>& fields, std::string& error);

// True for a label of 1..64 letters, digits, '.', '_', '-'.
bool ValidLabel(const std::string& label);

}  // namespace vigil::eval

#endif  // VIGIL_HOST_EVAL_EVAL_CORPUS_H_
