// The worker role of propagation_bench: runs its share of KeySetWatchers and
// reports when each published every version the coordinator asks about.
#ifndef MESHID_BENCH_PROPAGATION_WATCHER_WORKER_H_
#define MESHID_BENCH_PROPAGATION_WATCHER_WORKER_H_

namespace meshid::bench {

// Runs until the coordinator says QUIT, closes the pipe, or dies. Returns
// the process exit status.
int WorkerMain();

}  // namespace meshid::bench

#endif  // MESHID_BENCH_PROPAGATION_WATCHER_WORKER_H_
