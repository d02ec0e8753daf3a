#pragma once
// Errors thrown by tapegrad. Every message names the op and the shapes or values involved.
#include <stdexcept>
#include <string>

namespace tg {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message), message_(message) {}
  const char* what() const noexcept override { return message_.c_str(); }
  // Prepends where the error happened, keeping the error's type (catch by reference, add, then
  // rethrow with `throw;`). Nested places read outermost first: "Net 'fc' (Linear): linear: ...".
  void add_context(const std::string& where) {
    message_ = where + (has_context_ ? " " : ": ") + message_;
    has_context_ = true;
  }

 private:
  std::string message_;
  bool has_context_ = false;
};
struct ShapeError : Error {  // shapes that do not fit together, bad axes
  using Error::Error;
};
struct ValueError : Error {  // bad scalar arguments, out-of-range indices, wrong dtype
  using Error::Error;
};
struct AutogradError : Error {  // misuse of backward / the tape
  using Error::Error;
};
struct IOError : Error {  // unreadable, truncated or corrupt files
  using Error::Error;
};
struct MemoryError : Error {  // an allocation that failed (numpy's MemoryError)
  using Error::Error;
};

}  // namespace tg
