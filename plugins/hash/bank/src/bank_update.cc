// ApplyImport / UpdateBankFile: merging an import into a bank's entries (see bank_update.h
// for the identity rules).
#include "vigil/hashbank/bank_update.h"

#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace vigil::hashbank {
namespace {

std::string RecordKey(const std::string& source, const std::string& external_id) {
  std::string key = source;
  key.push_back('\0');
  key += external_id;
  return key;
}

std::string ValueKey(const HashValue& v) {
  std::string key(1, static_cast<char>(v.type));
  key.append(reinterpret_cast<const char*>(v.bytes.data()), v.size());
  return key;
}

// Entries with lookups by record and by value; removal marks an entry dead.
class EntryIndex {
 public:
  explicit EntryIndex(std::vector<Entry>& entries)
      : entries_(entries), live_(entries.size(), true) {
    for (size_t i = 0; i < entries_.size(); ++i) Link(i);
  }

  void Add(const Entry& e) {
    entries_.push_back(e);
    live_.push_back(true);
    Link(entries_.size() - 1);
  }

  // Removes live entries of record (source, external id); source "" matches any source.
  size_t RemoveRecord(const std::string& source, const std::string& external_id,
                      const HashValue* only_value) {
    size_t removed = 0;
    auto sweep = [&](const std::vector<size_t>& rows) {
      for (size_t i : rows) {
        if (live_[i] && (only_value == nullptr || entries_[i].value == *only_value)) {
          live_[i] = false;
          ++removed;
        }
      }
    };
    if (!source.empty()) {
      auto it = by_record_.find(RecordKey(source, external_id));
      if (it != by_record_.end()) sweep(it->second);
    } else {
      auto it = by_external_id_.find(external_id);
      if (it != by_external_id_.end()) sweep(it->second);
    }
    return removed;
  }

  // Removes live entries with this value; with `without_external_id`, only those identified by
  // value (no external id) from `source`.
  size_t RemoveValue(const HashValue& value, const std::string& source, bool without_external_id) {
    size_t removed = 0;
    auto it = by_value_.find(ValueKey(value));
    if (it == by_value_.end()) return 0;
    for (size_t i : it->second) {
      const Entry& e = entries_[i];
      if (!live_[i] || (!source.empty() && e.source != source) ||
          (without_external_id && !e.external_id.empty())) {
        continue;
      }
      live_[i] = false;
      ++removed;
    }
    return removed;
  }

  void Compact() {
    std::vector<Entry> kept;
    kept.reserve(entries_.size());
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (live_[i]) kept.push_back(std::move(entries_[i]));
    }
    entries_ = std::move(kept);
  }

 private:
  void Link(size_t i) {
    const Entry& e = entries_[i];
    if (!e.external_id.empty()) {
      by_record_[RecordKey(e.source, e.external_id)].push_back(i);
      by_external_id_[e.external_id].push_back(i);
    }
    by_value_[ValueKey(e.value)].push_back(i);
  }

  std::vector<Entry>& entries_;
  std::vector<bool> live_;
  std::unordered_map<std::string, std::vector<size_t>> by_record_;
  std::unordered_map<std::string, std::vector<size_t>> by_external_id_;
  std::unordered_map<std::string, std::vector<size_t>> by_value_;
};

// Applies the import's operations; returns nothing about the changes (see Diff).
void ApplyOps(std::vector<Entry>& entries, const ImportResult& import) {
  EntryIndex index(entries);
  std::unordered_set<std::string> records_seen;  // records this import has already replaced
  for (const ImportOp& op : import.ops) {
    if (op.kind == ImportOp::Kind::kDelete) {
      const Deletion& d = import.deletions[op.index];
      if (!d.external_id.empty()) {
        index.RemoveRecord(d.source, d.external_id, d.has_value ? &d.value : nullptr);
        records_seen.erase(RecordKey(d.source, d.external_id));
      } else if (d.has_value) {
        index.RemoveValue(d.value, d.source, /*without_external_id=*/false);
      }
      continue;
    }
    const Entry& incoming = import.entries[op.index];
    if (!incoming.external_id.empty()) {
      // The first mention of a record in this import replaces its existing entries; later
      // entries of the same record (its other fingerprints) join it.
      if (records_seen.insert(RecordKey(incoming.source, incoming.external_id)).second) {
        index.RemoveRecord(incoming.source, incoming.external_id, nullptr);
      }
    } else {
      index.RemoveValue(incoming.value, incoming.source, /*without_external_id=*/true);
    }
    index.Add(incoming);
  }
  index.Compact();
}

uint64_t IdentityHash(const Entry& e) {
  std::string key = RecordKey(e.source, e.external_id);
  key.push_back('\0');
  key += ValueKey(e.value);
  return std::hash<std::string>{}(key);
}

bool SameIdentity(const Entry& a, const Entry& b) {
  return a.value == b.value && a.source == b.source && a.external_id == b.external_id;
}

// Compares the bank before and after, counting into `stats`. An entry that is back unchanged
// but for its date added keeps the date it was first added.
void Diff(const std::vector<Entry>& before, std::vector<Entry>& after, ApplyStats& stats) {
  std::unordered_multimap<uint64_t, uint32_t> old_rows;
  old_rows.reserve(before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    old_rows.emplace(IdentityHash(before[i]), static_cast<uint32_t>(i));
  }
  std::vector<bool> matched(before.size(), false);
  for (Entry& e : after) {
    auto [lo, hi] = old_rows.equal_range(IdentityHash(e));
    auto found = hi;
    for (auto it = lo; it != hi; ++it) {
      if (!matched[it->second] && SameIdentity(before[it->second], e)) {
        found = it;
        break;
      }
    }
    if (found == hi) {
      ++stats.added;
      continue;
    }
    const Entry& old = before[found->second];
    matched[found->second] = true;
    old_rows.erase(found);
    if (old.category == e.category && old.severity == e.severity) {
      e.added_unix = old.added_unix;
      ++stats.unchanged;
    } else {
      ++stats.updated;
    }
  }
  for (bool m : matched) stats.deleted += m ? 0 : 1;
  stats.total = after.size();
}

}  // namespace

ApplyStats ApplyImport(std::vector<Entry>& entries, const ImportResult& import) {
  ApplyStats stats;
  const std::vector<Entry> before = entries;
  ApplyOps(entries, import);
  Diff(before, entries, stats);
  return stats;
}

Result<ApplyStats> UpdateBankFile(const std::string& path, std::string_view bank_name,
                                  const ImportResult& import, UpdateMode mode,
                                  const BankBuildOptions& options) {
  std::vector<Entry> before;
  std::string name(bank_name);
  {
    Result<std::unique_ptr<Bank>> existing = Bank::Open(path);
    if (existing.ok()) {
      before = existing.value()->Entries();
      if (name.empty()) name = existing.value()->name();
    } else if (existing.status().code() != StatusCode::kNotFound) {
      return Status(existing.status());
    }
  }
  std::vector<Entry> entries;
  if (mode == UpdateMode::kMerge) entries = before;
  ApplyOps(entries, import);
  ApplyStats stats;
  Diff(before, entries, stats);
  before.clear();
  before.shrink_to_fit();
  if (Status s = WriteBankFile(path, name, entries, options); !s.ok()) return s;
  return stats;
}

}  // namespace vigil::hashbank
