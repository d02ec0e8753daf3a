#pragma once
// A tiny JSON writer: values are appended in order, commas are placed automatically.
//   Json j; j.begin_object().key("loss").value(0.25).key("xs").numbers(v).end_object();
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace playground {

class Json {
 public:
  Json& begin_object() { return open('{'); }
  Json& end_object() { return close('}'); }
  Json& begin_array() { return open('['); }
  Json& end_array() { return close(']'); }
  Json& key(std::string_view k) {
    comma();
    quote(k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  Json& value(std::string_view s) { comma(); quote(s); return *this; }
  Json& value(const char* s) { return value(std::string_view(s)); }
  Json& value(const std::string& s) { return value(std::string_view(s)); }
  Json& value(bool b) { comma(); out_ += b ? "true" : "false"; return *this; }
  Json& value(int v) { return value(static_cast<long long>(v)); }
  Json& value(long v) { return value(static_cast<long long>(v)); }
  Json& value(unsigned long v) { return value(static_cast<long long>(v)); }
  Json& value(long long v) { comma(); out_ += std::to_string(v); return *this; }
  Json& value(double v, int digits = 6) { comma(); number(v, digits); return *this; }
  template <class Seq> Json& numbers(const Seq& values, int digits = 4) {
    begin_array();
    for (double v : values) value(v, digits);
    return end_array();
  }
  Json& raw(std::string_view json) { comma(); out_ += json; return *this; }  // already JSON
  const std::string& str() const { return out_; }

 private:
  Json& open(char c) { comma(); out_ += c; first_.push_back(true); return *this; }
  Json& close(char c) { out_ += c; first_.pop_back(); return *this; }
  void comma() {
    if (after_key_) { after_key_ = false; return; }
    if (first_.empty()) return;
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
  void number(double v, int digits) {  // JSON has no NaN or Infinity: they are written as null
    if (!std::isfinite(v)) { out_ += "null"; return; }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    out_ += buf;
  }
  void quote(std::string_view s) {
    out_ += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') { out_ += '\\'; out_ += c; }
      else if (c == '\n') out_ += "\\n";
      else if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out_ += buf;
      } else out_ += c;
    }
    out_ += '"';
  }
  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace playground
