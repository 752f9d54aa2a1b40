#include "vigil/url/blocklist.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "blocklist_format.h"
#include "bloom_filter.h"
#include "fingerprint.h"

namespace vigil::url {

using internal::FileHeader;
using internal::RecordV1;

struct Blocklist::Impl {
  // Exactly one of mapping / owned holds the bytes.
  void* mapping = nullptr;
  size_t mapping_size = 0;
  std::vector<uint8_t> owned;

  const uint8_t* base = nullptr;
  FileHeader header{};
  const uint64_t* slot_fp = nullptr;
  const uint32_t* slot_rec = nullptr;
  const uint64_t* bloom = nullptr;
  const RecordV1* records = nullptr;  // sections are 64-byte aligned in the file
  const uint8_t* digests = nullptr;
  const uint8_t* strings = nullptr;

  ~Impl() {
    if (mapping != nullptr) ::munmap(mapping, mapping_size);
  }

  // A string from the pool, or empty when the offset is absent or out of bounds.
  std::string_view String(uint32_t offset) const {
    if (offset == internal::kNoString) return {};
    if (uint64_t{offset} + 4 > header.string_size) return {};
    uint32_t len;
    std::memcpy(&len, strings + offset, 4);
    if (uint64_t{offset} + 4 + len > header.string_size) return {};
    return std::string_view(reinterpret_cast<const char*>(strings + offset + 4), len);
  }

  Status Validate(size_t size);
  void Lookup(const LookupExpressions& exprs, std::vector<Match>* out) const;
  void Probe(uint64_t fp, uint32_t index, const LookupExpression& e, const Sha256Digest* digest,
             std::vector<Match>* out) const;
};

namespace {

bool IsPow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

bool SectionOk(uint64_t offset, uint64_t count, uint64_t elem, uint64_t file_size) {
  if (offset % 8 != 0) return false;
  if (count != 0 && elem > (file_size / count + 1)) return false;
  const uint64_t bytes = count * elem;
  return offset <= file_size && bytes <= file_size - offset;
}

bool KindAccepts(EntryKind kind, uint8_t flags) {
  switch (kind) {
    case EntryKind::kUrl:
      return (flags & kExprExactPath) != 0 && (flags & kExprBeyondSpecHost) == 0;
    case EntryKind::kPathPrefix:
      return (flags & kExprBeyondSpecHost) == 0;
    case EntryKind::kDomain:
      return (flags & kExprRootPath) != 0;
  }
  return false;
}

}  // namespace

Status Blocklist::Impl::Validate(size_t size) {
  if (size < sizeof(FileHeader)) return Status::Corruption("list file is shorter than its header");
  std::memcpy(&header, base, sizeof header);
  if (std::memcmp(header.magic, internal::kListMagic, sizeof header.magic) != 0) {
    return Status::Corruption("not a Vigil URL list file (bad magic)");
  }
  if (header.version != internal::kListVersion) {
    return Status::Corruption("unsupported list file version " + std::to_string(header.version));
  }
  if (header.format > 1) return Status::Corruption("unknown list format");
  if (header.file_size != size)
    return Status::Corruption("list file is truncated or has trailing bytes");
  const uint64_t n = header.record_count;
  if (!IsPow2(header.slot_count) || header.slot_count <= n || !IsPow2(header.bloom_block_count) ||
      n > 0xFFFFFFFFull) {
    return Status::Corruption("list file has inconsistent table sizes");
  }
  const bool hashed = header.format == static_cast<uint32_t>(ListFormat::kHashed);
  if (!SectionOk(header.slot_fp_offset, header.slot_count, 8, size) ||
      !SectionOk(header.slot_record_offset, header.slot_count, 4, size) ||
      !SectionOk(header.bloom_offset, header.bloom_block_count, 64, size) ||
      !SectionOk(header.record_offset, n, sizeof(RecordV1), size) ||
      !SectionOk(header.digest_offset, hashed ? n : 0, 32, size) ||
      !SectionOk(header.string_offset, header.string_size, 1, size)) {
    return Status::Corruption("list file section out of bounds");
  }
  slot_fp = reinterpret_cast<const uint64_t*>(base + header.slot_fp_offset);
  slot_rec = reinterpret_cast<const uint32_t*>(base + header.slot_record_offset);
  bloom = reinterpret_cast<const uint64_t*>(base + header.bloom_offset);
  records = reinterpret_cast<const RecordV1*>(base + header.record_offset);
  digests = base + header.digest_offset;
  strings = base + header.string_offset;
  return Status::Ok();
}

void Blocklist::Impl::Probe(uint64_t fp, uint32_t index, const LookupExpression& e,
                            const Sha256Digest* digest, std::vector<Match>* out) const {
  const uint64_t mask = header.slot_count - 1;
  // The table is at most half full, so a probe ends at an empty slot; the bound only
  // guards damaged files.
  for (uint64_t s = fp & mask, steps = 0; slot_fp[s] != 0 && steps < header.slot_count;
       s = (s + 1) & mask, ++steps) {
    if (slot_fp[s] != fp) continue;
    const uint32_t ri = slot_rec[s];
    if (ri >= header.record_count) continue;
    const RecordV1& r = records[ri];
    if (digest != nullptr) {
      if (r.key >= header.record_count) continue;
      if (std::memcmp(digests + 32ull * r.key, digest->data(), 32) != 0) continue;
    } else if (String(r.key) != e.text) {
      continue;
    }
    if (r.kind > 2) continue;
    const auto kind = static_cast<EntryKind>(r.kind);
    if (!KindAccepts(kind, e.flags)) continue;
    Match m;
    m.expression_index = index;
    m.expression = e.text;
    m.kind = kind;
    m.severity = r.severity;
    m.source = String(r.source);
    m.category = String(r.category);
    m.date_added = String(r.date_added);
    m.entry_id = String(r.entry_id);
    out->push_back(m);
  }
}

void Blocklist::Impl::Lookup(const LookupExpressions& exprs, std::vector<Match>* out) const {
  if (header.record_count == 0 || exprs.size() == 0) return;
  const bool hashed = header.format == static_cast<uint32_t>(ListFormat::kHashed);
  // Work in phases so the independent cache misses of one URL overlap: compute every
  // fingerprint, prefetch every filter line, then test and probe.
  thread_local std::vector<uint64_t> fps;
  fps.resize(exprs.size());
  if (hashed) {
    thread_local std::vector<std::string_view> texts;
    thread_local std::vector<Sha256Digest> digests;
    texts.resize(exprs.size());
    digests.resize(exprs.size());
    for (size_t i = 0; i < exprs.size(); ++i) texts[i] = exprs[i].text;
    Sha256Batch(texts.data(), texts.size(), digests.data());
    for (size_t i = 0; i < exprs.size(); ++i) {
      fps[i] = internal::NonZero(internal::Load64(digests[i].data()));
      internal::BloomPrefetch(bloom, header.bloom_block_count, fps[i]);
    }
    for (uint32_t i = 0; i < exprs.size(); ++i) {
      if (internal::BloomMayContain(bloom, header.bloom_block_count, fps[i])) {
        Probe(fps[i], i, exprs[i], &digests[i], out);
      }
    }
    return;
  }
  // Plain lists filter by host first: expressions come grouped by host suffix, and a
  // host absent from the filter rules out all of its expressions at once.
  for (size_t i = 0; i < exprs.size(); ++i) {
    if (i > 0 && exprs[i].host.data() == exprs[i - 1].host.data() &&
        exprs[i].host.size() == exprs[i - 1].host.size()) {
      fps[i] = fps[i - 1];
      continue;
    }
    fps[i] = internal::Fingerprint64(exprs[i].host, internal::kHostSeed);
    internal::BloomPrefetch(bloom, header.bloom_block_count, fps[i]);
  }
  // Expressions of hosts that pass the filter: fingerprint, prefetch the slot, probe.
  thread_local std::vector<uint32_t> candidates;
  candidates.clear();
  bool host_may_match = false;
  const uint64_t mask = header.slot_count - 1;
  for (uint32_t i = 0; i < exprs.size(); ++i) {
    if (i == 0 || fps[i] != fps[i - 1]) {
      host_may_match = internal::BloomMayContain(bloom, header.bloom_block_count, fps[i]);
    }
    if (!host_may_match) continue;
    candidates.push_back(i);
  }
  for (uint32_t i : candidates) {
    fps[i] = internal::NonZero(internal::Fingerprint64(exprs[i].text, internal::kExpressionSeed));
    __builtin_prefetch(slot_fp + (fps[i] & mask));
  }
  for (uint32_t i : candidates) Probe(fps[i], i, exprs[i], nullptr, out);
}

Blocklist::Blocklist(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Blocklist::Blocklist(Blocklist&&) noexcept = default;
Blocklist& Blocklist::operator=(Blocklist&&) noexcept = default;
Blocklist::~Blocklist() = default;

Result<Blocklist> Blocklist::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("list file not found: " + path);
    return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Status::IoError("cannot stat " + path);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IoError(path + " is not a regular file");
  }
  const auto size = static_cast<size_t>(st.st_size);
  if (size < sizeof(FileHeader)) {
    ::close(fd);
    return Status::Corruption(path + " is too short to be a list file");
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return Status::IoError("cannot map " + path + ": " + std::strerror(errno));
  auto impl = std::make_unique<Impl>();
  impl->mapping = map;
  impl->mapping_size = size;
  impl->base = static_cast<const uint8_t*>(map);
  if (Status v = impl->Validate(size); !v.ok())
    return Status::Corruption(path + ": " + v.message());
  return Blocklist(std::move(impl));
}

Result<Blocklist> Blocklist::FromBytes(std::vector<uint8_t> bytes) {
  auto impl = std::make_unique<Impl>();
  impl->owned = std::move(bytes);
  impl->base = impl->owned.data();
  // vector storage is at least 16-byte aligned, enough for the 8-byte fields read.
  if (Status v = impl->Validate(impl->owned.size()); !v.ok()) return v;
  return Blocklist(std::move(impl));
}

ListFormat Blocklist::format() const { return static_cast<ListFormat>(impl_->header.format); }
uint64_t Blocklist::size() const { return impl_->header.record_count; }

void Blocklist::Lookup(const LookupExpressions& expressions, std::vector<Match>* out) const {
  impl_->Lookup(expressions, out);
}

std::vector<ListEntry> Blocklist::Entries() const {
  const Impl& im = *impl_;
  const bool hashed = im.header.format == static_cast<uint32_t>(ListFormat::kHashed);
  std::vector<ListEntry> out;
  out.reserve(im.header.record_count);
  for (uint64_t i = 0; i < im.header.record_count; ++i) {
    const RecordV1& r = im.records[i];
    if (r.kind > 2) continue;
    ListEntry e;
    if (hashed) {
      if (r.key >= im.header.record_count) continue;
      std::memcpy(e.digest.data(), im.digests + 32ull * r.key, 32);
    } else {
      e.expression = std::string(im.String(r.key));
      if (e.expression.empty()) continue;
    }
    e.kind = static_cast<EntryKind>(r.kind);
    e.meta.severity = r.severity;
    e.meta.source = std::string(im.String(r.source));
    e.meta.category = std::string(im.String(r.category));
    e.meta.date_added = std::string(im.String(r.date_added));
    e.meta.entry_id = std::string(im.String(r.entry_id));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace vigil::url
