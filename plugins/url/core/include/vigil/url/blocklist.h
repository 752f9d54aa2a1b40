// URL blocklists: entries of three kinds with metadata, built once into a compact
// file that is memory-mapped on open, then matched against a URL's lookup
// expressions.
//
// Kinds (never widened: a URL entry never matches its whole domain):
//   kUrl         matches the URL itself: an expression whose path is the URL's full
//                path (with the query when the entry has one, any query otherwise)
//   kPathPrefix  matches everything under a path ("example.test/dir/")
//   kDomain      matches every URL on the host and its sub-domains
// Host suffixes follow the Safe Browsing spec for all kinds (an entry on
// example.test also matches www.example.test/...).
//
// Formats: kPlain stores canonical expressions (readable); kHashed stores only the
// full 32-byte SHA-256 of each canonical expression, so a list can be shipped and used
// without being readable. Both use 64-bit fingerprints in an open-addressing table
// behind a blocked Bloom filter; every candidate is confirmed on the stored text or on
// the full digest, so there are no false matches.
//
// Thread safety: a Blocklist is immutable after Open() and may be shared by threads.
// BlocklistBuilder is single-threaded.
#ifndef VIGIL_URL_BLOCKLIST_H_
#define VIGIL_URL_BLOCKLIST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "vigil/url/safe_browsing.h"
#include "vigil/url/sha256.h"
#include "vigil/url/status.h"

namespace vigil::url {

enum class EntryKind : uint8_t { kUrl = 0, kPathPrefix = 1, kDomain = 2 };
enum class ListFormat : uint8_t { kPlain = 0, kHashed = 1 };

const char* EntryKindName(EntryKind kind);  // "url", "prefix", "domain"

struct EntryMetadata {
  std::string source;      // e.g. "IWF"
  std::string category;    // e.g. "A1"
  uint8_t severity = 0;    // 0..5
  std::string date_added;  // YYYY-MM-DD or empty
  std::string entry_id;    // the source's id for the entry
};

// A stored entry, as read back from a list (merging imports) or held by a builder.
struct ListEntry {
  std::string expression;  // plain lists: the canonical expression
  Sha256Digest digest{};   // hashed lists: its SHA-256
  EntryKind kind = EntryKind::kUrl;
  EntryMetadata meta;
};

// One hit. The string_views point into the Blocklist's mapping (metadata) or into the
// LookupExpressions passed to Lookup (expression) and live as long as those.
struct Match {
  uint32_t expression_index = 0;
  std::string_view expression;
  EntryKind kind = EntryKind::kUrl;
  uint8_t severity = 0;
  std::string_view source;
  std::string_view category;
  std::string_view date_added;
  std::string_view entry_id;
};

class Blocklist {
 public:
  // Maps a list file written by BlocklistBuilder. Checks the header and every section
  // bound; records are bounds-checked when read, so a damaged file cannot crash a
  // lookup. Errors: NotFound, IoError, Corruption.
  static Result<Blocklist> Open(const std::string& path);
  // Same, over bytes in memory (tests, lists built on the fly).
  static Result<Blocklist> FromBytes(std::vector<uint8_t> bytes);

  Blocklist(Blocklist&&) noexcept;
  Blocklist& operator=(Blocklist&&) noexcept;
  ~Blocklist();

  ListFormat format() const;
  uint64_t size() const;  // entries

  // Appends every entry that matches one of `expressions` (all kinds, all entries that
  // share an expression) to *out.
  void Lookup(const LookupExpressions& expressions, std::vector<Match>* out) const;

  // Every entry in file order (records a damaged file cannot resolve are skipped).
  std::vector<ListEntry> Entries() const;

 private:
  struct Impl;
  explicit Blocklist(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class BlocklistBuilder {
 public:
  explicit BlocklistBuilder(ListFormat format);

  // kUrl or kPathPrefix entry from a URL (canonicalised like checked URLs; a prefix
  // entry's path gets a trailing '/' and loses its query).
  Status AddUrl(std::string_view url, EntryKind kind, const EntryMetadata& meta);
  // Whole-domain entry from a host name (or a URL, whose host is taken).
  Status AddDomain(std::string_view domain, const EntryMetadata& meta);
  // A canonical expression ("host/path?query") as it stands. kHashed lists hash it.
  Status AddExpression(std::string_view expression, EntryKind kind, const EntryMetadata& meta);
  // Hashed lists only: the SHA-256 of a canonical expression.
  Status AddDigest(const Sha256Digest& digest, EntryKind kind, const EntryMetadata& meta);

  // An entry as read back from a list of the same format (no re-canonicalisation).
  Status AddEntry(const ListEntry& entry);

  size_t size() const { return entries_.size(); }
  ListFormat format() const { return format_; }
  const std::vector<ListEntry>& entries() const { return entries_; }

  std::vector<uint8_t> Build() const;
  // Writes atomically: a temporary file "<path>.tmp-<pid>-XXXXXX", exclusively flock(2)ed
  // while written (the convention of vigil/hashbank/temp_files.h, whose cleanup removes those
  // of killed writers), then a rename. Errors: IoError.
  Status WriteFile(const std::string& path) const;

 private:
  Status Validate(const EntryMetadata& meta) const;
  ListFormat format_;
  std::vector<ListEntry> entries_;
  std::unordered_set<std::string> seen_;  // exact duplicates are stored once
};

}  // namespace vigil::url

#endif  // VIGIL_URL_BLOCKLIST_H_
