#include "pipeline/prepared_item.h"

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "scan/image_claim.h"
#include "scan/media_sniff.h"
#include "scan/sha256.h"
#include "vigil/v1/item.pb.h"

namespace vigil::host {
namespace fs = std::filesystem;

std::unique_ptr<PreparedItem> PreparedItem::Prepare(IntakeItem intake, const PrepareLimits& limits,
                                                    const AlreadyScanned& already_scanned) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<PreparedItem> item(new PreparedItem());
  ItemRecord& r = item->record_;
  r.path = !intake.path.empty() ? intake.path : intake.url;
  r.url = intake.url;
  r.source = intake.source;
  r.uploader_id = intake.uploader_id;
  r.submission_id = intake.submission_id;
  r.media_kind = "unknown";
  if (!intake.error.ok()) {
    r.status = intake.error;
  } else if (intake.path.empty()) {
    // A bare URL: its identity is the URL text.
    r.media_kind = "url";
    r.sha256 = Sha256Hex("url:" + intake.url);
  } else {
    std::error_code ec;
    uint64_t size = fs::file_size(intake.path, ec);
    if (ec) {
      r.status = Status::IoError("cannot read: " + ec.message());
    } else if (size > limits.max_file_bytes) {
      r.status = Status::Resource("file is " + std::to_string(size) + " bytes, over the limit of " +
                                  std::to_string(limits.max_file_bytes));
    } else {
      char* into = nullptr;
      if (limits.media_storage && size > 0) {
        auto storage = limits.media_storage(size);
        if (storage.ok()) {
          item->bytes_storage_ = std::move(storage).value();
          item->bytes_storage_size_ = size;
          into = reinterpret_cast<char*>(item->bytes_storage_->data());
        } else {
          r.status = Status::Resource("no memory for the file: " + storage.status().message());
        }
      } else {
        item->bytes_.assign(size, '\0');
        into = item->bytes_.data();
      }
      errno = 0;
      std::ifstream in(intake.path, std::ios::binary);
      if (r.status.ok() && !in) {  // e.g. no permission: say why
        r.status =
            Status::IoError("cannot read: " + (errno != 0 ? std::generic_category().message(errno)
                                                          : std::string("cannot open the file")));
      } else if (r.status.ok() && !in.read(into, static_cast<std::streamsize>(size))) {
        r.status = Status::IoError("cannot read the whole file");
      }
      if (!r.status.ok()) {
        item->bytes_.clear();
        item->bytes_storage_.reset();
        item->bytes_storage_size_ = 0;
      }
    }
    if (r.status.ok()) {
      const std::string_view bytes = item->bytes();
      r.size = bytes.size();
      r.sha256 = Sha256Hex(bytes);
      uint32_t kind = SniffMediaKind(bytes);
      r.media_kind = MediaKindName(kind);
      if (already_scanned && already_scanned(r.sha256)) {
        // Read and hashed, nothing more: the store has this item from the same detectors.
        r.already_scanned = true;
        kind = VIGIL_MEDIA_UNKNOWN;
        item->bytes_.clear();
        item->bytes_storage_.reset();
        item->bytes_storage_size_ = 0;
      }
      if (kind != VIGIL_MEDIA_IMAGE && !r.already_scanned) {
        // Not an image by content. If anything else says it is one, the item is failed:
        // a disguised or damaged image must reach a person, never come out clear. The
        // bytes stay offered to detectors of the sniffed kind (exact hashes are kept).
        if (auto claim = ClaimedImage(intake.path, intake.content_type, bytes)) {
          auto decoded = decode::DecodeImage(reinterpret_cast<const uint8_t*>(bytes.data()),
                                             bytes.size(), limits.decode);
          const std::string why =
              decoded.ok() ? std::string("unknown format") : decoded.status().message();
          r.status = Status::Corruption(claim->Describe() + "; not decodable: " + why);
        }
      }
      if (kind == VIGIL_MEDIA_IMAGE) {
        decode::DecodeLimits decode_limits = limits.decode;
        if (limits.media_storage) decode_limits.storage = limits.media_storage;
        auto decoded = decode::DecodeImage(reinterpret_cast<const uint8_t*>(bytes.data()),
                                           bytes.size(), decode_limits);
        if (decoded.ok()) {
          item->image_ = std::move(decoded).value();
          r.format = item->image_->format_name();
          r.width = item->image_->width;
          r.height = item->image_->height;
          r.orientation = item->image_->orientation;
        } else {
          // Recorded as failed (never clean), but exact-hash detectors still see the bytes.
          auto claim = ClaimedImage(intake.path, intake.content_type, bytes);
          r.status = Status::Corruption(
              (claim ? claim->Describe() + "; not decodable: " : "image could not be decoded: ") +
              decoded.status().message());
          r.media_kind = "binary";
        }
      }
    }
  }
  item->BuildView();
  item->prepare_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now() - start).count();
  return item;
}

void PreparedItem::BuildView() {
  uint32_t kind = VIGIL_MEDIA_UNKNOWN;
  if (record_.media_kind == "image") kind = VIGIL_MEDIA_IMAGE;
  else if (record_.media_kind == "video") kind = VIGIL_MEDIA_VIDEO;
  else if (record_.media_kind == "url") kind = VIGIL_MEDIA_URL;
  else if (record_.media_kind == "binary") kind = VIGIL_MEDIA_BINARY;

  vigil::v1::ItemMetadata metadata;
  metadata.set_item_id(record_.sha256);
  metadata.set_path(record_.path);
  metadata.set_url(record_.url);
  metadata.set_source(record_.source);
  metadata.set_uploader_id(record_.uploader_id);
  metadata.set_size_bytes(record_.size);
  metadata.set_media_kind(static_cast<vigil::v1::MediaKind>(kind));
  if (image_) {
    metadata.mutable_image()->set_width(image_->width);
    metadata.mutable_image()->set_height(image_->height);
    metadata.mutable_image()->set_orientation(static_cast<uint32_t>(image_->orientation));
    metadata.mutable_image()->set_format(image_->format_name());
    image_view_ = {sizeof(vigil_image_view_t), image_->width, image_->height,
                   static_cast<uint32_t>(image_->stride), VIGIL_PIXEL_RGB8,
                   static_cast<uint32_t>(image_->orientation), image_->pixel_data()};
  }
  metadata_ = metadata.SerializeAsString();
  view_ = {};
  view_.struct_size = sizeof(view_);
  view_.media_kind = kind;
  view_.metadata = reinterpret_cast<const uint8_t*>(metadata_.data());
  view_.metadata_size = metadata_.size();
  const std::string_view bytes = this->bytes();
  view_.bytes = bytes.empty() ? nullptr : reinterpret_cast<const uint8_t*>(bytes.data());
  view_.bytes_size = bytes.size();
  view_.image = image_ ? &image_view_ : nullptr;
}

std::string_view PreparedItem::bytes() const {
  if (bytes_storage_) {
    return {reinterpret_cast<const char*>(bytes_storage_->data()), bytes_storage_size_};
  }
  return bytes_;
}

void PreparedItem::ReleaseMedia() {
  std::string().swap(bytes_);
  bytes_storage_.reset();
  bytes_storage_size_ = 0;
  image_.reset();
  view_.bytes = nullptr;
  view_.bytes_size = 0;
  view_.image = nullptr;
}

}  // namespace vigil::host
