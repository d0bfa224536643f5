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

// An idle team left here by trainOnBatch or predict gives libgomp more threads than CPUs, so it
// cuts spin-waits to 100 iterations and fit's forks and joins sleep on futexes: end that team.
void releaseIdleTeam() { omp_pause_resource_all(omp_pause_soft); }

}  // namespace nalu
