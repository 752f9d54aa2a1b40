// Bank::Open and the queries: maps a bank file, validates it, answers matches.
//
// Validation order: header (magic, version, size, checksum) -> section table (bounds,
// alignment, overlaps with the header, duplicates, checksum) -> each section's size against
// the header's counts -> [full verification] section checksums and the contents every query
// relies on for memory safety: entry records, string offsets, id tables, directories, hash
// slots. Full verification reads the whole file; it runs when the file has no matching
// verified marker (verified_marker.h), i.e. once per version of the file. After a full
// verification no query can read outside the mapping, whatever the file held; the marker
// ties that result to the unchanged file.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <utility>

#include "bank_format.h"
#include "checksum.h"
#include "exact_table.h"
#include "mih.h"
#include "verified_marker.h"
#include "vigil/hashbank/bank.h"

namespace vigil::hashbank {

using internal::EntryRecord;
using internal::FileHeader;
using internal::SectionRecord;

struct Bank::Impl {
  // The mapping, unmapped in the destructor.
  const uint8_t* base = nullptr;
  size_t mapped_bytes = 0;
  FileHeader header{};

  const EntryRecord* entries = nullptr;
  const uint32_t* string_offsets = nullptr;
  const char* string_bytes = nullptr;
  const uint32_t* pdq_entry_ids = nullptr;
  internal::MihView mih;
  uint64_t mih_index_bytes = 0;
  struct Exact {
    const uint8_t* digests = nullptr;
    const uint32_t* entry_ids = nullptr;
    const uint32_t* slots = nullptr;
    size_t capacity = 0;
    uint32_t rows = 0;
  } exact[5];

  ~Impl() {
    if (base != nullptr) ::munmap(const_cast<uint8_t*>(base), mapped_bytes);
  }

  std::string String(uint32_t id) const {
    return std::string(string_bytes + string_offsets[id],
                       string_offsets[id + 1] - string_offsets[id]);
  }
};

namespace {

struct Located {
  const SectionRecord* record = nullptr;
  const uint8_t* data = nullptr;
};

class Validator {
 public:
  Validator(const std::string& path, const uint8_t* base, size_t size)
      : path_(path), base_(base), size_(size) {}

  Status Fail(const std::string& what) const {
    return Status::Corruption("bank file " + path_ + " is damaged or not a bank file (" + what +
                              "); rebuild it with `vigil lists import`");
  }

  Status Header(FileHeader& header) {
    if (size_ < sizeof(FileHeader)) {
      return Fail("only " + std::to_string(size_) + " bytes, shorter than the header");
    }
    std::memcpy(&header, base_, sizeof header);
    if (std::memcmp(header.magic, internal::kBankMagic, sizeof header.magic) != 0) {
      return Fail("wrong magic bytes");
    }
    if (header.version != internal::kBankVersion) {
      return Status::Unsupported("bank file " + path_ + " has format version " +
                                 std::to_string(header.version) + ", this build reads version " +
                                 std::to_string(internal::kBankVersion));
    }
    if (header.header_checksum !=
        internal::Checksum64(&header, offsetof(FileHeader, header_checksum))) {
      return Fail("header checksum mismatch");
    }
    if (header.header_bytes != sizeof(FileHeader)) return Fail("unexpected header size");
    if (header.file_bytes != size_) {
      return Fail("file has " + std::to_string(size_) + " bytes, header says " +
                  std::to_string(header.file_bytes) + " (truncated or appended to)");
    }
    if (header.entry_count >= UINT32_MAX || header.pdq_count > header.entry_count ||
        header.string_count == 0 || header.string_count >= UINT32_MAX) {
      return Fail("implausible counts in the header");
    }
    uint64_t typed = header.pdq_count;
    for (int t = 2; t <= 4; ++t) {
      if (header.exact_count[t] > header.entry_count) return Fail("implausible digest counts");
      typed += header.exact_count[t];
    }
    if (typed != header.entry_count)
      return Fail("per-type counts do not add up to the entry count");
    return Status::Ok();
  }

  Status SectionTable(const FileHeader& header) {
    const uint64_t table_bytes = uint64_t{header.section_count} * sizeof(SectionRecord);
    if (header.section_count == 0 || header.section_count > 4096 ||
        header.section_table_offset < sizeof(FileHeader) ||
        header.section_table_offset % alignof(SectionRecord) != 0 ||
        header.section_table_offset > size_ || table_bytes > size_ - header.section_table_offset) {
      return Fail("section table out of bounds");
    }
    const auto* table = reinterpret_cast<const SectionRecord*>(base_ + header.section_table_offset);
    if (internal::Checksum64(table, table_bytes) != header.section_table_checksum) {
      return Fail("section table checksum mismatch");
    }
    for (uint32_t i = 0; i < header.section_count; ++i) {
      const SectionRecord& rec = table[i];
      if (rec.offset % internal::kSectionAlign != 0 || rec.offset < sizeof(FileHeader) ||
          rec.offset > size_ || rec.bytes > size_ - rec.offset) {
        return Fail("section " + std::to_string(i) + " lies outside the file");
      }
      if (rec.offset < header.section_table_offset + table_bytes &&
          header.section_table_offset < rec.offset + rec.bytes) {
        return Fail("section " + std::to_string(i) + " overlaps the section table");
      }
      if (rec.kind < internal::kName || rec.kind > internal::kExactSlots) {
        return Fail("unknown section kind " + std::to_string(rec.kind));
      }
      if (!sections_.emplace(std::make_pair(rec.kind, rec.index), Located{&rec, base_ + rec.offset})
               .second) {
        return Fail("duplicate section " + std::to_string(rec.kind) + "/" +
                    std::to_string(rec.index));
      }
    }
    return Status::Ok();
  }

  // Recomputes every section's checksum. REQUIRES: SectionTable() succeeded.
  Status Checksums() const {
    for (const auto& [key, located] : sections_) {
      if (internal::Checksum64(located.data, located.record->bytes) != located.record->checksum) {
        return Fail("checksum mismatch in section " + std::to_string(key.first) + "/" +
                    std::to_string(key.second));
      }
    }
    return Status::Ok();
  }

  // The section (kind, index) must exist with exactly `bytes` bytes.
  template <typename T>
  Status Get(uint32_t kind, uint32_t index, uint64_t bytes, const T*& out) const {
    auto it = sections_.find({kind, index});
    if (it == sections_.end()) {
      return Fail("missing section " + std::to_string(kind) + "/" + std::to_string(index));
    }
    if (it->second.record->bytes != bytes) {
      return Fail("section " + std::to_string(kind) + "/" + std::to_string(index) + " has " +
                  std::to_string(it->second.record->bytes) + " bytes, expected " +
                  std::to_string(bytes));
    }
    out = reinterpret_cast<const T*>(it->second.data);
    return Status::Ok();
  }

  Status SectionBytes(uint32_t kind, uint32_t index, uint64_t& bytes) const {
    auto it = sections_.find({kind, index});
    if (it == sections_.end()) return Fail("missing section " + std::to_string(kind));
    bytes = it->second.record->bytes;
    return Status::Ok();
  }

  bool Has(uint32_t kind, uint32_t index) const { return sections_.count({kind, index}) != 0; }

 private:
  std::string path_;
  const uint8_t* base_;
  size_t size_;
  std::map<std::pair<uint32_t, uint32_t>, Located> sections_;
};

// Every id in [0, limit) and, when `increasing`, strictly increasing.
bool IdsBelow(const uint32_t* ids, size_t n, uint64_t limit) {
  uint32_t bad = 0;
  for (size_t i = 0; i < n; ++i) bad |= static_cast<uint32_t>(ids[i] >= limit);
  return bad == 0;
}

// `deep`: also check every entry record, id table, directory and hash slot (reads the whole
// file). Without it only section sizes and the O(1) invariants are checked.
Status ValidateContents(const Validator& v, Bank::Impl& impl, std::string& name, bool deep);

// `fully_verified` says whether the marker was used (false) or everything was read (true).
Status LoadAndValidate(const std::string& path, const OpenOptions& options, const struct stat& st,
                       Bank::Impl& impl, std::string& name, bool& fully_verified) {
  const int64_t started = internal::RealtimeNanos();
  Validator v(path, impl.base, impl.mapped_bytes);
  if (Status s = v.Header(impl.header); !s.ok()) return s;
  if (Status s = v.SectionTable(impl.header); !s.ok()) return s;
  fully_verified = true;
  if (!options.verify_checksums) return ValidateContents(v, impl, name, /*deep=*/true);
  if (options.verification == BankVerification::kIfChanged &&
      internal::MarkerMatches(path, st, impl.header.header_checksum)) {
    fully_verified = false;
    return ValidateContents(v, impl, name, /*deep=*/false);
  }
  // Checksums and structure each read the whole file; on two cores they overlap. Both are
  // read-only over the mapping, and the structural pass never trusts what it has not checked.
  Status checksums;
  std::thread checker([&] { checksums = v.Checksums(); });
  Status contents = ValidateContents(v, impl, name, /*deep=*/true);
  checker.join();
  // Damage is reported as the checksum failure it is, even when structure failed too.
  if (!checksums.ok()) return checksums;
  if (!contents.ok()) return contents;
  if (options.record_verified) {
    internal::RecordMarker(path, st, impl.header.header_checksum, started, options.racy_window_ns);
  }
  return Status::Ok();
}

Status ValidateContents(const Validator& v, Bank::Impl& impl, std::string& name, bool deep) {
  FileHeader& h = impl.header;

  // Name and strings.
  uint64_t name_bytes = 0;
  const char* name_data = nullptr;
  if (Status s = v.SectionBytes(internal::kName, 0, name_bytes); !s.ok()) return s;
  if (Status s = v.Get(internal::kName, 0, name_bytes, name_data); !s.ok()) return s;
  name.assign(name_data, name_bytes);
  if (Status s = v.Get(internal::kStringOffsets, 0, (h.string_count + 1) * 4, impl.string_offsets);
      !s.ok())
    return s;
  uint64_t string_bytes = 0;
  if (Status s = v.SectionBytes(internal::kStringBytes, 0, string_bytes); !s.ok()) return s;
  if (Status s = v.Get(internal::kStringBytes, 0, string_bytes, impl.string_bytes); !s.ok())
    return s;
  // Everything below that reads a section's contents runs in a full verification only: a
  // page the open does not need is a page fault (and a disk read) it does not pay.
  if (deep &&
      (impl.string_offsets[0] != 0 || impl.string_offsets[h.string_count] != string_bytes)) {
    return v.Fail("string offsets do not cover the string bytes");
  }
  for (uint64_t i = 0; deep && i < h.string_count; ++i) {
    if (impl.string_offsets[i] > impl.string_offsets[i + 1])
      return v.Fail("string offsets decrease");
  }

  // Entries.
  if (Status s = v.Get(internal::kEntries, 0, h.entry_count * sizeof(EntryRecord), impl.entries);
      !s.ok())
    return s;
  for (uint64_t i = 0; deep && i < h.entry_count; ++i) {
    const EntryRecord& r = impl.entries[i];
    if (!IsValidSignalType(r.type) || r.severity > kMaxSeverity || r.source >= h.string_count ||
        r.category >= h.string_count || r.external_id >= h.string_count) {
      return v.Fail("entry " + std::to_string(i) + " is malformed");
    }
    const uint64_t rows =
        r.type == static_cast<uint8_t>(SignalType::kPdq) ? h.pdq_count : h.exact_count[r.type];
    if (r.value_row >= rows)
      return v.Fail("entry " + std::to_string(i) + " points past its value table");
  }

  // PDQ codes and their link to entries: increasing ids, each pointing back at its row.
  const uint32_t n = static_cast<uint32_t>(h.pdq_count);
  const uint64_t* codes = nullptr;
  if (Status s = v.Get(internal::kPdqCodes, 0, uint64_t{n} * 32, codes); !s.ok()) return s;
  if (Status s = v.Get(internal::kPdqEntryIds, 0, uint64_t{n} * 4, impl.pdq_entry_ids); !s.ok())
    return s;
  for (uint32_t i = 0; deep && i < n; ++i) {
    const uint32_t e = impl.pdq_entry_ids[i];
    if (e >= h.entry_count || (i > 0 && e <= impl.pdq_entry_ids[i - 1]) ||
        impl.entries[e].type != static_cast<uint8_t>(SignalType::kPdq) ||
        impl.entries[e].value_row != i) {
      return v.Fail("pdq row " + std::to_string(i) + " is not linked to its entry");
    }
  }

  // Multi-index tables.
  const internal::MihLayoutRecord* layout_record = nullptr;
  if (Status s = v.Get(internal::kMihLayout, 0, sizeof(internal::MihLayoutRecord), layout_record);
      !s.ok())
    return s;
  const int per_word = static_cast<int>(layout_record->segments_per_word);
  if (per_word < internal::kMinSegmentsPerWord || per_word > internal::kMaxSegmentsPerWord ||
      layout_record->segments != static_cast<uint32_t>(4 * per_word)) {
    return v.Fail("invalid index layout");
  }
  internal::MihView& mih = impl.mih;
  mih.layout = internal::MihLayout::Make(per_word, n);
  mih.n = n;
  mih.codes = codes;
  for (int s = 0; s < mih.layout.segments; ++s) {
    // The layout is derived, not trusted: the stored widths must be the ones it implies.
    if (layout_record->bits[s] != mih.layout.bits[s] ||
        layout_record->dir_bits[s] != mih.layout.dir_bits[s]) {
      return v.Fail("index segment " + std::to_string(s) + " has unexpected widths");
    }
    const uint32_t idx = static_cast<uint32_t>(s);
    const size_t dir_size = mih.layout.directory_size(s);
    if (Status st = v.Get(internal::kMihDirectory, idx, dir_size * 4, mih.directory[s]); !st.ok())
      return st;
    if (Status st = v.Get(internal::kMihIds, idx, uint64_t{n} * 4, mih.ids[s]); !st.ok()) return st;
    const uint32_t* dir = mih.directory[s];
    if (deep) {
      if (dir[0] != 0 || dir[dir_size - 1] != n)
        return v.Fail("index directory does not span the table");
      uint32_t decreasing = 0;
      for (size_t b = 1; b < dir_size; ++b)
        decreasing |= static_cast<uint32_t>(dir[b] < dir[b - 1]);
      if (decreasing != 0) return v.Fail("index directory decreases");
      if (!IdsBelow(mih.ids[s], n, n)) return v.Fail("index table refers past the pdq rows");
    }
    mih.suffix[s] = nullptr;
    if (mih.layout.has_suffix(s)) {
      if (Status st = v.Get(internal::kMihSuffix, idx, uint64_t{n} * 2, mih.suffix[s]); !st.ok())
        return st;
    } else if (v.Has(internal::kMihSuffix, idx)) {
      return v.Fail("unexpected suffix table");
    }
    impl.mih_index_bytes +=
        dir_size * 4 + uint64_t{n} * 4 + (mih.layout.has_suffix(s) ? uint64_t{n} * 2 : 0);
  }

  // Exact digests.
  for (SignalType type : kAllSignalTypes) {
    if (type == SignalType::kPdq) continue;
    const uint32_t t = static_cast<uint32_t>(type);
    Bank::Impl::Exact& ex = impl.exact[t];
    ex.rows = static_cast<uint32_t>(h.exact_count[t]);
    ex.capacity = internal::ExactCapacity(ex.rows);
    const size_t len = SignalByteLength(type);
    if (Status s = v.Get(internal::kExactDigests, t, uint64_t{ex.rows} * len, ex.digests); !s.ok())
      return s;
    if (Status s = v.Get(internal::kExactEntryIds, t, uint64_t{ex.rows} * 4, ex.entry_ids); !s.ok())
      return s;
    if (Status s = v.Get(internal::kExactSlots, t, uint64_t{ex.capacity} * 4, ex.slots); !s.ok())
      return s;
    if (!deep) continue;
    for (uint32_t row = 0; row < ex.rows; ++row) {
      const uint32_t e = ex.entry_ids[row];
      if (e >= h.entry_count || impl.entries[e].type != t || impl.entries[e].value_row != row) {
        return v.Fail(std::string(SignalTypeName(type)) + " row " + std::to_string(row) +
                      " is not linked to its entry");
      }
    }
    // Every row at most once keeps an empty slot, so every probe sequence terminates.
    size_t used = 0;
    for (size_t i = 0; i < ex.capacity; ++i) {
      if (ex.slots[i] > ex.rows) return v.Fail("hash slot refers past the digest rows");
      used += ex.slots[i] != 0;
    }
    if (used != ex.rows) return v.Fail("hash table does not hold every digest exactly once");
  }
  return Status::Ok();
}

}  // namespace

Bank::~Bank() = default;

Result<std::unique_ptr<Bank>> Bank::Open(const std::string& path, const OpenOptions& options) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("bank file " + path + " does not exist");
    return Status::IoError("cannot open bank file " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IoError("bank file " + path + " is not a regular file");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  std::unique_ptr<Bank> bank(new Bank());
  bank->path_ = path;
  bank->impl_ = std::make_unique<Impl>();
  if (size == 0) {
    ::close(fd);
    return Status::Corruption("bank file " + path + " is empty (0 bytes)");
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) {
    return Status::IoError("cannot map bank file " + path + ": " + std::strerror(errno));
  }
  bank->impl_->base = static_cast<const uint8_t*>(map);
  bank->impl_->mapped_bytes = size;
  if (Status s =
          LoadAndValidate(path, options, st, *bank->impl_, bank->name_, bank->fully_verified_);
      !s.ok())
    return s;
  return bank;
}

Status VerifyBankFile(const std::string& path) {
  OpenOptions options;
  options.verification = BankVerification::kAlways;
  Result<std::unique_ptr<Bank>> bank = Bank::Open(path, options);
  return bank.ok() ? Status::Ok() : bank.status();
}

size_t Bank::size() const { return impl_->header.entry_count; }
size_t Bank::count(SignalType type) const {
  return type == SignalType::kPdq ? impl_->header.pdq_count
                                  : impl_->header.exact_count[static_cast<int>(type)];
}
uint64_t Bank::file_bytes() const { return impl_->header.file_bytes; }
int64_t Bank::created_unix() const { return impl_->header.created_unix; }

Entry Bank::entry(size_t index) const {
  const EntryRecord& r = impl_->entries[index];
  Entry e;
  e.value.type = static_cast<SignalType>(r.type);
  if (e.value.type == SignalType::kPdq) {
    PdqWords words;
    std::memcpy(words.w.data(), impl_->mih.codes + 4 * size_t{r.value_row}, 32);
    PdqWordsToBytes(words, e.value.bytes.data());
  } else {
    const size_t len = SignalByteLength(e.value.type);
    std::memcpy(e.value.bytes.data(), impl_->exact[r.type].digests + size_t{r.value_row} * len,
                len);
  }
  e.severity = r.severity;
  e.added_unix = r.added_unix;
  e.source = impl_->String(r.source);
  e.category = impl_->String(r.category);
  e.external_id = impl_->String(r.external_id);
  return e;
}

void Bank::DropResidentPages() const {
  // The mapping is a read-only private mapping of the file: dropped pages are read again from the
  // page cache on the next access.
  if (impl_->base != nullptr) {
    ::madvise(const_cast<uint8_t*>(impl_->base), impl_->mapped_bytes, MADV_DONTNEED);
  }
}

std::vector<Entry> Bank::Entries() const {
  std::vector<Entry> out;
  out.reserve(size());
  for (size_t i = 0; i < size(); ++i) out.push_back(entry(i));
  return out;
}

int64_t Bank::entry_added_unix(size_t index) const { return impl_->entries[index].added_unix; }

void Bank::PdqEntries(int64_t added_since_unix, std::vector<uint32_t>& entries,
                      std::vector<PdqWords>& codes) const {
  entries.clear();
  codes.clear();
  for (size_t i = 0; i < size(); ++i) {
    const EntryRecord& r = impl_->entries[i];
    if (r.type != static_cast<uint8_t>(SignalType::kPdq) || r.added_unix < added_since_unix) {
      continue;
    }
    PdqWords words;
    std::memcpy(words.w.data(), impl_->mih.codes + 4 * size_t{r.value_row}, 32);
    entries.push_back(static_cast<uint32_t>(i));
    codes.push_back(words);
  }
}

namespace {

Status CheckQuery(size_t count, int threshold) {
  if (count == 0 || count > kMaxPdqVariants) {
    return Status::InvalidArgument("pass 1 to 8 PDQ hashes (the dihedral variants), got " +
                                   std::to_string(count));
  }
  if (threshold < 0 || threshold > 256) {
    return Status::InvalidArgument("PDQ threshold must be 0..256, got " +
                                   std::to_string(threshold));
  }
  return Status::Ok();
}

// Keeps one hit per entry (smallest distance, then lowest variant), sorted by (distance, entry).
std::vector<PdqHit> Reduce(std::vector<PdqHit> hits) {
  std::sort(hits.begin(), hits.end(), [](const PdqHit& a, const PdqHit& b) {
    if (a.entry != b.entry) return a.entry < b.entry;
    if (a.distance != b.distance) return a.distance < b.distance;
    return a.variant < b.variant;
  });
  hits.erase(std::unique(hits.begin(), hits.end(),
                         [](const PdqHit& a, const PdqHit& b) { return a.entry == b.entry; }),
             hits.end());
  std::sort(hits.begin(), hits.end(), [](const PdqHit& a, const PdqHit& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.entry < b.entry;
  });
  return hits;
}

template <typename Search>
Result<std::vector<PdqHit>> RunQuery(const Bank::Impl& impl, const PdqWords* variants, size_t count,
                                     int threshold, Search&& search) {
  if (Status s = CheckQuery(count, threshold); !s.ok()) return s;
  std::vector<PdqHit> hits;
  std::vector<internal::CodeHit> code_hits;
  for (size_t v = 0; v < count; ++v) {
    search(variants[v].w.data(), threshold, code_hits);
    for (const internal::CodeHit& h : code_hits) {
      hits.push_back({impl.pdq_entry_ids[h.index], static_cast<uint16_t>(h.distance),
                      static_cast<uint8_t>(v)});
    }
  }
  return Reduce(std::move(hits));
}

}  // namespace

Result<std::vector<PdqHit>> Bank::QueryPdq(const PdqWords* variants, size_t count,
                                           int threshold) const {
  return RunQuery(*impl_, variants, count, threshold,
                  [this](const uint64_t* q, int t, std::vector<internal::CodeHit>& out) {
                    impl_->mih.Query(q, t, out);
                  });
}

Result<std::vector<PdqHit>> Bank::QueryPdqBruteForce(const PdqWords* variants, size_t count,
                                                     int threshold) const {
  return RunQuery(*impl_, variants, count, threshold,
                  [this](const uint64_t* q, int t, std::vector<internal::CodeHit>& out) {
                    impl_->mih.Scan(q, t, out);
                  });
}

Result<std::vector<Match>> Bank::MatchPdq(const PdqWords* variants, size_t count,
                                          int threshold) const {
  Result<std::vector<PdqHit>> hits = QueryPdq(variants, count, threshold);
  if (!hits.ok()) return hits.status();
  std::vector<Match> out;
  out.reserve(hits->size());
  for (const PdqHit& h : hits.value()) {
    Match m;
    m.bank = name_;
    m.entry_index = h.entry;
    m.entry = entry(h.entry);
    m.distance = h.distance;
    m.variant = h.variant;
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<Match>> Bank::MatchExact(const HashValue& value) const {
  if (!IsValidSignalType(static_cast<uint8_t>(value.type))) {
    return Status::InvalidArgument("invalid signal type");
  }
  if (value.type == SignalType::kPdq) {
    const PdqWords words = PdqWordsFromBytes(value.bytes.data());
    return MatchPdq(&words, 1, 0);
  }
  const Impl::Exact& ex = impl_->exact[static_cast<int>(value.type)];
  std::vector<uint32_t> entries;
  internal::ExactLookup(ex.digests, value.size(), ex.slots, ex.capacity, value.bytes.data(),
                        [&](uint32_t row) { entries.push_back(ex.entry_ids[row]); });
  std::sort(entries.begin(), entries.end());
  std::vector<Match> out;
  for (uint32_t e : entries) {
    Match m;
    m.bank = name_;
    m.entry_index = e;
    m.entry = entry(e);
    out.push_back(std::move(m));
  }
  return out;
}

PdqIndexInfo Bank::pdq_index_info() const {
  PdqIndexInfo info;
  const internal::MihLayout& layout = impl_->mih.layout;
  info.hashes = impl_->mih.n;
  info.segments = layout.segments;
  info.segments_per_word = layout.segments_per_word;
  for (int s = 0; s < layout.segments; ++s) {
    info.segment_bits.push_back(layout.bits[s]);
    info.directory_bits.push_back(layout.dir_bits[s]);
  }
  info.index_bytes = impl_->mih_index_bytes;
  return info;
}

}  // namespace vigil::hashbank
