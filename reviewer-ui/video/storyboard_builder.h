// Builds a video item's storyboard sheet (issue 16 item 4): opens the video with
// vigil_video (its limits: a huge or hostile video is refused with the reason before
// anything large is allocated), chooses the frames (storyboard_frames.h), decodes once
// at the detectors' rate and downscales each chosen frame into its tile. Video only: the
// decoder never opens an audio stream, and nothing is ever played.
//
// Runs on ObscuredCache's worker thread. The result is unobscured pixels: it becomes
// SourcePixels there and reaches the GPU only through Obscure() and the texture gate,
// exactly as an image does.
#ifndef VIGIL_REVIEWER_UI_VIDEO_STORYBOARD_BUILDER_H_
#define VIGIL_REVIEWER_UI_VIDEO_STORYBOARD_BUILDER_H_

#include <atomic>
#include <functional>
#include <memory>

#include "core/status.h"
#include "image/rgb_image.h"
#include "video/storyboard_frames.h"
#include "video/storyboard_layout.h"
#include "vigil/video/video_decoder.h"

namespace vigil::review {

struct Storyboard {
  RgbImage sheet;
  StoryboardLayout layout;
};

struct StoryboardLimits {
  video::VideoLimits video;        // vigil_video's defaults
  double max_decode_seconds = 60;  // wall clock, then the storyboard gives up with the reason
};

// Opens the item's video (from its bytes or its file).
using VideoOpener =
    std::function<StatusOr<std::unique_ptr<video::VideoDecoder>>(const video::VideoLimits& limits)>;

// `max_side`: the sheet's longer side. `cancel` (may be null): set from another thread to
// stop decoding (the console is closing). Every failure is one line that says why there
// is no storyboard ("cannot show the video: ...").
StatusOr<Storyboard> BuildStoryboard(const VideoOpener& open, const StoryboardRequest& request,
                                     int max_side, const StoryboardLimits& limits = {},
                                     const std::atomic<bool>* cancel = nullptr);

// Area-averaging resize of a strided RGB24 frame into exactly `width` x `height`.
RgbImage ResizeFrame(const uint8_t* rgb, int frame_width, int frame_height, size_t stride,
                     int width, int height);

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_VIDEO_STORYBOARD_BUILDER_H_
