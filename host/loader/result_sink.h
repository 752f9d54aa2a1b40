// BufferSink: the host-owned vigil_sink_t a plugin writes its results or error text to.
#ifndef VIGIL_HOST_LOADER_RESULT_SINK_H_
#define VIGIL_HOST_LOADER_RESULT_SINK_H_

#include <cstddef>
#include <string>

#include "vigil/plugin.h"

namespace vigil::host {

// Collects bytes up to a capacity. A write that would pass the capacity is refused
// whole (VIGIL_ERR_RESOURCE) and remembered, so the host can tell a plugin that
// ignored the refusal from one that stopped.
class BufferSink {
 public:
  explicit BufferSink(size_t capacity);
  BufferSink(const BufferSink&) = delete;
  BufferSink& operator=(const BufferSink&) = delete;

  // The C view, valid while this object lives.
  const vigil_sink_t* sink() const { return &sink_; }
  const std::string& data() const { return data_; }
  size_t capacity() const { return capacity_; }
  bool overflowed() const { return overflowed_; }
  void Clear();

 private:
  static vigil_status_t Write(const vigil_sink_t* sink, const void* data, size_t size);

  vigil_sink_t sink_;
  std::string data_;
  size_t capacity_;
  bool overflowed_ = false;
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_LOADER_RESULT_SINK_H_
