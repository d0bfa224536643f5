#include "options.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "error.h"

namespace nalu {

static std::string fmt(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

std::string Options::describe(const std::string& k) const {
  if (bools.count(k)) return "a boolean";
  if (str.count(k)) return "a string";
  if (obj.count(k)) return "an object";
  auto it = num.find(k);
  return it == num.end() ? "undefined" : fmt(it->second);
}

double Options::number(const std::string& k, double def) const {
  mark(k);
  if (str.count(k) || obj.count(k) || bools.count(k)) typeError(where(k) + ": expected a number, received " + describe(k));
  auto it = num.find(k);
  if (it == num.end() && defaults) defaults->num[k] = def;
  return it == num.end() ? def : it->second;
}

double Options::number(const std::string& k, double def, double lo, double hi) const {
  double v = number(k, def);
  if (std::isnan(v) || v < lo || v > hi)
    rangeError(where(k) + ": expected a number in [" + fmt(lo) + ", " + fmt(hi) + "], received " + fmt(v));
  return v;
}

int64_t Options::integer(const std::string& k, int64_t def, int64_t lo, int64_t hi) const {
  mark(k);
  if (str.count(k) || obj.count(k) || bools.count(k)) typeError(where(k) + ": expected an integer, received " + describe(k));
  double v = number(k, double(def));
  if (!(v >= double(lo) && v <= double(hi)) || v != std::floor(v))
    rangeError(where(k) + ": expected an integer in [" + fmt(double(lo)) + ", " + fmt(double(hi)) +
               "], received " + fmt(v));
  return int64_t(v);
}

bool Options::flag(const std::string& k, bool def) const {
  mark(k);
  auto it = num.find(k);
  if (it == num.end() && !has(k)) {
    if (defaults) defaults->num[k] = def, defaults->bools.insert(k);
    return def;
  }
  if (it == num.end() || !bools.count(k)) typeError(where(k) + ": expected a boolean, received " + describe(k));
  return it->second != 0;
}

std::string Options::string(const std::string& k, const std::string& def) const {
  mark(k);
  if (num.count(k) || obj.count(k)) typeError(where(k) + ": expected a string, received " + describe(k));
  auto it = str.find(k);
  if (it == str.end() && defaults) defaults->str[k] = def;
  return it == str.end() ? def : it->second;
}

std::string Options::requiredString(const std::string& k) const {
  if (!has(k)) typeError(where(k) + ": expected a string, received undefined");
  return string(k, "");
}

std::string Options::choice(const std::string& k, const std::string& def,
                            const std::vector<std::string>& allowed) const {
  std::string v = string(k, def);
  for (auto& a : allowed)
    if (a == v) return v;
  rangeError(where(k) + ": expected one of " + joinNames(allowed) + ", received '" + v + "'");
}

const Options* Options::object(const std::string& k) const {
  mark(k);
  auto it = obj.find(k);
  return it == obj.end() ? nullptr : &it->second;
}

void Options::rejectUnread(const std::vector<std::string>& alsoAllowed) const {
  std::set<std::string> valid(read->begin(), read->end());
  valid.insert(alsoAllowed.begin(), alsoAllowed.end());
  std::vector<std::string> unknown;
  auto scan = [&](const auto& m) {
    for (auto& [k, v] : m)
      if (!valid.count(k)) unknown.push_back(k);
  };
  scan(num);
  scan(str);
  scan(obj);
  if (!unknown.empty()) {
    std::sort(unknown.begin(), unknown.end());
    const std::string expected = valid.empty() ? "expected no options" : "expected one of " + joinNames({valid.begin(), valid.end()});
    if (unknown.size() == 1) rangeError(where(unknown[0]) + ": unknown option, " + expected);
    rangeError((context.empty() ? std::string("options") : context) + ": unknown options " + joinNames(unknown) + ", " +
               expected);
  }
  // Nested objects the unit read (initializer specs, kernelRegularizer, …): their own keys.
  for (auto& [k, sub] : obj) {
    Options named = sub;  // shares sub's record of reads
    named.context = where(k);
    named.rejectUnread();
  }
}

}  // namespace nalu
