// The bank file layout (internal). Little-endian, every section 64-byte aligned.
//
//   FileHeader (128 bytes)
//   SectionRecord[section_count]          at header.section_table_offset
//   sections, each {kind, index, offset, bytes, checksum}
//
// Sections (kind: content):
//   kName            bank name, UTF-8
//   kEntries         EntryRecord[entry_count]
//   kStringOffsets   uint32[string_count + 1], kStringBytes: the interned metadata strings
//   kPdqCodes        uint64[4 * pdq_count], kPdqEntryIds: uint32[pdq_count], increasing
//   kMihLayout       MihLayoutRecord; then per segment s (index = s): kMihDirectory
//                    uint32[2^dir_bits + 1], kMihIds uint32[pdq_count], kMihSuffix
//                    uint16[pdq_count] when dir_bits < bits
//   per exact type t (index = SignalType value): kExactDigests bytes[len * count_t],
//                    kExactEntryIds uint32[count_t], kExactSlots uint32[capacity]
//                    (open addressing, 0 = empty, else row + 1)
#ifndef VIGIL_HASHBANK_SRC_BANK_FORMAT_H_
#define VIGIL_HASHBANK_SRC_BANK_FORMAT_H_

#include <cstdint>

namespace vigil::hashbank::internal {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "bank files are little-endian");

inline constexpr char kBankMagic[8] = {'V', 'I', 'G', 'I', 'L', 'H', 'B', 'K'};
inline constexpr uint32_t kBankVersion = 1;
inline constexpr uint64_t kSectionAlign = 64;

enum SectionKind : uint32_t {
  kName = 1,
  kEntries = 2,
  kStringOffsets = 3,
  kStringBytes = 4,
  kPdqCodes = 5,
  kPdqEntryIds = 6,
  kMihLayout = 7,
  kMihDirectory = 8,
  kMihIds = 9,
  kMihSuffix = 10,
  kExactDigests = 11,
  kExactEntryIds = 12,
  kExactSlots = 13,
};

struct FileHeader {
  char magic[8];
  uint32_t version;
  uint32_t header_bytes;
  uint64_t file_bytes;
  uint64_t entry_count;
  uint64_t string_count;
  uint64_t pdq_count;
  uint64_t exact_count[5];  // by SignalType value; [0] and [kPdq] unused
  int64_t created_unix;
  uint64_t section_table_offset;
  uint32_t section_count;
  uint32_t reserved0;
  uint64_t section_table_checksum;
  uint64_t reserved1[4];
  uint64_t header_checksum;  // of the bytes before this field
};
static_assert(sizeof(FileHeader) == 160, "FileHeader layout is part of the file format");

struct SectionRecord {
  uint32_t kind;
  uint32_t index;
  uint64_t offset;
  uint64_t bytes;
  uint64_t checksum;
};
static_assert(sizeof(SectionRecord) == 32, "SectionRecord layout is part of the file format");

struct EntryRecord {
  uint8_t type;        // SignalType
  uint8_t severity;    // 0..5
  uint16_t reserved;   // 0
  uint32_t value_row;  // row in kPdqCodes or in kExactDigests of this type
  int64_t added_unix;
  uint32_t source;  // string ids
  uint32_t category;
  uint32_t external_id;
  uint32_t reserved2;  // 0
};
static_assert(sizeof(EntryRecord) == 32, "EntryRecord layout is part of the file format");

struct MihLayoutRecord {
  uint32_t segments_per_word;
  uint32_t segments;
  uint8_t bits[20];
  uint8_t dir_bits[20];
};
static_assert(sizeof(MihLayoutRecord) == 48, "MihLayoutRecord layout is part of the file format");

}  // namespace vigil::hashbank::internal

#endif  // VIGIL_HASHBANK_SRC_BANK_FORMAT_H_
