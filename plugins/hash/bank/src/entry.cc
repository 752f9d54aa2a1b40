#include "vigil/hashbank/entry.h"

#include <utility>

namespace vigil::hashbank {

std::string ImportProblem::ToString() const {
  std::string where;
  if (line != 0) where = "line " + std::to_string(line);
  if (record != 0)
    where += (where.empty() ? "record " : " (record ") + std::to_string(record) +
             (where.empty() ? "" : ")");
  if (where.empty()) where = "document";
  return where + (kind == Kind::kIgnored ? ": ignored: " : ": ") + message;
}

size_t ImportResult::error_count() const {
  size_t n = 0;
  for (const ImportProblem& p : problems) n += p.kind == ImportProblem::Kind::kError;
  return n;
}

size_t ImportResult::filtered_out_count() const {
  size_t n = 0;
  for (size_t c : filtered_out) n += c;
  return n;
}

size_t ImportResult::ignored_count() const { return problems.size() - error_count(); }

void ImportResult::AddEntry(Entry entry) {
  ops.push_back({ImportOp::Kind::kUpsert, entries.size()});
  entries.push_back(std::move(entry));
}

void ImportResult::AddDeletion(Deletion deletion) {
  ops.push_back({ImportOp::Kind::kDelete, deletions.size()});
  deletions.push_back(std::move(deletion));
}

}  // namespace vigil::hashbank
