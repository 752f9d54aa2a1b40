// Measures building video storyboards (decode, choose, downscale into tiles) as the
// console's worker does, for measuring by hand:
//   vigil_review_storyboard_measure [--extra N] START-END VIDEO...
// prints, per video, the frames shown, the sheet's size and the wall time (best of 3).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "store/time_ranges.h"
#include "video/storyboard_builder.h"

int main(int argc, char** argv) {
  using namespace vigil;
  int first = 1;
  review::StoryboardRequest request;
  if (argc > 2 && std::string(argv[1]) == "--extra") {
    request.extra_frames = std::atoi(argv[2]);
    first = 3;
  }
  if (argc < first + 2) {
    std::fprintf(stderr, "usage: %s [--extra N] START-END VIDEO...\n", argv[0]);
    return 2;
  }
  request.matched = host::ParseTimeRanges(argv[first]);
  for (int i = first + 1; i < argc; ++i) {
    const std::string path = argv[i];
    review::VideoOpener open = [&](const video::VideoLimits& limits) {
      return video::VideoDecoder::OpenFile(path, limits);
    };
    double best = 1e9;
    size_t tiles = 0;
    int width = 0, height = 0;
    for (int round = 0; round < 3; ++round) {
      const auto start = std::chrono::steady_clock::now();
      auto board = review::BuildStoryboard(open, request, 768);
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      if (!board.ok()) {
        std::printf("%s: %s\n", path.c_str(), board.status().message().c_str());
        break;
      }
      best = std::min(best, ms);
      tiles = board.value().layout.tiles.size();
      width = board.value().sheet.width;
      height = board.value().sheet.height;
    }
    if (tiles > 0) {
      std::printf("%s: %zu frames, sheet %dx%d, %.1f ms\n", path.c_str(), tiles, width, height,
                  best);
    }
  }
  return 0;
}
