// propagation_bench: how long a committed RotateKey or RevokeKey takes to be
// applied in every watcher's key set, with many concurrent watchers, and what
// an idle watcher costs the identity server in memory (issue 4).
//
// One binary, two roles:
//   coordinator (default) starts meshid-identity in-process (IdentityServer,
//     SQLite in a temp dir, activation_delay 0, loopback, port 0), creates the
//     validator client "logging-service" (meshid-keyadmin: keys:watch) and
//     the caller "careergpt-backend" (logging-service: logs:write), reads its
//     own VmRSS, then re-executes itself --processes times as workers
//     (posix_spawn), hands each its share of --watchers and waits until every
//     watcher holds its first snapshot. After --idle_seconds it reads VmRSS
//     again: (after - before) / watchers is the server's memory per idle
//     watcher. Then --rounds rounds, alternating RotateKey on the
//     careergpt-backend/logging-service pair and RevokeKey of the key that
//     rotation retired: t0 (CLOCK_MONOTONIC) is taken just before the RPC is
//     sent; once it returns, the version it committed is read from the
//     server's views (the RPC refreshes them before it replies) and sent to
//     every worker, which answers with the time each of its watchers published
//     that version. latency = publish time - t0, so it includes the RPC itself.
//   worker (--worker) runs its share of meshid::keyset::KeySetWatcher, the
//     validator's real watcher (its own thread, IssueToken, WatchKeys, the
//     KeySetUpdater apply path, atomic publish), by default each on its own
//     TCP connections like separate validator processes would be
//     (--shared_connections puts a worker's watchers on one connection).
//     Each watcher's on_publish hook logs (version, CLOCK_MONOTONIC) on the
//     publishing thread, right after the new set became visible through
//     Current() (--recorder_threads: a thread per watcher blocked in
//     WaitForVersion(last + 1) logs it instead, as before 2026-12-08): no
//     polling, and CLOCK_MONOTONIC is one clock for every process of the
//     host.
//
// Protocol: see process_util.h.
//
// Bounds: every wait has a deadline (--ready_timeout, 5 s per round, ...);
// a worker exits on EOF of its command pipe, when the coordinator dies
// (PR_SET_PDEATHSIG) or after --worker_timeout; the coordinator kills and
// reaps every worker on its way out, failure included.
//
//   build-prop/bench/propagation/propagation_bench --watchers=1000
//       --processes=4 --rounds=50   (the defaults)
//
// Exit status: 0 = p99 <= --target_p99_ms and every sample arrived,
// 1 = the target was missed or samples are missing, 2 = the run failed.
#include "bench/propagation/mesh_client.h"
#include "bench/propagation/process_util.h"
#include "bench/propagation/propagation_flags.h"
#include "bench/propagation/watcher_worker.h"
#include "bench/propagation/worker_pool.h"

namespace meshid::bench {
namespace {

namespace v1 = ::meshid::identity::v1;
namespace ka = ::meshid::keyadmin::v1;
using server::Log;
using server::LogLevel;

constexpr char kAdminSecret[] = "bench-admin-secret-0123456789abcdef-0123";
constexpr char kValidator[] = "logging-service";
constexpr char kCaller[] = "careergpt-backend";

// =============================================================================
// Coordinator
// =============================================================================

// Nearest rank.
ka::KeySlot PairSlot() {
  ka::KeySlot slot;
  slot.mutable_pair()->set_client_id(kCaller);
  slot.mutable_pair()->set_audience(kValidator);
  return slot;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * sorted.size()));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

std::string Summary(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return "n=0";
  return absl::StrFormat("n=%d p50=%.2f p90=%.2f p99=%.2f max=%.2f ms",
                         v.size(), Percentile(v, 50), Percentile(v, 90),
                         Percentile(v, 99), v.back());
}

int CoordinatorMain(const std::string& self) {
  const int watchers = absl::GetFlag(FLAGS_watchers);
  const int processes = absl::GetFlag(FLAGS_processes);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  if (watchers < 1 || processes < 1 || processes > watchers || rounds < 1 ||
      absl::GetFlag(FLAGS_record_every) < 1) {
    Die("need --watchers >= --processes >= 1, --rounds >= 1, --record_every >= "
        "1");
  }
  signal(SIGPIPE, SIG_IGN);
  // Two sockets per watcher on the server side (identity + keyadmin).
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = nofile.rlim_max;
  setrlimit(RLIMIT_NOFILE, &nofile);

  static Run run;
  g_run = &run;
  char pattern[] = "/tmp/meshid-prop-XXXXXX";
  if (mkdtemp(pattern) == nullptr) Die("mkdtemp failed");
  run.data_dir = pattern;

  identity::IdentityServerConfig config;
  config.store_url = absl::StrCat("sqlite://", run.data_dir, "/meshid.db");
  config.options.issuer = "https://meshid.bench";
  config.options.activation_delay = absl::ZeroDuration();
  config.bootstrap.admin_secret = kAdminSecret;
  config.identity_address = "127.0.0.1:0";
  config.keyadmin_address = "127.0.0.1:0";
  config.http_address = "";  // not needed
  // tick_interval (1 s), heartbeat_interval (10 s), store_pool_size: the
  // production defaults.
  absl::StatusOr<std::unique_ptr<identity::IdentityServer>> started =
      identity::IdentityServer::Start(config);
  if (!started.ok())
    Die(absl::StrCat("IdentityServer::Start: ", started.status().ToString()));
  run.server = *std::move(started);
  const std::string identity_address =
      absl::StrCat("127.0.0.1:", run.server->ports().identity);
  const std::string keyadmin_address =
      absl::StrCat("127.0.0.1:", run.server->ports().keyadmin);
  auto identity_stub = v1::Identity::NewStub(grpc::CreateChannel(
      identity_address, grpc::InsecureChannelCredentials()));
  auto keyadmin = ka::KeyAdmin::NewStub(grpc::CreateChannel(
      keyadmin_address, grpc::InsecureChannelCredentials()));

  std::string admin =
      IssueWhenReady(*identity_stub, "meshid-admin", kAdminSecret,
                     "meshid-keyadmin", absl::Seconds(15));
  absl::Time admin_issued = absl::Now();
  const std::string validator_secret = CreateClient(
      *keyadmin, admin, kValidator, "meshid-keyadmin", {"keys:watch"});
  const std::string caller_secret =
      CreateClient(*keyadmin, admin, kCaller, kValidator, {"logs:write"});
  // Both pair keys are PENDING until the ticker activates them.
  IssueWhenReady(*identity_stub, kValidator, validator_secret,
                 "meshid-keyadmin", absl::Seconds(15));
  IssueWhenReady(*identity_stub, kCaller, caller_secret, kValidator,
                 absl::Seconds(15));

  // Idle server, no watcher yet.
  absl::SleepFor(absl::Seconds(1));
  const int64_t rss_before = ProcStatusKb("VmRSS");
  const int64_t anon_before = ProcStatusKb("RssAnon");
  const int threads_before = ThreadCount();
  const int sockets_before = SocketCount();

  const int64_t spawn_t0 = MonoNs();
  SpawnWorkers(self, processes, watchers, run);
  for (Worker& w : run.workers) {
    if (!WriteAll(w.cmd_fd, absl::StrCat("CONFIG ", identity_address, " ",
                                         keyadmin_address, " ", kValidator, " ",
                                         validator_secret, "\n"))) {
      Die("cannot send CONFIG");
    }
  }
  const int64_t ready_deadline =
      MonoNs() +
      int64_t{absl::GetFlag(FLAGS_ready_timeout_s) + 10} * 1'000'000'000;
  int64_t worker_rss_kb = 0;
  for (size_t i = 0; i < run.workers.size(); ++i) {
    Worker& w = run.workers[i];
    std::string line;
    if (!w.results->Next(&line, ready_deadline)) {
      Die(absl::StrCat("worker ", i, " never reported READY"));
    }
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    int synced = 0;
    if (f.size() != 5 || f[0] != "READY" || !absl::SimpleAtoi(f[1], &synced) ||
        !absl::SimpleAtoi(f[4], &w.rss_kb)) {
      Die(absl::StrCat("worker ", i, ": bad READY: ", line));
    }
    if (synced != w.watchers) {
      Die(absl::StrCat("worker ", i, ": only ", synced, " of ", w.watchers,
                       " watchers got a snapshot"));
    }
    worker_rss_kb += w.rss_kb;
  }
  const double ready_s = (MonoNs() - spawn_t0) / 1e9;
  std::printf(
      "propagation_bench: %d watchers in %d processes synced in %.2f s "
      "(%s connections)\n",
      watchers, processes, ready_s,
      absl::GetFlag(FLAGS_shared_connections) ? "shared per-process"
                                              : "own per-watcher");
  std::fflush(stdout);

  // Idle: nothing changes, heartbeats only.
  const double idle_cpu0 = WorkersCpu(run);
  const auto idle_server_cpu0 = CpuSeconds();
  const int64_t idle_t0 = MonoNs();
  absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_idle_seconds)));
  const double idle_wall = (MonoNs() - idle_t0) / 1e9;
  const double idle_workers_cpu = WorkersCpu(run) - idle_cpu0;
  const auto idle_server_cpu1 = CpuSeconds();
  const double idle_server_cpu =
      (idle_server_cpu1.first + idle_server_cpu1.second) -
      (idle_server_cpu0.first + idle_server_cpu0.second);
  const int64_t rss_idle = ProcStatusKb("VmRSS");
  const int64_t anon_idle = ProcStatusKb("RssAnon");
  const int threads_idle = ThreadCount();
  const int sockets_idle = SocketCount();

  // --- rounds ----------------------------------------------------------------
  std::vector<double> all, rotate, revoke, rpc_ms, round_max;
  std::vector<double> cpu_rotate_ms, cpu_revoke_ms;
  int64_t recorded_per_round = 0;
  for (const Worker& w : run.workers) {
    const int k = absl::GetFlag(FLAGS_record_every);
    recorded_per_round += (w.watchers + k - 1) / k;
  }
  int64_t missing = 0;
  std::string retired_kid;  // the key the last rotation retired
  const auto cpu0 = CpuSeconds();
  const double rounds_workers_cpu0 = WorkersCpu(run);
  const int64_t rounds_t0 = MonoNs();
  const int64_t deadline_ms = absl::GetFlag(FLAGS_round_deadline_ms);
  for (int r = 0; r < rounds; ++r) {
    absl::SleepFor(absl::Milliseconds(absl::GetFlag(FLAGS_gap_ms)));
    if (absl::Now() - admin_issued > absl::Minutes(5)) {
      admin = IssueWhenReady(*identity_stub, "meshid-admin", kAdminSecret,
                             "meshid-keyadmin", absl::Seconds(15));
      admin_issued = absl::Now();
    }
    const bool is_rotate = r % 2 == 0 || retired_kid.empty();
    ka::RotateKeyRequest rotate_req;
    *rotate_req.mutable_slot() = PairSlot();
    rotate_req.mutable_activation_delay()->set_seconds(0);
    ka::RevokeKeyRequest revoke_req;
    revoke_req.set_kid(retired_kid);
    revoke_req.set_reason("propagation bench");
    auto ctx = WithToken(admin);  // built before t0

    const auto round_cpu0 = CpuSeconds();
    const int64_t t0 = MonoNs();
    grpc::Status s;
    if (is_rotate) {
      ka::RotateKeyResponse resp;
      s = keyadmin->RotateKey(ctx.get(), rotate_req, &resp);
      if (s.ok()) retired_kid = resp.previous_key().kid();
    } else {
      ka::Key resp;
      s = keyadmin->RevokeKey(ctx.get(), revoke_req, &resp);
      if (s.ok()) retired_kid.clear();
    }
    const int64_t t_rpc = MonoNs();
    if (!s.ok()) {
      Die(absl::StrCat(is_rotate ? "RotateKey" : "RevokeKey", ": ",
                       s.error_message()));
    }
    // The RPC refreshed the views (and published to the watchers) before it
    // replied, so this is the version its commit brought.
    const int64_t target = run.server->context().views->Current()->version();
    const int64_t deadline = t0 + deadline_ms * 1'000'000;
    for (Worker& w : run.workers) {
      if (!WriteAll(w.cmd_fd, absl::StrCat("ROUND ", r, " ", target, " ",
                                           deadline, "\n"))) {
        Die("cannot send ROUND");
      }
    }
    std::vector<double> this_round;
    int64_t this_missing = 0;
    for (size_t i = 0; i < run.workers.size(); ++i) {
      std::string line;
      if (!run.workers[i].results->Next(
              &line, deadline + int64_t{5} * 1'000'000'000)) {
        Die(absl::StrCat("worker ", i, " did not answer round ", r));
      }
      std::vector<std::string> f = absl::StrSplit(line, ' ');
      int64_t n = 0, round = -1;
      if (f.size() < 3 || f[0] != "ARRIVALS" ||
          !absl::SimpleAtoi(f[1], &round) || round != r ||
          !absl::SimpleAtoi(f[2], &n) ||
          f.size() != static_cast<size_t>(3 + n)) {
        Die(absl::StrCat("worker ", i, ": bad ARRIVALS"));
      }
      for (int64_t k = 0; k < n; ++k) {
        int64_t t = -1;
        if (!absl::SimpleAtoi(f[3 + k], &t) || t < 0) {
          ++this_missing;
          continue;
        }
        const double ms = (t - t0) / 1e6;
        this_round.push_back(ms);
        all.push_back(ms);
        (is_rotate ? rotate : revoke).push_back(ms);
      }
    }
    missing += this_missing;
    rpc_ms.push_back((t_rpc - t0) / 1e6);
    // This process (the server, plus our few client calls) from t0 until
    // every arrival was reported.
    const auto round_cpu1 = CpuSeconds();
    const double round_cpu_ms = 1e3 * ((round_cpu1.first + round_cpu1.second) -
                                       (round_cpu0.first + round_cpu0.second));
    (is_rotate ? cpu_rotate_ms : cpu_revoke_ms).push_back(round_cpu_ms);
    std::sort(this_round.begin(), this_round.end());
    if (!this_round.empty()) round_max.push_back(this_round.back());
    if (absl::GetFlag(FLAGS_per_round)) {
      std::printf(
          "round %3d %-6s v=%-5lld rpc=%7.2f ms  first=%7.2f p50=%7.2f "
          "p99=%7.2f max=%7.2f ms  server_cpu=%6.1f ms  missing=%lld\n",
          r, is_rotate ? "rotate" : "revoke", static_cast<long long>(target),
          (t_rpc - t0) / 1e6, this_round.empty() ? 0.0 : this_round.front(),
          Percentile(this_round, 50), Percentile(this_round, 99),
          this_round.empty() ? 0.0 : this_round.back(), round_cpu_ms,
          static_cast<long long>(this_missing));
      std::fflush(stdout);
    }
  }
  const auto cpu1 = CpuSeconds();
  const double rounds_wall = (MonoNs() - rounds_t0) / 1e9;
  const double rounds_workers_cpu = WorkersCpu(run) - rounds_workers_cpu0;

  // --- shut down
  // ---------------------------------------------------------------
  double worker_cpu = 0;
  for (size_t i = 0; i < run.workers.size(); ++i) {
    Worker& w = run.workers[i];
    WriteAll(w.cmd_fd, "QUIT\n");
    std::string line;
    if (w.results->Next(&line, MonoNs() + int64_t{30} * 1'000'000'000)) {
      std::vector<std::string> f = absl::StrSplit(line, ' ');
      double u = 0, sy = 0;
      if (f.size() == 4 && f[0] == "BYE" && absl::SimpleAtod(f[1], &u) &&
          absl::SimpleAtod(f[2], &sy)) {
        worker_cpu += u + sy;
      }
    }
  }
  KillWorkers();

  // --- report
  // ------------------------------------------------------------------
  const int64_t expected = recorded_per_round * rounds;
  std::sort(all.begin(), all.end());
  const double p99 = Percentile(all, 99);
  const bool pass = missing == 0 &&
                    static_cast<int64_t>(all.size()) == expected &&
                    p99 <= absl::GetFlag(FLAGS_target_p99_ms);
  const double per_watcher_kb =
      static_cast<double>(rss_idle - rss_before) / watchers;
  std::printf(
      "\n== propagation: commit -> applied in every watcher's cache ==\n");
  std::printf(
      "watchers=%d processes=%d rounds=%d connections=%s "
      "record_every=%d recorder=%s deadlock_detection=%s "
      "client_bdp_probe=%s\n",
      watchers, processes, rounds,
      absl::GetFlag(FLAGS_shared_connections) ? "shared" : "per-watcher",
      absl::GetFlag(FLAGS_record_every),
      absl::GetFlag(FLAGS_recorder_threads) ? "threads" : "on_publish",
      absl::GetFlag(FLAGS_mutex_deadlock_detection) ? "on" : "off",
      absl::GetFlag(FLAGS_client_bdp_probe) ? "on" : "off");
  std::printf("samples=%zu expected=%lld missing=%lld\n", all.size(),
              static_cast<long long>(expected),
              static_cast<long long>(missing));
  std::printf("all     %s\n", Summary(all).c_str());
  std::printf("rotate  %s\n", Summary(rotate).c_str());
  std::printf("revoke  %s\n", Summary(revoke).c_str());
  std::printf("rpc     %s   (t0 -> reply)\n", Summary(rpc_ms).c_str());
  std::printf("round max %s\n", Summary(round_max).c_str());
  std::printf("server cpu per rotate round %s\n",
              Summary(cpu_rotate_ms).c_str());
  std::printf("server cpu per revoke round %s\n",
              Summary(cpu_revoke_ms).c_str());
  {
    const double server_rounds =
        (cpu1.first + cpu1.second) - (cpu0.first + cpu0.second);
    // What the changes cost beyond idling (timers, heartbeats), per change.
    const double server_change =
        server_rounds - idle_server_cpu / idle_wall * rounds_wall;
    const double workers_change =
        rounds_workers_cpu - idle_workers_cpu / idle_wall * rounds_wall;
    std::printf("cpu idle (per s of wall): server %.1f ms, workers %.1f ms\n",
                1e3 * idle_server_cpu / idle_wall,
                1e3 * idle_workers_cpu / idle_wall);
    std::printf(
        "cpu rounds phase (%.1f s wall): server %.2f s, workers %.2f s; "
        "beyond idle, per change: server %.1f ms (%.1f us/watcher), "
        "workers %.1f ms (%.1f us/watcher)\n",
        rounds_wall, server_rounds, rounds_workers_cpu,
        1e3 * server_change / rounds, 1e6 * server_change / rounds / watchers,
        1e3 * workers_change / rounds,
        1e6 * workers_change / rounds / watchers);
    std::printf("workers cpu, whole run: %.2f s\n", worker_cpu);
  }
  std::printf(
      "\n== identity server memory (in-process, coordinator VmRSS) ==\n");
  std::printf(
      "before watchers: VmRSS %lld kB (RssAnon %lld kB, %d threads, "
      "%d sockets)\n",
      static_cast<long long>(rss_before), static_cast<long long>(anon_before),
      threads_before, sockets_before);
  std::printf(
      "idle, %d watchers: VmRSS %lld kB (RssAnon %lld kB, %d threads, "
      "%d sockets)\n",
      watchers, static_cast<long long>(rss_idle),
      static_cast<long long>(anon_idle), threads_idle, sockets_idle);
  std::printf("per idle watcher: %.1f kB VmRSS (%.1f kB RssAnon)\n",
              per_watcher_kb,
              static_cast<double>(anon_idle - anon_before) / watchers);
  std::printf(
      "workers (client side) at READY: %lld kB VmRSS total, %.1f kB "
      "per watcher\n",
      static_cast<long long>(worker_rss_kb),
      static_cast<double>(worker_rss_kb) / watchers);
  std::printf(
      "\nRESULT %s: p99 %.2f ms vs target <= %.0f ms; %zu/%lld samples\n",
      pass ? "PASS" : "FAIL", p99, absl::GetFlag(FLAGS_target_p99_ms),
      all.size(), static_cast<long long>(expected));
  std::fflush(stdout);

  keyadmin.reset();
  identity_stub.reset();
  run.server->Stop(absl::Seconds(2));
  run.server.reset();
  std::system(absl::StrCat("rm -rf '", run.data_dir, "'").c_str());
  std::_Exit(pass ? 0 : 1);
}

}  // namespace
}  // namespace meshid::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_mutex_deadlock_detection)) {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  }
  meshid::server::SetLogServiceName(
      absl::GetFlag(FLAGS_worker) ? "propagation-worker" : "propagation-bench");
  if (!absl::GetFlag(FLAGS_verbose)) {
    meshid::server::SetMinLogLevel(meshid::server::LogLevel::kWarning);
  }
  if (absl::GetFlag(FLAGS_worker)) return meshid::bench::WorkerMain();
  // Workers are this very binary.
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) {
    std::fprintf(stderr, "propagation_bench: cannot read /proc/self/exe\n");
    return 2;
  }
  self[n] = '\0';
  return meshid::bench::CoordinatorMain(self);
}
