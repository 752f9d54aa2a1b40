// PreparedItem: one item read, identified and decoded once, with the borrowed views
// every detector gets. Decoding happens here and nowhere else.
#ifndef VIGIL_HOST_PIPELINE_PREPARED_ITEM_H_
#define VIGIL_HOST_PIPELINE_PREPARED_ITEM_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "intake/intake.h"
#include "store/store.h"
#include "vigil/decode/image_decoder.h"
#include "vigil/plugin.h"

namespace vigil::host {

struct PrepareLimits {
  uint64_t max_file_bytes = 1ull << 30;   // larger files fail with a clear reason
  decode::DecodeLimits decode;            // pixels, dimensions, encoded size
  // Memory for each item's file bytes and decoded pixels; empty: the heap. The host
  // passes its shared regions (isolation's SharedMediaPool) so that detectors in
  // worker processes read the same pages without a copy.
  decode::PixelStorageFactory media_storage;
};

class PreparedItem {
 public:
  // Reads and decodes. Failures (unreadable, too large, undecodable image) are in
  // record().status; an image that does not decode is still offered to detectors that
  // take raw bytes (as VIGIL_MEDIA_BINARY), so exact hashes are never lost.
  //
  // A claimed image (file extension, the manifest's content_type, a partial header; see
  // scan/image_claim.h) whose bytes do not decode fails with the claim and the reason.
  //
  // When `already_scanned` is given and says yes for the item's SHA-256, the item is
  // read and hashed only: record().already_scanned is set, nothing is decoded and no
  // detector is offered the item.
  using AlreadyScanned = std::function<bool(const std::string& sha256)>;
  static std::unique_ptr<PreparedItem> Prepare(IntakeItem intake, const PrepareLimits& limits,
                                               const AlreadyScanned& already_scanned = {});

  // Borrowed by detectors for the duration of their analyze call.
  const vigil_item_view_t& view() const { return view_; }
  uint32_t media_kind() const { return view_.media_kind; }
  ItemRecord& record() { return record_; }
  // Time spent reading and decoding, for the pipeline's breakdown.
  int64_t prepare_ns() const { return prepare_ns_; }
  // Frees the bytes and pixels once every detector is done (bounded memory).
  void ReleaseMedia();

 private:
  PreparedItem() = default;
  void BuildView();

  // The item's bytes: in `bytes_storage_` when PrepareLimits::media_storage was
  // given, else in `bytes_`.
  std::string_view bytes() const;

  ItemRecord record_;
  std::string bytes_;
  std::shared_ptr<decode::PixelStorage> bytes_storage_;
  size_t bytes_storage_size_ = 0;
  std::optional<decode::DecodedImage> image_;
  std::string metadata_;
  vigil_image_view_t image_view_{};
  vigil_item_view_t view_{};
  int64_t prepare_ns_ = 0;
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_PIPELINE_PREPARED_ITEM_H_
