#pragma once
// A builder-style option for options classes: `opts.name(value)` sets it and returns the options
// for chaining, `opts.name()` reads it (libtorch's TORCH_ARG).
#define TG_ARG(type, name, default_value) \
 public:                                  \
  auto& name(const type& value) {         \
    name##_ = value;                      \
    return *this;                         \
  }                                       \
  const type& name() const { return name##_; } \
                                          \
 private:                                 \
  type name##_ = default_value
