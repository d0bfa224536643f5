// A task: where a training run's batches, evaluation sets, success threshold and ground truth come
// from. Each task lives in a file of its own and registers a factory by name (registerTask), as
// the units do (layer.h). Pure C++ (no N-API).
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "profile.h"
#include "rng.h"

namespace nalu {

// A union of one or two intervals; a sample picks one of them with equal probability
// (nalm-benchmark's mixed-sign range U[[-6,-2],[2,6]]).
struct SampleRange {
  std::vector<std::pair<double, double>> parts;  // [lo, hi) each, 1 or 2 parts
  double sample(Rng& rng) const;
  // "U[1,2]" or "U[-6,-2] ∪ U[2,6]"
  std::string str() const;
};

// Training and validation draw from the interpolation range, the test from the extrapolation one.
enum class TaskSplit { Interpolation, Extrapolation };

// Inputs [start, end) that a part of the target is made of (the slices a and b of the arithmetic
// task): what an explained model's weights are checked against.
struct TaskSlice {
  std::string name;
  int start = 0, end = 0;
};

class Task {
 public:
  virtual ~Task() = default;
  // Inputs of a row, or of a time step of one for a task with a time axis.
  virtual int inputSize() const = 0;
  // Time steps of a row of `split` (its rows are [steps, inputSize] row-major), 0 for a task
  // without a time axis; runTask sets a network's steps to it before it trains or evaluates.
  virtual int steps(TaskSplit) const { return 0; }
  int rowSize(TaskSplit split) const { return inputSize() * std::max(1, steps(split)); }
  // Latent values per row that targets() makes t from (the arithmetic task's slice sums a, b).
  virtual int latentSize() const = 0;
  // x [rows, rowSize] from `split`, also transposed into xFeatureMajor [rowSize, rows] when
  // given, and latent [latentSize × rows] (one block of rows a latent value).
  virtual void sampleInputs(RngLanes& rng, TaskSplit split, float* x, float* xFeatureMajor, double* latent,
                            int64_t rows, PhaseClock* clock) const = 0;
  // t [rows] from sampleInputs' latent.
  virtual void targets(const double* latent, float* t, int64_t rows) const = 0;
  // Tasks of equal inputKey draw the same inputs and latents from the same stream (a fused group's
  // runs); of equal key, the same targets too.
  virtual std::string inputKey() const = 0;
  virtual std::string key() const = 0;
  // The MSE on the extrapolation range below which a run counts as solved, simulated with `samples`
  // draws of a perfect solution perturbed by ε.
  virtual double successThreshold(double epsilon, int64_t samples, uint64_t seed) const = 0;
  virtual std::vector<TaskSlice> structure() const = 0;

  // x and t of `rows` (x feature-major when asked), through scratch of the task's own.
  void sample(RngLanes& rng, TaskSplit split, float* x, float* t, int64_t rows, bool featureMajor = false,
              PhaseClock* clock = nullptr) const;

 private:
  mutable std::vector<float> rowMajor_;
  mutable std::vector<double> latent_;
};

// A task's parameters by name, from JS (Tasks.cc) or C++; each getter validates and names the
// parameter as `where.name`. makeTask refuses parameters its task did not read.
class TaskParams {
 public:
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> strings;
  std::map<std::string, SampleRange> ranges;
  std::string where = "task";

  double number(const std::string& name, double lo, double hi) const;
  int64_t integer(const std::string& name, int64_t lo, int64_t hi) const;
  const std::string& string(const std::string& name) const;
  const SampleRange& range(const std::string& name) const;
  // Names that no getter read.
  std::vector<std::string> unread() const;

 private:
  mutable std::set<std::string> read_;
};

using TaskFactory = std::unique_ptr<Task> (*)(const TaskParams& params);
// In a task's file: `const bool registered = registerTask("arithmetic", makeArithmetic);`
bool registerTask(const std::string& name, TaskFactory factory);
// The task `name` with `params` (RangeError for an unknown name, a bad or an unknown parameter).
std::unique_ptr<Task> makeTask(const std::string& name, const TaskParams& params);
std::vector<std::string> taskNames();  // sorted

}  // namespace nalu
