// Detector and DetectorInstance: the host's safe handles on a plugin's detector table.
//
// Every call into the plugin goes through here: results land in host-owned sinks with
// a size limit, C++ exceptions that escape a plugin are caught, statuses and malformed
// output become Status messages that name the detector. Both handles keep the plugin's
// library loaded for as long as they live.
#ifndef VIGIL_HOST_LOADER_DETECTOR_H_
#define VIGIL_HOST_LOADER_DETECTOR_H_

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "loader/analyzer.h"
#include "vigil/ext/batch.h"
#include "vigil/ext/frames.h"
#include "vigil/plugin.h"
#include "vigil/v1/detector.pb.h"
#include "vigil/v1/result.pb.h"

namespace vigil::host {

class PluginLibrary;

// Limits on what one plugin call may write.
inline constexpr size_t kMaxResultBytes = 16u << 20;  // 16 MiB of serialized results
inline constexpr size_t kMaxErrorBytes = 64u << 10;   // 64 KiB of error text
inline constexpr size_t kMaxDescribeBytes = 1u << 20;

// An in-process instance of a detector.
class DetectorInstance : public Analyzer {
 public:
  ~DetectorInstance() override;
  DetectorInstance(const DetectorInstance&) = delete;
  DetectorInstance& operator=(const DetectorInstance&) = delete;

  // [thread-safe] Serialised internally when the detector declared SERIAL.
  AnalyzeOutcome Analyze(const vigil_item_view_t& item) override;
  // [thread-safe] Several items in one call through the plugin's "vigil.batch/1"
  // extension, or one Analyze per item when the plugin has none. One outcome per item.
  std::vector<AnalyzeOutcome> AnalyzeBatch(const std::vector<const vigil_item_view_t*>& items);
  bool supports_batch() const { return batch_ != nullptr; }
  const std::string& detector_id() const override { return id_; }
  // vigil.frames/1: asked once, when the instance is made.
  FrameWants frame_wants() const override { return frame_wants_; }
  StatusOr<std::unique_ptr<VideoSession>> BeginVideo(const vigil_item_view_t& item,
                                                     const vigil_video_info_t& info) override;

 private:
  friend class Detector;
  DetectorInstance(std::shared_ptr<PluginLibrary> library, const vigil_detector_t* table,
                   void* instance, std::string id);
  void QueryFrames();  // sets frames_ and frame_wants_ (frames_session.cc)

  std::shared_ptr<PluginLibrary> library_;  // declared first: destroyed last
  const vigil_detector_t* table_;
  void* instance_;
  std::string id_;
  bool serial_;
  const vigil_batch_ext_t* batch_ = nullptr;  // owned by the plugin, valid while we live
  const vigil_frames_ext_t* frames_ = nullptr;  // the same
  FrameWants frame_wants_;
  std::mutex serial_mutex_;
  friend class InProcessVideoSession;
};

class Detector {
 public:
  Detector(std::shared_ptr<PluginLibrary> library, const vigil_detector_t* table,
           vigil::v1::DetectorInfo info);
  // A detector whose code runs in a worker process (host/isolation): described, never
  // loaded here. Create() refuses it; the isolation layer makes its analyzers.
  Detector(vigil::v1::DetectorInfo info, uint64_t flags, std::filesystem::path plugin_path);

  const std::string& id() const { return info_.id(); }
  const vigil::v1::DetectorInfo& info() const { return info_; }
  uint64_t flags() const { return table_ != nullptr ? table_->flags : flags_; }
  // REQUIRES: in_process().
  const PluginLibrary& library() const { return *library_; }
  bool in_process() const { return library_ != nullptr; }
  // The plugin file this detector comes from.
  const std::filesystem::path& plugin_path() const;
  // True if the detector declared it accepts this VIGIL_MEDIA_* kind.
  bool Accepts(uint32_t media_kind) const;

  StatusOr<std::unique_ptr<DetectorInstance>> Create(
      const vigil::v1::DetectorConfig& config) const;
  // Passes `config_bytes` as they are (the conformance kit sends garbage on purpose).
  StatusOr<std::unique_ptr<DetectorInstance>> CreateFromBytes(
      const std::string& config_bytes) const;

 private:
  std::shared_ptr<PluginLibrary> library_;
  const vigil_detector_t* table_;
  vigil::v1::DetectorInfo info_;
  uint64_t flags_ = 0;                  // out-of-process detectors only
  std::filesystem::path plugin_path_;   // out-of-process detectors only
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_LOADER_DETECTOR_H_
