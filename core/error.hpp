#pragma once
// Errors thrown by tapegrad. Every message names the op and the shapes or values involved.
#include <stdexcept>
#include <string>

namespace tg {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
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
