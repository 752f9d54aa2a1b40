#include "video/storyboard_builder.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

namespace vigil::review {
namespace {

constexpr uint8_t kSheetGrey = 24;  // between tiles: dark, so tile edges read as edges

// The same kind of failure, said as the reason there is no storyboard.
Status Why(const Status& status) {
  std::string m = "cannot show the video: " + status.message();
  switch (status.code()) {
    case Status::Code::kResource:
      return Status::Resource(std::move(m));
    case Status::Code::kCorruption:
      return Status::Corruption(std::move(m));
    case Status::Code::kIoError:
      return Status::IoError(std::move(m));
    case Status::Code::kNotFound:
      return Status::NotFound(std::move(m));
    case Status::Code::kCancelled:
      return Status::Cancelled(std::move(m));
    case Status::Code::kUnsupported:
      return Status::Unsupported(std::move(m));
    default:
      return Status::InvalidArgument(std::move(m));
  }
}

}  // namespace

RgbImage ResizeFrame(const uint8_t* rgb, int frame_width, int frame_height, size_t stride,
                     int width, int height) {
  RgbImage out(width, height);
  for (int y = 0; y < height; ++y) {
    const int y0 = static_cast<int>(static_cast<int64_t>(y) * frame_height / height);
    const int y1 =
        std::max(y0 + 1, static_cast<int>(static_cast<int64_t>(y + 1) * frame_height / height));
    for (int x = 0; x < width; ++x) {
      const int x0 = static_cast<int>(static_cast<int64_t>(x) * frame_width / width);
      const int x1 =
          std::max(x0 + 1, static_cast<int>(static_cast<int64_t>(x + 1) * frame_width / width));
      uint64_t sum[3] = {0, 0, 0};
      for (int sy = y0; sy < y1 && sy < frame_height; ++sy) {
        const uint8_t* row = rgb + static_cast<size_t>(sy) * stride;
        for (int sx = x0; sx < x1 && sx < frame_width; ++sx) {
          sum[0] += row[sx * 3];
          sum[1] += row[sx * 3 + 1];
          sum[2] += row[sx * 3 + 2];
        }
      }
      const uint64_t n = static_cast<uint64_t>(std::min(y1, frame_height) - y0) *
                         static_cast<uint64_t>(std::min(x1, frame_width) - x0);
      uint8_t* px = out.at(x, y);
      for (int c = 0; c < 3; ++c)
        px[c] = static_cast<uint8_t>((sum[c] + n / 2) / std::max<uint64_t>(n, 1));
    }
  }
  return out;
}

StatusOr<Storyboard> BuildStoryboard(const VideoOpener& open, const StoryboardRequest& request,
                                     int max_side, const StoryboardLimits& limits,
                                     const std::atomic<bool>* cancel) {
  auto opened = open(limits.video);
  if (!opened.ok()) return Why(opened.status());
  video::VideoDecoder& decoder = *opened.value();
  const video::VideoInfo& info = decoder.info();
  int64_t total_frames = info.declared_frames;
  if (total_frames <= 0 && info.duration_seconds > 0 && info.frame_rate > 0) {
    total_frames = static_cast<int64_t>(std::floor(info.duration_seconds * info.frame_rate));
  }
  const FrameChoice choice = ChooseStoryboardFrames(info.frame_rate, total_frames, request);
  if (choice.frames.empty()) {
    return Status::InvalidArgument(
        "cannot show the video: no frames to show (" +
        (choice.note.empty() ? std::string("it has none") : choice.note) + ")");
  }
  const int count = static_cast<int>(choice.frames.size());
  const SheetGrid grid =
      PlanSheet(count, static_cast<int>(info.width), static_cast<int>(info.height), max_side);
  if (grid.columns == 0) return Status::InvalidArgument("cannot show the video: it has no size");

  Storyboard board;
  board.sheet = RgbImage(grid.width, grid.height);
  std::fill(board.sheet.pixels.begin(), board.sheet.pixels.end(), kSheetGrey);
  StoryboardLayout& layout = board.layout;
  layout.sheet_width = grid.width;
  layout.sheet_height = grid.height;
  layout.duration_seconds = info.duration_seconds > 0
                                ? info.duration_seconds
                                : (total_frames > 0 ? total_frames / info.frame_rate : 0);
  layout.matched = request.matched;
  layout.matched_available = choice.matched_available;
  layout.note = choice.note;

  const auto started = std::chrono::steady_clock::now();
  size_t next = 0;  // the next chosen frame to fill
  int filled = 0;
  video::SamplingOptions sampling;
  sampling.frames_per_second = request.frames_per_second > 0 ? request.frames_per_second : 1.0;
  const Status done = Status::Cancelled("the storyboard has every frame it needs");
  Status decoded = decoder.ForEachFrame(sampling, [&](const video::VideoFrame& frame) -> Status {
    if (cancel && cancel->load()) return Status::Cancelled("the console is closing");
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() >
        limits.max_decode_seconds) {
      return Status::Resource("decoding took longer than " +
                              std::to_string(static_cast<int>(limits.max_decode_seconds)) + " s");
    }
    // A chosen frame the decoder stepped over (a keyframe seek) takes the next one lent.
    if (next < choice.frames.size() && frame.frame_number >= choice.frames[next].frame_number) {
      const int index = static_cast<int>(next);
      // Aspect kept: the frame size is the header's, checked against the limits.
      RgbImage tile =
          ResizeFrame(frame.rgb, static_cast<int>(frame.width), static_cast<int>(frame.height),
                      frame.stride, grid.tile_width, grid.tile_height);
      const int x0 = grid.TileX(index), y0 = grid.TileY(index);
      for (int y = 0; y < grid.tile_height; ++y) {
        std::memcpy(board.sheet.at(x0, y0 + y), tile.at(0, y),
                    static_cast<size_t>(grid.tile_width) * 3);
      }
      StoryboardTile placed;
      placed.rect = Rect{static_cast<float>(x0) / grid.width, static_cast<float>(y0) / grid.height,
                         static_cast<float>(grid.tile_width) / grid.width,
                         static_cast<float>(grid.tile_height) / grid.height};
      placed.frame_number = frame.frame_number;
      placed.timestamp_seconds = frame.timestamp_seconds;
      placed.matched = choice.frames[next].matched;
      layout.tiles.push_back(placed);
      ++filled;
      // Frames chosen at or before this one are served by it.
      while (next < choice.frames.size() &&
             choice.frames[next].frame_number <= frame.frame_number) {
        ++next;
      }
    }
    return next < choice.frames.size() ? Status::Ok() : done;
  });
  if (!decoded.ok() && !(decoded.code() == done.code() && decoded.message() == done.message())) {
    return Why(decoded);
  }
  if (filled == 0) {
    return Status::Corruption("cannot show the video: no frame could be decoded");
  }
  if (filled < count) {
    // The video ended before its declared length: show what there is, say so.
    layout.note += std::string(layout.note.empty() ? "" : "; ") + "the video ended after " +
                   std::to_string(filled) + " of the " + std::to_string(count) + " frames chosen";
  }
  return board;
}

}  // namespace vigil::review
