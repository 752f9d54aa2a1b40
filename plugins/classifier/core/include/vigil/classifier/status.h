// Status and StatusOr for the classifier library: failures are values with a message a
// person can act on, never exceptions or exit(). Same shape as the host's vigil::Status
// so a wrapper maps one onto the other by code, but with no dependency on host/.
#ifndef VIGIL_CLASSIFIER_STATUS_H_
#define VIGIL_CLASSIFIER_STATUS_H_

#include <optional>
#include <string>
#include <utility>

namespace vigil::classifier {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,         // a file the manifest names does not exist
    kInvalidArgument,  // the caller's input (image view, options) is malformed
    kCorruption,       // a manifest or model file is malformed or does not fit
    kIoError,          // reading a file failed
    kUnavailable,      // a requested backend is not built in or cannot load
    kInternal,         // a backend failed while running a valid model
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status InvalidArgument(std::string m) {
    return Status(Code::kInvalidArgument, std::move(m));
  }
  static Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status IoError(std::string m) { return Status(Code::kIoError, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status saying why there is none.
// REQUIRES: value() only when ok().
template <class T>
class StatusOr {
 public:
  StatusOr(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design
  StatusOr(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace vigil::classifier

#endif  // VIGIL_CLASSIFIER_STATUS_H_
