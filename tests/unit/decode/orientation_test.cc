// ApplyOrientation: every EXIF orientation turns stored pixels upright.
#include <gtest/gtest.h>

#include "vigil/decode/image_decoder.h"

namespace vigil::decode {
namespace {

// A 3x2 stored image whose pixels are numbered 0..5 (in the red channel).
DecodedImage Numbered(int orientation) {
  DecodedImage img;
  img.width = 3;
  img.height = 2;
  img.stride = 9;
  img.orientation = orientation;
  img.format = ImageFormat::kJpeg;
  for (int i = 0; i < 6; ++i) img.pixels.insert(img.pixels.end(), {uint8_t(i), 7, 9});
  return img;
}

std::vector<int> RedChannel(const DecodedImage& img) {
  std::vector<int> out;
  for (size_t i = 0; i < img.pixels.size(); i += 3) out.push_back(img.pixels[i]);
  return out;
}

TEST(ApplyOrientation, EveryExifOrientationMapsPixelsUpright) {
  // Stored:  0 1 2     Upright results per EXIF (what a viewer shows):
  //          3 4 5
  const struct {
    int orientation;
    uint32_t width, height;
    std::vector<int> upright;
  } cases[] = {
      {1, 3, 2, {0, 1, 2, 3, 4, 5}}, {2, 3, 2, {2, 1, 0, 5, 4, 3}},  // mirrored left-right
      {3, 3, 2, {5, 4, 3, 2, 1, 0}},                                 // rotated 180
      {4, 3, 2, {3, 4, 5, 0, 1, 2}},                                 // mirrored top-bottom
      {5, 2, 3, {0, 3, 1, 4, 2, 5}},                                 // transposed
      {6, 2, 3, {3, 0, 4, 1, 5, 2}},                                 // rotated 90 clockwise
      {7, 2, 3, {5, 2, 4, 1, 3, 0}},                                 // transverse
      {8, 2, 3, {2, 5, 1, 4, 0, 3}},                                 // rotated 90 counter-clockwise
  };
  for (const auto& c : cases) {
    const DecodedImage out = ApplyOrientation(Numbered(c.orientation));
    EXPECT_EQ(out.width, c.width) << c.orientation;
    EXPECT_EQ(out.height, c.height) << c.orientation;
    EXPECT_EQ(out.stride, 3u * c.width);
    EXPECT_EQ(out.orientation, 1);
    EXPECT_EQ(out.format, ImageFormat::kJpeg);
    EXPECT_EQ(RedChannel(out), c.upright) << "orientation " << c.orientation;
    EXPECT_EQ(out.pixels[1], 7);  // channels travel together
    EXPECT_EQ(out.pixels[2], 9);
  }
}

TEST(ApplyOrientation, OutOfRangeValuesAreTreatedAsUpright) {
  for (int o : {0, 9, -1, 255}) {
    const DecodedImage out = ApplyOrientation(Numbered(o));
    EXPECT_EQ(RedChannel(out), (std::vector<int>{0, 1, 2, 3, 4, 5}));
    EXPECT_EQ(out.orientation, 1);
  }
}

}  // namespace
}  // namespace vigil::decode
