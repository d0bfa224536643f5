#include "threads.h"

#include <cblas.h>
#include <omp.h>

#include <atomic>

namespace nalu {

static std::atomic<int> gThreads{0};

int getNumThreads() {
  int n = gThreads.load();
  return n > 0 ? n : omp_get_num_procs();
}

void setNumThreads(int n) {
  gThreads.store(n);
  openblas_set_num_threads(n);
  omp_set_num_threads(n);
}

void applyNumThreads() {
  int n = getNumThreads();
  if (omp_get_max_threads() != n) omp_set_num_threads(n);
}

void setThreadsForThisThread(int n) { omp_set_num_threads(n); }

// libgomp cuts every team's spin-wait to 100 iterations while it manages more threads than
// there are CPUs, so the idle team left on the main thread by an earlier trainOnBatch or
// predict made each fork and join of a fit's team go through futex sleeps: a 2-thread fit at
// (1024, 256, 256) ran 200 instead of 255 steps/s. Pausing ends the calling thread's team; the
// next parallel region there starts a new one.
void releaseIdleTeam() { omp_pause_resource_all(omp_pause_soft); }

}  // namespace nalu
