// gateway_bench: one trivial unary call (Echo.Ping of echo.proto) reached
// three ways, in one run, by one load client (load_client.h):
//   direct    the upstream itself (gateway_echo_upstream)
//   gateway   through meshid-gateway, which validates the caller's JWT,
//             routes, rate-limits (no limit configured: the buckets and
//             anomaly counters still run), logs every call to stderr (a
//             file) and forwards with its own token
//   nginx     through Debian's nginx (grpc_pass, no auth), see
//             nginx_proxy.h
// All of them are separate processes on loopback, next to meshid-identity
// (idle during the run) on the same machine.
//
// Two phases, each measuring the three targets at the same concurrency,
// interleaved over --rounds (ABC, CBA, ...) so drift on a shared machine
// hits all alike, medians reported:
//   throughput  --concurrency calls in flight on --channels connections:
//               calls/s, p50, p99
//   latency     --latency_concurrency (1: one call at a time): p50, p99,
//               and what the gateway adds to the direct p50
// Targets (issue 6): gateway >= 2.0x nginx and >= 0.35x direct calls/s;
// added p50 <= 100 us.
//
//   build-bench/bench/gateway/gateway_bench --rounds=3 --seconds=3
//
// Exit status: 0 all targets met, 1 a target missed, 2 the run failed.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "bench/gateway/h2load_runner.h"
#include "bench/gateway/load_client.h"
#include "bench/gateway/nginx_proxy.h"
#include "common/server/json_log.h"
#include "tests/gateway/testing/gateway_env.h"

ABSL_FLAG(double, seconds, 3, "Measured seconds per target per round");
ABSL_FLAG(double, warmup_seconds, 1, "Unmeasured load before each one");
ABSL_FLAG(int, rounds, 3, "Rounds per phase (targets interleaved)");
ABSL_FLAG(int, concurrency, 32, "Calls in flight, throughput phase");
ABSL_FLAG(int, channels, 4, "Client connections, throughput phase");
ABSL_FLAG(int, latency_concurrency, 1, "Calls in flight, latency phase");
ABSL_FLAG(double, latency_seconds, 2, "Measured seconds, latency phase");
ABSL_FLAG(int, upstream_channels, 1,
          "meshid-gateway --upstream_channels (connections per upstream)");
ABSL_FLAG(bool, ship_access_log, false,
          "Also ship the gateway's access log to a (fake, in-process) Log "
          "server, besides stderr");
ABSL_FLAG(std::string, nginx, "/usr/sbin/nginx", "The nginx binary");
ABSL_FLAG(bool, nginx_access_log, true,
          "nginx writes an access-log line per request to a file, as the "
          "gateway does (to stderr, here a file); false turns it off");
ABSL_FLAG(bool, h2load, true,
          "Also measure throughput with nghttp2's h2load (same connections "
          "and streams) as a cross-check of the gRPC load client");
ABSL_FLAG(std::string, h2load_binary, "/usr/bin/h2load", "The h2load binary");
ABSL_FLAG(std::string, only, "",
          "Comma-separated targets (direct,gateway,nginx); default all");

namespace meshid::bench {
namespace {

struct Target {
  std::string name;
  std::string address;
};

struct Samples {
  std::vector<double> calls_per_second;
  std::vector<double> p50_us;
  std::vector<double> p99_us;
  std::vector<double> client_cpu_us;
};

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "gateway_bench: FATAL: %s\n", what.c_str());
  std::fflush(stderr);
  std::_Exit(2);
}

// Measures every target `rounds` times, alternating the order.
std::map<std::string, Samples> Measure(const std::vector<Target>& targets,
                                       const LoadOptions& options, int rounds,
                                       const char* phase) {
  std::map<std::string, Samples> samples;
  for (int round = 0; round < rounds; ++round) {
    std::vector<Target> order = targets;
    if (round % 2 == 1) std::reverse(order.begin(), order.end());
    for (const Target& target : order) {
      absl::StatusOr<LoadResult> r = RunLoad(target.address, options);
      if (!r.ok()) {
        Die(absl::StrCat(phase, " ", target.name, ": ", r.status().message()));
      }
      std::fprintf(stderr,
                   "  %s round %d %-8s %9.0f calls/s  p50 %7.1f us  "
                   "p99 %7.1f us\n",
                   phase, round + 1, target.name.c_str(), r->calls_per_second,
                   r->p50_ns / 1e3, r->p99_ns / 1e3);
      Samples& s = samples[target.name];
      s.calls_per_second.push_back(r->calls_per_second);
      s.p50_us.push_back(r->p50_ns / 1e3);
      s.p99_us.push_back(r->p99_ns / 1e3);
      s.client_cpu_us.push_back(r->client_cpu_us_per_call);
    }
  }
  return samples;
}

void PrintTable(const char* title, const std::vector<Target>& targets,
                std::map<std::string, Samples>& samples) {
  std::printf("\n%s\n", title);
  std::printf("| target  |   calls/s |  p50 (us) |  p99 (us) |\n");
  std::printf("|---------|----------:|----------:|----------:|\n");
  for (const Target& t : targets) {
    Samples& s = samples[t.name];
    std::printf("| %-7s | %9.0f | %9.1f | %9.1f |\n", t.name.c_str(),
                Median(s.calls_per_second), Median(s.p50_us), Median(s.p99_us));
  }
}

int Main() {
  server::SetMinLogLevel(server::LogLevel::kWarning);
  gatewaytest::GatewayEnv env;
  if (absl::Status s = env.Start(); !s.ok()) Die(std::string(s.message()));
  absl::StatusOr<std::string> token =
      env.CallerToken("bench-caller", {"echo:call"});
  if (!token.ok()) Die(std::string(token.status().message()));

  gateway::v1::GatewayConfig config = env.BaseConfig();
  if (!absl::GetFlag(FLAGS_ship_access_log)) config.clear_access_log();
  absl::StatusOr<std::unique_ptr<gatewaytest::GatewayProcess>> gateway =
      env.StartGateway(config,
                       {absl::StrCat("--upstream_channels=",
                                     absl::GetFlag(FLAGS_upstream_channels))});
  if (!gateway.ok()) Die(std::string(gateway.status().message()));
  absl::StatusOr<std::unique_ptr<NginxProxy>> nginx = NginxProxy::Start(
      absl::GetFlag(FLAGS_nginx), env.dir(), env.echo_address(),
      absl::GetFlag(FLAGS_nginx_access_log));
  if (!nginx.ok()) Die(std::string(nginx.status().message()));

  std::vector<Target> targets;
  const std::string only = absl::GetFlag(FLAGS_only);
  const auto wanted = [&](const char* name) {
    return only.empty() || absl::StrContains(only, name);
  };
  if (wanted("direct")) targets.push_back({"direct", env.echo_address()});
  if (wanted("gateway")) targets.push_back({"gateway", (*gateway)->address()});
  if (wanted("nginx")) targets.push_back({"nginx", (*nginx)->address()});

  LoadOptions throughput;
  throughput.concurrency = absl::GetFlag(FLAGS_concurrency);
  throughput.channels = absl::GetFlag(FLAGS_channels);
  throughput.warmup = absl::Seconds(absl::GetFlag(FLAGS_warmup_seconds));
  throughput.measure = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  throughput.bearer_token = *token;
  LoadOptions latency = throughput;
  latency.concurrency = absl::GetFlag(FLAGS_latency_concurrency);
  latency.channels = 1;
  latency.measure = absl::Seconds(absl::GetFlag(FLAGS_latency_seconds));

  const int rounds = absl::GetFlag(FLAGS_rounds);
  std::fprintf(stderr, "gateway_bench: %d rounds, throughput phase\n", rounds);
  std::map<std::string, Samples> tp =
      Measure(targets, throughput, rounds, "throughput");
  std::fprintf(stderr, "gateway_bench: latency phase\n");
  std::map<std::string, Samples> lat =
      Measure(targets, latency, rounds, "latency");
  std::map<std::string, std::vector<double>> h2;
  if (absl::GetFlag(FLAGS_h2load)) {
    std::fprintf(stderr, "gateway_bench: h2load throughput phase\n");
    for (int round = 0; round < rounds; ++round) {
      std::vector<Target> order = targets;
      if (round % 2 == 1) std::reverse(order.begin(), order.end());
      for (const Target& target : order) {
        absl::StatusOr<double> rps =
            RunH2load(absl::GetFlag(FLAGS_h2load_binary), env.dir(),
                      target.address, throughput);
        if (!rps.ok()) Die(std::string(rps.status().message()));
        std::fprintf(stderr, "  h2load round %d %-8s %9.0f calls/s\n",
                     round + 1, target.name.c_str(), *rps);
        h2[target.name].push_back(*rps);
      }
    }
  }

  std::printf(
      "gateway_bench: Echo.Ping (16-byte payload), %d rounds, "
      "medians; %.1f s measured per target per round\n",
      rounds, absl::GetFlag(FLAGS_seconds));
  PrintTable(absl::StrFormat("Throughput: %d calls in flight on %d "
                             "connections",
                             throughput.concurrency, throughput.channels)
                 .c_str(),
             targets, tp);
  PrintTable(
      absl::StrFormat("Latency: %d call(s) in flight", latency.concurrency)
          .c_str(),
      targets, lat);
  if (!h2.empty()) {
    std::printf("\nThroughput, h2load client (same connections and streams)\n");
    std::printf("| target  |   calls/s |\n|---------|----------:|\n");
    for (const Target& t : targets) {
      std::printf("| %-7s | %9.0f |\n", t.name.c_str(), Median(h2[t.name]));
    }
  }
  if (targets.size() != 3) {
    (*gateway)->Stop();
    return 0;
  }

  const double direct = Median(tp["direct"].calls_per_second);
  const double gw = Median(tp["gateway"].calls_per_second);
  const double ngx = Median(tp["nginx"].calls_per_second);
  const double added_p50 =
      Median(lat["gateway"].p50_us) - Median(lat["direct"].p50_us);
  const bool vs_nginx = gw >= 2.0 * ngx;
  const bool vs_direct = gw >= 0.35 * direct;
  const bool added = added_p50 <= 100;
  std::printf("\n| ratio | value | target | met |\n|---|---:|---:|---|\n");
  std::printf("| gateway / nginx calls/s | %.2fx | >= 2.0x | %s |\n", gw / ngx,
              vs_nginx ? "yes" : "NO");
  std::printf("| gateway / direct calls/s | %.2fx | >= 0.35x | %s |\n",
              gw / direct, vs_direct ? "yes" : "NO");
  std::printf(
      "| gateway p50 - direct p50 (latency phase) | %.1f us | "
      "<= 100 us | %s |\n",
      added_p50, added ? "yes" : "NO");
  std::printf("| (throughput phase) gateway p50 - direct p50 | %.1f us | | |\n",
              Median(tp["gateway"].p50_us) - Median(tp["direct"].p50_us));
  if (!h2.empty()) {
    std::printf("| (h2load) gateway / nginx calls/s | %.2fx | | |\n",
                Median(h2["gateway"]) / Median(h2["nginx"]));
    std::printf("| (h2load) gateway / direct calls/s | %.2fx | | |\n",
                Median(h2["gateway"]) / Median(h2["direct"]));
  }
  std::fflush(stdout);
  (*gateway)->Stop();
  return vs_nginx && vs_direct && added ? 0 : 1;
}

}  // namespace
}  // namespace meshid::bench

int main(int argc, char** argv) {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::ParseCommandLine(argc, argv);
  return meshid::bench::Main();
}
