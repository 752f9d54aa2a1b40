#include "store/media_vault.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "scan/scan_json.h"
#include "scan/sha256.h"
#include "store/audit_log.h"
#include "store/store.h"

namespace vigil::host {
namespace {

constexpr char kMagic[] = "VGM1";
constexpr size_t kMagicBytes = 4;
constexpr size_t kHeaderBytes = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr size_t kTagBytes = crypto_secretstream_xchacha20poly1305_ABYTES;

Status InitSodium() {
  if (sodium_init() < 0) return Status::Internal("libsodium could not be initialised");
  return Status::Ok();
}

// Additional data of every chunk: binds the stream to its item.
std::string AdditionalData(std::string_view sha256) {
  return "vigil-media-v1:" + std::string(sha256);
}

std::string ItemText(int64_t item_id) { return "item " + std::to_string(item_id); }

}  // namespace

StatusOr<MediaKey> MediaKey::Load(const std::filesystem::path &path) {
  const std::string name = "the media key file " + path.string();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound("cannot read " + name + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(name + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::InvalidArgument(name + " is accessible to group or others (mode " + mode +
                                   "): chmod 600 it");
  }
  if (st.st_size != static_cast<off_t>(kMediaKeyBytes)) {
    return Status::InvalidArgument(name + " holds " + std::to_string(st.st_size) +
                                   " bytes; a media key is exactly 32 random bytes "
                                   "(head -c 32 /dev/urandom)");
  }
  std::ifstream in(path, std::ios::binary);
  MediaKey key;
  if (!in.read(reinterpret_cast<char *>(key.bytes_.data()), kMediaKeyBytes)) {
    return Status::IoError("cannot read " + name);
  }
  return key;
}

MediaKey MediaKey::FromBytes(const std::array<unsigned char, kMediaKeyBytes> &bytes) {
  MediaKey key;
  key.bytes_ = bytes;
  return key;
}

MediaKey::~MediaKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

StatusOr<std::string> EncryptMedia(const MediaKey &key, std::string_view sha256,
                                   std::string_view plaintext) {
  if (Status s = InitSodium(); !s.ok()) return s;
  const std::string ad = AdditionalData(sha256);
  crypto_secretstream_xchacha20poly1305_state state;
  const size_t chunks =
      plaintext.empty() ? 1 : (plaintext.size() + kMediaChunkBytes - 1) / kMediaChunkBytes;
  std::string out(kMagicBytes + kHeaderBytes + plaintext.size() + chunks * kTagBytes, '\0');
  std::memcpy(out.data(), kMagic, kMagicBytes);
  auto *header = reinterpret_cast<unsigned char *>(out.data() + kMagicBytes);
  crypto_secretstream_xchacha20poly1305_init_push(&state, header, key.data());
  size_t in_at = 0, out_at = kMagicBytes + kHeaderBytes;
  for (size_t i = 0; i < chunks; ++i) {
    const size_t n = std::min(kMediaChunkBytes, plaintext.size() - in_at);
    const bool last = i + 1 == chunks;
    unsigned long long written = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &state, reinterpret_cast<unsigned char *>(out.data() + out_at), &written,
        reinterpret_cast<const unsigned char *>(plaintext.data() + in_at), n,
        reinterpret_cast<const unsigned char *>(ad.data()), ad.size(),
        last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
             : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    in_at += n;
    out_at += written;
  }
  sodium_memzero(&state, sizeof state);
  out.resize(out_at);
  return out;
}

StatusOr<std::string> DecryptMedia(const MediaKey &key, std::string_view sha256,
                                   std::string_view ciphertext) {
  if (Status s = InitSodium(); !s.ok()) return s;
  const std::string refused = "the stored media is not authentic (wrong media key, or ";
  if (ciphertext.size() < kMagicBytes + kHeaderBytes + kTagBytes ||
      std::memcmp(ciphertext.data(), kMagic, kMagicBytes) != 0) {
    return Status::Corruption("the stored media is not a Vigil media stream (" +
                              std::to_string(ciphertext.size()) + " bytes)");
  }
  const std::string ad = AdditionalData(sha256);
  crypto_secretstream_xchacha20poly1305_state state;
  const auto *header = reinterpret_cast<const unsigned char *>(ciphertext.data() + kMagicBytes);
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, header, key.data()) != 0) {
    return Status::Corruption("the stored media has an invalid stream header");
  }
  std::string out;
  out.reserve(ciphertext.size());
  std::string chunk(kMediaChunkBytes, '\0');
  size_t at = kMagicBytes + kHeaderBytes;
  bool final_seen = false;
  size_t index = 0;
  while (at < ciphertext.size()) {
    if (final_seen) {
      return Status::Corruption(refused + "bytes follow the final chunk)");
    }
    const size_t n = std::min(kMediaChunkBytes + kTagBytes, ciphertext.size() - at);
    if (n < kTagBytes) return Status::Corruption(refused + "a chunk is cut short)");
    unsigned long long got = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(
            &state, reinterpret_cast<unsigned char *>(chunk.data()), &got, &tag,
            reinterpret_cast<const unsigned char *>(ciphertext.data() + at), n,
            reinterpret_cast<const unsigned char *>(ad.data()), ad.size()) != 0) {
      sodium_memzero(out.data(), out.size());
      return Status::Corruption(refused + "chunk " + std::to_string(index) +
                                " was altered or belongs to another item)");
    }
    out.append(chunk.data(), got);
    final_seen = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    at += n;
    ++index;
  }
  sodium_memzero(&state, sizeof state);
  sodium_memzero(chunk.data(), chunk.size());
  if (!final_seen) {
    sodium_memzero(out.data(), out.size());
    return Status::Corruption(refused + "the stream is truncated: no final chunk)");
  }
  if (Sha256Hex(out) != sha256) {
    sodium_memzero(out.data(), out.size());
    return Status::Corruption("the stored media decrypts to bytes whose SHA-256 is not the item's");
  }
  return out;
}

Status MediaVault::Put(int64_t item_id, std::string_view bytes) {
  const std::string sha256 = Sha256Hex(bytes);
  {
    Statement item(db_, "SELECT sha256 FROM items WHERE id = ?1");
    item.Bind(1, item_id);
    const int rc = item.Step();
    if (rc == kDone) return Status::NotFound("the store has no " + ItemText(item_id));
    if (rc != kRow) return item.Error("reading " + ItemText(item_id));
    if (item.ColumnText(0) != sha256) {
      return Status::InvalidArgument("the bytes given for " + ItemText(item_id) +
                                     " are not the item (their SHA-256 differs)");
    }
  }
  auto sealed = EncryptMedia(key_, sha256, bytes);
  if (!sealed.ok()) return sealed.status();
  // DO NOTHING: the same item is the same bytes; the scanner may insert but not
  // read.
  Statement insert(db_,
                   "INSERT INTO media (item_id, sha256, size, ciphertext, stored_at) VALUES "
                   "(?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING");
  insert.Bind(1, item_id).Bind(2, sha256).Bind(3, static_cast<int64_t>(bytes.size()));
  insert.BindBlob(4, sealed.value()).Bind(5, NowUtc());
  if (insert.Step() != kDone) return insert.Error("storing the media of " + ItemText(item_id));
  return Status::Ok();
}

StatusOr<bool> MediaVault::Has(int64_t item_id) {
  Statement query(db_, "SELECT 1 FROM media WHERE item_id = ?1");
  query.Bind(1, item_id);
  const int rc = query.Step();
  if (rc == kRow) return true;
  if (rc == kDone) return false;
  return query.Error("looking for the media of " + ItemText(item_id));
}

StatusOr<std::string> MediaVault::Fetch(int64_t item_id, const std::string &reviewer) {
  std::string sha256, ciphertext;
  int64_t size = 0;
  if (db_.dialect() == Dialect::kPostgres) {
    // The database checks the reader and appends the audit entry in the same
    // statement.
    Statement fetch(db_, "SELECT sha256, size, ciphertext FROM vigil_fetch_media(?1)");
    fetch.Bind(1, item_id);
    const int rc = fetch.Step();
    if (rc == kDone) return Status::NotFound("the store holds no media for " + ItemText(item_id));
    if (rc != kRow) return fetch.Error("fetching the media of " + ItemText(item_id));
    sha256 = fetch.ColumnText(0);
    size = fetch.ColumnInt(1);
    ciphertext = fetch.ColumnBytes(2);
  } else {
    Transaction tx(db_);
    if (Status s = tx.Begin(); !s.ok()) return s;
    {
      Statement fetch(db_, "SELECT sha256, size, ciphertext FROM media WHERE item_id = ?1");
      fetch.Bind(1, item_id);
      const int rc = fetch.Step();
      if (rc == kDone) {
        return Status::NotFound("the store holds no media for " + ItemText(item_id));
      }
      if (rc != kRow) return fetch.Error("fetching the media of " + ItemText(item_id));
      sha256 = fetch.ColumnText(0);
      size = fetch.ColumnInt(1);
      ciphertext = fetch.ColumnBytes(2);
    }
    nlohmann::json details = {{"size", size}, {"sha256", sha256}};
    if (Status s =
            AppendAudit(db_, {reviewer, "media.fetched", item_id, JsonText(details)}, NowUtc());
        !s.ok()) {
      return s;
    }
    if (Status s = tx.Commit(); !s.ok()) return s;
  }
  auto bytes = DecryptMedia(key_, sha256, ciphertext);
  if (!bytes.ok()) {
    if (bytes.status().code() != Status::Code::kCorruption) return bytes.status();
    return Status::Corruption(ItemText(item_id) + ": " + bytes.status().message());
  }
  if (static_cast<int64_t>(bytes.value().size()) != size) {
    return Status::Corruption(ItemText(item_id) + ": the stored media's size does not match");
  }
  return bytes;
}

StatusOr<bool> MediaVault::Delete(int64_t item_id) {
  Statement remove(db_, "DELETE FROM media WHERE item_id = ?1");
  remove.Bind(1, item_id);
  if (remove.Step() != kDone) return remove.Error("deleting the media of " + ItemText(item_id));
  return remove.RowsChanged() > 0;
}

StatusOr<std::string> ReadItemFile(const std::string &path, const std::string &sha256) {
  if (path.empty()) return Status::NotFound("the item has no file (a bare URL item)");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path + ": " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IoError("cannot read " + path);
  if (Sha256Hex(bytes) != sha256) {
    return Status::InvalidArgument(path + " changed since it was scanned (its SHA-256 differs)");
  }
  return bytes;
}

StatusOr<std::string> ReadItemBytes(MediaVault *vault, int64_t item_id, const std::string &path,
                                    const std::string &reviewer) {
  if (vault != nullptr) {
    auto fetched = vault->Fetch(item_id, reviewer);
    if (fetched.ok() || fetched.status().code() != Status::Code::kNotFound) return fetched;
  }
  if (path.empty()) return Status::NotFound("item " + std::to_string(item_id) + " has no file");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("cannot read " + path + ": " + std::strerror(errno) +
                            (vault ? ""
                                   : " (a store that keeps media needs the media key: "
                                     "[store] media_key_file)"));
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IoError("cannot read " + path);
  return bytes;
}

Status KeepQueuedMedia(Database &db, MediaVault &vault, int64_t item_id, const std::string &path,
                       const std::string &sha256) {
  Statement state(db, "SELECT state FROM queue WHERE item_id = ?1");
  state.Bind(1, item_id);
  const int rc = state.Step();
  if (rc != kRow && rc != kDone)
    return state.Error("reading the queue entry of " + ItemText(item_id));
  // Decided: nothing to review (retention may have removed its media on
  // purpose).
  if (rc == kDone || state.ColumnText(0) == "decided") return Status::Ok();
  auto bytes = ReadItemFile(path, sha256);
  if (!bytes.ok()) {
    return Status::IoError("cannot keep the media of " + ItemText(item_id) +
                           " in the store: " + bytes.status().message());
  }
  Status put = vault.Put(item_id, bytes.value());
  sodium_memzero(bytes.value().data(), bytes.value().size());
  return put;
}

}  // namespace vigil::host
