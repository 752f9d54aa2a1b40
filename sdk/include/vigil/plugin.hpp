// Vigil C++ plugin helper (header-only).
//
// Write a class, export it with one macro; this header produces the C tables of
// vigil/plugin.h, parses the configuration, serializes results into the host's sinks
// and catches every exception at the ABI boundary (a C++ exception must never unwind
// into the host).
//
//   class MyDetector {
//    public:
//     static constexpr const char* kId = "acme.my-detector";
//     static constexpr uint64_t kFlags = 0;               // optional: VIGIL_DETECTOR_SERIAL
//     static vigil::v1::DetectorInfo Describe();
//     MyDetector(const vigil::v1::DetectorConfig& config, const vigil::sdk::Host& host);
//     void Analyze(const vigil::sdk::Item& item, vigil::v1::AnalysisResult& result);
//   };
//   VIGIL_PLUGIN(MyDetector)            // several detectors: VIGIL_PLUGIN(A, B, C)
//
// Batches (optional): a detector that also defines
//     void AnalyzeBatch(const std::vector<vigil::sdk::Item>& items,
//                       std::vector<vigil::sdk::BatchSlot>& slots);
// (slots has one entry per item; set each slot's result, or its status and error)
// is offered to the host through the "vigil.batch/1" extension (vigil/ext/batch.h).
//
// Frames (optional, ABI 1.1): a detector that also defines
//     struct Video;                                          // its per-video state
//     void FrameRequest(vigil_frame_request_t& request);     // which frames it wants
//     std::unique_ptr<Video> BeginVideo(const vigil::sdk::Item& item,
//                                       const vigil_video_info_t& info);
//     void AnalyzeFrame(Video& video, const vigil_frame_view_t& frame);
//     void EndVideo(Video& video, vigil_status_t decode_status,
//                   vigil::v1::AnalysisResult& result);
// is offered to the host through "vigil.frames/1" (vigil/ext/frames.h): video items then
// come as sampled frames instead of one Analyze(). The Video is freed after EndVideo.
//
// Errors: throw vigil::sdk::Error(VIGIL_ERR_BAD_INPUT, "why") (or ConfigError from the
// constructor); any other exception becomes VIGIL_ERR_INTERNAL with its what() text,
// std::bad_alloc becomes VIGIL_ERR_RESOURCE.
//
// Messages: the plugin links the SDK's one shared copy of the vigil.v1 messages
// (VigilSDK::proto), which vigil_add_plugin() does for C++ sources.
#ifndef VIGIL_PLUGIN_HPP
#define VIGIL_PLUGIN_HPP

#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <vector>

#include "vigil/ext/batch.h"
#include "vigil/ext/frames.h"
#include "vigil/plugin.h"
#include "vigil/v1/detector.pb.h"
#include "vigil/v1/item.pb.h"
#include "vigil/v1/result.pb.h"

namespace vigil::sdk {

// [SECTION] Errors ------------------------------------------------------------------

// Thrown by detector code; becomes the returned status and the error text.
class Error : public std::runtime_error {
 public:
  Error(vigil_status_t status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  vigil_status_t status() const noexcept { return status_; }

 private:
  vigil_status_t status_;
};

// Thrown from a detector's constructor when its configuration is unusable.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(VIGIL_ERR_CONFIG, message) {}
};

// [SECTION] Host and item wrappers ----------------------------------------------------

// The host's services, borrowed for the plugin's lifetime.
class Host {
 public:
  explicit Host(const vigil_host_t* host) : host_(host) {}
  void Log(int32_t level, const std::string& message) const {
    if (host_ && host_->log) host_->log(host_, level, message.c_str());
  }
  bool IsCancelled() const {
    return host_ && host_->is_cancelled && host_->is_cancelled(host_) != 0;
  }
  const vigil_host_t* raw() const { return host_; }

 private:
  const vigil_host_t* host_;
};

// One item, borrowed for the duration of Analyze().
class Item {
 public:
  explicit Item(const vigil_item_view_t* view) : view_(view) {}
  uint32_t media_kind() const { return view_->media_kind; }
  std::string_view bytes() const {
    return view_->bytes ? std::string_view(reinterpret_cast<const char*>(view_->bytes),
                                           view_->bytes_size)
                        : std::string_view();
  }
  // The decoded image, or nullptr when the item is not an image.
  const vigil_image_view_t* image() const { return view_->image; }
  // Parses the item's metadata; throws Error(VIGIL_ERR_INVALID_ARGUMENT) if malformed.
  vigil::v1::ItemMetadata Metadata() const {
    vigil::v1::ItemMetadata metadata;
    if (view_->metadata_size > 0 &&
        !metadata.ParseFromArray(view_->metadata, static_cast<int>(view_->metadata_size))) {
      throw Error(VIGIL_ERR_INVALID_ARGUMENT, "item metadata is not a vigil.v1.ItemMetadata");
    }
    return metadata;
  }
  const vigil_item_view_t* raw() const { return view_; }

 private:
  const vigil_item_view_t* view_;
};

// One item's outcome in a batch: a result, or a failure status with its reason.
struct BatchSlot {
  vigil::v1::AnalysisResult result;
  vigil_status_t status = VIGIL_OK;
  std::string error;
};

namespace detail {

inline void WriteText(const vigil_sink_t* sink, std::string_view text) noexcept {
  if (sink && sink->write) sink->write(sink, text.data(), text.size());
}

// Runs `body` and turns every exception into a status plus error text.
template <class Fn>
vigil_status_t Guard(const vigil_sink_t* err, Fn&& body) noexcept {
  try {
    return body();
  } catch (const Error& e) {
    WriteText(err, e.what());
    return e.status();
  } catch (const std::bad_alloc&) {
    WriteText(err, "out of memory");
    return VIGIL_ERR_RESOURCE;
  } catch (const std::exception& e) {
    WriteText(err, e.what());
    return VIGIL_ERR_INTERNAL;
  } catch (...) {
    WriteText(err, "unknown exception in plugin");
    return VIGIL_ERR_INTERNAL;
  }
}

// A sink that collects text for the helper itself (the reason a whole batch failed).
struct StringSink {
  vigil_sink_t sink;
  std::string text;
  StringSink() : sink{sizeof(vigil_sink_t), 0, this, &Write} {}
  static vigil_status_t Write(const vigil_sink_t* s, const void* data, size_t size) {
    static_cast<StringSink*>(s->host_data)->text.append(static_cast<const char*>(data), size);
    return VIGIL_OK;
  }
};

inline vigil_status_t WriteMessage(const google::protobuf::MessageLite& message,
                                   const vigil_sink_t* out) {
  std::string bytes;
  if (!message.SerializeToString(&bytes)) {
    throw Error(VIGIL_ERR_INTERNAL, "could not serialize " + message.GetTypeName());
  }
  if (bytes.empty()) return VIGIL_OK;
  return out->write(out, bytes.data(), bytes.size());
}

template <class D, class = void>
struct FlagsOf {
  static constexpr uint64_t value = 0;
};
template <class D>
struct FlagsOf<D, std::void_t<decltype(D::kFlags)>> {
  static constexpr uint64_t value = D::kFlags;
};

template <class D, class = void>
struct HasBatch : std::false_type {};
template <class D>
struct HasBatch<D, std::void_t<decltype(std::declval<D&>().AnalyzeBatch(
                       std::declval<const std::vector<Item>&>(),
                       std::declval<std::vector<BatchSlot>&>()))>> : std::true_type {};

template <class D, class = void>
struct HasFrames : std::false_type {};
template <class D>
struct HasFrames<D, std::void_t<decltype(std::declval<D&>().FrameRequest(
                        std::declval<vigil_frame_request_t&>()))>> : std::true_type {};

// The vigil.frames/1 trampolines, for a D that has FrameRequest and the rest.
template <class D>
struct FramesTrampolines {
  using Video = typename D::Video;
  static vigil_status_t FrameRequest(void* instance, vigil_frame_request_t* request) noexcept {
    return Guard(nullptr, [&]() -> vigil_status_t {
      if (instance == nullptr || request == nullptr) return VIGIL_ERR_INVALID_ARGUMENT;
      static_cast<D*>(instance)->FrameRequest(*request);
      return VIGIL_OK;
    });
  }
  static vigil_status_t BeginVideo(void* instance, const vigil_item_view_t* item,
                                   const vigil_video_info_t* info, void** video,
                                   const vigil_sink_t* err) noexcept {
    return Guard(err, [&] {
      if (instance == nullptr || item == nullptr || info == nullptr || video == nullptr) {
        throw Error(VIGIL_ERR_INVALID_ARGUMENT, "begin_video called with a NULL argument");
      }
      *video = nullptr;
      std::unique_ptr<Video> state = static_cast<D*>(instance)->BeginVideo(Item(item), *info);
      *video = state.release();
      return VIGIL_OK;
    });
  }
  static vigil_status_t AnalyzeFrame(void* instance, void* video, const vigil_frame_view_t* frame,
                                     const vigil_sink_t* err) noexcept {
    return Guard(err, [&] {
      if (instance == nullptr || video == nullptr || frame == nullptr) {
        throw Error(VIGIL_ERR_INVALID_ARGUMENT, "analyze_frame called with a NULL argument");
      }
      static_cast<D*>(instance)->AnalyzeFrame(*static_cast<Video*>(video), *frame);
      return VIGIL_OK;
    });
  }
  static vigil_status_t EndVideo(void* instance, void* video, vigil_status_t decode_status,
                                 const vigil_sink_t* out, const vigil_sink_t* err) noexcept {
    std::unique_ptr<Video> state(static_cast<Video*>(video));  // freed whatever happens
    return Guard(err, [&]() -> vigil_status_t {
      if (instance == nullptr || out == nullptr) {
        throw Error(VIGIL_ERR_INVALID_ARGUMENT, "end_video called with a NULL argument");
      }
      if (!state) return VIGIL_OK;  // begin_video failed: nothing to report
      vigil::v1::AnalysisResult result;
      static_cast<D*>(instance)->EndVideo(*state, decode_status, result);
      return WriteMessage(result, out);
    });
  }
};

// The C trampolines for one detector class D.
template <class D>
struct Trampolines {
  static vigil_status_t Describe(const vigil_detector_t*, const vigil_sink_t* out) noexcept {
    return Guard(nullptr, [&] {
      vigil::v1::DetectorInfo info = D::Describe();
      if (info.id().empty()) info.set_id(D::kId);
      return WriteMessage(info, out);
    });
  }

  static vigil_status_t Create(const vigil_detector_t*, const vigil_host_t* host,
                               const uint8_t* config, size_t config_size, void** instance,
                               const vigil_sink_t* err) noexcept {
    return Guard(err, [&] {
      if (instance == nullptr) throw Error(VIGIL_ERR_INVALID_ARGUMENT, "instance is NULL");
      *instance = nullptr;
      vigil::v1::DetectorConfig parsed;
      if (config_size > 0 &&
          !parsed.ParseFromArray(config, static_cast<int>(config_size))) {
        throw ConfigError(std::string(D::kId) +
                          ": configuration is not a valid vigil.v1.DetectorConfig message");
      }
      *instance = new D(parsed, Host(host));
      return VIGIL_OK;
    });
  }

  static void Destroy(void* instance) noexcept { delete static_cast<D*>(instance); }

  static vigil_status_t Analyze(void* instance, const vigil_item_view_t* item,
                                const vigil_sink_t* out, const vigil_sink_t* err) noexcept {
    return Guard(err, [&] {
      if (instance == nullptr || item == nullptr || out == nullptr) {
        throw Error(VIGIL_ERR_INVALID_ARGUMENT, "analyze called with a NULL argument");
      }
      vigil::v1::AnalysisResult result;
      static_cast<D*>(instance)->Analyze(Item(item), result);
      return WriteMessage(result, out);
    });
  }

  static vigil_status_t AnalyzeBatch(void* instance, const vigil_item_view_t* const* items,
                                     uint32_t count, const vigil_sink_t* const* outs,
                                     const vigil_sink_t* const* errs,
                                     vigil_status_t* statuses) noexcept {
    if constexpr (HasBatch<D>::value) {
      if (instance == nullptr || (count > 0 && (!items || !outs || !errs || !statuses))) {
        return VIGIL_ERR_INVALID_ARGUMENT;
      }
      std::vector<BatchSlot> slots;
      StringSink why;
      const vigil_status_t whole = Guard(&why.sink, [&] {
        std::vector<Item> wrapped;
        wrapped.reserve(count);
        for (uint32_t i = 0; i < count; ++i) wrapped.emplace_back(items[i]);
        slots.resize(count);
        static_cast<D*>(instance)->AnalyzeBatch(wrapped, slots);
        return VIGIL_OK;
      });
      for (uint32_t i = 0; i < count; ++i) {
        if (whole != VIGIL_OK) {
          statuses[i] = whole;
          WriteText(errs[i], "the batch failed as a whole: " + why.text);
          continue;
        }
        statuses[i] = slots[i].status;
        if (slots[i].status != VIGIL_OK) {
          WriteText(errs[i], slots[i].error.empty() ? "failed" : slots[i].error);
          continue;
        }
        statuses[i] = Guard(errs[i], [&] { return WriteMessage(slots[i].result, outs[i]); });
      }
      return whole;
    } else {
      return VIGIL_ERR_UNSUPPORTED;
    }
  }

  static const void* GetExtension(void*, const char* id) noexcept {
    if constexpr (HasBatch<D>::value) {
      static const vigil_batch_ext_t batch = {sizeof(vigil_batch_ext_t), 0, &AnalyzeBatch};
      if (id != nullptr && std::strcmp(id, VIGIL_EXT_BATCH) == 0) return &batch;
    }
    if constexpr (HasFrames<D>::value) {
      using F = FramesTrampolines<D>;
      static const vigil_frames_ext_t frames = {sizeof(vigil_frames_ext_t), 0, &F::FrameRequest,
                                                &F::BeginVideo, &F::AnalyzeFrame, &F::EndVideo};
      if (id != nullptr && std::strcmp(id, VIGIL_EXT_FRAMES) == 0) return &frames;
    }
    return nullptr;
  }

  static const vigil_detector_t* Table() noexcept {
    static const vigil_detector_t table = {sizeof(vigil_detector_t), 0, D::kId,
                                           FlagsOf<D>::value, &Describe, &Create, &Destroy,
                                           &Analyze, &GetExtension};
    return &table;
  }
};

template <class... Ds>
struct Plugin {
  static vigil_status_t Negotiate(uint32_t host_major, uint32_t host_max_minor,
                                  uint32_t* chosen_minor) noexcept {
    if (chosen_minor == nullptr || host_major != VIGIL_ABI_MAJOR) return VIGIL_ERR_ABI;
    // This helper needs only ABI 1.0; speak the newest minor both sides know.
    const uint32_t ours = VIGIL_ABI_MINOR;
    *chosen_minor = host_max_minor < ours ? host_max_minor : ours;
    return VIGIL_OK;
  }
  static vigil_status_t Init(const vigil_host_t*, const vigil_sink_t*) noexcept {
    GOOGLE_PROTOBUF_VERIFY_VERSION;
    return VIGIL_OK;
  }
  static void Deinit() noexcept {}
  static uint32_t Count() noexcept { return sizeof...(Ds); }
  static const vigil_detector_t* Get(uint32_t index) noexcept {
    static const vigil_detector_t* const tables[] = {Trampolines<Ds>::Table()...};
    return index < sizeof...(Ds) ? tables[index] : nullptr;
  }
  static constexpr vigil_plugin_entry_t Entry() {
    return vigil_plugin_entry_t{sizeof(vigil_plugin_entry_t),
                                0,
                                {VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, VIGIL_ABI_PATCH},
                                &Negotiate,
                                &Init,
                                &Deinit,
                                &Count,
                                &Get};
  }
};

}  // namespace detail

// Throws ConfigError unless every key of config.params is one of `known`.
inline void RequireKnownParams(const vigil::v1::DetectorConfig& config,
                               std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : config.params()) {
    bool found = false;
    for (std::string_view k : known) found = found || k == key;
    if (!found) throw ConfigError("unknown configuration parameter '" + key + "'");
  }
}

}  // namespace vigil::sdk

// Exports the plugin's one symbol for the listed detector classes.
#define VIGIL_PLUGIN(...)                                              \
  extern "C" VIGIL_EXPORT const vigil_plugin_entry_t vigil_entry_v1 = \
      ::vigil::sdk::detail::Plugin<__VA_ARGS__>::Entry();

#endif  // VIGIL_PLUGIN_HPP
