// vigil_video (issue 16, item 1): the shared clips decode frame for frame as the vPDQ
// reference numbers them; sampling, keyframe seeking and limits; and every bad input the
// issue names (corrupt, truncated, zero-length, audio-only, 20000x20000, 100,000-frame
// 1-pixel) fails with its one-line reason or decodes within limits, never crashes.
#include "vigil/video/video_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "video_test_util.h"

namespace vigil::video {
namespace {

using testing::Ffmpeg;
using testing::ReadFileBytes;
using testing::ScratchDir;
using testing::VideoDir;
using testing::WriteFileBytes;

std::string Clip(const std::string& name) { return VideoDir() + "/videos/" + name + ".mp4"; }

struct Lent {
  int64_t number;
  double timestamp;
  uint32_t width, height;
  uint64_t checksum;
};

uint64_t Checksum(const VideoFrame& f) {
  uint64_t h = 1469598103934665603ull;
  for (uint32_t y = 0; y < f.height; ++y) {
    const uint8_t* row = f.rgb + y * f.stride;
    for (uint32_t x = 0; x < 3 * f.width; ++x) h = (h ^ row[x]) * 1099511628211ull;
  }
  return h;
}

StatusOr<std::vector<Lent>> DecodeAll(VideoDecoder& decoder, const SamplingOptions& sampling,
                                      DecodeStats* stats = nullptr) {
  std::vector<Lent> out;
  Status s = decoder.ForEachFrame(
      sampling,
      [&](const VideoFrame& f) {
        out.push_back({f.frame_number, f.timestamp_seconds, f.width, f.height, Checksum(f)});
        return Status::Ok();
      },
      stats);
  if (!s.ok()) return s;
  return out;
}

SamplingOptions EveryFrame() {
  SamplingOptions s;
  s.every_frame = true;
  return s;
}

TEST(VideoDecoderTest, SharedClipEveryFrameNumberedAsTheReference) {
  auto bytes = ReadFileBytes(Clip("chair-19-sd-bar"));
  ASSERT_FALSE(bytes.empty());
  auto decoder = VideoDecoder::OpenMemory(bytes.data(), bytes.size());
  ASSERT_TRUE(decoder.ok()) << decoder.status().message();
  const VideoInfo& info = (*decoder)->info();
  EXPECT_EQ(info.width, 480u);
  EXPECT_EQ(info.height, 720u);
  EXPECT_DOUBLE_EQ(info.frame_rate, 30.0);
  EXPECT_EQ(info.declared_frames, 564);
  EXPECT_EQ(info.codec, "h264");
  DecodeStats stats;
  auto frames = DecodeAll(**decoder, EveryFrame(), &stats);
  ASSERT_TRUE(frames.ok()) << frames.status().message();
  // The reference file has 564 lines, frames 0..563 at n / 30 s.
  ASSERT_EQ(frames->size(), 564u);
  for (size_t i = 0; i < frames->size(); ++i) {
    EXPECT_EQ((*frames)[i].number, static_cast<int64_t>(i));
    EXPECT_DOUBLE_EQ((*frames)[i].timestamp, static_cast<double>(i) / 30.0);
    EXPECT_EQ((*frames)[i].width, 480u);
  }
  EXPECT_EQ(stats.frames_decoded, 564);
  EXPECT_EQ(stats.frames_lent, 564);
}

TEST(VideoDecoderTest, OneFramePerSecondByDefaultAndFileEqualsMemory) {
  auto bytes = ReadFileBytes(Clip("chair-19-sd-bar"));
  auto from_memory = VideoDecoder::OpenMemory(bytes.data(), bytes.size());
  ASSERT_TRUE(from_memory.ok()) << from_memory.status().message();
  auto from_file = VideoDecoder::OpenFile(Clip("chair-19-sd-bar"));
  ASSERT_TRUE(from_file.ok()) << from_file.status().message();
  auto a = DecodeAll(**from_memory, SamplingOptions{});
  auto b = DecodeAll(**from_file, SamplingOptions{});
  ASSERT_TRUE(a.ok() && b.ok());
  // 30 frames/s, one per second: frames 0, 30, ..., 540 (the reference's frame step).
  ASSERT_EQ(a->size(), 19u);
  ASSERT_EQ(b->size(), 19u);
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].number, static_cast<int64_t>(30 * i));
    EXPECT_DOUBLE_EQ((*a)[i].timestamp, static_cast<double>(i));
    EXPECT_EQ((*a)[i].checksum, (*b)[i].checksum) << "frame " << (*a)[i].number;
  }
}

TEST(VideoDecoderTest, DecodesOnlyOnce) {
  auto decoder = VideoDecoder::OpenFile(Clip("doorknob-hd-no-bar"));
  ASSERT_TRUE(decoder.ok()) << decoder.status().message();
  ASSERT_TRUE(DecodeAll(**decoder, SamplingOptions{}).ok());
  auto again = DecodeAll(**decoder, SamplingOptions{});
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("once"), std::string::npos);
}

TEST(VideoDecoderTest, CallbackErrorStopsDecoding) {
  auto decoder = VideoDecoder::OpenFile(Clip("doorknob-hd-no-bar"));
  ASSERT_TRUE(decoder.ok());
  int calls = 0;
  DecodeStats stats;
  Status s = (*decoder)->ForEachFrame(
      EveryFrame(),
      [&](const VideoFrame&) { return ++calls == 3 ? Status::Cancelled("enough") : Status::Ok(); },
      &stats);
  EXPECT_EQ(s.code(), Status::Code::kCancelled);
  EXPECT_EQ(calls, 3);
  EXPECT_LT(stats.frames_decoded, 120);
}

TEST(VideoDecoderTest, RejectsBadSamplingRate) {
  auto decoder = VideoDecoder::OpenFile(Clip("doorknob-hd-no-bar"));
  ASSERT_TRUE(decoder.ok());
  SamplingOptions s;
  s.frames_per_second = 0;
  auto r = DecodeAll(**decoder, s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
}

// A clip with a keyframe every second, sampled every 5 s: the decoder seeks from GOP to
// GOP, decodes far fewer frames, and lends the very frames a full decode lends.
TEST(VideoDecoderTest, SeeksByKeyframeWhenTheSamplingSkipsWholeGops) {
  ScratchDir dir;
  std::string path = dir.Path("gop.mp4");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=320x240:rate=30:duration=20 -c:v libx264 "
             "-preset ultrafast -g 30 -keyint_min 30 -sc_threshold 0 -pix_fmt yuv420p " +
             path));
  SamplingOptions sparse;
  sparse.frames_per_second = 0.2;  // one frame per 5 s: step 150 frames
  auto seeking = VideoDecoder::OpenFile(path);
  ASSERT_TRUE(seeking.ok()) << seeking.status().message();
  EXPECT_GE((*seeking)->info().keyframes_indexed, 20u);
  DecodeStats seek_stats;
  auto a = DecodeAll(**seeking, sparse, &seek_stats);
  ASSERT_TRUE(a.ok()) << a.status().message();

  SamplingOptions sequential = sparse;
  sequential.allow_keyframe_seek = false;
  auto full = VideoDecoder::OpenFile(path);
  ASSERT_TRUE(full.ok());
  DecodeStats full_stats;
  auto b = DecodeAll(**full, sequential, &full_stats);
  ASSERT_TRUE(b.ok()) << b.status().message();

  EXPECT_EQ(full_stats.frames_decoded, 600);
  EXPECT_EQ(full_stats.seeks, 0);
  EXPECT_GT(seek_stats.seeks, 0);
  EXPECT_LT(seek_stats.frames_decoded, 300);
  ASSERT_EQ(a->size(), 4u);
  ASSERT_EQ(b->size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ((*a)[i].number, static_cast<int64_t>(150 * i));
    EXPECT_EQ((*b)[i].number, static_cast<int64_t>(150 * i));
    EXPECT_EQ((*a)[i].checksum, (*b)[i].checksum) << "frame " << (*a)[i].number;
  }
}

// [SECTION] Bad input: each fails with its reason, never a crash.

TEST(VideoDecoderBadInputTest, ZeroLength) {
  uint8_t nothing = 0;
  auto m = VideoDecoder::OpenMemory(&nothing, 0);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(m.status().message().find("0 bytes"), std::string::npos) << m.status().message();
  ScratchDir dir;
  WriteFileBytes(dir.Path("empty.mp4"), {});
  auto f = VideoDecoder::OpenFile(dir.Path("empty.mp4"));
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("0 bytes"), std::string::npos) << f.status().message();
}

TEST(VideoDecoderBadInputTest, MissingFileIsAnIoError) {
  auto f = VideoDecoder::OpenFile("/nonexistent/vigil/clip.mp4");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), Status::Code::kIoError);
}

TEST(VideoDecoderBadInputTest, NotAVideo) {
  std::vector<uint8_t> noise(64 * 1024);
  std::mt19937 rng(16);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  auto r = VideoDecoder::OpenMemory(noise.data(), noise.size());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a video"), std::string::npos) << r.status().message();
}

// Truncated with the index first (most shared clips: moov before mdat) and with the index
// last (test-padded-dimensions: moov after mdat).
TEST(VideoDecoderBadInputTest, Truncated) {
  for (const char* name : {"chair-19-sd-bar", "test-padded-dimensions"}) {
    auto bytes = ReadFileBytes(Clip(name));
    bytes.resize(bytes.size() / 2);
    auto r = VideoDecoder::OpenMemory(bytes.data(), bytes.size());
    Status s = r.ok() ? DecodeAll(**r, EveryFrame()).status() : r.status();
    ASSERT_FALSE(s.ok()) << name << ": a half file decoded without error";
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << name << ": " << s.message();
    EXPECT_NE(s.message().find("truncated"), std::string::npos) << name << ": " << s.message();
    EXPECT_EQ(s.message().find('\n'), std::string::npos);
  }
}

// Damage in the container header: the demuxer refuses it, with the container named.
TEST(VideoDecoderBadInputTest, CorruptHeader) {
  auto bytes = ReadFileBytes(Clip("doorknob-hd-no-bar"));
  ASSERT_GT(bytes.size(), 4096u);
  // moov starts at byte 32; wreck its first child boxes (mvhd, trak headers).
  for (size_t i = 40; i < 400; ++i) bytes[i] = 0xff;
  auto r = VideoDecoder::OpenMemory(bytes.data(), bytes.size());
  Status s = r.ok() ? DecodeAll(**r, EveryFrame()).status() : r.status();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.message();
  EXPECT_NE(s.message().find("corrupt"), std::string::npos) << s.message();
}

// Damage anywhere (random bytes overwritten across the file, many seeds): never a crash;
// each run either decodes within limits or fails with one line.
TEST(VideoDecoderBadInputTest, RandomDamageNeverCrashes) {
  auto original = ReadFileBytes(Clip("doorknob-hd-no-bar"));
  int failed = 0;
  for (int seed = 0; seed < 12; ++seed) {
    auto bytes = original;
    std::mt19937 rng(seed);
    for (int k = 0; k < 200; ++k) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
    auto r = VideoDecoder::OpenMemory(bytes.data(), bytes.size());
    Status s = r.ok() ? DecodeAll(**r, SamplingOptions{}).status() : r.status();
    if (!s.ok()) {
      ++failed;
      EXPECT_FALSE(s.message().empty());
      EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
    }
  }
  RecordProperty("failed_of_12", failed);
}

TEST(VideoDecoderBadInputTest, AudioOnly) {
  ScratchDir dir;
  std::string path = dir.Path("tone.m4a");
  ASSERT_TRUE(Ffmpeg("-f lavfi -i sine=frequency=440:duration=2 -c:a aac " + path));
  auto r = VideoDecoder::OpenFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("audio only"), std::string::npos) << r.status().message();
}

// A header that claims 20000x20000: a small H.264 MP4 made by ffmpeg whose sample
// description (the avc1 box, where the demuxer reads the frame size) is patched to say
// 20000x20000. Refused from the header, before a frame of 400 megapixels is allocated.
TEST(VideoDecoderBadInputTest, HugeDimensionsInTheHeader) {
  ScratchDir dir;
  std::string path = dir.Path("small.mp4");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=64x64:rate=25:duration=1 -c:v libx264 "
             "-preset ultrafast -pix_fmt yuv420p " +
             path));
  auto bytes = ReadFileBytes(path);
  // The first "avc1" after "stsd" (the file type box lists avc1 as a brand too).
  const std::string stsd = "stsd", tag = "avc1";
  auto at = std::search(bytes.begin(), bytes.end(), stsd.begin(), stsd.end());
  ASSERT_NE(at, bytes.end());
  at = std::search(at, bytes.end(), tag.begin(), tag.end());
  ASSERT_NE(at, bytes.end());
  size_t box = static_cast<size_t>(at - bytes.begin()) - 4;  // size field before the tag
  ASSERT_LT(box + 36, bytes.size());
  for (size_t field : {box + 32, box + 34}) {  // width, height: 16-bit big-endian
    bytes[field] = 20000 >> 8;
    bytes[field + 1] = 20000 & 0xff;
  }
  auto r = VideoDecoder::OpenMemory(bytes.data(), bytes.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kResource) << r.status().message();
  EXPECT_NE(r.status().message().find("20000x20000"), std::string::npos) << r.status().message();
}

// A 1-pixel clip of 100,000 frames (100 s at 1000 frames/s): within the default limits it
// decodes (every frame, bounded memory) and lends one frame per second; with a lower frame
// limit it is refused from the header (duration x rate) before decoding.
TEST(VideoDecoderBadInputTest, HundredThousandOnePixelFrames) {
  ScratchDir dir;
  std::string path = dir.Path("tiny.mkv");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i color=color=gray:size=2x2:rate=1000 -vf scale=1:1 "
             "-frames:v 100000 -c:v rawvideo -pix_fmt gray " +
             path));
  auto ok = VideoDecoder::OpenFile(path);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ((*ok)->info().width, 1u);
  DecodeStats stats;
  SamplingOptions one_per_second;
  one_per_second.allow_keyframe_seek = false;  // decode all 100,000 frames
  auto frames = DecodeAll(**ok, one_per_second, &stats);
  ASSERT_TRUE(frames.ok()) << frames.status().message();
  EXPECT_EQ(stats.frames_decoded, 100000);
  EXPECT_EQ(stats.seeks, 0);
  EXPECT_EQ(frames->size(), 100u);

  VideoLimits limits;
  limits.max_frames = 50'000;
  auto refused = VideoDecoder::OpenFile(path, limits);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kResource);
  EXPECT_NE(refused.status().message().find("too many frames"), std::string::npos)
      << refused.status().message();
}

// A stream whose header does not tell its length (raw H.264, no container index): the
// frame limit is enforced while decoding.
TEST(VideoDecoderBadInputTest, FrameLimitWhileDecoding) {
  ScratchDir dir;
  std::string path = dir.Path("raw.h264");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=64x64:rate=25:duration=8 -c:v libx264 "
             "-preset ultrafast -f h264 " +
             path));
  VideoLimits limits;
  limits.max_frames = 50;
  auto r = VideoDecoder::OpenFile(path, limits);
  ASSERT_TRUE(r.ok()) << r.status().message();
  DecodeStats stats;
  Status s = DecodeAll(**r, SamplingOptions{}, &stats).status();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kResource);
  EXPECT_NE(s.message().find("more than 50 decoded"), std::string::npos) << s.message();
  EXPECT_EQ(stats.frames_decoded, 51);
}

// A raw H.264 stream whose frame size changes mid-stream (two streams joined: 64x48 then
// 320x240): each lent frame has its own size, and a per-frame limit the header could not
// show (max_dimension 100) stops decoding at the first large frame.
TEST(VideoDecoderBadInputTest, FrameSizeChangesMidStream) {
  ScratchDir dir;
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=64x48:rate=10:duration=1 -c:v libx264 "
             "-preset ultrafast -pix_fmt yuv420p -f h264 " +
             dir.Path("a.h264")));
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=320x240:rate=10:duration=1 -c:v libx264 "
             "-preset ultrafast -pix_fmt yuv420p -f h264 " +
             dir.Path("b.h264")));
  auto joined = ReadFileBytes(dir.Path("a.h264"));
  auto second = ReadFileBytes(dir.Path("b.h264"));
  joined.insert(joined.end(), second.begin(), second.end());
  auto decoder = VideoDecoder::OpenMemory(joined.data(), joined.size());
  ASSERT_TRUE(decoder.ok()) << decoder.status().message();
  auto frames = DecodeAll(**decoder, EveryFrame());
  ASSERT_TRUE(frames.ok()) << frames.status().message();
  ASSERT_EQ(frames->size(), 20u);
  EXPECT_EQ(frames->front().width, 64u);
  EXPECT_EQ(frames->back().width, 320u);
  EXPECT_EQ(frames->back().height, 240u);

  VideoLimits small;
  small.max_dimension = 100;
  auto limited = VideoDecoder::OpenMemory(joined.data(), joined.size(), small);
  ASSERT_TRUE(limited.ok()) << limited.status().message();
  DecodeStats stats;
  Status s = DecodeAll(**limited, EveryFrame(), &stats).status();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kResource);
  EXPECT_NE(s.message().find("320x240"), std::string::npos) << s.message();
  EXPECT_EQ(stats.frames_lent, 10);
}

TEST(VideoDecoderBadInputTest, LimitsFromTheHeader) {
  auto bytes = ReadFileBytes(Clip("chair-19-sd-bar"));
  VideoLimits small_bytes;
  small_bytes.max_input_bytes = 1'000'000;
  auto a = VideoDecoder::OpenMemory(bytes.data(), bytes.size(), small_bytes);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("bytes exceeds the limit of 1000000"), std::string::npos)
      << a.status().message();

  VideoLimits small_side;
  small_side.max_dimension = 640;
  auto b = VideoDecoder::OpenMemory(bytes.data(), bytes.size(), small_side);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("480x720"), std::string::npos) << b.status().message();

  VideoLimits short_limit;
  short_limit.max_duration_seconds = 10;
  auto c = VideoDecoder::OpenMemory(bytes.data(), bytes.size(), short_limit);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("too long"), std::string::npos) << c.status().message();

  VideoLimits few_frames;
  few_frames.max_frames = 500;
  auto d = VideoDecoder::OpenMemory(bytes.data(), bytes.size(), few_frames);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("declares 564"), std::string::npos) << d.status().message();
}

// Demuxers outside the allowed list are refused, and none may open other files: an HLS
// playlist naming a local file is not followed.
TEST(VideoDecoderBadInputTest, PlaylistsAndOtherDemuxersRefused) {
  std::string playlist =
      "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:" + testing::VideoDir() +
      "/videos/doorknob-hd-no-bar.mp4\n#EXT-X-ENDLIST\n";
  std::vector<uint8_t> bytes(playlist.begin(), playlist.end());
  auto r = VideoDecoder::OpenMemory(bytes.data(), bytes.size());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("hls"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace vigil::video
