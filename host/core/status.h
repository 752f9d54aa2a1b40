// Status and StatusOr: how host library code reports failure (no exceptions, no bools).
// Every message is written for a person: it says what happened and what to do.
#ifndef VIGIL_HOST_CORE_STATUS_H_
#define VIGIL_HOST_CORE_STATUS_H_

#include <optional>
#include <string>
#include <utility>

namespace vigil {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,
    kInvalidArgument,  // the caller's input is malformed
    kCorruption,       // stored data or a plugin's output is malformed
    kIoError,
    kPluginError,      // a plugin refused, failed or misbehaved
    kAbiMismatch,      // a plugin speaks another ABI version
    kCancelled,
    kResource,         // a limit was reached
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status InvalidArgument(std::string m) {
    return Status(Code::kInvalidArgument, std::move(m));
  }
  static Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status IoError(std::string m) { return Status(Code::kIoError, std::move(m)); }
  static Status PluginError(std::string m) { return Status(Code::kPluginError, std::move(m)); }
  static Status AbiMismatch(std::string m) { return Status(Code::kAbiMismatch, std::move(m)); }
  static Status Cancelled(std::string m) { return Status(Code::kCancelled, std::move(m)); }
  static Status Resource(std::string m) { return Status(Code::kResource, std::move(m)); }

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

}  // namespace vigil

#endif  // VIGIL_HOST_CORE_STATUS_H_
