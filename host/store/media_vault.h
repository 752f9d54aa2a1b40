// MediaVault: the bytes of items that need review, kept in the store and
// encrypted at rest (issue 13 item 3). Reviewers' workstations do not share a
// disk with the scanner, so a team store keeps the media of every item queued
// for review; a workstation store may
// (`[store] keep_media = true`, store/store_settings.h).
//
// Encryption: libsodium crypto_secretstream_xchacha20poly1305, one stream per
// item, the plaintext in 64 KiB chunks, the last one tagged FINAL; every chunk
// authenticates the item's SHA-256 as additional data, so a ciphertext moved to
// another item's row is refused. The stream is kept as ONE blob per item
// ("VGM1", the 24-byte header, the chunks): an item is bounded (the scan reads
// at most 1 GiB, images are a few MB), the console needs the whole item to
// decode it anyway, and one row per item keeps the access rules (row-level
// security, the logged fetch) and retention per item and atomic. A tampered,
// reordered or truncated stream is refused, never shown; after decryption the
// bytes' SHA-256 must be the item's.
//
// The key: 32 bytes, the whole content of a file that only its owner may read
// or write (store/store_settings.h names it). On PostgreSQL the key never
// reaches the database.
#ifndef VIGIL_HOST_STORE_MEDIA_VAULT_H_
#define VIGIL_HOST_STORE_MEDIA_VAULT_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

inline constexpr size_t kMediaKeyBytes = 32;
inline constexpr size_t kMediaChunkBytes = 64 * 1024;

class MediaKey {
 public:
  // Reads the key file: exactly 32 bytes, no group or other permission bits.
  // One-line errors name the file and what is wrong.
  static StatusOr<MediaKey> Load(const std::filesystem::path &path);
  static MediaKey FromBytes(const std::array<unsigned char, kMediaKeyBytes> &bytes);
  ~MediaKey();
  MediaKey(const MediaKey &other) = default;
  MediaKey &operator=(const MediaKey &other) = default;
  const unsigned char *data() const { return bytes_.data(); }

 private:
  MediaKey() = default;
  std::array<unsigned char, kMediaKeyBytes> bytes_{};
};

// The stream for `plaintext`, bound to `sha256` (the item's, lowercase hex).
StatusOr<std::string> EncryptMedia(const MediaKey &key, std::string_view sha256,
                                   std::string_view plaintext);
// The bytes back, or kCorruption when the stream is not authentic (wrong key,
// tampered, truncated, bound to another item) or the bytes' SHA-256 is not
// `sha256`.
StatusOr<std::string> DecryptMedia(const MediaKey &key, std::string_view sha256,
                                   std::string_view ciphertext);

class MediaVault {
 public:
  MediaVault(Database &db, MediaKey key) : db_(db), key_(std::move(key)) {}

  // Encrypts and stores the item's bytes (their SHA-256 must be the item's). A
  // second Put of an item already stored changes nothing (the same item is the
  // same bytes). REQUIRES: inside a write transaction, or none (then it is its
  // own statement).
  Status Put(int64_t item_id, std::string_view bytes);
  // True when the store holds media for the item (that this login may see).
  StatusOr<bool> Has(int64_t item_id);
  // The item's bytes, decrypted and checked, with an audit entry
  // "media.fetched" (who, the item, the size) per fetch. NotFound when the
  // store holds no media for the item. On a team store the database checks the
  // reader and writes the entry (vigil_fetch_media; `reviewer` is the login
  // there); on SQLite `reviewer` is the actor.
  StatusOr<std::string> Fetch(int64_t item_id, const std::string &reviewer);
  // Removes the item's media (the item, its signals, decisions and the audit
  // log stay). Returns whether there was any. The caller audits
  // (store/retention.h).
  StatusOr<bool> Delete(int64_t item_id);

 private:
  Database &db_;
  MediaKey key_;
};

// The item's file at `path`, when it is still the item: its SHA-256 must be
// `sha256`.
StatusOr<std::string> ReadItemFile(const std::string &path, const std::string &sha256);

// The one function that gives a reader (the console, a command) an item's bytes: the
// store's copy when `vault` is given and the store holds the item's media (decrypted,
// checked and logged by Fetch), else the file at `path` (a workstation store, whose
// console reads the scanner's disk). A stored copy that fails its checks is an error,
// never a reason to show the file instead.
StatusOr<std::string> ReadItemBytes(MediaVault *vault, int64_t item_id, const std::string &path,
                                    const std::string &reviewer);

// The scan's one place that keeps media (Store::RecordItem, after the queue
// row): when the item waits for review (its queue entry is not decided) and the
// store does not hold its media yet, reads the file and Puts it. REQUIRES:
// inside the record's write transaction.
Status KeepQueuedMedia(Database &db, MediaVault &vault, int64_t item_id, const std::string &path,
                       const std::string &sha256);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_MEDIA_VAULT_H_
