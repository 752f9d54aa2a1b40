#include "obscure/obscured_cache.h"

#include <algorithm>
#include <cstring>

#include "video/storyboard_builder.h"
#include "vigil/decode/image_decoder.h"

namespace vigil::review {
namespace {

// Decodes (the bytes `item_bytes` gives, else the file), turns upright and downscales to
// the display size.
StatusOr<RgbImage> LoadDisplayCopy(int64_t item_id, const std::string& path, int max_side,
                                   const ObscuredCache::ItemBytes& item_bytes) {
  StatusOr<decode::DecodedImage> decoded = Status::Internal("not decoded");
  if (item_bytes) {
    auto bytes = item_bytes(item_id, path);
    if (!bytes.ok()) return bytes.status();
    decoded = decode::DecodeImage(reinterpret_cast<const uint8_t*>(bytes.value().data()),
                                  bytes.value().size());
  } else {
    decoded = decode::DecodeImageFile(path);
  }
  if (!decoded.ok()) return decoded.status();
  decode::DecodedImage upright = decode::ApplyOrientation(decoded.value());
  RgbImage image(static_cast<int>(upright.width), static_cast<int>(upright.height));
  for (uint32_t y = 0; y < upright.height; ++y) {
    std::memcpy(image.at(0, static_cast<int>(y)), upright.pixels.data() + y * upright.stride,
                static_cast<size_t>(upright.width) * 3);
  }
  return Downscale(image, max_side);
}

// A video item's storyboard sheet, from its bytes when `item_bytes` gives them (kept
// alive while the decoder reads them), else from the file.
StatusOr<Storyboard> LoadStoryboard(int64_t item_id, const std::string& path, int max_side,
                                    const StoryboardRequest& request,
                                    const ObscuredCache::ItemBytes& item_bytes,
                                    const std::atomic<bool>* cancel) {
  std::string bytes;
  if (item_bytes) {
    auto read = item_bytes(item_id, path);
    if (!read.ok()) return read.status();
    bytes = std::move(read).value();
  }
  VideoOpener open =
      [&](const video::VideoLimits& limits) -> StatusOr<std::unique_ptr<video::VideoDecoder>> {
    if (item_bytes) {
      return video::VideoDecoder::OpenMemory(reinterpret_cast<const uint8_t*>(bytes.data()),
                                             bytes.size(), limits);
    }
    return video::VideoDecoder::OpenFile(path, limits);
  };
  return BuildStoryboard(open, request, max_side, StoryboardLimits{}, cancel);
}

}  // namespace

ObscuredCache::ObscuredCache(ObscureSettings style, int display_max_side, size_t capacity,
                             ItemBytes item_bytes)
    : style_(style),
      display_max_side_(std::max(16, display_max_side)),
      item_bytes_(std::move(item_bytes)),
      capacity_(std::max<size_t>(2, capacity)),
      worker_([this] { Work(); }) {}

ObscuredCache::~ObscuredCache() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cancel_ = true;
  wake_.notify_all();
  worker_.join();
}

void ObscuredCache::Touch(int64_t item_id) {
  recent_.remove(item_id);
  recent_.push_front(item_id);
  while (recent_.size() > capacity_) {
    entries_.erase(recent_.back());
    recent_.pop_back();
  }
}

std::optional<PreparedItem> ObscuredCache::Get(int64_t item_id, const std::string& path, int level,
                                               const StoryboardRequest* video) {
  level = std::clamp(level, kMinObscureLevel, kMaxObscureLevel);
  std::optional<StoryboardRequest> wanted;
  if (video) wanted = *video;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(item_id);
  if (it != entries_.end() && it->second.decoded && it->second.video != wanted) {
    // Another storyboard was asked for (more frames): build it again.
    entries_.erase(it);
    recent_.remove(item_id);
    it = entries_.end();
  }
  if (it != entries_.end()) {
    Touch(item_id);
    Entry& e = it->second;
    if (e.decoded && !e.status.ok()) return PreparedItem{e.status, nullptr, nullptr, nullptr};
    auto level_it = e.levels.find(level);
    if (e.decoded && level_it != e.levels.end()) {
      return PreparedItem{Status::Ok(), e.source, level_it->second, e.storyboard};
    }
  }
  const bool queued = std::any_of(jobs_.begin(), jobs_.end(), [&](const Job& j) {
    return j.item_id == item_id && j.level == level && j.video == wanted;
  });
  if (!queued) {
    jobs_.push_back({item_id, path, level, wanted});
    wake_.notify_one();
  }
  return std::nullopt;
}

void ObscuredCache::WaitIdle() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return jobs_.empty() && !busy_; });
}

void ObscuredCache::Work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
    if (stop_) return;
    Job job = jobs_.front();
    jobs_.pop_front();
    busy_ = true;
    std::shared_ptr<const SourcePixels> source;
    std::shared_ptr<const StoryboardLayout> storyboard;
    bool need_decode = true;
    if (auto it = entries_.find(job.item_id);
        it != entries_.end() && it->second.decoded && it->second.video == job.video) {
      if (!it->second.status.ok()) {
        busy_ = false;
        idle_.notify_all();
        continue;
      }
      source = it->second.source;
      need_decode = false;
    }
    lock.unlock();
    // The slow part runs unlocked: decoding and blurring.
    Status status;
    if (need_decode && job.video) {
      auto board = LoadStoryboard(job.item_id, job.path, display_max_side_, *job.video, item_bytes_,
                                  &cancel_);
      if (board.ok()) {
        source =
            std::shared_ptr<const SourcePixels>(new SourcePixels(std::move(board.value().sheet)));
        storyboard = std::make_shared<const StoryboardLayout>(std::move(board.value().layout));
      } else {
        status = board.status();
      }
    } else if (need_decode) {
      auto copy = LoadDisplayCopy(job.item_id, job.path, display_max_side_, item_bytes_);
      if (copy.ok()) {
        source = std::shared_ptr<const SourcePixels>(new SourcePixels(std::move(copy).value()));
      } else {
        status = copy.status();
      }
    }
    std::shared_ptr<const ObscuredImage> obscured;
    if (status.ok()) {
      ObscureSettings settings = style_;
      settings.level = job.level;
      auto made = Obscure(source->image_, settings);
      if (made.ok()) {
        obscured = std::make_shared<const ObscuredImage>(std::move(made).value());
      } else {
        status = made.status();
      }
    }
    lock.lock();
    Entry& e = entries_[job.item_id];
    if (e.decoded && e.video != job.video) {
      // Asked for another storyboard while this one was built: keep only the newer.
      busy_ = false;
      idle_.notify_all();
      continue;
    }
    if (!e.decoded) {
      e.decoded = true;
      e.source = source;
      e.video = job.video;
      e.storyboard = storyboard;
    }
    if (!status.ok()) e.status = status;
    if (obscured) e.levels[job.level] = obscured;
    Touch(job.item_id);
    busy_ = false;
    idle_.notify_all();
  }
}

}  // namespace vigil::review
