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

uint64_t HashOf(const std::string& key) { return std::hash<std::string>{}(key); }

// Entries with lookups by record and by value; removal marks an entry dead. The lookups hold
// a 64-bit hash of the key and a row (about 40 bytes per entry, where string keys with row
// vectors took about 150): candidates are confirmed on the entry itself.
class EntryIndex {
 public:
  // With `link_all` false the caller links rows itself (Link) as it walks them.
  explicit EntryIndex(std::vector<Entry>& entries, bool link_all = true)
      : entries_(entries), live_(entries.size(), true) {
    by_value_.reserve(entries.capacity());
    if (!link_all) return;
    for (size_t i = 0; i < entries_.size(); ++i) Link(i);
  }

  void Add(Entry e) {
    entries_.push_back(std::move(e));
    live_.push_back(true);
    Link(entries_.size() - 1);
  }

  // Removes live entries of record (source, external id); source "" matches any source.
  size_t RemoveRecord(const std::string& source, const std::string& external_id,
                      const HashValue* only_value) {
    size_t removed = 0;
    const bool any_source = source.empty();
    const auto& map = any_source ? by_external_id_ : by_record_;
    auto [lo, hi] =
        map.equal_range(any_source ? HashOf(external_id) : HashOf(RecordKey(source, external_id)));
    for (auto it = lo; it != hi; ++it) {
      const uint32_t i = it->second;
      const Entry& e = entries_[i];
      if (!live_[i] || e.external_id != external_id || (!any_source && e.source != source) ||
          (only_value != nullptr && e.value != *only_value)) {
        continue;
      }
      live_[i] = false;
      ++removed;
    }
    return removed;
  }

  // Removes live entries with this value; with `without_external_id`, only those identified by
  // value (no external id) from `source`.
  size_t RemoveValue(const HashValue& value, const std::string& source, bool without_external_id) {
    size_t removed = 0;
    auto [lo, hi] = by_value_.equal_range(HashOf(ValueKey(value)));
    for (auto it = lo; it != hi; ++it) {
      const uint32_t i = it->second;
      const Entry& e = entries_[i];
      if (!live_[i] || e.value != value || (!source.empty() && e.source != source) ||
          (without_external_id && !e.external_id.empty())) {
        continue;
      }
      live_[i] = false;
      ++removed;
    }
    return removed;
  }

  void Compact() {
    by_record_ = {};
    by_external_id_ = {};
    by_value_ = {};
    size_t kept = 0;
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (!live_[i]) continue;
      if (kept != i) entries_[kept] = std::move(entries_[i]);
      ++kept;
    }
    entries_.resize(kept);
  }

  void Link(size_t i) {
    const Entry& e = entries_[i];
    const uint32_t row = static_cast<uint32_t>(i);
    if (!e.external_id.empty()) {
      by_record_.emplace(HashOf(RecordKey(e.source, e.external_id)), row);
      by_external_id_.emplace(HashOf(e.external_id), row);
    }
    by_value_.emplace(HashOf(ValueKey(e.value)), row);
  }

 private:
  std::vector<Entry>& entries_;
  std::vector<bool> live_;
  std::unordered_multimap<uint64_t, uint32_t> by_record_;
  std::unordered_multimap<uint64_t, uint32_t> by_external_id_;
  std::unordered_multimap<uint64_t, uint32_t> by_value_;
};

// Applies the import's operations, moving its entries out (`import` is left empty).
void ApplyOps(std::vector<Entry>& entries, ImportResult& import) {
  std::unordered_set<std::string> records_seen;  // records this import has already replaced
  if (entries.empty() && import.deletions.empty()) {
    // A new bank (or --replace) from upserts only: apply them in place, without a second copy
    // of the entries. AddEntry numbers upserts in order, so row i is op i.
    entries = std::move(import.entries);
    import = ImportResult();
    EntryIndex index(entries, /*link_all=*/false);
    for (size_t i = 0; i < entries.size(); ++i) {
      const Entry& e = entries[i];
      if (!e.external_id.empty()) {
        if (records_seen.insert(RecordKey(e.source, e.external_id)).second) {
          index.RemoveRecord(e.source, e.external_id, nullptr);
        }
      } else {
        index.RemoveValue(e.value, e.source, /*without_external_id=*/true);
      }
      index.Link(i);
    }
    index.Compact();
    return;
  }
  entries.reserve(entries.size() + import.entries.size());  // no doubling while adding
  EntryIndex index(entries);
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
    Entry& incoming = import.entries[op.index];
    if (!incoming.external_id.empty()) {
      // The first mention of a record in this import replaces its existing entries; later
      // entries of the same record (its other fingerprints) join it.
      if (records_seen.insert(RecordKey(incoming.source, incoming.external_id)).second) {
        index.RemoveRecord(incoming.source, incoming.external_id, nullptr);
      }
    } else {
      index.RemoveValue(incoming.value, incoming.source, /*without_external_id=*/true);
    }
    index.Add(std::move(incoming));
  }
  import = ImportResult();  // its memory is no longer needed
  index.Compact();
}

uint64_t IdentityHash(const Entry& e) {
  std::string key = RecordKey(e.source, e.external_id);
  key.push_back('\0');
  key += ValueKey(e.value);
  return std::hash<std::string>{}(key);
}

uint64_t MetadataHash(const Entry& e) {
  return std::hash<std::string>{}(e.category + '\0' + std::to_string(e.severity));
}

// What Diff needs of an entry of the bank before the import: 24 bytes instead of a copy of the
// entry. Identities are compared by a 64-bit hash (a collision among a million entries has a
// chance of about 3e-8 and would only miscount the statistics).
struct OldEntry {
  uint64_t identity;
  uint64_t metadata;
  int64_t added_unix;
};

std::vector<OldEntry> Summarise(const std::vector<Entry>& entries) {
  std::vector<OldEntry> out;
  out.reserve(entries.size());
  for (const Entry& e : entries) out.push_back({IdentityHash(e), MetadataHash(e), e.added_unix});
  return out;
}

// Compares the bank before and after, counting into `stats`. An entry that is back unchanged
// but for its date added keeps the date it was first added.
void Diff(const std::vector<OldEntry>& before, std::vector<Entry>& after, ApplyStats& stats) {
  std::unordered_multimap<uint64_t, uint32_t> old_rows;
  old_rows.reserve(before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    old_rows.emplace(before[i].identity, static_cast<uint32_t>(i));
  }
  size_t matched = 0;
  for (Entry& e : after) {
    auto found = old_rows.find(IdentityHash(e));
    if (found == old_rows.end()) {
      ++stats.added;
      continue;
    }
    const OldEntry& old = before[found->second];
    old_rows.erase(found);
    ++matched;
    if (old.metadata == MetadataHash(e)) {
      e.added_unix = old.added_unix;
      ++stats.unchanged;
    } else {
      ++stats.updated;
    }
  }
  stats.deleted = before.size() - matched;
  stats.total = after.size();
}

}  // namespace

ApplyStats ApplyImport(std::vector<Entry>& entries, const ImportResult& import) {
  ApplyStats stats;
  const std::vector<OldEntry> before = Summarise(entries);
  ImportResult copy = import;
  ApplyOps(entries, copy);
  Diff(before, entries, stats);
  return stats;
}

Result<ApplyStats> UpdateBankFile(const std::string& path, std::string_view bank_name,
                                  const ImportResult& import, UpdateMode mode,
                                  const BankBuildOptions& options) {
  return UpdateBankFile(path, bank_name, ImportResult(import), mode, options);
}

Result<ApplyStats> UpdateBankFile(const std::string& path, std::string_view bank_name,
                                  ImportResult&& import, UpdateMode mode,
                                  const BankBuildOptions& options) {
  std::vector<Entry> entries;
  std::string name(bank_name);
  {
    Result<std::unique_ptr<Bank>> existing = Bank::Open(path);
    if (existing.ok()) {
      entries = existing.value()->Entries();
      if (name.empty()) name = existing.value()->name();
    } else if (existing.status().code() != StatusCode::kNotFound) {
      return Status(existing.status());
    }
  }
  std::vector<OldEntry> before = Summarise(entries);
  if (mode == UpdateMode::kReplace) entries = std::vector<Entry>();
  ApplyOps(entries, import);
  ApplyStats stats;
  Diff(before, entries, stats);
  before = std::vector<OldEntry>();
  if (Status s = WriteBankFile(path, name, entries, options); !s.ok()) return s;
  return stats;
}

}  // namespace vigil::hashbank
