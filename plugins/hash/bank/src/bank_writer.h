// Building a bank file from any sequence of entries (internal): the entries are visited once, in
// bank order, as views, so a caller can feed them from compact or mapped storage without
// materialising an Entry (with its three strings) per value.
#ifndef VIGIL_HASHBANK_SRC_BANK_WRITER_H_
#define VIGIL_HASHBANK_SRC_BANK_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "vigil/hashbank/bank.h"

namespace vigil::hashbank::internal {

struct EntryRef {
  SignalType type = SignalType::kPdq;
  const uint8_t* bytes = nullptr;  // SignalByteLength(type) bytes, hex order
  int severity = 0;
  int64_t added_unix = 0;
  std::string_view source;
  std::string_view category;
  std::string_view external_id;
};

using EntrySink = std::function<void(const EntryRef&)>;

// Writes the bank at `path` atomically (as WriteBankFile) from `count` entries that `produce`
// passes to its sink in order. `release_inputs` (may be empty) runs once the entries have been
// read, before the index is built, so the caller can free its copy. `type_counts` (by SignalType
// value; may be null) sizes the value tables exactly.
Status WriteBankFileFrom(const std::string& path, std::string_view bank_name, size_t count,
                         const std::function<void(const EntrySink&)>& produce,
                         const std::function<void()>& release_inputs, const size_t* type_counts,
                         const BankBuildOptions& options);

}  // namespace vigil::hashbank::internal

#endif  // VIGIL_HASHBANK_SRC_BANK_WRITER_H_
