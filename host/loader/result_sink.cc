#include "loader/result_sink.h"

namespace vigil::host {

BufferSink::BufferSink(size_t capacity) : capacity_(capacity) {
  sink_.struct_size = sizeof(vigil_sink_t);
  sink_.reserved = 0;
  sink_.host_data = this;
  sink_.write = &BufferSink::Write;
}

void BufferSink::Clear() {
  data_.clear();
  overflowed_ = false;
}

vigil_status_t BufferSink::Write(const vigil_sink_t* sink, const void* data, size_t size) {
  if (sink == nullptr || sink->host_data == nullptr) return VIGIL_ERR_INVALID_ARGUMENT;
  auto* self = static_cast<BufferSink*>(sink->host_data);
  if (size == 0) return VIGIL_OK;
  if (data == nullptr) return VIGIL_ERR_INVALID_ARGUMENT;
  if (size > self->capacity_ - self->data_.size()) {
    self->overflowed_ = true;
    return VIGIL_ERR_RESOURCE;
  }
  self->data_.append(static_cast<const char*>(data), size);
  return VIGIL_OK;
}

}  // namespace vigil::host
