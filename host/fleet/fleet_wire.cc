#include "fleet/fleet_wire.h"

#include <utility>

#include "fleet/fleet_wire.pb.h"
#include "scan/sha256.h"

namespace vigil::fleet {
namespace {

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status Bad(const std::string& why) { return Status::Corruption("fleet message: " + why); }

}  // namespace

bool IsValidSubmissionId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string EncodeHead(const service::Submission& submission, uint32_t chunk_size,
                       const std::vector<uint64_t>& chunk_seqs) {
  wire::SubmissionHead head;
  head.set_version(kWireVersion);
  head.set_id(submission.id);
  head.set_name(submission.name);
  head.set_content_type(submission.content_type);
  head.set_url(submission.url);
  head.set_uploader_id(submission.uploader_id);
  head.set_source(submission.source);
  head.set_received_unix_ms(submission.received_unix_ms);
  for (const auto& [key, value] : submission.attributes) (*head.mutable_attributes())[key] = value;
  head.set_size(submission.bytes.size());
  head.set_sha256_hex(host::Sha256Hex(submission.bytes));
  if (chunk_seqs.empty()) {
    head.set_inline_bytes(submission.bytes);
  } else {
    head.set_chunk_size(chunk_size);
    for (uint64_t seq : chunk_seqs) head.add_chunk_seqs(seq);
  }
  std::string out;
  head.SerializeToString(&out);
  return out;
}

std::vector<std::string_view> SplitChunks(std::string_view bytes, uint32_t chunk_size) {
  std::vector<std::string_view> chunks;
  if (chunk_size == 0) return chunks;
  for (size_t at = 0; at < bytes.size(); at += chunk_size) {
    chunks.push_back(bytes.substr(at, chunk_size));
  }
  return chunks;
}

StatusOr<DecodedHead> DecodeHead(std::string_view data) {
  wire::SubmissionHead head;
  if (data.size() > kMaxChunkSize + (1u << 20)) return Bad("head larger than any head we write");
  if (!head.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return Bad("not a SubmissionHead (protobuf does not parse)");
  }
  if (head.version() != kWireVersion) {
    return Bad("wire version " + std::to_string(head.version()) + ", this worker reads " +
               std::to_string(kWireVersion));
  }
  if (!IsValidSubmissionId(head.id())) return Bad("missing or invalid submission id");
  for (const std::string* text :
       {&head.name(), &head.content_type(), &head.url(), &head.uploader_id(), &head.source()}) {
    if (text->size() > kMaxTextField) return Bad("a text field is longer than 8192 bytes");
  }
  if (head.attributes_size() > static_cast<int>(kMaxAttributes)) {
    return Bad("more than 256 attributes");
  }
  if (head.size() > kMaxItemBytes) {
    return Bad("item of " + std::to_string(head.size()) + " bytes exceeds the fleet's limit");
  }
  if (head.sha256_hex().size() != 64 || !IsLowerHex(head.sha256_hex())) {
    return Bad("sha256_hex is not 64 lowercase hex digits");
  }
  DecodedHead out;
  out.size = head.size();
  out.sha256_hex = head.sha256_hex();
  if (head.chunk_seqs_size() == 0) {
    if (head.chunk_size() != 0) return Bad("chunk_size without chunks");
    if (head.inline_bytes().size() != head.size()) {
      return Bad("inline bytes (" + std::to_string(head.inline_bytes().size()) +
                 ") differ from size (" + std::to_string(head.size()) + ")");
    }
    if (host::Sha256Hex(head.inline_bytes()) != head.sha256_hex()) {
      return Bad("inline bytes do not match their sha256");
    }
  } else {
    if (!head.inline_bytes().empty()) return Bad("both inline bytes and chunks");
    if (head.chunk_size() < kMinChunkSize || head.chunk_size() > kMaxChunkSize) {
      return Bad("chunk_size " + std::to_string(head.chunk_size()) + " out of range");
    }
    uint64_t expected = (head.size() + head.chunk_size() - 1) / head.chunk_size();
    if (static_cast<uint64_t>(head.chunk_seqs_size()) != expected) {
      return Bad(std::to_string(head.chunk_seqs_size()) + " chunks for " +
                 std::to_string(head.size()) + " bytes in chunks of " +
                 std::to_string(head.chunk_size()));
    }
    for (uint64_t seq : head.chunk_seqs()) {
      if (seq == 0) return Bad("chunk sequence 0");
    }
    out.chunk_size = head.chunk_size();
    out.chunk_seqs.assign(head.chunk_seqs().begin(), head.chunk_seqs().end());
  }
  service::Submission& s = out.submission;
  s.id = head.id();
  s.name = head.name();
  s.content_type = head.content_type();
  s.url = head.url();
  s.uploader_id = head.uploader_id();
  s.source = head.source();
  s.received_unix_ms = head.received_unix_ms();
  for (const auto& [key, value] : head.attributes()) s.attributes[key] = value;
  if (out.chunk_seqs.empty()) s.bytes = std::move(*head.mutable_inline_bytes());
  return out;
}

Status AssembleChunks(DecodedHead& head, const std::vector<std::string>& chunks) {
  if (chunks.size() != head.chunk_seqs.size()) {
    return Bad("got " + std::to_string(chunks.size()) + " chunks of " +
               std::to_string(head.chunk_seqs.size()));
  }
  std::string bytes;
  bytes.reserve(head.size);
  for (size_t i = 0; i < chunks.size(); ++i) {
    uint64_t want =
        i + 1 < chunks.size() ? head.chunk_size : head.size - uint64_t{head.chunk_size} * i;
    if (chunks[i].size() != want) {
      return Bad("chunk " + std::to_string(i) + " has " + std::to_string(chunks[i].size()) +
                 " bytes, expected " + std::to_string(want));
    }
    bytes += chunks[i];
  }
  if (host::Sha256Hex(bytes) != head.sha256_hex) {
    return Bad("assembled bytes do not match their sha256");
  }
  head.submission.bytes = std::move(bytes);
  return Status::Ok();
}

}  // namespace vigil::fleet
