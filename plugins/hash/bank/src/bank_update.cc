// ApplyImport / UpdateBankFile: merging an import into a bank's entries (see bank_update.h
// for the identity rules).
#include "vigil/hashbank/bank_update.h"

#include <malloc.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <utility>

#include "bank_writer.h"

namespace vigil::hashbank {
namespace {

using internal::EntryRef;

// The bank's entries before the import, read one at a time.
class OldEntries {
 public:
  virtual ~OldEntries() = default;
  virtual size_t size() const = 0;
  virtual Entry Get(size_t i) const = 0;
};

class VectorEntries : public OldEntries {
 public:
  explicit VectorEntries(const std::vector<Entry>& v) : v_(v) {}
  size_t size() const override { return v_.size(); }
  Entry Get(size_t i) const override { return v_[i]; }

 private:
  const std::vector<Entry>& v_;
};

class BankEntries : public OldEntries {
 public:
  explicit BankEntries(const Bank* bank) : bank_(bank) {}
  size_t size() const override { return bank_ == nullptr ? 0 : bank_->size(); }
  Entry Get(size_t i) const override {
    // Release what was read every 1024 reads (random reads touch a page each, so at most about 8 MB
    // of the mapping stay resident).
    if ((++reads_ & 0x3ff) == 0) bank_->DropResidentPages();
    return bank_->entry(i);
  }

 private:
  const Bank* bank_;
  mutable size_t reads_ = 0;
};

bool SameValue(const HashValue& a, const CompactOp& b) {
  return static_cast<uint8_t>(a.type) == b.type &&
         std::memcmp(a.bytes.data(), b.bytes, sizeof b.bytes) == 0;
}

// Keys of the lookups: a tag, then the source (when the key names one) and the external id or the
// value. Lower-case tags are "any source" keys.
uint64_t KeyHash(char tag, std::string_view source, std::string_view id_or_value,
                 std::string& scratch) {
  scratch.clear();
  scratch.push_back(tag);
  scratch.append(source);
  scratch.push_back('\0');
  scratch.append(id_or_value);
  return std::hash<std::string_view>{}(scratch);
}

std::string_view ValueBytes(const uint8_t* bytes, uint8_t type) {
  std::string_view v(reinterpret_cast<const char*>(bytes), 32);
  (void)type;
  return v;
}

// What the import removes, looked up by a hash of its key (16 bytes per operation). Keys:
//   'R' source+id / 'r' id     a record: upserts with an id (they replace the
//   record's earlier
//                              entries) and deletions of a record
//   'N' source+value / 'n'     an upsert without an id (replaces that value's
//   entries without
//                              an id)
//   'V' source+value / 'v'     a deletion of a value
// An old entry is removed by any killer that matches it (nothing revives an old entry); an entry of
// the import only by a later deletion or id-less upsert (see bank_update.h).
class Killers {
 public:
  explicit Killers(const CompactImport& import) : import_(import) {
    std::string scratch;
    MarkRepeatedFirstMentions(scratch);
    for (size_t j = 0; j < import.ops.size(); ++j) {
      const CompactOp& op = import.ops[j];
      const std::string_view source = import.String(op.source);
      const std::string_view id = import.String(op.external_id);
      const bool any = source.empty();
      uint64_t h;
      if (!id.empty()) {
        h = any ? KeyHash('r', {}, id, scratch) : KeyHash('R', source, id, scratch);
      } else if (op.kind == CompactOp::kUpsert) {
        h = any ? KeyHash('n', {}, ValueBytes(op.bytes, op.type), scratch)
                : KeyHash('N', source, ValueBytes(op.bytes, op.type), scratch);
      } else if (op.has_value) {
        h = any ? KeyHash('v', {}, ValueBytes(op.bytes, op.type), scratch)
                : KeyHash('V', source, ValueBytes(op.bytes, op.type), scratch);
      } else {
        continue;  // a deletion that names neither an id nor a value removes
                   // nothing
      }
      killers_.push_back({h, static_cast<uint32_t>(j)});
    }
    std::sort(killers_.begin(), killers_.end(), [](const Killer& a, const Killer& b) {
      return a.hash != b.hash ? a.hash < b.hash : a.op < b.op;
    });
    // A directory over the top bits of the hash: one lookup is a directory read and a short scan,
    // not a binary search through the whole list.
    bits_ = 1;
    while (bits_ < 30 && (size_t{1} << bits_) < killers_.size()) ++bits_;
    directory_.assign((size_t{1} << bits_) + 1, 0);
    size_t k = 0;
    for (size_t b = 0; b < (size_t{1} << bits_); ++b) {
      directory_[b] = static_cast<uint32_t>(k);
      while (k < killers_.size() && Bucket(killers_[k].hash) == b) ++k;
    }
    directory_.back() = static_cast<uint32_t>(killers_.size());
  }

  // Whether an entry is removed: an old entry (`op` < 0) by any killer, the import's upsert at
  // index `op` by a later one.
  bool Kills(std::string_view source, std::string_view id, const HashValue& value,
             int64_t op) const {
    if (killers_.empty()) return false;
    std::string scratch;
    const std::string_view v(reinterpret_cast<const char*>(value.bytes.data()), 32);
    if (!id.empty()) {
      if (Probe(KeyHash('R', source, id, scratch), source, id, value, op)) return true;
      if (Probe(KeyHash('r', {}, id, scratch), source, id, value, op)) return true;
    } else {
      if (Probe(KeyHash('N', source, v, scratch), source, id, value, op)) return true;
      if (Probe(KeyHash('n', {}, v, scratch), source, id, value, op)) return true;
    }
    if (Probe(KeyHash('V', source, v, scratch), source, id, value, op)) return true;
    return Probe(KeyHash('v', {}, v, scratch), source, id, value, op);
  }

  void Release() {
    killers_ = {};
    directory_ = {};
    refirst_ = {};
  }

 private:
  // The first mention of a record in an import replaces the record's entries; a deletion of the
  // record (same source and id) makes the next mention a first mention again, which then also
  // replaces the entries this import gave the record before it. Marks those upserts.
  void MarkRepeatedFirstMentions(std::string& scratch) {
    struct Mention {
      uint64_t hash;
      uint32_t op;
    };
    std::vector<Mention> mentions;
    bool any_deletion = false;
    for (size_t j = 0; j < import_.ops.size(); ++j) {
      const CompactOp& op = import_.ops[j];
      if (op.external_id == 0) continue;
      any_deletion |= op.kind == CompactOp::kDelete;
      mentions.push_back(
          {KeyHash('K', import_.String(op.source), import_.String(op.external_id), scratch),
           static_cast<uint32_t>(j)});
    }
    if (!any_deletion) return;  // without deletions every record has one first mention
    std::sort(mentions.begin(), mentions.end(), [](const Mention& a, const Mention& b) {
      return a.hash != b.hash ? a.hash < b.hash : a.op < b.op;
    });
    refirst_.assign(import_.ops.size(), false);
    std::vector<bool> done;
    for (size_t run = 0; run < mentions.size();) {
      size_t end = run;
      while (end < mentions.size() && mentions[end].hash == mentions[run].hash) ++end;
      // Within a run of equal hashes, walk each distinct (source, id) in document order.
      done.assign(end - run, false);
      for (size_t a = run; a < end; ++a) {
        if (done[a - run]) continue;
        const CompactOp& first = import_.ops[mentions[a].op];
        bool seen = false, mentioned = false;
        for (size_t b = a; b < end; ++b) {
          const CompactOp& op = import_.ops[mentions[b].op];
          if (import_.String(op.source) != import_.String(first.source) ||
              import_.String(op.external_id) != import_.String(first.external_id)) {
            continue;
          }
          done[b - run] = true;
          if (op.kind == CompactOp::kDelete) {
            seen = false;
            continue;
          }
          if (!seen && mentioned) refirst_[mentions[b].op] = true;
          seen = mentioned = true;
        }
      }
      run = end;
    }
  }

  struct Killer {
    uint64_t hash;
    uint32_t op;
  };
  size_t Bucket(uint64_t h) const { return static_cast<size_t>(h >> (64 - bits_)); }

  bool Probe(uint64_t h, std::string_view source, std::string_view id, const HashValue& value,
             int64_t op) const {
    const size_t b = Bucket(h);
    for (uint32_t k = directory_[b]; k < directory_[b + 1]; ++k) {
      if (killers_[k].hash != h) continue;
      const uint32_t j = killers_[k].op;
      if (op >= 0 && static_cast<int64_t>(j) <= op) continue;
      if (Confirms(import_.ops[j], source, id, value, op)) return true;
    }
    return false;
  }

  // The killer's full key against the entry (the hash only found the candidate).
  bool Confirms(const CompactOp& k, std::string_view source, std::string_view id,
                const HashValue& value, int64_t op) const {
    const std::string_view k_source = import_.String(k.source);
    const std::string_view k_id = import_.String(k.external_id);
    if (!k_source.empty() && k_source != source) return false;
    if (!k_id.empty()) {
      if (k_id != id) return false;
      if (k.kind == CompactOp::kUpsert) {
        // A first mention replaces the record's old entries; a repeated one (after a deletion of
        // the record) also the entries this import gave it before.
        const size_t j = static_cast<size_t>(&k - import_.ops.data());
        return op < 0 || (!refirst_.empty() && refirst_[j]);
      }
      return !k.has_value || SameValue(value, k);
    }
    if (k.kind == CompactOp::kUpsert) return id.empty() && SameValue(value, k);
    return SameValue(value, k);
  }

  const CompactImport& import_;
  std::vector<Killer> killers_;
  std::vector<uint32_t> directory_;
  std::vector<bool> refirst_;  // by op: a repeated first mention (empty when there is none)
  int bits_ = 1;
};

uint64_t IdentityHash(std::string_view source, std::string_view id, const HashValue& value) {
  std::string key(source);
  key.push_back('\0');
  key.append(id);
  key.push_back('\0');
  key.push_back(static_cast<char>(value.type));
  key.append(reinterpret_cast<const char*>(value.bytes.data()), value.size());
  return std::hash<std::string>{}(key);
}

// The merge: which old entries and which of the import's upserts survive, and the statistics.
// Memory: the killers (16 bytes per operation), a bit per old entry and per operation, and 16 bytes
// per old entry the import removed (to recognise the ones it re-adds unchanged).
struct Plan {
  std::vector<bool> old_alive;
  std::vector<bool> op_alive;
  size_t type_counts[5] = {};
  ApplyStats stats;
};

Plan MakePlan(const OldEntries& old, CompactImport& import) {
  Plan plan;
  Killers killers(import);
  struct KilledOld {
    uint64_t identity;
    uint32_t row;
  };
  std::vector<KilledOld> killed;
  plan.old_alive.assign(old.size(), false);
  size_t survivors = 0;
  for (size_t i = 0; i < old.size(); ++i) {
    const Entry e = old.Get(i);
    if (killers.Kills(e.source, e.external_id, e.value, -1)) {
      killed.push_back({IdentityHash(e.source, e.external_id, e.value), static_cast<uint32_t>(i)});
      continue;
    }
    plan.old_alive[i] = true;
    ++plan.type_counts[static_cast<int>(e.value.type)];
    ++survivors;
  }
  std::sort(killed.begin(), killed.end(), [](const KilledOld& a, const KilledOld& b) {
    return a.identity != b.identity ? a.identity < b.identity : a.row < b.row;
  });
  std::vector<bool> matched(killed.size(), false);
  plan.op_alive.assign(import.ops.size(), false);
  size_t added = 0, matched_count = 0;
  for (size_t j = 0; j < import.ops.size(); ++j) {
    CompactOp& op = import.ops[j];
    if (op.kind != CompactOp::kUpsert) continue;
    const std::string_view source = import.String(op.source);
    const std::string_view id = import.String(op.external_id);
    const HashValue value = op.value();
    if (killers.Kills(source, id, value, static_cast<int64_t>(j))) continue;
    plan.op_alive[j] = true;
    ++plan.type_counts[op.type];
    ++added;
    // The import re-adds an entry it removed: unchanged (keeping its first date) or updated.
    const uint64_t identity = IdentityHash(source, id, value);
    auto it = std::lower_bound(killed.begin(), killed.end(), identity,
                               [](const KilledOld& k, uint64_t h) { return k.identity < h; });
    for (; it != killed.end() && it->identity == identity; ++it) {
      const size_t k = static_cast<size_t>(it - killed.begin());
      if (matched[k]) continue;
      const Entry before = old.Get(it->row);
      if (before.source != source || before.external_id != id || before.value != value) continue;
      matched[k] = true;
      ++matched_count;
      --added;
      if (before.category == import.String(op.category) && before.severity == op.severity) {
        op.added_unix = before.added_unix;
        ++plan.stats.unchanged;
      } else {
        ++plan.stats.updated;
      }
      break;
    }
  }
  plan.stats.unchanged += survivors;
  plan.stats.added = added;
  plan.stats.deleted = old.size() - survivors - matched_count;
  plan.stats.total = survivors + added + matched_count;
  return plan;
}

// glibc keeps freed blocks below its (adaptive, up to 32 MB) mmap threshold in the heap; the
// merge's lookup tables are such blocks, and would stay resident under the bank's tables.
void ReturnFreedMemory() {
#ifdef __GLIBC__
  ::malloc_trim(0);
#endif
}

EntryRef RefOf(const Entry& e) {
  EntryRef ref;
  ref.type = e.value.type;
  ref.bytes = e.value.bytes.data();
  ref.severity = e.severity;
  ref.added_unix = e.added_unix;
  ref.source = e.source;
  ref.category = e.category;
  ref.external_id = e.external_id;
  return ref;
}

EntryRef RefOf(const CompactImport& import, const CompactOp& op) {
  EntryRef ref;
  ref.type = static_cast<SignalType>(op.type);
  ref.bytes = op.bytes;
  ref.severity = op.severity;
  ref.added_unix = op.added_unix;
  ref.source = import.String(op.source);
  ref.category = import.String(op.category);
  ref.external_id = import.String(op.external_id);
  return ref;
}

// Visits the merged entries in bank order: the old entries that survive, then the import's.
void Produce(const OldEntries& old, const CompactImport& import, const Plan& plan,
             const internal::EntrySink& sink) {
  for (size_t i = 0; i < old.size(); ++i) {
    if (!plan.old_alive[i]) continue;
    const Entry e = old.Get(i);
    sink(RefOf(e));
  }
  for (size_t j = 0; j < import.ops.size(); ++j) {
    if (plan.op_alive[j]) sink(RefOf(import, import.ops[j]));
  }
}

}  // namespace

ApplyStats ApplyImport(std::vector<Entry>& entries, const ImportResult& import) {
  CompactImport compact = CompactImport::FromImportResult(import);
  const VectorEntries old(entries);
  const Plan plan = MakePlan(old, compact);
  std::vector<Entry> out;
  out.reserve(plan.stats.total);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (plan.old_alive[i]) out.push_back(entries[i]);
  }
  for (size_t j = 0; j < compact.ops.size(); ++j) {
    if (plan.op_alive[j]) out.push_back(compact.EntryOf(compact.ops[j]));
  }
  entries = std::move(out);
  return plan.stats;
}

Result<ApplyStats> UpdateBankFile(const std::string& path, std::string_view bank_name,
                                  const ImportResult& import, UpdateMode mode,
                                  const BankBuildOptions& options) {
  return UpdateBankFile(path, bank_name, CompactImport::FromImportResult(import), mode, options);
}

Result<ApplyStats> UpdateBankFile(const std::string& path, std::string_view bank_name,
                                  ImportResult&& import, UpdateMode mode,
                                  const BankBuildOptions& options) {
  CompactImport compact = CompactImport::FromImportResult(import);
  import = ImportResult();
  return UpdateBankFile(path, bank_name, std::move(compact), mode, options);
}

Result<ApplyStats> UpdateBankFile(const std::string& path, std::string_view bank_name,
                                  CompactImport&& import, UpdateMode mode,
                                  const BankBuildOptions& options) {
  try {
    std::unique_ptr<Bank> existing;
    std::string name(bank_name);
    {
      Result<std::unique_ptr<Bank>> opened = Bank::Open(path);
      if (opened.ok()) {
        existing = std::move(opened).value();
        if (name.empty()) name = existing->name();
      } else if (opened.status().code() != StatusCode::kNotFound) {
        return Status(opened.status());
      }
    }
    // kReplace: the old entries only count as deleted or re-added; none is kept.
    const BankEntries old_for_stats(existing.get());
    Plan plan = MakePlan(old_for_stats, import);
    ReturnFreedMemory();  // the plan's lookups, before the bank's tables are allocated
    if (mode == UpdateMode::kReplace) {
      const size_t old_count = old_for_stats.size();
      size_t kept_old = 0;
      for (size_t i = 0; i < old_count; ++i) {
        if (!plan.old_alive[i]) continue;
        plan.old_alive[i] = false;
        ++kept_old;
        --plan.type_counts[static_cast<int>(old_for_stats.Get(i).value.type)];
      }
      plan.stats.unchanged -= kept_old;
      plan.stats.deleted += kept_old;
      plan.stats.total -= kept_old;
    }
    const BankEntries old(existing.get());
    Status written = internal::WriteBankFileFrom(
        path, name, plan.stats.total,
        [&](const internal::EntrySink& sink) { Produce(old, import, plan, sink); },
        [&] {
          existing.reset();  // unmaps the old file: its pages leave the resident set
          plan.old_alive = {};
          plan.op_alive = {};
          import.Release();
        },
        plan.type_counts, options);
    if (!written.ok()) return written;
    return plan.stats;
  } catch (const std::bad_alloc&) {
    return Status::IoError("out of memory while updating bank " + path + "; it was not changed");
  }
}

}  // namespace vigil::hashbank
