// Fuzzes every importer: byte 0 picks the format and the policy, the rest is the document.
// Invariants: no crash, no leak, no undefined behaviour; an ok result has only valid entries.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vigil/hashbank/importers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::hashbank;
  if (size == 0) return 0;
  const ImportFormat formats[] = {ImportFormat::kHma, ImportFormat::kTeCsv, ImportFormat::kNcmecXml,
                                  ImportFormat::kStopNciiJson, ImportFormat::kVicsJson};
  ImportOptions options;
  options.policy = (data[0] & 0x10) ? BadRecordPolicy::kRefuse : BadRecordPolicy::kSkipAndReport;
  options.unknown_enums =
      (data[0] & 0x20) ? UnknownEnumPolicy::kMapAndWarn : UnknownEnumPolicy::kReject;
  if (data[0] & 0x40) options.signal_type = SignalType::kPdq;
  options.max_reported_problems = 50;
  // Streamed path (hma): tiny reads and a small line limit put records across read boundaries
  // and over the limit.
  if (data[0] & 0x80) {
    options.read_chunk_bytes = 3;
    options.max_record_bytes = 80;
  }
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  Result<ImportResult> r = ImportDocument(formats[data[0] % 5], text, options);
  if (r.ok()) {
    for (const Entry& e : r->entries) {
      if (!IsValidSignalType(static_cast<uint8_t>(e.value.type)) || e.severity < 0 ||
          e.severity > kMaxSeverity) {
        std::abort();
      }
    }
    if (r->ops.size() != r->entries.size() + r->deletions.size()) std::abort();
  }
  // The compact form the CLI imports into holds the same operations.
  Result<CompactImport> c = ImportDocumentCompact(formats[data[0] % 5], text, options);
  if (c.ok() != r.ok()) std::abort();
  if (c.ok() && c->ops.size() != r->ops.size()) std::abort();
  return 0;
}
