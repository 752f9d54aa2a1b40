// Test fixtures for the reviewer console: benign images drawn in code (shapes, stripes,
// a checkerboard: plenty of high-frequency detail to measure blur against) and stores
// whose queue holds them.
#ifndef VIGIL_TESTS_UI_FIXTURE_STORE_H_
#define VIGIL_TESTS_UI_FIXTURE_STORE_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "image/rgb_image.h"
#include "store/store.h"
#include "store/time_ranges.h"

namespace vigil::review::testing {

// A deterministic benign picture for `seed`.
RgbImage DrawPattern(int width, int height, int seed);

// Sum of |Laplacian| of the luma per pixel: high-frequency energy.
double HighFrequencyEnergy(const RgbImage& image, int x0, int y0, int w, int h);

struct FixtureItem {
  int severity = 3;
  int priority = 10;
  int obscure_level = 5;
  std::string category = "B1";
  std::string image_path;  // written by the caller or MakeQueue
  int width = 0;
  int height = 0;
  // A video item: media_kind "video", format e.g. "mp4", and where its detection is.
  std::string media_kind = "image";
  std::string format = "png";
  std::vector<host::TimeSpan> item_ranges;
};

// Records one queued item (disposition review) with a detection from "vigil.test" so
// the evidence panel has something to show. Returns the item id.
int64_t AddQueuedItem(host::Store& store, const FixtureItem& item, int index);

// Writes `count` drawn PNGs under `dir` and queues them with severities cycling through
// `severities`. Returns the item ids.
std::vector<int64_t> MakeQueue(host::Store& store, const std::filesystem::path& dir, int count,
                               const std::vector<int>& severities, int width = 320,
                               int height = 240);

}  // namespace vigil::review::testing

#endif  // VIGIL_TESTS_UI_FIXTURE_STORE_H_
