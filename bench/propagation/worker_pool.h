// The coordinator's side of the worker processes: spawning them (this same
// binary with --worker), asking them for their CPU time, and killing and
// reaping them on the way out, failure included.
#ifndef MESHID_BENCH_PROPAGATION_WORKER_POOL_H_
#define MESHID_BENCH_PROPAGATION_WORKER_POOL_H_

#include <memory>
#include <string>
#include <vector>

#include "bench/propagation/process_util.h"
#include "identity/identity_server.h"

namespace meshid::bench {

struct Worker {
  pid_t pid = -1;
  int cmd_fd = -1;  // we write
  std::unique_ptr<LineReader> results;
  int watchers = 0;
  int64_t rss_kb = 0;
};

struct Run {
  std::string data_dir;
  std::unique_ptr<identity::IdentityServer> server;
  std::vector<Worker> workers;
};
// The run in progress, for Die() and KillWorkers(); set by the coordinator.
extern Run* g_run;

// Closes every worker's command pipe, waits up to 10 s, then SIGKILLs and
// reaps whatever is left.
void KillWorkers();
// Prints `what`, kills the workers, removes the data folder, exits 2.
[[noreturn]] void Die(const std::string& what);
// Starts `processes` workers sharing `watchers` between them.
void SpawnWorkers(const std::string& self, int processes, int watchers,
                  Run& run);
// Total CPU seconds (user + sys) of all workers so far.
double WorkersCpu(Run& run);

}  // namespace meshid::bench

#endif  // MESHID_BENCH_PROPAGATION_WORKER_POOL_H_
