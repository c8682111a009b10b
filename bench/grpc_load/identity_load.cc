// identity_load: IssueToken throughput over gRPC on loopback, next to an
// empty unary RPC on the same kind of server, in one run (issue 3).
//
// Targets, all in this process on 127.0.0.1:
//   empty        a sync meshid.identity.v1.Identity service whose IssueToken
//                returns an empty TokenResponse at once, built exactly like
//                meshid-identity's servers (ConfigureServerBuilder defaults,
//                RegisterService, StartGrpcServer): the gRPC floor.
//   issue/sqlite the real meshid-identity (IdentityServer::Start) on a SQLite
//                store in a temp dir.
//   issue/pg     the same on a scratch PostgreSQL database, when
//                MESHID_BENCH_PG_URL (or --pg_url) names a server.
// Every target gets the same request bytes (a real client's id, secret and
// audience), the same load client and the same concurrency. The targets are
// measured in turn, `--rounds` times, in ABBA order (drift of a shared
// machine hits all of them alike), and the medians are compared. Besides
// calls/s and latency, each sample reports this process's CPU time per call
// (client + servers), which other tenants of the machine disturb less.
//
// The load client uses the callback API: `--concurrency` calls in flight,
// spread over `--channels` channels that do not share a connection; each
// completion records its latency and starts the next call. Any non-OK
// response (or an IssueToken reply without a token) fails the run.
//
//   export MESHID_BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres
//   build-load/bench/grpc_load/identity_load --seconds=2 --warmup_seconds=0.5
//       --rounds=12
//
// Diagnostics (not part of the verdict): --canned (a reply of IssueToken's
// size with no work), --sync_min_pollers/--sync_max_pollers and
// --mutex_deadlock_detection=false (process-wide experiments), --only.
//
// Exit status: 0 = every ratio >= --target, 1 = a ratio missed it,
// 2 = the run itself failed (errors, setup).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/grpc_load/comparison_services.h"
#include "bench/grpc_load/fatal.h"
#include "bench/grpc_load/handler_cost.h"
#include "bench/grpc_load/load_run.h"
#include "bench/grpc_load/real_server.h"
#include "common/server/grpc_server_util.h"
#include "common/server/json_log.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "grpcpp/server_builder.h"
#include "identity/identity_server.h"
#include "identity/token_service.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"

ABSL_FLAG(double, seconds, 5, "Measured seconds per target per round");
ABSL_FLAG(double, warmup_seconds, 1, "Unmeasured load before each measurement");
ABSL_FLAG(int, concurrency, 64, "Calls in flight");
ABSL_FLAG(int, channels, 4, "Channels (separate connections) to spread them on");
ABSL_FLAG(int, rounds, 3, "How often the targets are measured, interleaved");
ABSL_FLAG(double, target, 0.8, "Required IssueToken/empty throughput ratio");
ABSL_FLAG(int64_t, max_calls, 20'000'000,
          "Cap on calls per measurement (a bound besides --seconds)");
ABSL_FLAG(std::string, pg_url, "",
          "PostgreSQL server for the issue/pg target (a scratch database is "
          "made there and dropped); default: $MESHID_BENCH_PG_URL");
ABSL_FLAG(std::string, signing_alg, "hs256",
          "The bench client's signing algorithm: hs256 (the default policy), "
          "eddsa or es256");
ABSL_FLAG(int, handler_iterations, 200000,
          "In-process TokenService::IssueToken calls (no gRPC) timed on the "
          "SQLite server's context before the load, to show the handler's own "
          "cost; 0 skips it");
ABSL_FLAG(bool, canned, false,
          "Also measure 'canned': an empty-like server replying with a fixed "
          "real token response (diagnostic: reply size vs handler work)");
ABSL_FLAG(bool, callback, false,
          "Also measure the callback API (diagnostic): 'cb-empty', an empty "
          "Identity::CallbackService, and 'cb-issue', a CallbackService whose "
          "IssueToken runs the same TokenService (on the SQLite server's "
          "context) inline; cb-issue is compared with cb-empty");
ABSL_FLAG(int, sync_min_pollers, 0,
          "Experiment, NOT the production setting: when > 0, every gRPC "
          "server in this process (empty and meshid-identity alike) gets this "
          "SyncServerOption::MIN_POLLERS (gRPC default 1)");
ABSL_FLAG(int, sync_max_pollers, 0,
          "Experiment, as --sync_min_pollers, for MAX_POLLERS (gRPC default "
          "2; a sync server thread that finds more idle pollers than this "
          "exits, so a small value means thread churn under load)");
ABSL_FLAG(bool, mutex_deadlock_detection, true,
          "Experiment when false: absl::SetMutexDeadlockDetectionMode(kIgnore) "
          "for the whole process. Debian's Abseil is built without NDEBUG, so "
          "deadlock detection is on in meshid's binaries (and here) by "
          "default");
ABSL_FLAG(std::string, only, "",
          "Comma-separated targets to run (empty, sqlite, pg); default all. "
          "For profiling one of them.");

namespace meshid::bench {
namespace {

using Clock = std::chrono::steady_clock;
namespace v1 = ::meshid::identity::v1;
namespace ka = ::meshid::keyadmin::v1;


// --- the empty server --------------------------------------------------------

std::unique_ptr<grpc::Server> StartLocalServer(grpc::Service* service,
                                               int* port) {
  grpc::ServerBuilder builder;
  server::ConfigureServerBuilder(builder, server::GrpcServerOptions{});
  builder.RegisterService(service);
  absl::StatusOr<std::unique_ptr<grpc::Server>> started =
      server::StartGrpcServer(builder, "127.0.0.1:0",
                              grpc::InsecureServerCredentials(), port);
  if (!started.ok()) Die(started.status().ToString());
  return *std::move(started);
}

// --sync_min_pollers/--sync_max_pollers: a builder plugin, so that the
// servers IdentityServer builds (identity/ is not this bench's to change)
// get the same setting as the empty one. Registered before any builder.
class SyncPollersPlugin final : public grpc::ServerBuilderPlugin {
 public:
  std::string name() override { return "meshid_bench_sync_pollers"; }
  void UpdateServerBuilder(grpc::ServerBuilder* builder) override {
    if (absl::GetFlag(FLAGS_sync_min_pollers) > 0) {
      builder->SetSyncServerOption(grpc::ServerBuilder::MIN_POLLERS,
                                   absl::GetFlag(FLAGS_sync_min_pollers));
    }
    if (absl::GetFlag(FLAGS_sync_max_pollers) > 0) {
      builder->SetSyncServerOption(grpc::ServerBuilder::MAX_POLLERS,
                                   absl::GetFlag(FLAGS_sync_max_pollers));
    }
  }
  void InitServer(grpc::ServerInitializer*) override {}
  void Finish(grpc::ServerInitializer*) override {}
  void ChangeArguments(const std::string&, void*) override {}
};

// --- the real server: bench/grpc_load/real_server.h ------------------------

ka::KeyAlgorithm SigningAlg() {
  const std::string alg = absl::GetFlag(FLAGS_signing_alg);
  if (alg == "hs256") return ka::KEY_ALGORITHM_HS256;
  if (alg == "eddsa") return ka::KEY_ALGORITHM_EDDSA;
  if (alg == "es256") return ka::KEY_ALGORITHM_ES256;
  Die(absl::StrCat("--signing_alg: hs256, eddsa or es256, not '", alg, "'"));
}

// --- the run -----------------------------------------------------------------

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  if (n == 0) return 0;
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string ReadFirstLine(const char* path, const char* prefix) {
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) return "?";
  char line[512];
  std::string out = "?";
  while (std::fgets(line, sizeof line, f)) {
    std::string l(line);
    if (prefix == nullptr || l.rfind(prefix, 0) == 0) {
      if (prefix != nullptr) {
        const size_t colon = l.find(':');
        if (colon != std::string::npos) l = l.substr(colon + 2);
      }
      while (!l.empty() && (l.back() == '\n' || l.back() == ' ')) l.pop_back();
      out = l;
      break;
    }
  }
  std::fclose(f);
  return out;
}

int Main() {
  if (absl::GetFlag(FLAGS_concurrency) < 1 || absl::GetFlag(FLAGS_channels) < 1 ||
      absl::GetFlag(FLAGS_rounds) < 1 || absl::GetFlag(FLAGS_seconds) <= 0 ||
      absl::GetFlag(FLAGS_max_calls) < 1) {
    Die("--concurrency, --channels, --rounds, --seconds, --max_calls must be > 0");
  }
  // The servers' JSON logs: warnings and errors only, so the table stays
  // readable (IssueToken logs nothing per call either way).
  server::SetMinLogLevel(server::LogLevel::kWarning);
  if (!absl::GetFlag(FLAGS_mutex_deadlock_detection)) {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  }
  if (absl::GetFlag(FLAGS_sync_min_pollers) > 0 ||
      absl::GetFlag(FLAGS_sync_max_pollers) > 0) {
    grpc::ServerBuilder::InternalAddPluginFactory(
        [] { return std::unique_ptr<grpc::ServerBuilderPlugin>(
                 new SyncPollersPlugin()); });
  }

  std::string pg_url = absl::GetFlag(FLAGS_pg_url);
  if (pg_url.empty()) {
    const char* env = std::getenv("MESHID_BENCH_PG_URL");
    if (env != nullptr) pg_url = env;
  }
  std::vector<std::string> only;
  if (!absl::GetFlag(FLAGS_only).empty()) {
    only = absl::StrSplit(absl::GetFlag(FLAGS_only), ',');
  }
  auto wanted = [&](const std::string& t) {
    return only.empty() || std::find(only.begin(), only.end(), t) != only.end();
  };

  // Setup: the real servers first (they make the bench client whose
  // credentials every target receives), then the empty one.
  v1::IssueTokenRequest request;
  v1::TokenResponse sample_reply;
  std::unique_ptr<RealServer> sqlite =
      StartRealServer("issue/sqlite", "", SigningAlg(), &request,
                      &sample_reply);
  std::unique_ptr<RealServer> pg;
  v1::IssueTokenRequest pg_request;
  if (!pg_url.empty() && wanted("pg")) {
    pg = StartRealServer("issue/pg", pg_url, SigningAlg(), &pg_request,
                         nullptr);
  }

  // The same builder steps as IdentityServer's StartOne.
  EmptyIdentityService empty_service;
  int empty_port = 0;
  std::unique_ptr<grpc::Server> empty_server =
      StartLocalServer(&empty_service, &empty_port);

  CannedIdentityService canned_service(sample_reply);
  std::unique_ptr<grpc::Server> canned_server;
  int canned_port = 0;
  if (absl::GetFlag(FLAGS_canned)) {
    canned_server = StartLocalServer(&canned_service, &canned_port);
  }
  CallbackEmptyService cb_empty_service;
  CallbackIssueService cb_issue_service(sqlite->server->context());
  std::unique_ptr<grpc::Server> cb_empty_server, cb_issue_server;
  int cb_empty_port = 0, cb_issue_port = 0;
  if (absl::GetFlag(FLAGS_callback)) {
    cb_empty_server = StartLocalServer(&cb_empty_service, &cb_empty_port);
    cb_issue_server = StartLocalServer(&cb_issue_service, &cb_issue_port);
  }

  struct Target {
    std::string name;
    std::unique_ptr<LoadRun> load;
    std::string baseline;  // compared with this target; empty: none
    bool verdict = false;  // counts for PASS/FAIL and the exit status
  };
  LoadOptions load_options;
  load_options.channels = absl::GetFlag(FLAGS_channels);
  load_options.concurrency = absl::GetFlag(FLAGS_concurrency);
  load_options.seconds = absl::GetFlag(FLAGS_seconds);
  load_options.warmup_seconds = absl::GetFlag(FLAGS_warmup_seconds);
  load_options.max_calls = absl::GetFlag(FLAGS_max_calls);
  load_options.fail = [](const std::string& what) { Die(what); };
  auto load_on = [&](int port, const v1::IssueTokenRequest& req,
                     bool expect_token) {
    return std::make_unique<LoadRun>(absl::StrCat("127.0.0.1:", port), req,
                                     expect_token, load_options);
  };
  std::vector<Target> targets;
  if (wanted("empty")) {
    targets.push_back({"empty", load_on(empty_port, request, false), "", false});
  }
  if (canned_server) {
    targets.push_back(
        {"canned", load_on(canned_port, request, true), "empty", false});
  }
  if (wanted("sqlite")) {
    targets.push_back({"issue/sqlite",
                       load_on(sqlite->server->ports().identity, request, true),
                       "empty", true});
  }
  if (pg) {
    targets.push_back({"issue/pg",
                       load_on(pg->server->ports().identity, pg_request, true),
                       "empty", true});
  }
  if (cb_empty_server) {
    targets.push_back(
        {"cb-empty", load_on(cb_empty_port, request, false), "", false});
    targets.push_back(
        {"cb-issue", load_on(cb_issue_port, request, true), "cb-empty", false});
  }
  if (targets.empty()) Die("--only selected no target");

  double handler_us = 0, handler_fresh_us = 0;
  if (absl::GetFlag(FLAGS_handler_iterations) > 0) {
    handler_us = HandlerMicrosPerCall(*sqlite->server, request,
                                      absl::GetFlag(FLAGS_handler_iterations),
                                      &handler_fresh_us);
  }
  const std::string cpu = ReadFirstLine("/proc/cpuinfo", "model name");
  const std::string load = ReadFirstLine("/proc/loadavg", nullptr);
  std::printf(
      "identity_load: %u cpus (%s), loadavg %s\n"
      "  %g s measured after %g s warmup per target and round, %d rounds, "
      "concurrency %d over %d channels, signing %s, gRPC %s\n"
      "  PostgreSQL: %s\n"
      "  IssueToken handler alone (TokenService + metrics, no gRPC, 1 "
      "thread): %.2f us/call warm; first call on a fresh thread %.1f us\n"
      "  sync server pollers: %s; absl mutex deadlock detection: %s\n\n",
      std::thread::hardware_concurrency(), cpu.c_str(), load.c_str(),
      absl::GetFlag(FLAGS_seconds), absl::GetFlag(FLAGS_warmup_seconds),
      absl::GetFlag(FLAGS_rounds), absl::GetFlag(FLAGS_concurrency),
      absl::GetFlag(FLAGS_channels), absl::GetFlag(FLAGS_signing_alg).c_str(),
      grpc::Version().c_str(),
      pg ? "yes (scratch database)"
         : (wanted("pg") ? "skipped (MESHID_BENCH_PG_URL unset)" : "skipped"),
      handler_us, handler_fresh_us,
      absl::GetFlag(FLAGS_sync_min_pollers) > 0 ||
              absl::GetFlag(FLAGS_sync_max_pollers) > 0
          ? absl::StrFormat("EXPERIMENT min %d max %d (0 = gRPC default)",
                            absl::GetFlag(FLAGS_sync_min_pollers),
                            absl::GetFlag(FLAGS_sync_max_pollers))
                .c_str()
          : "gRPC defaults (min 1, max 2), as in production",
      absl::GetFlag(FLAGS_mutex_deadlock_detection)
          ? "on (Debian Abseil default, as in production)"
          : "EXPERIMENT off");
  std::printf("%-13s %5s %10s %10s %9s %9s %9s %9s %9s\n", "target", "round",
              "calls", "calls/s", "p50 us", "p90 us", "p99 us", "max us",
              "cpu us/c");
  std::fflush(stdout);

  std::vector<Sample> samples;
  const int rounds = absl::GetFlag(FLAGS_rounds);
  for (int r = 1; r <= rounds; ++r) {
    // ABBA: even rounds run the targets in reverse order, so a machine
    // getting busier or quieter during the run does not favour one target.
    std::vector<Target*> order;
    for (Target& t : targets) order.push_back(&t);
    if (r % 2 == 0) std::reverse(order.begin(), order.end());
    for (Target* tp : order) {
      Target& t = *tp;
      Sample s = t.load->Run(t.name, r);
      std::printf("%-13s %5d %10lld %10.0f %9.0f %9.0f %9.0f %9.0f %9.1f\n",
                  s.target.c_str(), s.round, static_cast<long long>(s.calls),
                  s.calls_per_sec, s.p50_us, s.p90_us, s.p99_us, s.max_us,
                  s.cpu_us_per_call);
      std::fflush(stdout);
      samples.push_back(std::move(s));
    }
  }

  struct Summary {
    std::string name;
    double cps = 0, p50 = 0, p99 = 0, cpu = 0;
    // Median [min, max] over rounds of cps / the baseline's cps that round.
    double paired = 0, paired_min = 0, paired_max = 0;
  };
  auto cps_in_round = [&](const std::string& target, int round) {
    for (const Sample& s : samples) {
      if (s.target == target && s.round == round) return s.calls_per_sec;
    }
    return 0.0;
  };
  std::vector<Summary> summaries;
  for (const Target& t : targets) {
    std::vector<double> cps, p50, p99, cpu, paired;
    for (const Sample& s : samples) {
      if (s.target != t.name) continue;
      cps.push_back(s.calls_per_sec);
      p50.push_back(s.p50_us);
      p99.push_back(s.p99_us);
      cpu.push_back(s.cpu_us_per_call);
      const double b = t.baseline.empty() ? 0 : cps_in_round(t.baseline, s.round);
      if (b > 0) paired.push_back(s.calls_per_sec / b);
    }
    Summary sum{t.name, Median(cps), Median(p50), Median(p99), Median(cpu)};
    if (!paired.empty()) {
      sum.paired = Median(paired);
      sum.paired_min = *std::min_element(paired.begin(), paired.end());
      sum.paired_max = *std::max_element(paired.begin(), paired.end());
    }
    summaries.push_back(sum);
  }
  auto summary_of = [&](const std::string& name) -> const Summary* {
    for (const Summary& s : summaries) {
      if (s.name == name) return &s;
    }
    return nullptr;
  };
  std::printf(
      "\nmedians of %d rounds (ratio = median calls/s / the baseline's median "
      "calls/s; paired = median [min-max] of per-round ratios; cpu = "
      "baseline cpu/call / target cpu/call)\n"
      "%-13s %10s %9s %9s %9s %-9s %7s %19s %7s  %s\n",
      rounds, "target", "calls/s", "p50 us", "p99 us", "cpu us/c", "baseline",
      "ratio", "paired", "cpu", "verdict");
  const double target_ratio = absl::GetFlag(FLAGS_target);
  bool all_pass = true;
  for (size_t i = 0; i < targets.size(); ++i) {
    const Target& t = targets[i];
    const Summary& s = summaries[i];
    const Summary* base = t.baseline.empty() ? nullptr : summary_of(t.baseline);
    std::string ratio = "-", paired = "-", cpu_ratio = "-", verdict = "";
    if (base != nullptr && base->cps > 0) {
      const double r = s.cps / base->cps;
      ratio = absl::StrFormat("%.2fx", r);
      paired = absl::StrFormat("%.2fx [%.2f-%.2f]", s.paired, s.paired_min,
                               s.paired_max);
      if (s.cpu > 0) cpu_ratio = absl::StrFormat("%.2fx", base->cpu / s.cpu);
      if (t.verdict) {
        const bool pass = r >= target_ratio;
        all_pass = all_pass && pass;
        verdict = absl::StrFormat("%s (target >= %.2fx)",
                                  pass ? "PASS" : "FAIL", target_ratio);
      } else {
        verdict = "(diagnostic)";
      }
    }
    std::printf("%-13s %10.0f %9.0f %9.0f %9.1f %-9s %7s %19s %7s  %s\n",
                s.name.c_str(), s.cps, s.p50, s.p99, s.cpu,
                t.baseline.empty() ? "-" : t.baseline.c_str(), ratio.c_str(),
                paired.c_str(), cpu_ratio.c_str(), verdict.c_str());
  }
  std::fflush(stdout);

  if (canned_server) {
    canned_server->Shutdown(std::chrono::system_clock::now() +
                            std::chrono::seconds(2));
  }
  for (grpc::Server* srv : {empty_server.get(), cb_empty_server.get(),
                            cb_issue_server.get()}) {
    if (srv != nullptr) {
      srv->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    }
  }
  targets.clear();
  pg.reset();
  sqlite.reset();
  return all_pass ? 0 : 1;
}

}  // namespace
}  // namespace meshid::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return meshid::bench::Main();
}
