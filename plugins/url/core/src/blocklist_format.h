// On-disk layout of a list file (little-endian, all sections 64-byte aligned):
//   FileHeader
//   slot fingerprints  uint64[slot_count]   0 = empty; linear probing from fp & mask
//   slot records       uint32[slot_count]   record index for each occupied slot
//   bloom blocks       uint64[8 * bloom_block_count]
//                        plain: fingerprints of entry hosts; hashed: of expressions
//   records            RecordV1[record_count]
//   digests            uint8[32 * record_count]   hashed lists only
//   strings            u32 length + bytes, referenced by offset from the pool start
#ifndef VIGIL_URL_SRC_BLOCKLIST_FORMAT_H_
#define VIGIL_URL_SRC_BLOCKLIST_FORMAT_H_

#include <cstdint>

namespace vigil::url::internal {

constexpr char kListMagic[8] = {'V', 'G', 'U', 'R', 'L', 'B', 'L', '1'};
constexpr uint32_t kListVersion = 1;
constexpr uint32_t kNoString = 0xFFFFFFFFu;

struct FileHeader {
  char magic[8];
  uint32_t version;
  uint32_t format;  // ListFormat
  uint64_t record_count;
  uint64_t slot_count;         // power of two, > record_count
  uint64_t bloom_block_count;  // power of two
  uint64_t slot_fp_offset;
  uint64_t slot_record_offset;
  uint64_t bloom_offset;
  uint64_t record_offset;
  uint64_t digest_offset;
  uint64_t string_offset;
  uint64_t string_size;
  uint64_t file_size;
};

struct RecordV1 {
  uint32_t key;  // plain: string offset of the expression; hashed: digest index
  uint32_t source;
  uint32_t category;
  uint32_t date_added;
  uint32_t entry_id;
  uint8_t kind;
  uint8_t severity;
  uint16_t reserved;
};
static_assert(sizeof(RecordV1) == 24, "record layout is part of the file format");

}  // namespace vigil::url::internal

#endif  // VIGIL_URL_SRC_BLOCKLIST_FORMAT_H_
