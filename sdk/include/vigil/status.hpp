// vigil::Status and vigil::StatusOr<T>: how Vigil's C++ libraries (host, detectors, and
// any vendor code that wants them) report failure: a code saying whose fault it is and a
// message a person can act on; no exceptions, no bare bools (LevelDB's habit).
//
// Header-only C++17. Nothing of it crosses the C ABI: plugins turn a Status into a
// vigil_status_t and error text at the boundary.
#ifndef VIGIL_STATUS_HPP
#define VIGIL_STATUS_HPP

#include <optional>
#include <string>
#include <utility>

namespace vigil {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,         // a file or key that must exist does not
    kInvalidArgument,  // the caller's input is malformed
    kCorruption,       // stored data, a document or a plugin's output is malformed
    kIoError,          // the operating system refused a read, write or map
    kPluginError,      // a plugin refused, failed or misbehaved
    kAbiMismatch,      // a plugin speaks another ABI version
    kCancelled,        // the user or a deadline stopped the work
    kResource,         // a limit was reached (size, memory, time)
    kUnsupported,      // well-formed input this build does not handle
    kUnavailable,      // a requested facility is not built in or cannot load
    kInternal,         // a bug or a library failure on valid input
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
  static Status Unsupported(std::string m) { return Status(Code::kUnsupported, std::move(m)); }
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
// REQUIRES: value(), *, -> only when ok().
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
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace vigil

#endif  // VIGIL_STATUS_HPP
