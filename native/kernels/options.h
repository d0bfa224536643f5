// The options of a layer, loss or optimizer as the user wrote them, with typed, range-checked
// accessors and the refusal of keys no code read. Nothing here knows about N-API.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace nalu {

// A flat key→value map of a layer's / loss's / optimizer's options, as the user wrote them.
// Booleans are kept in num (1 / 0) and their keys in bools, so that number() and flag() can
// refuse the other's type. Every accessor (has() included) records the key it was asked for in
// `read`, which copies share: after a unit's constructor ran, rejectUnread() refuses the keys no
// code asked for, i.e. the options the unit does not have.
struct Options {
  std::map<std::string, double> num;
  std::map<std::string, std::string> str;
  std::map<std::string, Options> obj;
  std::set<std::string> bools;
  std::string context;  // e.g. "layers[1] (nalu)": prefixes error messages
  std::shared_ptr<std::set<std::string>> read = std::make_shared<std::set<std::string>>();
  // When set, the default each accessor fell back to, by key (the optionDefaults export, which a
  // test holds against the TS schemas' defaults).
  struct Defaults {
    std::map<std::string, double> num;
    std::set<std::string> bools;
    std::map<std::string, std::string> str;
  };
  std::shared_ptr<Defaults> defaults;

  bool has(const std::string& k) const {
    mark(k);
    return num.count(k) || str.count(k) || obj.count(k);
  }
  double number(const std::string& k, double def) const;
  // A number in [lo, hi]; NaN/Infinity refused unless the range allows it.
  double number(const std::string& k, double def, double lo, double hi) const;
  int64_t integer(const std::string& k, int64_t def, int64_t lo, int64_t hi) const;
  bool flag(const std::string& k, bool def) const;
  std::string string(const std::string& k, const std::string& def) const;
  // string(k) that must be present: a TypeError "<k>: expected a string, received undefined".
  std::string requiredString(const std::string& k) const;
  std::string choice(const std::string& k, const std::string& def, const std::vector<std::string>& allowed) const;
  const Options* object(const std::string& k) const;
  std::string where(const std::string& k) const { return context.empty() ? k : context + "." + k; }
  // "a boolean", "a string", "an object" or the number, for "received …" in messages.
  std::string describe(const std::string& k) const;
  // A RangeError naming every key (here and in the nested objects that were read) that no
  // accessor asked for, listing those that were and `alsoAllowed` (keys read elsewhere).
  void rejectUnread(const std::vector<std::string>& alsoAllowed = {}) const;
  void mark(const std::string& k) const { read->insert(k); }
};

}  // namespace nalu
