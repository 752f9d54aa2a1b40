#include "vigil/url/list_merge.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace vigil::url {
namespace {

std::string Identity(const ListEntry& e, ListFormat format) {
  std::string key = format == ListFormat::kHashed
                        ? std::string(reinterpret_cast<const char*>(e.digest.data()), 32)
                        : e.expression;
  key.push_back('\0');
  key.push_back(static_cast<char>(e.kind));
  key += e.meta.source;
  return key;
}

bool SameMetadata(const EntryMetadata& a, const EntryMetadata& b) {
  return a.category == b.category && a.severity == b.severity && a.date_added == b.date_added &&
         a.entry_id == b.entry_id;
}

}  // namespace

Result<ListMergeStats> MergeLists(const Blocklist* existing, const BlocklistBuilder& imported,
                                  bool replace, BlocklistBuilder* out) {
  const ListFormat format = imported.format();
  if (out->format() != format || out->size() != 0) {
    return Status::InvalidArgument("MergeLists needs an empty builder of the import's format");
  }
  std::vector<ListEntry> old;
  if (existing != nullptr) {
    if (existing->format() != format) {
      return Status::InvalidArgument(
          std::string("the list is ") +
          (existing->format() == ListFormat::kHashed ? "hashed" : "plain") + ", this import is " +
          (format == ListFormat::kHashed ? "hashed" : "plain") +
          ": a plain and a hashed list do not merge (import with --replace to change it)");
    }
    old = existing->Entries();
  }
  // Identity -> row in `old` (the last one wins when a damaged list repeats one).
  std::unordered_map<std::string, size_t> rows;
  rows.reserve(old.size());
  for (size_t i = 0; i < old.size(); ++i) rows[Identity(old[i], format)] = i;
  std::vector<bool> superseded(old.size(), false);
  ListMergeStats stats;
  // The last imported entry of an identity wins; one count per identity.
  std::unordered_map<std::string, size_t> incoming;
  std::vector<const ListEntry*> chosen;
  for (const ListEntry& e : imported.entries()) {
    auto [it, fresh] = incoming.emplace(Identity(e, format), chosen.size());
    if (fresh) {
      chosen.push_back(&e);
    } else {
      chosen[it->second] = &e;
    }
  }
  for (const auto& [key, index] : incoming) {
    const ListEntry& e = *chosen[index];
    auto row = rows.find(key);
    if (row == rows.end()) {
      ++stats.added;
    } else {
      superseded[row->second] = true;
      ++(SameMetadata(old[row->second].meta, e.meta) ? stats.unchanged : stats.updated);
    }
  }
  // Old entries first (in their order), then the new ones in import order.
  for (size_t i = 0; i < old.size(); ++i) {
    if (superseded[i]) continue;
    if (replace) {
      ++stats.deleted;
      continue;
    }
    ++stats.unchanged;
    if (Status st = out->AddEntry(old[i]); !st.ok()) return st;
  }
  for (const ListEntry* e : chosen) {
    if (Status st = out->AddEntry(*e); !st.ok()) return st;
  }
  stats.total = out->size();
  return stats;
}

}  // namespace vigil::url
