// One thread count for OpenBLAS and our OpenMP loops. OpenMP's count is per calling thread,
// so every native entry point (a JS thread or a background job's thread) applies it first.
#pragma once

namespace nalu {
void setNumThreads(int n);
int getNumThreads();
// Makes the calling thread use the configured count (cheap; call at each entry point).
void applyNumThreads();
// Sets the calling thread's count only (a fit's share of the cores).
void setThreadsForThisThread(int n);
// Ends the calling thread's idle OpenMP team (called before work moves to another thread).
void releaseIdleTeam();
}  // namespace nalu
