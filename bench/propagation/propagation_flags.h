// The flags of propagation_bench, shared by its two roles (coordinator and
// worker). Defined in propagation_flags.cc.
#ifndef MESHID_BENCH_PROPAGATION_PROPAGATION_FLAGS_H_
#define MESHID_BENCH_PROPAGATION_PROPAGATION_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"

ABSL_DECLARE_FLAG(int, watchers);
ABSL_DECLARE_FLAG(int, processes);
ABSL_DECLARE_FLAG(int, rounds);
ABSL_DECLARE_FLAG(double, target_p99_ms);
ABSL_DECLARE_FLAG(int, round_deadline_ms);
ABSL_DECLARE_FLAG(int, gap_ms);
ABSL_DECLARE_FLAG(double, idle_seconds);
ABSL_DECLARE_FLAG(int, ready_timeout_s);
ABSL_DECLARE_FLAG(int, worker_timeout_s);
ABSL_DECLARE_FLAG(bool, shared_connections);
ABSL_DECLARE_FLAG(bool, client_bdp_probe);
ABSL_DECLARE_FLAG(bool, mutex_deadlock_detection);
ABSL_DECLARE_FLAG(int, record_every);
ABSL_DECLARE_FLAG(bool, recorder_threads);
ABSL_DECLARE_FLAG(bool, verbose);
ABSL_DECLARE_FLAG(bool, per_round);
ABSL_DECLARE_FLAG(bool, worker);
ABSL_DECLARE_FLAG(int, worker_index);
ABSL_DECLARE_FLAG(int, worker_watchers);
ABSL_DECLARE_FLAG(int, parent_pid);

#endif  // MESHID_BENCH_PROPAGATION_PROPAGATION_FLAGS_H_
