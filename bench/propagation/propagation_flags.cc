#include "bench/propagation/propagation_flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(int, watchers, 1000, "Concurrent watchers, over all workers");
ABSL_FLAG(int, processes, 4, "Worker processes the watchers are spread over");
ABSL_FLAG(int, rounds, 50,
          "Measured changes, alternating RotateKey and RevokeKey");
ABSL_FLAG(double, target_p99_ms, 50, "PASS when p99 <= this");
ABSL_FLAG(int, round_deadline_ms, 5000,
          "A watcher that has not applied a round's change this long after "
          "t0 is a missing sample (a failure)");
ABSL_FLAG(int, gap_ms, 300,
          "Pause between rounds, so that every round starts idle");
ABSL_FLAG(double, idle_seconds, 3,
          "Wait after every watcher is synced before the idle RSS reading");
ABSL_FLAG(int, ready_timeout_s, 180,
          "Deadline for every watcher to hold its first snapshot");
ABSL_FLAG(int, worker_timeout_s, 600,
          "A worker exits on its own after this long, whatever happens");
ABSL_FLAG(bool, shared_connections, false,
          "Let the watchers of one worker share its TCP connections (gRPC's "
          "global subchannel pool). Default: one connection per watcher and "
          "channel, as separate validator processes would have");
ABSL_FLAG(bool, client_bdp_probe, true,
          "Experiment when false: the watchers' channels get "
          "GRPC_ARG_HTTP2_BDP_PROBE=0 (no BDP ping after received data). Only "
          "with per-watcher connections (the bench makes those channels)");
ABSL_FLAG(bool, mutex_deadlock_detection, false,
          "Keep Abseil's mutex deadlock detection on in every process of the "
          "run. Off by default, as in the production mains (identity, log, "
          "gateway call absl::SetMutexDeadlockDetectionMode(kIgnore)): "
          "Debian's Abseil is built without NDEBUG, so it is on otherwise");
ABSL_FLAG(int, record_every, 1,
          "Diagnostic: record arrivals of every K-th watcher only (all "
          "watchers still run). 1, the default, records every watcher; a "
          "larger K shows what the bench's own recorder threads cost");
ABSL_FLAG(bool, recorder_threads, false,
          "Record arrivals with a thread per recorded watcher that blocks in "
          "WaitForVersion(last + 1) (the method before 2026-12-08; it adds a "
          "thread wake-up per publish). Default: the watcher's on_publish "
          "hook logs the time on the publishing thread, right after the new "
          "set became visible");
ABSL_FLAG(bool, verbose, false, "Keep info-level JSON logs (server, watchers)");
ABSL_FLAG(bool, per_round, true, "Print one line per round");
// Worker role (set by the coordinator).
ABSL_FLAG(bool, worker, false, "Internal: run as a worker process");
ABSL_FLAG(int, worker_index, 0, "Internal: this worker's index");
ABSL_FLAG(int, worker_watchers, 0, "Internal: this worker's watchers");
ABSL_FLAG(int, parent_pid, 0, "Internal: the coordinator's pid");
