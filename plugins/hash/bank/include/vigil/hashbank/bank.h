// A bank file: one immutable, memory-mapped file per bank holding its entries, their
// metadata and the indexes that match against them.
//
//   WriteBankFile()  builds the indexes and writes the file (temp file + atomic rename, so a
//                    reader or a failed write never sees half a bank)
//   Bank::Open()     maps the file and validates every structure before use (a truncated or
//                    damaged file is refused with a message; no read ever leaves the mapping)
//   Bank::QueryPdq() every entry within the threshold of any of the given hashes (the 8
//                    dihedral variants of an image, usually), exact: the same answer as
//                    comparing against every entry
//   Bank::MatchExact()  md5 / sha1 / sha256 lookups through a hash table
//
// PDQ matching uses multi-index hashing (Norouzi, Punjani, Fleet, "Fast Search in Hamming
// Space with Multi-Index Hashing", CVPR 2012) with the refined pigeonhole bound; thresholds the
// tables cannot serve cheaply fall back to a full scan, so every threshold 0..256 is exact.
// docs/hash-banks.md has the file layout and the argument for exactness.
#ifndef VIGIL_HASHBANK_BANK_H_
#define VIGIL_HASHBANK_BANK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/hashbank/entry.h"
#include "vigil/hashbank/signal.h"
#include "vigil/hashbank/status.h"

namespace vigil::hashbank {

inline constexpr int kDefaultPdqThreshold = 31;
inline constexpr int kMaxPdqVariants = 8;

struct BankBuildOptions {
  // Segments per 64-bit word of the PDQ hash (2..5, i.e. 8..20 segments of 32..12 bits);
  // 0 picks from the entry count. Exposed for tests and benchmarks.
  int segments_per_word = 0;
  int64_t created_unix = 0;
};

// How much of a bank file Open() reads before trusting it.
//
// Full verification recomputes every section's checksum and checks every index entry (the
// whole file is read). It runs once per version of the file: WriteBankFile (for the bytes it
// wrote) and a successful full verification record a marker next to the bank (`<bank>.verified`:
// device, inode, size, mtime and ctime of the file it verified). Later opens whose file still
// matches the marker check only the header, the section table and the section sizes and bounds (a
// few KB), so a match costs a lookup, not a read of the bank. Any change to the file changes its
// ctime (which no user can set back), so a modified, replaced or copied bank is fully verified
// again before it is used. Bit rot under an unchanged inode is only caught by a full verification
// (`vigil lists verify`, or BankVerification::kAlways).
enum class BankVerification {
  kIfChanged,  // full verification unless the verified marker matches the file (default)
  kAlways,     // full verification on every open
};

struct OpenOptions {
  BankVerification verification = BankVerification::kIfChanged;
  // Recompute every section's checksum during a full verification (detects bit rot and
  // truncation inside a section). Structural validation always runs. false also disables
  // the marker (neither used nor recorded).
  bool verify_checksums = true;
  // After a successful full verification, record the marker (best effort: a read-only
  // folder just means the next open verifies again).
  bool record_verified = true;
  // A file modified (mtime) less than this long before its verification started is "racy":
  // its timestamps cannot tell a later same-tick change apart, so no marker is recorded for
  // it (the next open verifies fully and records one). WriteBankFile records the marker of
  // the bank it writes itself, with the mtime set back past this window. Tests may lower it.
  int64_t racy_window_ns = 2'000'000'000;
};

// One PDQ match: the entry, its smallest distance over the queried variants and the variant
// (index into the caller's array) that reached it.
struct PdqHit {
  uint32_t entry = 0;
  uint16_t distance = 0;
  uint8_t variant = 0;
  bool operator==(const PdqHit& o) const {
    return entry == o.entry && distance == o.distance && variant == o.variant;
  }
};

// A match with the entry's metadata, for callers that report matches.
struct Match {
  std::string bank;
  uint32_t entry_index = 0;
  Entry entry;
  int distance = 0;  // 0 for exact digests
  int variant = 0;   // dihedral variant index for PDQ; 0 for exact digests
};

// How the PDQ index of a bank is laid out (for diagnostics and the benchmark report).
struct PdqIndexInfo {
  uint32_t hashes = 0;
  int segments = 0;
  int segments_per_word = 0;
  std::vector<int> segment_bits;
  std::vector<int> directory_bits;
  uint64_t index_bytes = 0;  // directories + id tables + suffixes, without the codes
};

class Bank {
 public:
  ~Bank();
  Bank(const Bank&) = delete;
  Bank& operator=(const Bank&) = delete;

  static Result<std::unique_ptr<Bank>> Open(const std::string& path,
                                            const OpenOptions& options = {});

  const std::string& name() const { return name_; }
  const std::string& path() const { return path_; }
  size_t size() const;
  size_t count(SignalType type) const;
  uint64_t file_bytes() const;
  int64_t created_unix() const;

  // REQUIRES: index < size().
  Entry entry(size_t index) const;
  std::vector<Entry> Entries() const;
  // Drops the pages of the mapping this process has touched from its resident set (they are read
  // again from the page cache when used). A pass over every entry (an import merging into the bank)
  // calls it now and then, so the old bank does not add its size to the import's peak.
  void DropResidentPages() const;
  // REQUIRES: index < size(). The entry's added time without reading its strings.
  int64_t entry_added_unix(size_t index) const;
  // The PDQ entries added at or after `added_since_unix` (0: every one), in entry order: their
  // entry indexes and hashes (cleared first). Reads no strings (a retro-hunt's query list).
  void PdqEntries(int64_t added_since_unix, std::vector<uint32_t>& entries,
                  std::vector<PdqWords>& codes) const;

  // Every PDQ entry within `threshold` (0..256) of any of the `count` (1..8) variants, one hit
  // per entry keeping its smallest distance (lowest variant index on ties), sorted by
  // (distance, entry).
  Result<std::vector<PdqHit>> QueryPdq(const PdqWords* variants, size_t count,
                                       int threshold = kDefaultPdqThreshold) const;
  // Same as QueryPdq, comparing against every entry; for tests and benchmarks.
  Result<std::vector<PdqHit>> QueryPdqBruteForce(const PdqWords* variants, size_t count,
                                                 int threshold = kDefaultPdqThreshold) const;
  Result<std::vector<Match>> MatchPdq(const PdqWords* variants, size_t count,
                                      int threshold = kDefaultPdqThreshold) const;
  // Every entry with exactly this md5/sha1/sha256 value. (A PDQ value is matched at distance 0.)
  Result<std::vector<Match>> MatchExact(const HashValue& value) const;

  PdqIndexInfo pdq_index_info() const;

  // True when this open verified every checksum and index entry (false: the verified marker
  // matched and only the structure was checked).
  bool fully_verified() const { return fully_verified_; }

  struct Impl;

 private:
  Bank() = default;
  std::string name_;
  std::string path_;
  bool fully_verified_ = false;
  std::unique_ptr<Impl> impl_;
};

// Fully verifies the bank at `path` (checksums and every index entry) and records the
// verified marker on success; the status says what is wrong otherwise.
Status VerifyBankFile(const std::string& path);

// The verified marker's path for a bank file.
std::string VerifiedMarkerPath(const std::string& bank_path);

// Writes a bank file for `entries` at `path`, replacing any file there atomically.
// On failure nothing at `path` changes and no temp file is left behind.
Status WriteBankFile(const std::string& path, std::string_view bank_name,
                     const std::vector<Entry>& entries, const BankBuildOptions& options = {});

}  // namespace vigil::hashbank

#endif  // VIGIL_HASHBANK_BANK_H_
