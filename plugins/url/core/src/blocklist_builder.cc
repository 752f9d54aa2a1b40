#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "blocklist_format.h"
#include "bloom_filter.h"
#include "fingerprint.h"
#include "vigil/url/blocklist.h"

namespace vigil::url {
namespace {

using internal::FileHeader;
using internal::RecordV1;

constexpr size_t kAlign = 64;

size_t AlignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

std::string_view HostOf(std::string_view expression) {
  return expression.substr(0, expression.find('/'));
}

bool IsDate(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  const int month = (d[5] - '0') * 10 + (d[6] - '0'), day = (d[8] - '0') * 10 + (d[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

class StringPool {
 public:
  uint32_t Add(std::string_view s) {
    if (s.empty()) return internal::kNoString;
    auto it = index_.find(std::string(s));
    if (it != index_.end()) return it->second;
    const auto offset = static_cast<uint32_t>(bytes_.size());
    const auto len = static_cast<uint32_t>(s.size());
    bytes_.resize(bytes_.size() + 4);
    std::memcpy(bytes_.data() + offset, &len, 4);
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    index_.emplace(std::string(s), offset);
    return offset;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
  std::unordered_map<std::string, uint32_t> index_;
};

}  // namespace

const char* EntryKindName(EntryKind kind) {
  switch (kind) {
    case EntryKind::kUrl:
      return "url";
    case EntryKind::kPathPrefix:
      return "prefix";
    case EntryKind::kDomain:
      return "domain";
  }
  return "unknown";
}

BlocklistBuilder::BlocklistBuilder(ListFormat format) : format_(format) {}

Status BlocklistBuilder::Validate(const EntryMetadata& meta) const {
  if (meta.severity > 5) return Status::InvalidArgument("severity must be 0..5");
  if (!meta.date_added.empty() && !IsDate(meta.date_added)) {
    return Status::InvalidArgument("date must be YYYY-MM-DD: '" + meta.date_added + "'");
  }
  for (const std::string* s : {&meta.source, &meta.category, &meta.entry_id}) {
    if (s->size() > 4096) return Status::InvalidArgument("metadata field longer than 4096 bytes");
  }
  return Status::Ok();
}

Status BlocklistBuilder::AddUrl(std::string_view url, EntryKind kind, const EntryMetadata& meta) {
  if (kind == EntryKind::kDomain) return AddDomain(url, meta);
  auto canonical = CanonicalizeUrl(url);
  if (!canonical.ok()) return canonical.status();
  std::string expression;
  if (kind == EntryKind::kPathPrefix) {
    expression = canonical->host + canonical->path;
    if (expression.back() != '/') expression.push_back('/');
  } else {
    expression = canonical->Expression();
  }
  return AddExpression(expression, kind, meta);
}

Status BlocklistBuilder::AddDomain(std::string_view domain, const EntryMetadata& meta) {
  std::string host;
  if (domain.find('/') != std::string_view::npos || domain.find(':') != std::string_view::npos ||
      domain.find('@') != std::string_view::npos) {
    auto canonical = CanonicalizeUrl(domain);
    if (!canonical.ok()) return canonical.status();
    host = canonical->host;
  } else {
    auto h = CanonicalizeHost(domain);
    if (!h.ok()) return h.status();
    host = std::move(h).value();
  }
  return AddExpression(host + "/", EntryKind::kDomain, meta);
}

Status BlocklistBuilder::AddExpression(std::string_view expression, EntryKind kind,
                                       const EntryMetadata& meta) {
  if (Status st = Validate(meta); !st.ok()) return st;
  if (expression.empty() || expression.find('/') == std::string_view::npos) {
    return Status::InvalidArgument("an expression is host/path");
  }
  if (expression.size() > 65536) return Status::InvalidArgument("expression longer than 64 KiB");
  ListEntry e;
  e.kind = kind;
  e.meta = meta;
  if (format_ == ListFormat::kHashed) {
    e.digest = Sha256(expression);
  } else {
    e.expression.assign(expression);
  }
  std::string key = std::string(expression) + '\0' + EntryKindName(kind) + '\0' + meta.source +
                    '\0' + meta.category + '\0' + meta.entry_id + '\0' + meta.date_added + '\0' +
                    std::to_string(meta.severity);
  if (!seen_.insert(std::move(key)).second) return Status::Ok();
  entries_.push_back(std::move(e));
  return Status::Ok();
}

Status BlocklistBuilder::AddDigest(const Sha256Digest& digest, EntryKind kind,
                                   const EntryMetadata& meta) {
  if (format_ != ListFormat::kHashed) {
    return Status::InvalidArgument("a plain list cannot hold a bare SHA-256 digest");
  }
  if (Status st = Validate(meta); !st.ok()) return st;
  std::string key = DigestToHex(digest) + '\0' + EntryKindName(kind) + '\0' + meta.source + '\0' +
                    meta.category + '\0' + meta.entry_id + '\0' + meta.date_added + '\0' +
                    std::to_string(meta.severity);
  if (!seen_.insert(std::move(key)).second) return Status::Ok();
  ListEntry e;
  e.kind = kind;
  e.meta = meta;
  e.digest = digest;
  entries_.push_back(std::move(e));
  return Status::Ok();
}

Status BlocklistBuilder::AddEntry(const ListEntry& entry) {
  if (entry.kind != EntryKind::kUrl && entry.kind != EntryKind::kPathPrefix &&
      entry.kind != EntryKind::kDomain) {
    return Status::InvalidArgument("unknown entry kind");
  }
  if (format_ == ListFormat::kHashed) return AddDigest(entry.digest, entry.kind, entry.meta);
  return AddExpression(entry.expression, entry.kind, entry.meta);
}

std::vector<uint8_t> BlocklistBuilder::Build() const {
  const uint64_t n = entries_.size();
  const bool hashed = format_ == ListFormat::kHashed;
  uint64_t slots = 16;
  while (slots < 2 * n + 1) slots <<= 1;  // load factor <= 0.5
  const uint64_t bloom_blocks = internal::BloomBlocksFor(n);

  StringPool pool;
  std::vector<RecordV1> records(n);
  std::vector<uint64_t> slot_fp(slots, 0);
  std::vector<uint32_t> slot_rec(slots, 0);
  std::vector<uint64_t> bloom(bloom_blocks * internal::kBloomBlockWords, 0);
  for (uint64_t i = 0; i < n; ++i) {
    const ListEntry& e = entries_[i];
    RecordV1& r = records[i];
    r.key = hashed ? static_cast<uint32_t>(i) : pool.Add(e.expression);
    r.source = pool.Add(e.meta.source);
    r.category = pool.Add(e.meta.category);
    r.date_added = pool.Add(e.meta.date_added);
    r.entry_id = pool.Add(e.meta.entry_id);
    r.kind = static_cast<uint8_t>(e.kind);
    r.severity = e.meta.severity;
    r.reserved = 0;
    uint64_t fp;
    if (hashed) {
      fp = internal::NonZero(internal::Load64(e.digest.data()));
      internal::BloomInsert(bloom.data(), bloom_blocks, fp);
    } else {
      fp = internal::NonZero(internal::Fingerprint64(e.expression, internal::kExpressionSeed));
      internal::BloomInsert(bloom.data(), bloom_blocks,
                            internal::Fingerprint64(HostOf(e.expression), internal::kHostSeed));
    }
    uint64_t s = fp & (slots - 1);
    while (slot_fp[s] != 0) s = (s + 1) & (slots - 1);
    slot_fp[s] = fp;
    slot_rec[s] = static_cast<uint32_t>(i);
  }

  FileHeader h{};
  std::memcpy(h.magic, internal::kListMagic, sizeof h.magic);
  h.version = internal::kListVersion;
  h.format = static_cast<uint32_t>(format_);
  h.record_count = n;
  h.slot_count = slots;
  h.bloom_block_count = bloom_blocks;
  size_t off = AlignUp(sizeof(FileHeader));
  h.slot_fp_offset = off;
  off = AlignUp(off + slots * sizeof(uint64_t));
  h.slot_record_offset = off;
  off = AlignUp(off + slots * sizeof(uint32_t));
  h.bloom_offset = off;
  off = AlignUp(off + bloom.size() * sizeof(uint64_t));
  h.record_offset = off;
  off = AlignUp(off + n * sizeof(RecordV1));
  h.digest_offset = off;
  off = AlignUp(off + (hashed ? n * 32 : 0));
  h.string_offset = off;
  h.string_size = pool.bytes().size();
  off += pool.bytes().size();
  h.file_size = off;

  std::vector<uint8_t> out(off, 0);
  std::memcpy(out.data(), &h, sizeof h);
  std::memcpy(out.data() + h.slot_fp_offset, slot_fp.data(), slots * sizeof(uint64_t));
  std::memcpy(out.data() + h.slot_record_offset, slot_rec.data(), slots * sizeof(uint32_t));
  std::memcpy(out.data() + h.bloom_offset, bloom.data(), bloom.size() * sizeof(uint64_t));
  if (n > 0) std::memcpy(out.data() + h.record_offset, records.data(), n * sizeof(RecordV1));
  if (hashed) {
    for (uint64_t i = 0; i < n; ++i) {
      std::memcpy(out.data() + h.digest_offset + 32 * i, entries_[i].digest.data(), 32);
    }
  }
  if (!pool.bytes().empty()) {
    std::memcpy(out.data() + h.string_offset, pool.bytes().data(), pool.bytes().size());
  }
  return out;
}

Status BlocklistBuilder::WriteFile(const std::string& path) const {
  const std::vector<uint8_t> bytes = Build();
  std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot create " + tmp + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || ::fchmod(fd, 0644) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    return Status::IoError("cannot lock " + tmp + ": " + why);
  }
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (w < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::IoError("cannot write " + tmp + ": " + why);
    }
    written += static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Status::IoError("cannot flush " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::IoError("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace vigil::url
