// The robustness study's video re-encodings (host/eval/video_transforms.h) on drawn clips
// (ffmpeg's testsrc and a checkerboard whose phase flips every frame): what each copy is
// (size, frame rate, frames, pixels), that stronger settings lose more, and every refusal.
#include "eval/video_transforms.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "video_test_util.h"
#include "vigil/video/video_decoder.h"

namespace vigil::eval {
namespace {

using video::testing::Ffmpeg;
using video::testing::ScratchDir;

struct Frame {
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> rgb;  // packed, no padding
};

struct Decoded {
  video::VideoInfo info;
  std::vector<Frame> frames;
};

Frame Copy(const video::VideoFrame& f) {
  Frame out{f.width, f.height, {}};
  for (uint32_t y = 0; y < f.height; ++y) {
    const uint8_t* row = f.rgb + y * f.stride;
    out.rgb.insert(out.rgb.end(), row, row + 3ull * f.width);
  }
  return out;
}

Decoded DecodeEveryFrame(std::unique_ptr<video::VideoDecoder> decoder) {
  Decoded d;
  d.info = decoder->info();
  video::SamplingOptions every;
  every.every_frame = true;
  Status s = decoder->ForEachFrame(every, [&](const video::VideoFrame& f) {
    d.frames.push_back(Copy(f));
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return d;
}

Decoded DecodeFile(const std::string& path) {
  auto decoder = video::VideoDecoder::OpenFile(path);
  EXPECT_TRUE(decoder.ok()) << decoder.status().message();
  if (!decoder.ok()) return {};
  return DecodeEveryFrame(std::move(decoder.value()));
}

Decoded DecodeBytes(const std::vector<uint8_t>& bytes) {
  auto decoder = video::VideoDecoder::OpenMemory(bytes.data(), bytes.size());
  EXPECT_TRUE(decoder.ok()) << decoder.status().message();
  if (!decoder.ok()) return {};
  return DecodeEveryFrame(std::move(decoder.value()));
}

// Re-encodes every frame of `source` with one transform; the copy's bytes.
std::vector<uint8_t> Reencode(const Decoded& source, const std::string& name, double strength) {
  auto encoder = VideoReencoder::Create(name, strength, source.info.width, source.info.height,
                                        source.info.frame_rate);
  EXPECT_TRUE(encoder.ok()) << encoder.status().message();
  if (!encoder.ok()) return {};
  for (size_t i = 0; i < source.frames.size(); ++i) {
    const Frame& f = source.frames[i];
    video::VideoFrame frame;
    frame.rgb = f.rgb.data();
    frame.width = f.width;
    frame.height = f.height;
    frame.stride = 3ull * f.width;
    frame.frame_number = static_cast<int64_t>(i);
    Status s = (*encoder)->AddFrame(frame);
    EXPECT_TRUE(s.ok()) << s.message();
  }
  auto bytes = (*encoder)->Finish();
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  return bytes.ok() ? bytes.value() : std::vector<uint8_t>{};
}

double MeanAbsDiff(const Frame& a, const Frame& b) {
  EXPECT_EQ(a.rgb.size(), b.rgb.size());
  if (a.rgb.size() != b.rgb.size() || a.rgb.empty()) return 1e9;
  double sum = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) sum += std::abs(int(a.rgb[i]) - int(b.rgb[i]));
  return sum / static_cast<double>(a.rgb.size());
}

double MeanError(const Decoded& original, const Decoded& copy) {
  EXPECT_EQ(original.frames.size(), copy.frames.size());
  double sum = 0;
  for (size_t i = 0; i < std::min(original.frames.size(), copy.frames.size()); ++i) {
    sum += MeanAbsDiff(original.frames[i], copy.frames[i]);
  }
  return sum / static_cast<double>(std::max<size_t>(1, original.frames.size()));
}

class VideoTransformsTest : public ::testing::Test {
 protected:
  // Two seconds of testsrc at 10 fps, 160x120.
  std::string Testsrc() {
    const std::string path = dir_.Path("testsrc.mp4");
    EXPECT_TRUE(
        Ffmpeg("-f lavfi -i testsrc=size=160x120:rate=10:duration=2 -c:v libx264 "
               "-preset ultrafast -qp 0 -pix_fmt yuv444p " +
               path));
    return path;
  }
  ScratchDir dir_;
};

TEST_F(VideoTransformsTest, H264KeepsSizeRateAndFramesAndLosesMoreAtHigherCrf) {
  const Decoded original = DecodeFile(Testsrc());
  ASSERT_EQ(original.frames.size(), 20u);
  const std::vector<uint8_t> crf23 = Reencode(original, "h264", 23);
  const std::vector<uint8_t> crf45 = Reencode(original, "h264", 45);
  ASSERT_FALSE(crf23.empty());
  ASSERT_FALSE(crf45.empty());
  const Decoded a = DecodeBytes(crf23);
  const Decoded b = DecodeBytes(crf45);
  for (const Decoded* copy : {&a, &b}) {
    EXPECT_EQ(copy->info.container, "mov,mp4,m4a,3gp,3g2,mj2");
    EXPECT_EQ(copy->info.codec, "h264");
    EXPECT_EQ(copy->info.width, 160u);
    EXPECT_EQ(copy->info.height, 120u);
    EXPECT_DOUBLE_EQ(copy->info.frame_rate, 10.0);
    EXPECT_EQ(copy->frames.size(), 20u);
  }
  // The copy is the same pictures, frame for frame, and CRF 45 loses more than CRF 23
  // (in bytes and in pixels).
  const double error23 = MeanError(original, a);
  const double error45 = MeanError(original, b);
  EXPECT_LT(error23, 6.0);
  EXPECT_GT(error45, error23);
  EXPECT_LT(crf45.size(), crf23.size());
}

TEST_F(VideoTransformsTest, ScaleResizesBothSidesToEvenSizes) {
  const Decoded original = DecodeFile(Testsrc());
  for (auto [factor, width, height] : {std::tuple{0.5, 80u, 60u}, std::tuple{0.25, 40u, 30u}}) {
    SCOPED_TRACE(factor);
    const Decoded copy = DecodeBytes(Reencode(original, "scale", factor));
    EXPECT_EQ(copy.info.width, width);
    EXPECT_EQ(copy.info.height, height);
    EXPECT_EQ(copy.frames.size(), 20u);
    EXPECT_DOUBLE_EQ(copy.info.frame_rate, 10.0);
  }
  // 4:2:0 needs even sides: 161x121 at half is 80x60, and nothing is smaller than 2x2.
  auto odd = VideoReencoder::Create("scale", 0.5, 161, 121, 25);
  ASSERT_TRUE(odd.ok()) << odd.status().message();
  EXPECT_EQ((*odd)->width(), 80u);
  EXPECT_EQ((*odd)->height(), 60u);
  auto tiny = VideoReencoder::Create("scale", 0.01, 100, 50, 25);
  ASSERT_TRUE(tiny.ok()) << tiny.status().message();
  EXPECT_EQ((*tiny)->width(), 2u);
  EXPECT_EQ((*tiny)->height(), 2u);
}

// A checkerboard whose phase flips every frame: a copy at half the frame rate must keep the
// even frames (the nearest source frame of each moment), not mix in the odd ones.
TEST_F(VideoTransformsTest, FpsKeepsTheNearestSourceFrameOfEachMoment) {
  const std::string path = dir_.Path("flip.mp4");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i color=size=160x120:rate=10:duration=2 -vf "
             "\"geq=lum='255*mod(floor(X/40)+floor(Y/40)+N,2)':cb=128:cr=128\" "
             "-c:v libx264 -preset ultrafast -qp 0 -pix_fmt yuv444p " +
             path));
  const Decoded original = DecodeFile(path);
  ASSERT_EQ(original.frames.size(), 20u);
  ASSERT_GT(MeanAbsDiff(original.frames[0], original.frames[1]), 100.0);  // the flip

  const Decoded half = DecodeBytes(Reencode(original, "fps", 0.5));
  EXPECT_DOUBLE_EQ(half.info.frame_rate, 5.0);
  ASSERT_EQ(half.frames.size(), 10u);
  for (size_t k = 0; k < half.frames.size(); ++k) {
    SCOPED_TRACE(k);
    EXPECT_LT(MeanAbsDiff(half.frames[k], original.frames[2 * k]), 8.0);
    EXPECT_GT(MeanAbsDiff(half.frames[k], original.frames[2 * k + 1]), 100.0);
  }
  // 10 fps x 0.8 = 8 fps: two seconds are 16 frames.
  const Decoded slower = DecodeBytes(Reencode(original, "fps", 0.8));
  EXPECT_DOUBLE_EQ(slower.info.frame_rate, 8.0);
  EXPECT_EQ(slower.frames.size(), 16u);
}

TEST_F(VideoTransformsTest, Mpeg4LosesMoreAtAHigherQuantiser) {
  const Decoded original = DecodeFile(Testsrc());
  const std::vector<uint8_t> q4 = Reencode(original, "mpeg4", 4);
  const std::vector<uint8_t> q31 = Reencode(original, "mpeg4", 31);
  const Decoded a = DecodeBytes(q4);
  const Decoded b = DecodeBytes(q31);
  EXPECT_EQ(a.info.codec, "mpeg4");
  EXPECT_EQ(a.frames.size(), 20u);
  EXPECT_EQ(b.frames.size(), 20u);
  EXPECT_GT(MeanError(original, b), MeanError(original, a));
  EXPECT_LT(q31.size(), q4.size());
}

// A frame of another size than the header's (a stream whose size changes) is scaled to the
// copy's size rather than refused or mis-read.
TEST_F(VideoTransformsTest, AFrameOfAnotherSizeIsScaledToTheCopy) {
  auto encoder = VideoReencoder::Create("h264", 23, 64, 48, 10);
  ASSERT_TRUE(encoder.ok()) << encoder.status().message();
  std::vector<uint8_t> small(32 * 24 * 3, 200), large(64 * 48 * 3, 50);
  for (int i = 0; i < 6; ++i) {
    video::VideoFrame frame;
    const bool odd = i % 2 == 1;
    frame.rgb = odd ? small.data() : large.data();
    frame.width = odd ? 32 : 64;
    frame.height = odd ? 24 : 48;
    frame.stride = 3ull * frame.width;
    ASSERT_TRUE((*encoder)->AddFrame(frame).ok());
  }
  auto bytes = (*encoder)->Finish();
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  const Decoded copy = DecodeBytes(bytes.value());
  ASSERT_EQ(copy.frames.size(), 6u);
  for (const Frame& f : copy.frames) {
    EXPECT_EQ(f.width, 64u);
    EXPECT_EQ(f.height, 48u);
  }
  EXPECT_NEAR(copy.frames[1].rgb[3 * (64 * 24 + 32)], 200, 12);  // the small frame, scaled up
  EXPECT_NEAR(copy.frames[2].rgb[3 * (64 * 24 + 32)], 50, 12);
}

TEST(VideoTransformsRefusalTest, BadTransformsAndStrengthsAreRefused) {
  struct Case {
    std::string name;
    double strength;
    std::string message;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const Case& c : std::vector<Case>{
           {"blur", 1, "unknown video transform 'blur' (known: h264, scale, fps, mpeg4)"},
           {"h264", 52, "CRF must be a whole number 0..51"},
           {"h264", -1, "CRF must be a whole number 0..51"},
           {"h264", 22.5, "CRF must be a whole number 0..51"},
           {"h264", nan, "CRF must be a whole number 0..51"},
           {"scale", 0, "factor must be above 0 and at most 4"},
           {"scale", 4.5, "factor must be above 0 and at most 4"},
           {"scale", nan, "factor must be above 0 and at most 4"},
           {"fps", 0, "factor must be above 0 and at most 1"},
           {"fps", 1.5, "factor must be above 0 and at most 1"},
           {"mpeg4", 1, "quantiser must be a whole number 2..31"},
           {"mpeg4", 32, "quantiser must be a whole number 2..31"},
       }) {
    SCOPED_TRACE(c.name + " " + std::to_string(c.strength));
    auto r = VideoReencoder::Create(c.name, c.strength, 64, 48, 25);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << r.status().message();
  }
  EXPECT_FALSE(VideoReencoder::Create("h264", 23, 0, 48, 25).ok());
  EXPECT_FALSE(VideoReencoder::Create("h264", 23, 64, 0, 25).ok());
  EXPECT_FALSE(VideoReencoder::Create("h264", 23, 64, 48, 0).ok());
  EXPECT_FALSE(VideoReencoder::Create("h264", 23, 64, 48, nan).ok());
  // fps of a 1 fps video at a millionth: no usable rate.
  EXPECT_FALSE(VideoReencoder::Create("fps", 1e-9, 64, 48, 1).ok());
}

TEST(VideoTransformsRefusalTest, MisuseIsAnErrorNotACrash) {
  auto encoder = VideoReencoder::Create("h264", 23, 64, 48, 25);
  ASSERT_TRUE(encoder.ok()) << encoder.status().message();
  video::VideoFrame empty;
  EXPECT_FALSE((*encoder)->AddFrame(empty).ok());
  auto nothing = (*encoder)->Finish();
  ASSERT_FALSE(nothing.ok());
  EXPECT_NE(nothing.status().message().find("no frames"), std::string::npos);
  EXPECT_FALSE((*encoder)->Finish().ok());
  std::vector<uint8_t> pixels(64 * 48 * 3, 0);
  video::VideoFrame frame;
  frame.rgb = pixels.data();
  frame.width = 64;
  frame.height = 48;
  frame.stride = 64 * 3;
  EXPECT_FALSE((*encoder)->AddFrame(frame).ok());
}

TEST(VideoTransformsTableTest, EveryStrengthOfTheTableIsAccepted) {
  ASSERT_EQ(VideoTransforms().size(), 4u);
  for (const VideoTransformSpec& spec : VideoTransforms()) {
    EXPECT_EQ(FindVideoTransform(spec.name), &spec);
    EXPECT_FALSE(spec.small.empty());
    for (const auto* list : {&spec.full, &spec.small}) {
      for (const TransformStrength& s : *list) {
        SCOPED_TRACE(spec.name + " " + s.label);
        EXPECT_TRUE(VideoReencoder::Create(spec.name, s.value, 64, 48, 30).ok());
      }
    }
  }
  EXPECT_EQ(FindVideoTransform("resize"), nullptr);  // an image transform, not a video one
}

}  // namespace
}  // namespace vigil::eval
