#include "task.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "error.h"

namespace nalu {

double SampleRange::sample(Rng& rng) const {
  // Draw the part first (only when there are two) so a one-part range uses one number a value.
  const auto& p = parts.size() > 1 && rng.uniform() >= 0.5 ? parts[1] : parts[0];
  return rng.uniform(p.first, p.second);
}

static std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string SampleRange::str() const {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i)
    s += (i ? " ∪ U[" : "U[") + num(parts[i].first) + "," + num(parts[i].second) + "]";
  return s;
}

void Task::sample(RngLanes& rng, TaskSplit split, float* x, float* t, int64_t rows, bool featureMajor,
                  PhaseClock* clock) const {
  const int64_t n = rowSize(split);
  if (latent_.size() < size_t(latentSize() * rows)) latent_.resize(size_t(latentSize() * rows));
  if (featureMajor) {
    if (rowMajor_.size() < size_t(rows * n)) rowMajor_.resize(size_t(rows * n));
    sampleInputs(rng, split, rowMajor_.data(), x, latent_.data(), rows, clock);
  } else {
    sampleInputs(rng, split, x, nullptr, latent_.data(), rows, clock);
  }
  targets(latent_.data(), t, rows);
  if (clock) clock->mark(StepProfile::Targets);
}

namespace {
template <class T>
const T& lookup(const TaskParams& p, const std::map<std::string, T>& m, const std::string& name, const char* what,
                std::set<std::string>& read) {
  auto it = m.find(name);
  if (it == m.end()) {
    const char* received = p.numbers.count(name) ? "a number" : p.strings.count(name) ? "a string" : p.ranges.count(name) ? "a range" : "none";
    rangeError(p.where + "." + name + ": expected " + what + ", received " + received);
  }
  read.insert(name);
  return it->second;
}

std::map<std::string, TaskFactory>& registry() {
  static std::map<std::string, TaskFactory> r;
  return r;
}
}  // namespace

double TaskParams::number(const std::string& name, double lo, double hi) const {
  const double v = lookup(*this, numbers, name, "a number", read_);
  if (!(v >= lo && v <= hi))
    rangeError(where + "." + name + ": expected a number in [" + num(lo) + ", " + num(hi) + "], received " + num(v));
  return v;
}

int64_t TaskParams::integer(const std::string& name, int64_t lo, int64_t hi) const {
  const double v = lookup(*this, numbers, name, "an integer", read_);
  if (!(v >= double(lo) && v <= double(hi) && std::floor(v) == v))
    rangeError(where + "." + name + ": expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
               "], received " + num(v));
  return int64_t(v);
}

const std::string& TaskParams::string(const std::string& name) const {
  return lookup(*this, strings, name, "a string", read_);
}

const SampleRange& TaskParams::range(const std::string& name) const {
  const SampleRange& r = lookup(*this, ranges, name, "a range [[lo, hi]] or [[lo, hi], [lo, hi]]", read_);
  if (r.parts.empty() || r.parts.size() > 2)
    rangeError(where + "." + name + ": expected one or two intervals, received " + std::to_string(r.parts.size()));
  for (auto& p : r.parts)
    if (!(std::isfinite(p.first) && std::isfinite(p.second) && p.first < p.second))
      rangeError(where + "." + name + ": expected finite intervals [lo, hi] with lo < hi, received " + r.str());
  return r;
}

std::vector<std::string> TaskParams::unread() const {
  std::vector<std::string> out;
  for (auto& [k, v] : numbers)
    if (!read_.count(k)) out.push_back(k);
  for (auto& [k, v] : strings)
    if (!read_.count(k)) out.push_back(k);
  for (auto& [k, v] : ranges)
    if (!read_.count(k)) out.push_back(k);
  std::sort(out.begin(), out.end());
  return out;
}

bool registerTask(const std::string& name, TaskFactory factory) {
  registry()[name] = factory;
  return true;
}

std::vector<std::string> taskNames() {
  std::vector<std::string> names;
  for (auto& [k, v] : registry()) names.push_back(k);
  return names;
}

std::unique_ptr<Task> makeTask(const std::string& name, const TaskParams& params) {
  auto it = registry().find(name);
  if (it == registry().end())
    rangeError(params.where + ".name: unknown task '" + name + "', expected one of " + joinNames(taskNames()));
  std::unique_ptr<Task> task = it->second(params);
  const std::vector<std::string> unread = params.unread();
  if (!unread.empty()) rangeError(params.where + "." + unread[0] + ": not a parameter of the task '" + name + "'");
  return task;
}

}  // namespace nalu
