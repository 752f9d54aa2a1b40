// WriteBankFile: builds the indexes for a list of entries and writes the bank file atomically
// (temp file in the same directory, fsync, rename, fsync of the directory).
#include "bank_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bank_format.h"
#include "checksum.h"
#include "exact_table.h"
#include "mih.h"
#include "verified_marker.h"
#include "vigil/hashbank/bank.h"
#include "vigil/hashbank/temp_files.h"

namespace vigil::hashbank {
namespace {

using internal::EntryRecord;
using internal::FileHeader;
using internal::SectionRecord;

// How far back a new bank's modification time is set: past OpenOptions::racy_window_ns.
constexpr int64_t kMarkerBackdateNs = 3'000'000'000;

// Interned metadata strings: an open-addressing table of ids whose keys are the pool's own bytes
// (about 12 bytes per distinct string besides the text, where a map of std::string keys took about
// 80; a bank of NCMEC records has one distinct external id per record).
class StringPool {
 public:
  StringPool() { Intern(""); }
  uint32_t Intern(std::string_view s) {
    if ((offsets_.size() + 1) * 2 > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = Hash(s) & mask;; i = (i + 1) & mask) {
      const uint32_t slot = slots_[i];
      if (slot == 0) {
        const uint32_t id = static_cast<uint32_t>(offsets_.size());
        offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
        bytes_.insert(bytes_.end(), s.begin(), s.end());
        slots_[i] = id + 1;
        return id;
      }
      if (View(slot - 1) == s) return slot - 1;
    }
  }
  std::vector<uint32_t> Offsets() const {
    std::vector<uint32_t> out = offsets_;
    out.push_back(static_cast<uint32_t>(bytes_.size()));
    return out;
  }
  const std::vector<char>& bytes() const { return bytes_; }
  size_t count() const { return offsets_.size(); }
  // The lookup table is not needed once every string is interned.
  void DropTable() { slots_ = {}; }

 private:
  static size_t Hash(std::string_view s) { return internal::Checksum64(s.data(), s.size()); }
  std::string_view View(uint32_t id) const {
    const size_t end = id + 1 < offsets_.size() ? offsets_[id + 1] : bytes_.size();
    return std::string_view(bytes_.data() + offsets_[id], end - offsets_[id]);
  }
  void Grow() {
    std::vector<uint32_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, 0);
    const size_t mask = slots_.size() - 1;
    for (uint32_t slot : old) {
      if (slot == 0) continue;
      size_t i = Hash(View(slot - 1)) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }
  std::vector<uint32_t> slots_;  // 0 = empty, else id + 1
  std::vector<uint32_t> offsets_;
  std::vector<char> bytes_;
};

class FileWriter {
 public:
  explicit FileWriter(int fd) : fd_(fd) {}
  Status Write(const void* data, size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      const ssize_t n = ::write(fd_, p, size);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IoError(std::string("write failed: ") + std::strerror(errno));
      }
      p += n;
      size -= static_cast<size_t>(n);
      offset_ += static_cast<uint64_t>(n);
    }
    return Status::Ok();
  }
  Status PadTo(uint64_t align) {
    static const char kZeros[internal::kSectionAlign] = {};
    const uint64_t pad = (align - offset_ % align) % align;
    return Write(kZeros, pad);
  }
  uint64_t offset() const { return offset_; }

 private:
  int fd_;
  uint64_t offset_ = 0;
};

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Writes sections one at a time as they are built (so each can be freed after it is written), then
// the section table and the header.
class SectionWriter {
 public:
  explicit SectionWriter(int fd) : fd_(fd), out_(fd) {}
  Status Begin(const FileHeader& header) {
  // Placeholder header; rewritten once offsets and checksums are known.
    return out_.Write(&header, sizeof header);
  }
  Status Add(uint32_t kind, uint32_t index, const void* data, uint64_t bytes) {
    if (Status s = out_.PadTo(internal::kSectionAlign); !s.ok()) return s;
    SectionRecord rec{};
    rec.kind = kind;
    rec.index = index;
    rec.offset = out_.offset();
    rec.bytes = bytes;
    rec.checksum = internal::Checksum64(data, bytes);
    if (Status s = out_.Write(data, bytes); !s.ok()) return s;
    table_.push_back(rec);
    return Status::Ok();
  }
  template <typename T>
  Status Add(uint32_t kind, uint32_t index, const std::vector<T>& v) {
    return Add(kind, index, v.data(), v.size() * sizeof(T));
  }
  Status Finish(const FileHeader& header_in, uint64_t& header_checksum) {
    FileHeader header = header_in;
    if (Status s = out_.PadTo(internal::kSectionAlign); !s.ok()) return s;
    header.section_table_offset = out_.offset();
    header.section_count = static_cast<uint32_t>(table_.size());
    header.section_table_checksum =
        internal::Checksum64(table_.data(), table_.size() * sizeof(SectionRecord));
    if (Status s = out_.Write(table_.data(), table_.size() * sizeof(SectionRecord)); !s.ok())
      return s;
    header.file_bytes = out_.offset();
    header.header_checksum = internal::Checksum64(&header, offsetof(FileHeader, header_checksum));
    header_checksum = header.header_checksum;
    if (::pwrite(fd_, &header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) {
      return Status::IoError(std::string("writing the header failed: ") + std::strerror(errno));
    }
    return Status::Ok();
  }

 private:
  int fd_;
  FileWriter out_;
  std::vector<SectionRecord> table_;
};

template <typename T>
void Free(T& v) {
  T().swap(v);
}

}  // namespace

namespace {

Status WriteBankFileImpl(const std::string& path, std::string_view bank_name, size_t entry_count,
                         const std::function<void(const internal::EntrySink&)>& produce,
                         const std::function<void()>& release_inputs, const size_t* type_counts,
                         const BankBuildOptions& options) {
  if (entry_count >= UINT32_MAX) {
    return Status::InvalidArgument("a bank holds at most 4294967294 entries");
  }
  if (options.segments_per_word != 0 &&
      (options.segments_per_word < internal::kMinSegmentsPerWord ||
       options.segments_per_word > internal::kMaxSegmentsPerWord)) {
    return Status::InvalidArgument("segments_per_word must be 0 (auto) or 2..5");
  }

  // [SECTION] entries, strings and values by type
  StringPool strings;
  std::vector<EntryRecord> records(entry_count);
  std::vector<uint64_t> pdq_codes;
  std::vector<uint32_t> pdq_entry_ids;
  std::vector<uint8_t> digests[5];
  std::vector<uint32_t> digest_entry_ids[5];
  if (type_counts != nullptr) {  // exact sizes: no doubling growth past the bank's size
    pdq_codes.reserve(4 * type_counts[static_cast<int>(SignalType::kPdq)]);
    pdq_entry_ids.reserve(type_counts[static_cast<int>(SignalType::kPdq)]);
    for (SignalType type : kAllSignalTypes) {
      if (type == SignalType::kPdq) continue;
      const int t = static_cast<int>(type);
      digests[t].reserve(type_counts[t] * SignalByteLength(type));
      digest_entry_ids[t].reserve(type_counts[t]);
    }
  }
  size_t i = 0;
  Status bad = Status::Ok();
  produce([&](const internal::EntryRef& e) {
    if (!bad.ok()) return;
    if (i >= entry_count) {
      bad = Status::Internal("more entries than announced (" + std::to_string(entry_count) + ")");
      return;
    }
    if (!IsValidSignalType(static_cast<uint8_t>(e.type))) {
      bad = Status::InvalidArgument("entry " + std::to_string(i) + " has an invalid signal type");
      return;
    }
    if (e.severity < 0 || e.severity > kMaxSeverity) {
      bad = Status::InvalidArgument("entry " + std::to_string(i) + " has severity " +
                                    std::to_string(e.severity) + ", expected 0..5");
      return;
    }
    EntryRecord& r = records[i];
    r.type = static_cast<uint8_t>(e.type);
    r.severity = static_cast<uint8_t>(e.severity);
    r.added_unix = e.added_unix;
    r.source = strings.Intern(e.source);
    r.category = strings.Intern(e.category);
    r.external_id = strings.Intern(e.external_id);
    if (e.type == SignalType::kPdq) {
      r.value_row = static_cast<uint32_t>(pdq_entry_ids.size());
      const PdqWords words = PdqWordsFromBytes(e.bytes);
      pdq_codes.insert(pdq_codes.end(), words.w.begin(), words.w.end());
      pdq_entry_ids.push_back(static_cast<uint32_t>(i));
    } else {
      const int t = static_cast<int>(e.type);
      r.value_row = static_cast<uint32_t>(digest_entry_ids[t].size());
      digests[t].insert(digests[t].end(), e.bytes, e.bytes + SignalByteLength(e.type));
      digest_entry_ids[t].push_back(static_cast<uint32_t>(i));
    }
    ++i;
  });
  if (!bad.ok()) return bad;
  if (i != entry_count) {
    return Status::Internal("fewer entries than announced (" + std::to_string(i) + " of " +
                            std::to_string(entry_count) + ")");
  }
  if (release_inputs) release_inputs();
  strings.DropTable();
  if (strings.bytes().size() >= UINT32_MAX) {
    return Status::InvalidArgument("bank metadata strings exceed 4 GiB");
  }

  // [SECTION] header and layout
  const uint32_t pdq_count = static_cast<uint32_t>(pdq_entry_ids.size());
  const int per_word = options.segments_per_word != 0 ? options.segments_per_word
                                                      : internal::ChooseSegmentsPerWord(pdq_count);
  const internal::MihLayout layout = internal::MihLayout::Make(per_word, pdq_count);
  internal::MihLayoutRecord layout_record{};
  layout_record.segments_per_word = static_cast<uint32_t>(layout.segments_per_word);
  layout_record.segments = static_cast<uint32_t>(layout.segments);
  for (int s = 0; s < layout.segments; ++s) {
    layout_record.bits[s] = static_cast<uint8_t>(layout.bits[s]);
    layout_record.dir_bits[s] = static_cast<uint8_t>(layout.dir_bits[s]);
  }
  FileHeader header{};
  std::memcpy(header.magic, internal::kBankMagic, sizeof header.magic);
  header.version = internal::kBankVersion;
  header.header_bytes = sizeof(FileHeader);
  header.entry_count = entry_count;
  header.string_count = strings.count();
  header.pdq_count = pdq_count;
  for (int t = 2; t <= 4; ++t) header.exact_count[t] = digest_entry_ids[t].size();
  header.created_unix = options.created_unix;

  // [SECTION] temp file (locked while written, see temp_files.h) + atomic rename. Sections are
  // written in file order as they are built and freed once written: the index tables are built one
  // at a time, so memory peaks at the entries and codes, not at the whole bank.
  Result<LockedTempFile> temp = CreateLockedTempFile(path);
  if (!temp.ok()) return temp.status();
  const int fd = temp.value().fd;
  const std::string& tmpl = temp.value().path;
  uint64_t header_checksum = 0;
  Status status = [&]() -> Status {
    try {
      SectionWriter w(fd);
      if (Status s = w.Begin(header); !s.ok()) return s;
      if (Status s = w.Add(internal::kName, 0, bank_name.data(), bank_name.size()); !s.ok())
        return s;
      if (Status s = w.Add(internal::kEntries, 0, records); !s.ok()) return s;
      Free(records);
      {
        const std::vector<uint32_t> string_offsets = strings.Offsets();
        if (Status s = w.Add(internal::kStringOffsets, 0, string_offsets); !s.ok()) return s;
        if (Status s = w.Add(internal::kStringBytes, 0, strings.bytes()); !s.ok()) return s;
      }
      strings = StringPool();
      if (Status s = w.Add(internal::kPdqCodes, 0, pdq_codes); !s.ok()) return s;
      if (Status s = w.Add(internal::kPdqEntryIds, 0, pdq_entry_ids); !s.ok()) return s;
      Free(pdq_entry_ids);
      if (Status s = w.Add(internal::kMihLayout, 0, &layout_record, sizeof layout_record); !s.ok())
        return s;
      {
        std::vector<uint32_t> bucket_of, directory, ids;
        std::vector<uint16_t> suffix;
        for (int s = 0; s < layout.segments; ++s) {
          const uint32_t idx = static_cast<uint32_t>(s);
          internal::BuildMihSegment(pdq_codes.data(), pdq_count, layout, s, bucket_of, directory,
                                    ids, suffix);
          if (Status st = w.Add(internal::kMihDirectory, idx, directory); !st.ok()) return st;
          if (Status st = w.Add(internal::kMihIds, idx, ids); !st.ok()) return st;
          if (layout.has_suffix(s)) {
            if (Status st = w.Add(internal::kMihSuffix, idx, suffix); !st.ok()) return st;
          }
        }
      }
      Free(pdq_codes);
      for (SignalType type : kAllSignalTypes) {
        if (type == SignalType::kPdq) continue;
        const int t = static_cast<int>(type);
        const std::vector<uint32_t> slots =
            internal::BuildExactSlots(digests[t].data(), SignalByteLength(type),
                                      static_cast<uint32_t>(digest_entry_ids[t].size()));
        const uint32_t idx = static_cast<uint32_t>(t);
        if (Status s = w.Add(internal::kExactDigests, idx, digests[t]); !s.ok()) return s;
        if (Status s = w.Add(internal::kExactEntryIds, idx, digest_entry_ids[t]); !s.ok()) return s;
        if (Status s = w.Add(internal::kExactSlots, idx, slots); !s.ok()) return s;
        Free(digests[t]);
        Free(digest_entry_ids[t]);
      }
      return w.Finish(header, header_checksum);
    } catch (const std::bad_alloc&) {
      return Status::IoError("out of memory while building the index");
    }
  }();
  if (status.ok() && ::fchmod(fd, 0644) != 0) {
    status = Status::IoError(std::string("chmod failed: ") + std::strerror(errno));
  }
  // The modification time is set back past the racy window, so the verified marker recorded
  // below is trusted at once: any later write to the file sets its mtime to the current time,
  // which then differs from the marker's (see verified_marker.h).
  const int64_t written_ns = internal::RealtimeNanos();
  const int64_t backdated_ns = written_ns - kMarkerBackdateNs;
  const struct timespec times[2] = {{0, UTIME_OMIT},
                                    {static_cast<time_t>(backdated_ns / 1'000'000'000),
                                     static_cast<long>(backdated_ns % 1'000'000'000)}};
  if (status.ok() && ::futimens(fd, times) != 0) {
    status = Status::IoError(std::string("setting the file time failed: ") + std::strerror(errno));
  }
  if (status.ok() && ::fsync(fd) != 0) {
    status = Status::IoError(std::string("fsync failed: ") + std::strerror(errno));
  }
  if (::close(fd) != 0 && status.ok()) {
    status = Status::IoError(std::string("close failed: ") + std::strerror(errno));
  }
  if (status.ok() && ::rename(tmpl.c_str(), path.c_str()) != 0) {
    status = Status::IoError("cannot rename the new bank into place at " + path + ": " +
                             std::strerror(errno));
  }
  if (!status.ok()) {
    ::unlink(tmpl.c_str());
    return Status::IoError("bank " + path + " was not changed: " + status.message());
  }
  // The bytes in place are the ones just built and checksummed here: record them as verified
  // (best effort; without a marker the first open verifies fully).
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 ||
      !internal::RecordMarker(path, st, header_checksum, written_ns,
                              OpenOptions().racy_window_ns)) {
    ::unlink(VerifiedMarkerPath(path).c_str());  // the old file's marker describes another inode
  }
  const int dir_fd = ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);  // best effort: the rename is already visible
    ::close(dir_fd);
  }
  return Status::Ok();
}

}  // namespace

namespace internal {

Status WriteBankFileFrom(const std::string& path, std::string_view bank_name, size_t count,
                         const std::function<void(const EntrySink&)>& produce,
                         const std::function<void()>& release_inputs, const size_t* type_counts,
                         const BankBuildOptions& options) {
  try {
    return WriteBankFileImpl(path, bank_name, count, produce, release_inputs, type_counts, options);
  } catch (const std::bad_alloc&) {
    return Status::IoError("out of memory while building bank " + path + "; it was not changed");
  }
}

}  // namespace internal

Status WriteBankFile(const std::string& path, std::string_view bank_name,
                     const std::vector<Entry>& entries, const BankBuildOptions& options) {
  return internal::WriteBankFileFrom(
      path, bank_name, entries.size(),
      [&](const internal::EntrySink& sink) {
        for (const Entry& e : entries) {
          internal::EntryRef ref;
          ref.type = e.value.type;
          ref.bytes = e.value.bytes.data();
          ref.severity = e.severity;
          ref.added_unix = e.added_unix;
          ref.source = e.source;
          ref.category = e.category;
          ref.external_id = e.external_id;
          sink(ref);
        }
      },
      nullptr, nullptr, options);
}

}  // namespace vigil::hashbank
