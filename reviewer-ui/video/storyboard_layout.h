// Where a storyboard's tiles sit on its sheet, and what a reveal on the sheet may show.
// The storyboard is one picture (the sheet: the chosen frames in a grid, each downscaled
// into its tile) so that it goes through the same CPU obscuring, texture gate and
// RevealController as an image; these rectangles, normalised to the sheet (0..1), are
// how the console keeps a reveal inside one frame and counts the frames revealed.
#ifndef VIGIL_REVIEWER_UI_VIDEO_STORYBOARD_LAYOUT_H_
#define VIGIL_REVIEWER_UI_VIDEO_STORYBOARD_LAYOUT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "model/reveal_controller.h"
#include "store/time_ranges.h"

namespace vigil::review {

struct StoryboardTile {
  Rect rect;  // on the sheet, normalised
  int64_t frame_number = 0;
  double timestamp_seconds = 0;
  bool matched = false;
};

struct StoryboardLayout {
  int sheet_width = 0;  // pixels
  int sheet_height = 0;
  std::vector<StoryboardTile> tiles;    // in time order
  double duration_seconds = 0;          // 0 when the video does not say
  std::vector<host::TimeSpan> matched;  // the ranges the timeline marks
  int matched_available = 0;            // sampled frames in the ranges (before the cap)
  std::string note;                     // "" or why fewer frames are shown
};

// Pixel placement of `count` tiles of a `frame_width` x `frame_height` video on a sheet
// whose longer side is at most `max_side`: columns, rows, tile size and gap.
struct SheetGrid {
  int columns = 0, rows = 0;
  int tile_width = 0, tile_height = 0;  // the frame downscaled to fit, aspect kept
  int gap = 0;
  int width = 0, height = 0;  // the sheet
  // Top-left pixel of tile `index` (row-major).
  int TileX(int index) const { return gap + (index % columns) * (tile_width + gap); }
  int TileY(int index) const { return gap + (index / columns) * (tile_height + gap); }
};
// Empty grid (columns 0) when count or a side is not positive.
SheetGrid PlanSheet(int count, int frame_width, int frame_height, int max_side);

// The tile under (u, v) (sheet coordinates), else -1.
int TileAt(const StoryboardLayout& layout, float u, float v);
// The tile under (u, v), else the one whose centre is nearest; -1 when there is none.
int TileNear(const StoryboardLayout& layout, float u, float v);
// The reveal region for a pointer at (u, v): `fraction` of the tile's sides, centred on
// the pointer and kept inside tile `tile` (as RegionAround is kept inside an image).
Rect RegionInTile(const StoryboardLayout& layout, int tile, float u, float v, float fraction);
// Tiles whose rectangle `region` overlaps (the frames a reveal may have shown).
std::vector<int> TilesTouched(const StoryboardLayout& layout, const Rect& region);

// "m:ss.s" (or "h:mm:ss") for a tile's timestamp and the timeline.
std::string VideoTime(double seconds);

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_VIDEO_STORYBOARD_LAYOUT_H_
