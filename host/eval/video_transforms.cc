// Re-encoding a video into memory with libavcodec/libavformat (see the header).
//
// [SECTION] The table of transforms
// [SECTION] FFmpeg handles and the in-memory output
// [SECTION] VideoReencoder
#include "eval/video_transforms.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libavutil/mathematics.h>
#include <libavutil/mem.h>
#include <libswscale/swscale.h>
}

namespace vigil::eval {

// [SECTION] The table of transforms

const std::vector<VideoTransformSpec>& VideoTransforms() {
  static const std::vector<VideoTransformSpec> kTransforms = {
      {"h264",
       "H.264 constant rate factor (libx264, higher is smaller and worse)",
       {{"crf23", 23}, {"crf30", 30}, {"crf38", 38}, {"crf45", 45}},
       {{"crf30", 30}, {"crf45", 45}}},
      {"scale",
       "both sides scaled, then H.264 CRF 23",
       {{"x0.5", 0.5}, {"x0.25", 0.25}},
       {{"x0.25", 0.25}}},
      {"fps",
       "frame rate scaled (nearest frames kept), then H.264 CRF 23",
       {{"x0.8", 0.8}, {"x0.5", 0.5}},
       {{"x0.5", 0.5}}},
      {"mpeg4",
       "MPEG-4 part 2 constant quantiser (2 best, 31 worst)",
       {{"q4", 4}, {"q12", 12}, {"q31", 31}},
       {{"q31", 31}}},
  };
  return kTransforms;
}

const VideoTransformSpec* FindVideoTransform(const std::string& name) {
  for (const VideoTransformSpec& spec : VideoTransforms()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

namespace {

// [SECTION] FFmpeg handles and the in-memory output

struct CodecDeleter {
  void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct FrameDeleter {
  void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct MuxerDeleter {
  void operator()(AVFormatContext* p) const {
    if (p == nullptr) return;
    if (p->pb != nullptr) {
      av_freep(&p->pb->buffer);
      avio_context_free(&p->pb);
    }
    avformat_free_context(p);
  }
};

std::string AvError(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, text, sizeof(text));
  return text;
}

// x264 and the MP4 muxer log to stderr; every failure is reported through Status instead.
void QuietFfmpegLogging() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

// The MP4 muxer seeks back to patch box sizes, so the output is a growable, seekable buffer.
struct MemoryOutput {
  std::vector<uint8_t> bytes;
  int64_t position = 0;
  bool too_large = false;
};

// FFmpeg 5.1 declares the buffer non-const (6.1 made it const).
int WriteBytes(void* opaque, uint8_t* data, int size) {
  auto* out = static_cast<MemoryOutput*>(opaque);
  const uint64_t end = static_cast<uint64_t>(out->position) + static_cast<uint64_t>(size);
  if (end > kMaxCopyBytes) {
    out->too_large = true;
    return AVERROR(EFBIG);
  }
  if (end > out->bytes.size()) out->bytes.resize(end);
  std::memcpy(out->bytes.data() + out->position, data, static_cast<size_t>(size));
  out->position = static_cast<int64_t>(end);
  return size;
}

int64_t SeekOutput(void* opaque, int64_t offset, int whence) {
  auto* out = static_cast<MemoryOutput*>(opaque);
  const auto size = static_cast<int64_t>(out->bytes.size());
  if (whence & AVSEEK_SIZE) return size;
  int64_t base = 0;
  switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = out->position;
      break;
    case SEEK_END:
      base = size;
      break;
    default:
      return AVERROR(EINVAL);
  }
  const int64_t target = base + offset;
  if (target < 0 || static_cast<uint64_t>(target) > kMaxCopyBytes) return AVERROR(EINVAL);
  out->position = target;
  return target;
}

uint32_t EvenAtLeastTwo(double side) {
  auto even = static_cast<uint32_t>(std::lround(side / 2.0)) * 2;
  return std::max<uint32_t>(even, 2);
}

}  // namespace

// [SECTION] VideoReencoder

struct VideoReencoder::Impl {
  std::string name;
  double source_rate = 0;
  AVRational out_rate{0, 1};
  uint32_t width = 0, height = 0;
  MemoryOutput output;
  std::unique_ptr<AVFormatContext, MuxerDeleter> muxer;
  std::unique_ptr<AVCodecContext, CodecDeleter> encoder;
  AVStream* stream = nullptr;
  std::unique_ptr<AVFrame, FrameDeleter> yuv;
  std::unique_ptr<AVPacket, PacketDeleter> packet;
  SwsContext* sws = nullptr;  // sws_getCachedContext owns the reuse; freed in the destructor
  int64_t next_pts = 0;       // the next output frame's number
  int64_t frames_in = 0;
  bool finished = false;

  ~Impl() { sws_freeContext(sws); }

  // Sends `frame` (nullptr: flush) and writes every packet the encoder has ready.
  Status Encode(const AVFrame* frame) {
    int rc = avcodec_send_frame(encoder.get(), frame);
    if (rc < 0) return Status::Internal("encoder " + name + ": " + AvError(rc));
    while (true) {
      rc = avcodec_receive_packet(encoder.get(), packet.get());
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Status::Ok();
      if (rc < 0) return Status::Internal("encoder " + name + ": " + AvError(rc));
      av_packet_rescale_ts(packet.get(), encoder->time_base, stream->time_base);
      packet->stream_index = stream->index;
      rc = av_interleaved_write_frame(muxer.get(), packet.get());
      if (rc < 0) {
        if (output.too_large) {
          return Status::Resource("re-encoded copy exceeds " + std::to_string(kMaxCopyBytes >> 20) +
                                  " MiB");
        }
        return Status::Internal("writing the MP4: " + AvError(rc));
      }
    }
  }
};

VideoReencoder::VideoReencoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VideoReencoder::~VideoReencoder() = default;
uint32_t VideoReencoder::width() const { return impl_->width; }
uint32_t VideoReencoder::height() const { return impl_->height; }
double VideoReencoder::frame_rate() const { return av_q2d(impl_->out_rate); }

StatusOr<std::unique_ptr<VideoReencoder>> VideoReencoder::Create(const std::string& name,
                                                                 double strength, uint32_t width,
                                                                 uint32_t height,
                                                                 double frame_rate) {
  QuietFfmpegLogging();
  const VideoTransformSpec* spec = FindVideoTransform(name);
  if (spec == nullptr) {
    std::string known;
    for (const VideoTransformSpec& s : VideoTransforms()) {
      known += (known.empty() ? "" : ", ") + s.name;
    }
    return Status::InvalidArgument("unknown video transform '" + name + "' (known: " + known + ")");
  }
  if (width == 0 || height == 0) return Status::InvalidArgument("the video has no frame size");
  if (!(frame_rate > 0) || !std::isfinite(frame_rate)) {
    return Status::InvalidArgument("the video has no frame rate");
  }
  auto impl = std::make_unique<Impl>();
  impl->name = name;
  impl->source_rate = frame_rate;
  AVRational source_rate = av_d2q(frame_rate, 100000);
  double scale = 1.0;
  std::string codec_name = "libx264";
  AVDictionary* settings = nullptr;
  int crf = 23;
  if (name == "h264") {
    if (!(strength >= 0 && strength <= 51) || strength != std::floor(strength)) {
      return Status::InvalidArgument("h264: the CRF must be a whole number 0..51");
    }
    crf = static_cast<int>(strength);
  } else if (name == "scale") {
    if (!(strength > 0 && strength <= 4)) {
      return Status::InvalidArgument("scale: the factor must be above 0 and at most 4");
    }
    scale = strength;
  } else if (name == "fps") {
    if (!(strength > 0 && strength <= 1)) {
      return Status::InvalidArgument("fps: the factor must be above 0 and at most 1");
    }
  } else {  // mpeg4
    if (!(strength >= 2 && strength <= 31) || strength != std::floor(strength)) {
      return Status::InvalidArgument("mpeg4: the quantiser must be a whole number 2..31");
    }
    codec_name = "mpeg4";
  }
  impl->out_rate = name == "fps" ? av_d2q(frame_rate * strength, 100000) : source_rate;
  if (impl->out_rate.num <= 0 || impl->out_rate.den <= 0 || av_q2d(impl->out_rate) < 0.1) {
    return Status::InvalidArgument("fps: the frame rate " + std::to_string(frame_rate) + " times " +
                                   std::to_string(strength) + " is under 0.1 frames per second");
  }
  impl->width = EvenAtLeastTwo(width * scale);
  impl->height = EvenAtLeastTwo(height * scale);

  const AVCodec* codec = avcodec_find_encoder_by_name(codec_name.c_str());
  if (codec == nullptr) {
    return Status::Unsupported("this FFmpeg build has no " + codec_name + " encoder");
  }
  AVFormatContext* muxer = nullptr;
  int rc = avformat_alloc_output_context2(&muxer, nullptr, "mp4", nullptr);
  if (rc < 0 || muxer == nullptr) {
    return Status::Unsupported("this FFmpeg build has no MP4 muxer: " + AvError(rc));
  }
  impl->muxer.reset(muxer);
  constexpr int kBufferSize = 1 << 16;
  auto* buffer = static_cast<unsigned char*>(av_malloc(kBufferSize));
  if (buffer == nullptr) return Status::Resource("out of memory");
  muxer->pb = avio_alloc_context(buffer, kBufferSize, /*write_flag=*/1, &impl->output, nullptr,
                                 WriteBytes, SeekOutput);
  if (muxer->pb == nullptr) {
    av_free(buffer);
    return Status::Resource("out of memory");
  }
  muxer->flags |= AVFMT_FLAG_CUSTOM_IO;

  impl->encoder.reset(avcodec_alloc_context3(codec));
  AVCodecContext* enc = impl->encoder.get();
  if (enc == nullptr) return Status::Resource("out of memory");
  enc->width = static_cast<int>(impl->width);
  enc->height = static_cast<int>(impl->height);
  enc->pix_fmt = AV_PIX_FMT_YUV420P;
  enc->time_base = av_inv_q(impl->out_rate);
  enc->framerate = impl->out_rate;
  enc->sample_aspect_ratio = AVRational{1, 1};
  enc->thread_count = 1;  // a study runs videos in parallel itself; copies stay reproducible
  if (muxer->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (codec_name == "mpeg4") {
    enc->flags |= AV_CODEC_FLAG_QSCALE;
    enc->global_quality = FF_QP2LAMBDA * static_cast<int>(strength);
  } else {
    av_dict_set(&settings, "preset", kX264Preset, 0);
    av_dict_set_int(&settings, "crf", crf, 0);
  }
  rc = avcodec_open2(enc, codec, &settings);
  av_dict_free(&settings);
  if (rc < 0) return Status::Internal("cannot open the " + codec_name + " encoder: " + AvError(rc));

  impl->stream = avformat_new_stream(muxer, nullptr);
  if (impl->stream == nullptr) return Status::Resource("out of memory");
  rc = avcodec_parameters_from_context(impl->stream->codecpar, enc);
  if (rc < 0) return Status::Internal("stream parameters: " + AvError(rc));
  impl->stream->time_base = enc->time_base;
  impl->stream->avg_frame_rate = impl->out_rate;
  rc = avformat_write_header(muxer, nullptr);
  if (rc < 0) return Status::Internal("writing the MP4 header: " + AvError(rc));

  impl->yuv.reset(av_frame_alloc());
  impl->packet.reset(av_packet_alloc());
  if (!impl->yuv || !impl->packet) return Status::Resource("out of memory");
  impl->yuv->format = AV_PIX_FMT_YUV420P;
  impl->yuv->width = enc->width;
  impl->yuv->height = enc->height;
  rc = av_frame_get_buffer(impl->yuv.get(), 0);
  if (rc < 0) return Status::Resource("frame buffer: " + AvError(rc));
  return std::unique_ptr<VideoReencoder>(new VideoReencoder(std::move(impl)));
}

Status VideoReencoder::AddFrame(const video::VideoFrame& frame) {
  Impl& m = *impl_;
  if (m.finished) return Status::Internal("AddFrame after Finish");
  if (frame.rgb == nullptr || frame.width == 0 || frame.height == 0) {
    return Status::InvalidArgument("an empty frame");
  }
  // Which output moments this source frame is the nearest one for: output frame j is at
  // j / out_rate; source frame i covers [i - 1/2, i + 1/2) / source_rate.
  const int64_t i = m.frames_in++;
  const double covers_until = (static_cast<double>(i) + 0.5) / m.source_rate;
  int copies = 0;
  while (static_cast<double>(m.next_pts) / av_q2d(m.out_rate) < covers_until) {
    if (copies++ == 0) {
      m.sws = sws_getCachedContext(m.sws, static_cast<int>(frame.width),
                                   static_cast<int>(frame.height), AV_PIX_FMT_RGB24,
                                   static_cast<int>(m.width), static_cast<int>(m.height),
                                   AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr);
      if (m.sws == nullptr) return Status::Internal("no RGB to YUV conversion for this size");
      int rc = av_frame_make_writable(m.yuv.get());
      if (rc < 0) return Status::Resource("frame buffer: " + AvError(rc));
      const uint8_t* src[1] = {frame.rgb};
      const int src_stride[1] = {static_cast<int>(frame.stride)};
      sws_scale(m.sws, src, src_stride, 0, static_cast<int>(frame.height), m.yuv->data,
                m.yuv->linesize);
    }
    m.yuv->pts = m.next_pts++;
    // MPEG-4 part 2 takes its constant quantiser from each frame, not the context alone.
    m.yuv->quality = m.encoder->global_quality;
    if (Status s = m.Encode(m.yuv.get()); !s.ok()) return s;
  }
  return Status::Ok();
}

StatusOr<std::vector<uint8_t>> VideoReencoder::Finish() {
  Impl& m = *impl_;
  if (m.finished) return Status::Internal("Finish called twice");
  m.finished = true;
  if (m.next_pts == 0) return Status::InvalidArgument("no frames to encode");
  if (Status s = m.Encode(nullptr); !s.ok()) return s;
  int rc = av_write_trailer(m.muxer.get());
  if (rc < 0) {
    if (m.output.too_large) {
      return Status::Resource("re-encoded copy exceeds " + std::to_string(kMaxCopyBytes >> 20) +
                              " MiB");
    }
    return Status::Internal("writing the MP4: " + AvError(rc));
  }
  avio_flush(m.muxer->pb);
  return std::move(m.output.bytes);
}

}  // namespace vigil::eval
