// FFmpeg demux + decode + RGB24 conversion behind VideoDecoder (see the header).
//
// [SECTION] FFmpeg handles and logging
// [SECTION] Input: memory and file AVIO (no protocols, no nested opens)
// [SECTION] Open: probe, header limits, stream info, decoder
// [SECTION] ForEachFrame: decode, sample, convert, lend
#include "vigil/video/video_decoder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libswscale/swscale.h>
}

namespace vigil::video {
namespace {

// [SECTION] FFmpeg handles and logging

struct FormatDeleter {
  void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct CodecDeleter {
  void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct FrameDeleter {
  void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsDeleter {
  void operator()(SwsContext* p) const { sws_freeContext(p); }
};
struct AvioDeleter {
  void operator()(AVIOContext* p) const {
    if (p == nullptr) return;
    av_freep(&p->buffer);
    avio_context_free(&p);
  }
};

std::string AvError(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, text, sizeof(text));
  return text;
}

// FFmpeg's own log lines would interleave with the one-line errors callers print; every
// failure is reported through Status instead.
void QuietFfmpegLogging() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

constexpr char kDemuxers[] =
    "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpegts,mpeg,asf,ogg,nut,yuv4mpegpipe,"
    "h264,hevc,m4v,ivf";

// [SECTION] Input: memory and file AVIO (no protocols, no nested opens)

// One source of bytes: a borrowed buffer, or a file read with pread (so a long video on
// disk is never held in memory whole).
struct ByteSource {
  const uint8_t* data = nullptr;  // memory source
  int fd = -1;                    // file source
  int64_t size = 0;
  int64_t position = 0;
  bool read_error = false;
  ~ByteSource() {
    if (fd >= 0) close(fd);
  }
};

int ReadBytes(void* opaque, uint8_t* buffer, int wanted) {
  auto* source = static_cast<ByteSource*>(opaque);
  int64_t left = source->size - source->position;
  if (left <= 0) return AVERROR_EOF;
  int n = static_cast<int>(std::min<int64_t>(left, wanted));
  if (source->data != nullptr) {
    std::memcpy(buffer, source->data + source->position, static_cast<size_t>(n));
  } else {
    ssize_t got = pread(source->fd, buffer, static_cast<size_t>(n), source->position);
    if (got < 0) {
      source->read_error = true;
      return AVERROR(EIO);
    }
    if (got == 0) return AVERROR_EOF;
    n = static_cast<int>(got);
  }
  source->position += n;
  return n;
}

int64_t SeekBytes(void* opaque, int64_t offset, int whence) {
  auto* source = static_cast<ByteSource*>(opaque);
  if (whence & AVSEEK_SIZE) return source->size;
  int64_t base = 0;
  switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = source->position;
      break;
    case SEEK_END:
      base = source->size;
      break;
    default:
      return AVERROR(EINVAL);
  }
  if (offset > INT64_MAX - base) return AVERROR(EINVAL);
  int64_t target = base + offset;
  if (target < 0) return AVERROR(EINVAL);
  source->position = target;  // beyond the end reads as end of file
  return target;
}

// Demuxers such as HLS, concat or image2 would open further files or URLs; none may.
int RefuseNestedOpen(AVFormatContext*, AVIOContext**, const char* url, int, AVDictionary**) {
  (void)url;
  return AVERROR(EPERM);
}

std::string Seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f", s);
  return text;
}

}  // namespace

// [SECTION] Open: probe, header limits, stream info, decoder

struct VideoDecoder::Impl {
  VideoLimits limits;
  std::unique_ptr<ByteSource> source;
  std::unique_ptr<AVIOContext, AvioDeleter> avio;
  std::unique_ptr<AVFormatContext, FormatDeleter> format;
  std::unique_ptr<AVCodecContext, CodecDeleter> codec;
  int stream_index = -1;
  VideoInfo info;
  std::vector<int64_t> keyframe_ts;  // the video stream's indexed keyframes (stream units)
  bool used = false;

  Status CheckFrameSize(uint32_t width, uint32_t height, const char* where) const {
    if (width > limits.max_dimension || height > limits.max_dimension) {
      return Status::Resource("video too large: " + std::string(where) + " " +
                              std::to_string(width) + "x" + std::to_string(height) +
                              " exceeds the limit of " + std::to_string(limits.max_dimension) +
                              " pixels per side");
    }
    if (static_cast<uint64_t>(width) * height > limits.max_pixels) {
      return Status::Resource("video too large: " + std::string(where) + " " +
                              std::to_string(width) + "x" + std::to_string(height) +
                              " exceeds the limit of " + std::to_string(limits.max_pixels) +
                              " pixels per frame");
    }
    return Status::Ok();
  }

  Status CheckHeader(const AVStream* stream) const {
    const AVCodecParameters* par = stream->codecpar;
    if (par->width > 0 && par->height > 0) {
      Status s = CheckFrameSize(static_cast<uint32_t>(par->width),
                                static_cast<uint32_t>(par->height), "the header says");
      if (!s.ok()) return s;
    }
    double duration = 0;
    if (format->duration > 0) duration = static_cast<double>(format->duration) / AV_TIME_BASE;
    if (stream->duration > 0 && stream->time_base.den > 0) {
      duration =
          std::max(duration, static_cast<double>(stream->duration) * av_q2d(stream->time_base));
    }
    if (duration > limits.max_duration_seconds) {
      return Status::Resource("video too long: " + Seconds(duration) + " s exceeds the limit of " +
                              Seconds(limits.max_duration_seconds) + " s");
    }
    if (stream->nb_frames > 0 && static_cast<uint64_t>(stream->nb_frames) > limits.max_frames) {
      return Status::Resource("too many frames: the container declares " +
                              std::to_string(stream->nb_frames) + ", the limit is " +
                              std::to_string(limits.max_frames));
    }
    return Status::Ok();
  }

  Status Open(const VideoLimits& wanted_limits) {
    QuietFfmpegLogging();
    limits = wanted_limits;
    constexpr int kAvioBuffer = 64 * 1024;
    auto* buffer = static_cast<uint8_t*>(av_malloc(kAvioBuffer));
    if (buffer == nullptr) return Status::Resource("out of memory for the video reader");
    avio.reset(
        avio_alloc_context(buffer, kAvioBuffer, 0, source.get(), ReadBytes, nullptr, SeekBytes));
    if (!avio) {
      av_free(buffer);
      return Status::Resource("out of memory for the video reader");
    }

    const AVInputFormat* input_format = nullptr;
    int probed = av_probe_input_buffer2(avio.get(), &input_format, "", nullptr, 0, 0);
    if (source->read_error) return Status::IoError("cannot read the video's bytes");
    if (probed < 0 || input_format == nullptr) {
      return Status::InvalidArgument("not a video: no container format recognised");
    }
    if (!av_match_list(input_format->name, kDemuxers, ',')) {
      return Status::Unsupported("not a video container Vigil reads: " +
                                 std::string(input_format->name) + " (allowed: " + kDemuxers + ")");
    }

    AVFormatContext* raw = avformat_alloc_context();
    if (raw == nullptr) return Status::Resource("out of memory for the video demuxer");
    raw->pb = avio.get();
    raw->flags |= AVFMT_FLAG_CUSTOM_IO;
    raw->io_open = RefuseNestedOpen;
    raw->format_whitelist = av_strdup(kDemuxers);
    raw->protocol_whitelist = av_strdup("none");
    raw->max_streams = 64;
    int rc = avformat_open_input(&raw, nullptr, input_format, nullptr);
    if (rc < 0) {  // avformat_open_input frees `raw` on failure
      return Status::Corruption("corrupt or truncated " + std::string(input_format->name) +
                                " video: " + AvError(rc));
    }
    format.reset(raw);
    info.container = input_format->name;

    bool has_audio = false;
    for (unsigned i = 0; i < format->nb_streams; ++i) {
      AVStream* st = format->streams[i];
      AVMediaType type = st->codecpar->codec_type;
      if (type == AVMEDIA_TYPE_AUDIO) has_audio = true;
      // Cover art in an audio file is a "video stream" of one still picture: not a video.
      if (type == AVMEDIA_TYPE_VIDEO && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC) &&
          stream_index < 0) {
        stream_index = static_cast<int>(i);
      } else {
        st->discard = AVDISCARD_ALL;  // never decoded, not even for stream info
      }
    }
    if (format->nb_streams == 0) {
      return Status::Corruption("corrupt " + info.container + " video: no streams found");
    }
    if (stream_index < 0) {
      return Status::InvalidArgument(has_audio ? "no video stream: the file is audio only"
                                               : "no video stream in the file");
    }
    AVStream* stream = format->streams[stream_index];
    Status header = CheckHeader(stream);
    if (!header.ok()) return header;

    // Stream info may decode a few frames: the decoders it opens get max_pixels too.
    std::vector<AVDictionary*> options(format->nb_streams, nullptr);
    for (auto& o : options) {
      av_dict_set_int(&o, "max_pixels", static_cast<int64_t>(limits.max_pixels), 0);
    }
    rc = avformat_find_stream_info(format.get(), options.data());
    for (auto& o : options) av_dict_free(&o);
    if (source->read_error) return Status::IoError("cannot read the video's bytes");
    if (rc < 0) {
      return Status::Corruption("corrupt video: cannot read its stream information: " +
                                AvError(rc));
    }
    const AVCodecParameters* par = stream->codecpar;
    if (par->width <= 0 || par->height <= 0) {
      return Status::Corruption("corrupt video: the frame size is unknown");
    }
    header = CheckHeader(stream);
    if (!header.ok()) return header;

    AVRational rate = stream->avg_frame_rate;
    if (rate.num == 0 || rate.den == 0) rate = stream->r_frame_rate;
    if (rate.num <= 0 || rate.den <= 0) {
      return Status::Corruption("corrupt video: the frame rate is unknown");
    }
    info.width = static_cast<uint32_t>(par->width);
    info.height = static_cast<uint32_t>(par->height);
    info.frame_rate = av_q2d(rate);
    if (format->duration > 0) {
      info.duration_seconds = static_cast<double>(format->duration) / AV_TIME_BASE;
    }
    info.declared_frames = stream->nb_frames;
    if (info.duration_seconds * info.frame_rate > static_cast<double>(limits.max_frames)) {
      return Status::Resource(
          "too many frames: about " +
          std::to_string(static_cast<int64_t>(info.duration_seconds * info.frame_rate)) + " (" +
          Seconds(info.duration_seconds) + " s at " + Seconds(info.frame_rate) +
          " frames/s), the limit is " + std::to_string(limits.max_frames));
    }

    // The container's index: keyframes for seeking, and a truncation check (an index
    // that points past the end of the bytes means the file was cut).
    int entries = avformat_index_get_entries_count(stream);
    int64_t index_end = 0;
    for (int i = 0; i < entries; ++i) {
      const AVIndexEntry* e = avformat_index_get_entry(stream, i);
      if (e == nullptr) continue;
      if (e->flags & AVINDEX_KEYFRAME) keyframe_ts.push_back(e->timestamp);
      if (e->pos >= 0) index_end = std::max<int64_t>(index_end, e->pos + e->size);
    }
    std::sort(keyframe_ts.begin(), keyframe_ts.end());
    info.keyframes_indexed = keyframe_ts.size();
    if (index_end > source->size) {
      return Status::Corruption("truncated video: its index reaches byte " +
                                std::to_string(index_end) + " but the data ends at byte " +
                                std::to_string(source->size));
    }

    const AVCodec* decoder = avcodec_find_decoder(par->codec_id);
    if (decoder == nullptr || decoder->type != AVMEDIA_TYPE_VIDEO) {
      return Status::Unsupported("no decoder for the video codec " +
                                 std::string(avcodec_get_name(par->codec_id)));
    }
    info.codec = decoder->name;
    codec.reset(avcodec_alloc_context3(decoder));
    if (!codec) return Status::Resource("out of memory for the video decoder");
    rc = avcodec_parameters_to_context(codec.get(), par);
    if (rc < 0) return Status::Corruption("corrupt video codec parameters: " + AvError(rc));
    codec->max_pixels = static_cast<int64_t>(limits.max_pixels);
    codec->thread_count = 1;  // the host runs items in parallel; one thread per item
    codec->pkt_timebase = stream->time_base;
    rc = avcodec_open2(codec.get(), decoder, nullptr);
    if (rc < 0) return Status::Corruption("cannot open the video decoder: " + AvError(rc));
    return Status::Ok();
  }

  Status Run(const SamplingOptions& sampling, const FrameCallback& callback, DecodeStats& stats);
};

// [SECTION] ForEachFrame: decode, sample, convert, lend

Status VideoDecoder::Impl::Run(const SamplingOptions& sampling, const FrameCallback& callback,
                               DecodeStats& stats) {
  if (used) return Status::InvalidArgument("a VideoDecoder decodes its video once");
  used = true;
  if (!sampling.every_frame &&
      !(sampling.frames_per_second > 0 && std::isfinite(sampling.frames_per_second))) {
    return Status::InvalidArgument("the sampling rate must be a positive number of frames/s");
  }
  // The reference's frame step: int(secondsPerHash * frameRate), at least 1.
  int64_t step = 1;
  if (!sampling.every_frame) {
    double seconds_per_sample = 1.0 / sampling.frames_per_second;
    double frames = seconds_per_sample * info.frame_rate;
    step = frames >= 1 ? static_cast<int64_t>(std::min(frames, 1e15)) : 1;
  }
  AVStream* stream = format->streams[stream_index];
  const double tb = av_q2d(stream->time_base);
  const int64_t start_pts = stream->start_time != AV_NOPTS_VALUE ? stream->start_time : 0;
  // Seek only when whole GOPs can be skipped: the step must exceed the widest gap
  // between indexed keyframes' frame numbers.
  bool seek_mode = false;
  if (sampling.allow_keyframe_seek && !sampling.every_frame && keyframe_ts.size() >= 2 && tb > 0) {
    int64_t widest = 0;
    for (size_t i = 1; i < keyframe_ts.size(); ++i) {
      double gap = static_cast<double>(keyframe_ts[i] - keyframe_ts[i - 1]) * tb * info.frame_rate;
      widest = std::max<int64_t>(widest, static_cast<int64_t>(std::ceil(gap)));
    }
    seek_mode = step > widest;
  }

  std::unique_ptr<AVPacket, PacketDeleter> packet(av_packet_alloc());
  std::unique_ptr<AVFrame, FrameDeleter> frame(av_frame_alloc());
  std::unique_ptr<AVFrame, FrameDeleter> rgb;
  std::unique_ptr<SwsContext, SwsDeleter> sws;
  if (!packet || !frame) return Status::Resource("out of memory for video frames");

  int64_t next_target = 0;
  int64_t last_video_dts = INT64_MIN;
  bool draining = false;

  // Converts and lends one frame numbered `number` when it is due.
  auto handle_frame = [&](AVFrame* f) -> Status {
    ++stats.frames_decoded;
    if (static_cast<uint64_t>(stats.frames_decoded) > limits.max_frames) {
      return Status::Resource("too many frames: more than " + std::to_string(limits.max_frames) +
                              " decoded");
    }
    int64_t number = stats.frames_decoded - 1;
    if (seek_mode) {
      int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
      if (ts == AV_NOPTS_VALUE) return Status::Corruption("video frame without a timestamp");
      number = std::llround(static_cast<double>(ts - start_pts) * tb * info.frame_rate);
    }
    // Every decoded frame is held to the limits, sampled or not (a stream may change its
    // frame size after the header; FFmpeg's max_pixels already bounded the allocation).
    if (f->width <= 0 || f->height <= 0) {
      return Status::Corruption("corrupt video: frame " + std::to_string(number) + " has no size");
    }
    Status size =
        CheckFrameSize(static_cast<uint32_t>(f->width), static_cast<uint32_t>(f->height), "frame");
    if (!size.ok()) return size;
    bool due = seek_mode ? number >= next_target : number % step == 0;
    if (!due) return Status::Ok();
    if (!rgb || rgb->width != f->width || rgb->height != f->height) {
      rgb.reset(av_frame_alloc());
      if (!rgb) return Status::Resource("out of memory for a video frame");
      rgb->format = AV_PIX_FMT_RGB24;
      rgb->width = f->width;
      rgb->height = f->height;
      if (av_frame_get_buffer(rgb.get(), 0) < 0) {
        return Status::Resource("out of memory for a " + std::to_string(f->width) + "x" +
                                std::to_string(f->height) + " video frame");
      }
    }
    // Full size, RGB24, SWS_AREA: the reference's conversion, plus SWS_ACCURATE_RND:
    // without it Debian's FFmpeg 5.1 takes its x86 SIMD YUV->RGB path, which rounds
    // differently from the C path behind the reference hashes (measured on the shared
    // clips: 3049 of 5872 frames bit-exact, largest distance 76 without it; see
    // docs/video.md for the figures with it).
    sws.reset(sws_getCachedContext(
        sws.release(), f->width, f->height, static_cast<AVPixelFormat>(f->format), f->width,
        f->height, AV_PIX_FMT_RGB24, SWS_AREA | SWS_ACCURATE_RND, nullptr, nullptr, nullptr));
    if (!sws) {
      return Status::Unsupported(
          "cannot convert the video's pixel format " +
          std::string(av_get_pix_fmt_name(static_cast<AVPixelFormat>(f->format))
                          ? av_get_pix_fmt_name(static_cast<AVPixelFormat>(f->format))
                          : "?") +
          " to RGB");
    }
    sws_scale(sws.get(), f->data, f->linesize, 0, f->height, rgb->data, rgb->linesize);
    VideoFrame lent;
    lent.rgb = rgb->data[0];
    lent.width = static_cast<uint32_t>(f->width);
    lent.height = static_cast<uint32_t>(f->height);
    lent.stride = static_cast<size_t>(rgb->linesize[0]);
    lent.frame_number = number;
    lent.timestamp_seconds = static_cast<double>(number) / info.frame_rate;
    ++stats.frames_lent;
    next_target = seek_mode ? (number / step + 1) * step : number + 1;
    return callback(lent);
  };

  auto receive_all = [&]() -> Status {
    while (true) {
      int rc = avcodec_receive_frame(codec.get(), frame.get());
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Status::Ok();
      if (rc < 0) {
        return Status::Corruption("corrupt video: decoding failed after frame " +
                                  std::to_string(stats.frames_decoded) + ": " + AvError(rc));
      }
      Status s = handle_frame(frame.get());
      av_frame_unref(frame.get());
      if (!s.ok()) return s;
    }
  };

  // Seeks forward to the last keyframe at or before the next sampled frame when that
  // keyframe is ahead of the packets read so far. Keyframes sought only increase, so a
  // demuxer that lands earlier than asked (or a crafted index) cannot make this loop.
  int64_t last_sought = INT64_MIN;
  auto maybe_seek = [&]() {
    if (!seek_mode) return;
    double target_ts =
        static_cast<double>(start_pts) + static_cast<double>(next_target) / info.frame_rate / tb;
    auto after = std::upper_bound(keyframe_ts.begin(), keyframe_ts.end(), target_ts,
                                  [](double t, int64_t k) { return t < static_cast<double>(k); });
    if (after == keyframe_ts.begin()) return;
    int64_t keyframe = *(after - 1);
    if (keyframe <= last_video_dts || keyframe <= last_sought) return;
    last_sought = keyframe;
    if (av_seek_frame(format.get(), stream_index, keyframe, AVSEEK_FLAG_BACKWARD) >= 0) {
      avcodec_flush_buffers(codec.get());
      ++stats.seeks;
      last_video_dts = keyframe;
    }
  };

  while (!draining) {
    maybe_seek();
    int rc = av_read_frame(format.get(), packet.get());
    if (rc == AVERROR_EOF) {
      draining = true;
      break;
    }
    if (rc < 0) {
      if (source->read_error) return Status::IoError("cannot read the video's bytes");
      return Status::Corruption("corrupt or truncated video after frame " +
                                std::to_string(stats.frames_decoded) + ": " + AvError(rc));
    }
    if (packet->stream_index != stream_index) {
      av_packet_unref(packet.get());
      continue;
    }
    if (packet->flags & AV_PKT_FLAG_CORRUPT) {
      av_packet_unref(packet.get());
      return Status::Corruption("truncated or corrupt video: a damaged packet after frame " +
                                std::to_string(stats.frames_decoded));
    }
    if (packet->dts != AV_NOPTS_VALUE) last_video_dts = packet->dts;
    rc = avcodec_send_packet(codec.get(), packet.get());
    av_packet_unref(packet.get());
    if (rc < 0 && rc != AVERROR(EAGAIN)) {
      return Status::Corruption("corrupt video: the decoder refused data after frame " +
                                std::to_string(stats.frames_decoded) + ": " + AvError(rc));
    }
    Status s = receive_all();
    if (!s.ok()) return s;
  }
  int rc = avcodec_send_packet(codec.get(), nullptr);  // flush the decoder's delay
  if (rc < 0 && rc != AVERROR_EOF) {
    return Status::Corruption("corrupt video: flushing the decoder failed: " + AvError(rc));
  }
  return receive_all();
}

const char* VideoDemuxers() { return kDemuxers; }

VideoDecoder::VideoDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VideoDecoder::~VideoDecoder() = default;

const VideoInfo& VideoDecoder::info() const { return impl_->info; }

StatusOr<std::unique_ptr<VideoDecoder>> VideoDecoder::OpenMemory(const uint8_t* data, size_t size,
                                                                 const VideoLimits& limits) {
  if (size == 0) return Status::InvalidArgument("empty input: 0 bytes is not a video");
  if (data == nullptr) return Status::InvalidArgument("no video bytes (null data)");
  if (size > limits.max_input_bytes) {
    return Status::Resource("video too large: " + std::to_string(size) +
                            " bytes exceeds the limit of " +
                            std::to_string(limits.max_input_bytes) + " bytes");
  }
  auto impl = std::make_unique<Impl>();
  impl->source = std::make_unique<ByteSource>();
  impl->source->data = data;
  impl->source->size = static_cast<int64_t>(size);
  Status s = impl->Open(limits);
  if (!s.ok()) return s;
  return std::unique_ptr<VideoDecoder>(new VideoDecoder(std::move(impl)));
}

StatusOr<std::unique_ptr<VideoDecoder>> VideoDecoder::OpenFile(const std::string& path,
                                                               const VideoLimits& limits) {
  auto source = std::make_unique<ByteSource>();
  source->fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (source->fd < 0) {
    return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (fstat(source->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::IoError("cannot read " + path + ": not a regular file");
  }
  if (st.st_size == 0) return Status::InvalidArgument("empty input: 0 bytes is not a video");
  if (static_cast<uint64_t>(st.st_size) > limits.max_input_bytes) {
    return Status::Resource("video too large: " + std::to_string(st.st_size) +
                            " bytes exceeds the limit of " +
                            std::to_string(limits.max_input_bytes) + " bytes");
  }
  source->size = st.st_size;
  auto impl = std::make_unique<Impl>();
  impl->source = std::move(source);
  Status s = impl->Open(limits);
  if (!s.ok()) return s;
  return std::unique_ptr<VideoDecoder>(new VideoDecoder(std::move(impl)));
}

Status VideoDecoder::ForEachFrame(const SamplingOptions& sampling, const FrameCallback& callback,
                                  DecodeStats* stats) {
  DecodeStats local;
  Status s = impl_->Run(sampling, callback, stats != nullptr ? *stats : local);
  return s;
}

}  // namespace vigil::video
