#include "vigil/hashbank/compact_import.h"

#include <cstring>
#include <utility>

namespace vigil::hashbank {

HashValue CompactOp::value() const {
  HashValue v;
  v.type = static_cast<SignalType>(type);
  std::memcpy(v.bytes.data(), bytes, sizeof bytes);
  return v;
}

CompactImport::CompactImport() { refs_.push_back({0, 0}); }

size_t CompactImport::error_count() const {
  size_t n = 0;
  for (const ImportProblem& p : problems) n += p.kind == ImportProblem::Kind::kError;
  return n;
}

size_t CompactImport::filtered_out_count() const {
  size_t n = 0;
  for (size_t c : filtered_out) n += c;
  return n;
}

uint32_t CompactImport::Append(std::string_view text) {
  if (text.empty()) return 0;
  refs_.push_back({arena_.size(), static_cast<uint32_t>(text.size())});
  arena_.append(text);
  return static_cast<uint32_t>(refs_.size() - 1);
}

uint32_t CompactImport::Intern(std::string_view text) {
  if (text.empty()) return 0;
  auto found = interned_.find(std::string(text));
  if (found != interned_.end()) return found->second;
  const uint32_t id = Append(text);
  interned_.emplace(std::string(text), id);
  return id;
}

uint32_t CompactImport::AddExternalId(std::string_view text) {
  if (text.empty()) return 0;
  if (last_external_id_ != 0 && String(last_external_id_) == text) return last_external_id_;
  last_external_id_ = Append(text);
  return last_external_id_;
}

void CompactImport::AddEntry(const Entry& entry) {
  CompactOp op;
  op.kind = CompactOp::kUpsert;
  op.type = static_cast<uint8_t>(entry.value.type);
  op.severity = static_cast<uint8_t>(entry.severity);
  op.has_value = 1;
  op.source = Intern(entry.source);
  op.category = Intern(entry.category);
  op.external_id = AddExternalId(entry.external_id);
  op.added_unix = entry.added_unix;
  std::memcpy(op.bytes, entry.value.bytes.data(), sizeof op.bytes);
  ops.push_back(op);
  ++upserts_;
}

void CompactImport::AddDeletion(const Deletion& deletion) {
  CompactOp op;
  op.kind = CompactOp::kDelete;
  op.has_value = deletion.has_value ? 1 : 0;
  op.type = static_cast<uint8_t>(deletion.value.type);
  op.source = Intern(deletion.source);
  op.external_id = AddExternalId(deletion.external_id);
  std::memcpy(op.bytes, deletion.value.bytes.data(), sizeof op.bytes);
  ops.push_back(op);
}

Entry CompactImport::EntryOf(const CompactOp& op) const {
  Entry e;
  e.value = op.value();
  e.source = std::string(String(op.source));
  e.category = std::string(String(op.category));
  e.severity = op.severity;
  e.added_unix = op.added_unix;
  e.external_id = std::string(String(op.external_id));
  return e;
}

Deletion CompactImport::DeletionOf(const CompactOp& op) const {
  Deletion d;
  d.source = std::string(String(op.source));
  d.external_id = std::string(String(op.external_id));
  d.has_value = op.has_value != 0;
  if (d.has_value) d.value = op.value();
  return d;
}

ImportResult CompactImport::ToImportResult() const {
  ImportResult r;
  for (const CompactOp& op : ops) {
    if (op.kind == CompactOp::kUpsert) {
      r.AddEntry(EntryOf(op));
    } else {
      r.AddDeletion(DeletionOf(op));
    }
  }
  r.problems = problems;
  for (size_t t = 0; t < 5; ++t) r.filtered_out[t] = filtered_out[t];
  return r;
}

CompactImport CompactImport::FromImportResult(const ImportResult& result) {
  CompactImport c;
  c.ops.reserve(result.ops.size());
  for (const ImportOp& op : result.ops) {
    if (op.kind == ImportOp::Kind::kUpsert) {
      c.AddEntry(result.entries[op.index]);
    } else {
      c.AddDeletion(result.deletions[op.index]);
    }
  }
  c.problems = result.problems;
  for (size_t t = 0; t < 5; ++t) c.filtered_out[t] = result.filtered_out[t];
  return c;
}

size_t CompactImport::memory_bytes() const {
  return ops.capacity() * sizeof(CompactOp) + arena_.capacity() + refs_.capacity() * sizeof(Ref);
}

void CompactImport::Release() {
  ops = {};
  arena_ = {};
  refs_ = {{0, 0}};
  interned_ = {};
  last_external_id_ = 0;
  upserts_ = 0;
}

}  // namespace vigil::hashbank
