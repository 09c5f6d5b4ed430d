// Result<T>: a value or an Error that names the failed step and its errno.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace cgprov {

struct Error {
  std::string message;  // "<step> <object>", e.g. "pin /run/cgprov/x"
  int errnum = 0;       // 0 when no errno applies

  // "pin /run/cgprov/x: File exists (EEXIST)"
  std::string describe() const {
    if (errnum == 0) return message;
    const char *name = strerrorname_np(errnum);
    return message + ": " + std::strerror(errnum) + " (" + (name ? name : "?") + ")";
  }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  T &value() { return std::get<T>(state_); }
  const T &value() const { return std::get<T>(state_); }
  const Error &error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error &error() const { return error_; }

 private:
  Error error_;
  bool failed_ = false;
};

inline Error errno_error(std::string message) { return Error{std::move(message), errno}; }

}  // namespace cgprov
