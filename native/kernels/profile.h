// Where the time of fit's and the task runs' steps goes, kept only when asked for (the bench's
// profile rows): one clock read at each phase boundary, so a profiled run is slightly slower.
#pragma once
#include <chrono>
#include <cstdint>

namespace nalu {

struct StepProfile {
  // batch: fit's shuffle and gather; draw, layout, targets: a task's fresh batch (the random
  // numbers, their transpose, the slice sums); evaluation: a task's; the rest of a run is "other".
  enum Phase { Batch, Draw, Layout, Targets, Forward, Loss, Backward, Optimizer, Evaluation, kPhases };
  static constexpr const char* kNames[kPhases] = {"batch", "draw", "layout", "targets", "forward",
                                                  "loss", "backward", "optimizer", "evaluation"};
  double seconds[kPhases] = {};
  double total = 0;
  int64_t steps = 0;
};

// Adds the time since the last mark to a phase; does nothing without a profile.
class PhaseClock {
 public:
  using Clock = std::chrono::steady_clock;
  explicit PhaseClock(StepProfile* p) : p_(p) {
    if (p_) t_ = Clock::now();
  }
  void mark(StepProfile::Phase phase) {
    if (!p_) return;
    const Clock::time_point now = Clock::now();
    p_->seconds[phase] += std::chrono::duration<double>(now - t_).count();
    t_ = now;
  }
  // Forgets the time since the last mark (it belongs to no phase: "other").
  void skip() {
    if (p_) t_ = Clock::now();
  }

 private:
  StepProfile* p_;
  Clock::time_point t_;
};

// A whole fit's or task run's profile: the network times its steps into p while this lives,
// and p's total gains the scope's time.
template <class Net>
class ProfileScope {
 public:
  ProfileScope(Net& net, StepProfile* p) : net_(net), p_(p), t0_(PhaseClock::Clock::now()) { net_.setProfile(p); }
  ~ProfileScope() {
    if (p_) p_->total += std::chrono::duration<double>(PhaseClock::Clock::now() - t0_).count();
    net_.setProfile(nullptr);
  }
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  Net& net_;
  StepProfile* p_;
  PhaseClock::Clock::time_point t0_;
};

}  // namespace nalu
