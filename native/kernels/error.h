// The errors the kernels throw: a caller's mistake, typed for the addon to map to a JS error.
// Nothing here knows about N-API.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace nalu {

// An error the caller caused. The addon maps kind to TypeError, RangeError or NaluError(code).
struct Error : std::runtime_error {
  enum Kind { Type, Range, Nalu };
  Kind kind;
  std::string code;
  Error(Kind k, const std::string& msg, std::string c = "")
      : std::runtime_error(msg), kind(k), code(std::move(c)) {}
};
[[noreturn]] inline void rangeError(const std::string& msg) { throw Error(Error::Range, msg); }
[[noreturn]] inline void typeError(const std::string& msg) { throw Error(Error::Type, msg); }
[[noreturn]] inline void naluError(const std::string& code, const std::string& msg) {
  throw Error(Error::Nalu, msg, code);
}

// 'a', 'b', 'c': the allowed names an error message lists.
inline std::string joinNames(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", '" : "'") + names[i] + "'";
  return s;
}

}  // namespace nalu
