// The fleet's wire format (fleet_wire.proto, docs/fleet.md "Wire format"): encoding a
// service::Submission into a head and its chunks, and decoding and checking what a worker
// fetched. Pure functions, no NATS: the fuzz target (tests/fuzz/fleet) feeds DecodeHead.
#ifndef VIGIL_HOST_FLEET_FLEET_WIRE_H_
#define VIGIL_HOST_FLEET_FLEET_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "service/submission_sink.h"

namespace vigil::fleet {

inline constexpr uint32_t kWireVersion = 1;
// The largest item the fleet carries (issue 14: "items up to 50 MB"), with headroom.
inline constexpr uint64_t kMaxItemBytes = 64ull << 20;
// Chunk sizes a reader accepts; the writer uses FleetNames::chunk_size (512 KiB).
inline constexpr uint32_t kMinChunkSize = 1024;
inline constexpr uint32_t kMaxChunkSize = 8u << 20;
// Text fields are bounded so a hostile head cannot make a worker keep megabytes of names.
inline constexpr size_t kMaxIdLength = 128;
inline constexpr size_t kMaxTextField = 8192;
inline constexpr size_t kMaxAttributes = 256;

// A decoded head: the submission without its bytes (or with them, when inline), and where
// the rest of the bytes are.
struct DecodedHead {
  service::Submission submission;  // bytes filled only when the item travelled inline
  uint64_t size = 0;
  std::string sha256_hex;  // 64 lowercase hex digits
  uint32_t chunk_size = 0;
  std::vector<uint64_t> chunk_seqs;  // empty: inline
};

// An id the fleet accepts: 1..128 characters of [A-Za-z0-9_-] (it becomes a NATS subject
// token and a message id, so no dots, wildcards or spaces).
bool IsValidSubmissionId(std::string_view id);

// The head for `submission`: inline when chunk_seqs is empty (then the bytes go in the
// head), otherwise naming the chunks already published. REQUIRES: a valid id.
std::string EncodeHead(const service::Submission& submission, uint32_t chunk_size,
                       const std::vector<uint64_t>& chunk_seqs);

// Splits bytes into chunk_size pieces (the views point into `bytes`).
std::vector<std::string_view> SplitChunks(std::string_view bytes, uint32_t chunk_size);

// Decodes and checks a head: version, id, sizes, chunk count against size, digest length,
// inline bytes against size and digest. Corruption with a one-line reason on any failure.
StatusOr<DecodedHead> DecodeHead(std::string_view data);

// Joins the chunks of a chunked head into head->submission.bytes, checking each chunk's
// length and the digest of the whole.
Status AssembleChunks(DecodedHead& head, const std::vector<std::string>& chunks);

}  // namespace vigil::fleet

#endif  // VIGIL_HOST_FLEET_FLEET_WIRE_H_
