// Fuzzes DecodeHead (host/fleet/fleet_wire.h) with arbitrary message bodies, as a worker
// receives them from the work subject. Checked: no crash or sanitizer report; what decodes
// keeps the invariants the worker relies on (a subject-safe id, sizes within limits,
// inline bytes or a consistent chunk list); an inline head encodes and decodes back to the
// same submission; assembling chunks of the right lengths but wrong content is refused.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/fleet_wire.h"

using vigil::fleet::DecodedHead;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  vigil::StatusOr<DecodedHead> head = vigil::fleet::DecodeHead(input);
  if (!head.ok()) {
    if (head.status().message().empty()) std::abort();
    return 0;
  }
  const DecodedHead& h = head.value();
  if (!vigil::fleet::IsValidSubmissionId(h.submission.id)) std::abort();
  if (h.size > vigil::fleet::kMaxItemBytes || h.sha256_hex.size() != 64) std::abort();
  if (h.chunk_seqs.empty()) {
    if (h.submission.bytes.size() != h.size) std::abort();
    std::string again = vigil::fleet::EncodeHead(h.submission, 0, {});
    vigil::StatusOr<DecodedHead> back = vigil::fleet::DecodeHead(again);
    if (!back.ok() || back->submission.bytes != h.submission.bytes ||
        back->submission.id != h.submission.id ||
        back->submission.attributes != h.submission.attributes) {
      std::abort();
    }
    return 0;
  }
  if (h.chunk_size < vigil::fleet::kMinChunkSize || h.chunk_size > vigil::fleet::kMaxChunkSize)
    std::abort();
  if (h.chunk_seqs.size() != (h.size + h.chunk_size - 1) / h.chunk_size) std::abort();
  // Chunks of the announced lengths filled with 'z': refused unless the digest matches
  // (it cannot, short of SHA-256 collisions). Kept small so a run stays fast.
  if (h.size <= (1u << 20)) {
    std::vector<std::string> chunks;
    for (size_t i = 0; i < h.chunk_seqs.size(); ++i) {
      uint64_t want =
          i + 1 < h.chunk_seqs.size() ? h.chunk_size : h.size - uint64_t{h.chunk_size} * i;
      chunks.emplace_back(want, 'z');
    }
    DecodedHead copy = h;
    vigil::Status assembled = vigil::fleet::AssembleChunks(copy, chunks);
    if (assembled.ok() && copy.submission.bytes.size() != h.size) std::abort();
  }
  return 0;
}
