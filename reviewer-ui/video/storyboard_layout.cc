#include "video/storyboard_layout.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace vigil::review {

SheetGrid PlanSheet(int count, int frame_width, int frame_height, int max_side) {
  SheetGrid grid;
  if (count <= 0 || frame_width <= 0 || frame_height <= 0 || max_side <= 0) return grid;
  grid.gap = std::max(2, max_side / 160);
  // About 1.5 columns per row: 24 tiles in 6 x 4, 12 in 5 x 3, 3 in 3 x 1.
  grid.columns = std::min(count, static_cast<int>(std::ceil(std::sqrt(count * 1.5))));
  grid.rows = (count + grid.columns - 1) / grid.columns;
  const double aspect = static_cast<double>(frame_width) / frame_height;
  double tile_w = static_cast<double>(max_side - grid.gap * (grid.columns + 1)) / grid.columns;
  double tile_h = tile_w / aspect;
  const double max_h = static_cast<double>(max_side - grid.gap * (grid.rows + 1)) / grid.rows;
  if (tile_h > max_h) {
    tile_h = max_h;
    tile_w = tile_h * aspect;
  }
  // Never larger than the frame itself, never under 4 px.
  if (tile_w > frame_width) {
    tile_w = frame_width;
    tile_h = frame_height;
  }
  grid.tile_width = std::max(4, static_cast<int>(tile_w));
  grid.tile_height = std::max(4, static_cast<int>(tile_h));
  grid.width = grid.gap + grid.columns * (grid.tile_width + grid.gap);
  grid.height = grid.gap + grid.rows * (grid.tile_height + grid.gap);
  return grid;
}

int TileAt(const StoryboardLayout& layout, float u, float v) {
  for (size_t i = 0; i < layout.tiles.size(); ++i) {
    const Rect& r = layout.tiles[i].rect;
    if (u >= r.x && u < r.x + r.w && v >= r.y && v < r.y + r.h) return static_cast<int>(i);
  }
  return -1;
}

int TileNear(const StoryboardLayout& layout, float u, float v) {
  if (const int at = TileAt(layout, u, v); at >= 0) return at;
  int best = -1;
  float best_d = std::numeric_limits<float>::max();
  for (size_t i = 0; i < layout.tiles.size(); ++i) {
    const Rect& r = layout.tiles[i].rect;
    const float dx = r.x + r.w / 2 - u, dy = r.y + r.h / 2 - v;
    if (dx * dx + dy * dy < best_d) {
      best_d = dx * dx + dy * dy;
      best = static_cast<int>(i);
    }
  }
  return best;
}

Rect RegionInTile(const StoryboardLayout& layout, int tile, float u, float v, float fraction) {
  if (tile < 0 || tile >= static_cast<int>(layout.tiles.size())) return Rect{};
  const Rect& t = layout.tiles[static_cast<size_t>(tile)].rect;
  // RegionAround in the tile's own coordinates, mapped back onto the sheet.
  const float tu = t.w > 0 ? (u - t.x) / t.w : 0.5f;
  const float tv = t.h > 0 ? (v - t.y) / t.h : 0.5f;
  const Rect in = RegionAround(std::clamp(tu, 0.0f, 1.0f), std::clamp(tv, 0.0f, 1.0f), fraction);
  return Rect{t.x + in.x * t.w, t.y + in.y * t.h, in.w * t.w, in.h * t.h};
}

std::vector<int> TilesTouched(const StoryboardLayout& layout, const Rect& region) {
  std::vector<int> out;
  if (region.w <= 0 || region.h <= 0) return out;
  for (size_t i = 0; i < layout.tiles.size(); ++i) {
    const Rect& r = layout.tiles[i].rect;
    const bool apart = region.x + region.w <= r.x || r.x + r.w <= region.x ||
                       region.y + region.h <= r.y || r.y + r.h <= region.y;
    if (!apart) out.push_back(static_cast<int>(i));
  }
  return out;
}

std::string VideoTime(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  char text[32];
  const long long whole = static_cast<long long>(seconds);
  if (whole >= 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", whole / 3600, whole / 60 % 60,
                  whole % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld:%04.1f", whole / 60,
                  seconds - static_cast<double>(whole / 60 * 60));
  }
  return text;
}

}  // namespace vigil::review
