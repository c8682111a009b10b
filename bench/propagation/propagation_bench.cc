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
//     server's views (the RPC publishes before it replies) and sent to every
//     worker, which answers with the time each of its watchers published that
//     version. latency = publish time - t0, so it includes the RPC itself.
//   worker (--worker) runs its share of meshid::keyset::KeySetWatcher, the
//     validator's real watcher (its own thread, IssueToken, WatchKeys, the
//     KeySetUpdater apply path, atomic publish), by default each on its own
//     TCP connections like separate validator processes would be
//     (--shared_connections puts a worker's watchers on one connection). Next
//     to each watcher a recorder thread blocks in WaitForVersion(last + 1)
//     and logs (version, CLOCK_MONOTONIC) each time the watcher publishes:
//     no polling, and CLOCK_MONOTONIC is one clock for every process of the
//     host.
//
// Protocol (text lines; coordinator -> worker on fd 3, worker -> coordinator
// on fd 4; the client secret goes through the pipe, never argv):
//   -> CONFIG <identity_address> <keyadmin_address> <client_id> <secret>
//   <- READY <watchers_synced> <min_version> <max_version> <vm_rss_kb>
//   -> ROUND <round> <target_version> <deadline_monotonic_ns>
//   <- ARRIVALS <round> <n> <t_1> ... <t_n>   (-1: not by the deadline)
//   -> CPU
//   <- CPU <user+sys seconds so far>
//   -> QUIT (or EOF)
//   <- BYE <cpu_user_s> <cpu_sys_s> <vm_rss_kb>
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
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/crypto/secret_bytes.h"
#include "common/keyset/key_set_watcher.h"
#include "common/server/json_log.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/security/credentials.h"
#include "identity/identity_server.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"

extern char** environ;

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
ABSL_FLAG(bool, mutex_deadlock_detection, true,
          "Experiment when false: absl::SetMutexDeadlockDetectionMode(kIgnore) "
          "in every process of the run. Debian's Abseil is built without "
          "NDEBUG, so deadlock detection is on in meshid's binaries");
ABSL_FLAG(int, record_every, 1,
          "Diagnostic: record arrivals of every K-th watcher only (all "
          "watchers still run). 1, the default, records every watcher; a "
          "larger K shows what the bench's own recorder threads cost");
ABSL_FLAG(bool, verbose, false, "Keep info-level JSON logs (server, watchers)");
ABSL_FLAG(bool, per_round, true, "Print one line per round");
// Worker role (set by the coordinator).
ABSL_FLAG(bool, worker, false, "Internal: run as a worker process");
ABSL_FLAG(int, worker_index, 0, "Internal: this worker's index");
ABSL_FLAG(int, worker_watchers, 0, "Internal: this worker's watchers");
ABSL_FLAG(int, parent_pid, 0, "Internal: the coordinator's pid");

namespace meshid::bench {
namespace {

namespace v1 = ::meshid::identity::v1;
namespace ka = ::meshid::keyadmin::v1;
using server::Log;
using server::LogLevel;

constexpr int kCmdFd = 3;  // worker reads commands here
constexpr int kResFd = 4;  // worker writes results here
constexpr char kAdminSecret[] = "bench-admin-secret-0123456789abcdef-0123";
constexpr char kValidator[] = "logging-service";
constexpr char kCaller[] = "careergpt-backend";

int64_t MonoNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// A field of /proc/self/status in kB ("VmRSS", "RssAnon", ...); -1 if absent.
int64_t ProcStatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = absl::StrCat(field, ":");
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) {
      int64_t kb = -1;
      std::vector<std::string> parts =
          absl::StrSplit(line.substr(prefix.size()), absl::ByAnyChar(" \t"),
                         absl::SkipEmpty());
      if (!parts.empty() && absl::SimpleAtoi(parts[0], &kb)) return kb;
    }
  }
  return -1;
}

int ThreadCount() { return static_cast<int>(ProcStatusKb("Threads")); }

// Open sockets of this process (/proc/self/fd links named "socket:[...]").
int SocketCount() {
  int sockets = 0;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  while (dirent* e = readdir(dir)) {
    char target[64];
    const std::string path = absl::StrCat("/proc/self/fd/", e->d_name);
    const ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
    if (n > 0 && std::strncmp(target, "socket:", 7) == 0) ++sockets;
  }
  closedir(dir);
  return sockets;
}

std::pair<double, double> CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return {ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
          ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6};
}

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Reads '\n'-terminated lines from a pipe, with a deadline.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  int fd() const { return fd_; }
  // true: *line holds the next line. false: EOF, error or deadline (see
  // eof()).
  bool Next(std::string* line, int64_t deadline_ns) {
    for (;;) {
      const size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        *line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return true;
      }
      if (eof_) return false;
      const int64_t left_ms = (deadline_ns - MonoNs()) / 1'000'000;
      if (left_ms <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      const int r = poll(&p, 1, static_cast<int>(std::min<int64_t>(left_ms, 1000)));
      if (r < 0 && errno != EINTR) {
        eof_ = true;
        return false;
      }
      if (r <= 0) continue;
      char chunk[65536];
      const ssize_t n = read(fd_, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        eof_ = true;
        continue;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }
  bool eof() const { return eof_; }

 private:
  const int fd_;
  std::string buffer_;
  bool eof_ = false;
};

// Insecure credentials whose channels do not share subchannels: every
// channel made with one of these gets a distinct argument and a local
// subchannel pool, so it opens its own TCP connection. (KeySetWatcherOptions
// takes credentials, not channel arguments; this is how the bench gives each
// watcher its own connections without touching common/.)
class OwnConnectionCredentials final : public grpc::ChannelCredentials {
 public:
  grpc::SecureChannelCredentials* AsSecureCredentials() override {
    return nullptr;
  }

 private:
  std::shared_ptr<grpc::Channel> CreateChannelImpl(
      const grpc::string& target,
      const grpc::ChannelArguments& args) override {
    grpc::ChannelArguments own(args);
    static std::atomic<int> next{0};
    own.SetInt("meshid.bench.connection", next.fetch_add(1));
    own.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    if (!absl::GetFlag(FLAGS_client_bdp_probe)) {
      own.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    }
    return grpc::CreateCustomChannel(target, insecure_, own);
  }
  bool IsInsecure() const override { return true; }

  const std::shared_ptr<grpc::ChannelCredentials> insecure_ =
      grpc::InsecureChannelCredentials();
};

// =============================================================================
// Worker
// =============================================================================

// One watcher and the thread that logs when it publishes what.
struct Watched {
  std::unique_ptr<keyset::KeySetWatcher> watcher;
  absl::Mutex mu;
  // (version, CLOCK_MONOTONIC ns) per publish, in order.
  std::vector<std::pair<int64_t, int64_t>> log ABSL_GUARDED_BY(mu);
  std::thread recorder;
};

[[noreturn]] void WorkerDie(const std::string& what) {
  std::fprintf(stderr, "propagation_bench worker %d: FATAL: %s\n",
               absl::GetFlag(FLAGS_worker_index), what.c_str());
  std::fflush(stderr);
  std::_Exit(2);
}

int WorkerMain() {
  // Die with the coordinator, whatever the reason it went away.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != absl::GetFlag(FLAGS_parent_pid)) std::_Exit(3);
  signal(SIGPIPE, SIG_IGN);
  const int timeout_s = absl::GetFlag(FLAGS_worker_timeout_s);
  std::thread([timeout_s] {
    absl::SleepFor(absl::Seconds(timeout_s));
    std::fprintf(stderr, "propagation_bench worker: global timeout\n");
    std::_Exit(4);
  }).detach();

  LineReader commands(kCmdFd);
  std::string line;
  if (!commands.Next(&line, MonoNs() + int64_t{60} * 1'000'000'000)) {
    WorkerDie("no CONFIG from the coordinator");
  }
  std::vector<std::string> config = absl::StrSplit(line, ' ');
  if (config.size() != 5 || config[0] != "CONFIG") WorkerDie("bad CONFIG");
  const int n = absl::GetFlag(FLAGS_worker_watchers);

  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (!absl::GetFlag(FLAGS_shared_connections)) {
    credentials = std::make_shared<OwnConnectionCredentials>();
  }
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Watched>> watched;
  watched.reserve(n);
  for (int i = 0; i < n; ++i) {
    keyset::KeySetWatcherOptions options;
    options.identity_address = config[1];
    options.keyadmin_address = config[2];
    options.client_id = config[3];
    options.client_secret = crypto::SecretBytes(config[4]);
    options.channel_credentials = credentials;
    auto w = std::make_unique<Watched>();
    w->watcher = std::make_unique<keyset::KeySetWatcher>(std::move(options));
    absl::Status started = w->watcher->Start();
    if (!started.ok()) WorkerDie(started.ToString());
    Watched* raw = w.get();
    if (i % absl::GetFlag(FLAGS_record_every) != 0) {
      watched.push_back(std::move(w));
      continue;
    }
    w->recorder = std::thread([raw, &stop] {
      int64_t next = 1;
      while (!stop.load(std::memory_order_relaxed)) {
        if (!raw->watcher->WaitForVersion(next, absl::Seconds(1))) continue;
        const int64_t t = MonoNs();
        const int64_t v = raw->watcher->Current()->version();
        {
          absl::MutexLock lock(&raw->mu);
          raw->log.emplace_back(v, t);
        }
        next = v + 1;
      }
    });
    watched.push_back(std::move(w));
  }
  // Config carried the secret: wipe our copy.
  { crypto::SecretBytes wipe(std::move(config[4])); }

  // Ready: every watcher holds a snapshot.
  const absl::Time ready_deadline =
      absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_ready_timeout_s));
  int synced = 0;
  int64_t min_version = INT64_MAX, max_version = 0;
  for (auto& w : watched) {
    if (w->watcher->WaitForVersion(
            1, std::max(absl::ZeroDuration(), ready_deadline - absl::Now()))) {
      ++synced;
    }
    const int64_t v = w->watcher->Current()->version();
    min_version = std::min(min_version, v);
    max_version = std::max(max_version, v);
  }
  if (!WriteAll(kResFd, absl::StrCat("READY ", synced, " ", min_version, " ",
                                     max_version, " ", ProcStatusKb("VmRSS"),
                                     "\n"))) {
    WorkerDie("cannot write READY");
  }

  // Rounds, until QUIT or EOF.
  while (commands.Next(&line, INT64_MAX)) {
    std::vector<std::string> cmd = absl::StrSplit(line, ' ');
    if (cmd.empty() || cmd[0] == "QUIT") break;
    if (cmd[0] == "CPU") {
      const auto [user, sys] = CpuSeconds();
      if (!WriteAll(kResFd, absl::StrFormat("CPU %.6f\n", user + sys))) {
        WorkerDie("cannot write CPU");
      }
      continue;
    }
    int64_t round = 0, target = 0, deadline_ns = 0;
    if (cmd[0] != "ROUND" || cmd.size() != 4 ||
        !absl::SimpleAtoi(cmd[1], &round) ||
        !absl::SimpleAtoi(cmd[2], &target) ||
        !absl::SimpleAtoi(cmd[3], &deadline_ns)) {
      WorkerDie(absl::StrCat("bad command: ", line));
    }
    int recorded = 0;
    for (auto& w : watched) recorded += w->recorder.joinable() ? 1 : 0;
    std::string out = absl::StrCat("ARRIVALS ", round, " ", recorded);
    for (auto& w : watched) {
      if (!w->recorder.joinable()) continue;
      int64_t arrival = -1;
      auto reached = [&w, target, &arrival]() {
        for (const auto& [v, t] : w->log) {
          if (v >= target) {
            arrival = t;
            return true;
          }
        }
        return false;
      };
      absl::MutexLock lock(&w->mu);
      const absl::Duration left = absl::Nanoseconds(deadline_ns - MonoNs());
      w->mu.AwaitWithTimeout(absl::Condition(&reached),
                             std::max(absl::ZeroDuration(), left));
      if (arrival > deadline_ns) arrival = -1;
      // Entries older than this round are of no further use.
      if (arrival >= 0) {
        auto keep = std::find_if(w->log.begin(), w->log.end(),
                                 [target](const auto& e) {
                                   return e.first >= target;
                                 });
        w->log.erase(w->log.begin(), keep);
      }
      absl::StrAppend(&out, " ", arrival);
    }
    out += "\n";
    if (!WriteAll(kResFd, out)) WorkerDie("cannot write ARRIVALS");
  }

  stop.store(true);
  for (auto& w : watched) w->watcher->Stop();
  for (auto& w : watched) {
    if (w->recorder.joinable()) w->recorder.join();
  }
  const auto [user, sys] = CpuSeconds();
  WriteAll(kResFd, absl::StrFormat("BYE %.3f %.3f %d\n", user, sys,
                                   ProcStatusKb("VmRSS")));
  watched.clear();
  std::fflush(stderr);
  std::_Exit(0);  // skip static destructors with gRPC threads about
}

// =============================================================================
// Coordinator
// =============================================================================

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
Run* g_run = nullptr;

void KillWorkers() {
  if (g_run == nullptr) return;
  for (Worker& w : g_run->workers) {
    if (w.cmd_fd >= 0) {
      close(w.cmd_fd);  // EOF: a healthy worker stops by itself
      w.cmd_fd = -1;
    }
  }
  // Give them a moment to stop cleanly, then kill what is left.
  const int64_t deadline = MonoNs() + int64_t{10} * 1'000'000'000;
  for (Worker& w : g_run->workers) {
    if (w.pid <= 0) continue;
    int status = 0;
    while (waitpid(w.pid, &status, WNOHANG) == 0) {
      if (MonoNs() > deadline) {
        kill(w.pid, SIGKILL);
        waitpid(w.pid, &status, 0);
        break;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    w.pid = -1;
  }
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "propagation_bench: FATAL: %s\n", what.c_str());
  std::fflush(stderr);
  KillWorkers();
  if (g_run != nullptr && !g_run->data_dir.empty()) {
    std::system(absl::StrCat("rm -rf '", g_run->data_dir, "'").c_str());
  }
  std::_Exit(2);
}

std::unique_ptr<grpc::ClientContext> WithToken(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

absl::StatusOr<std::string> Issue(v1::Identity::Stub& stub,
                                  const std::string& client,
                                  const std::string& secret,
                                  const std::string& audience) {
  v1::IssueTokenRequest request;
  request.set_client_id(client);
  request.set_client_secret(secret);
  request.set_audience(audience);
  v1::TokenResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  const grpc::Status s = stub.IssueToken(&ctx, request, &response);
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                        s.error_message());
  }
  return response.access_token();
}

// Retries IssueToken until it works (a new client's key is PENDING until the
// ticker activates it) or `within` passes.
std::string IssueWhenReady(v1::Identity::Stub& stub, const std::string& client,
                           const std::string& secret,
                           const std::string& audience, absl::Duration within) {
  const absl::Time give_up = absl::Now() + within;
  for (;;) {
    absl::StatusOr<std::string> t = Issue(stub, client, secret, audience);
    if (t.ok() && !t->empty()) return *t;
    if (absl::Now() > give_up) {
      Die(absl::StrCat("no token for ", client, ": ", t.status().ToString()));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

std::string CreateClient(ka::KeyAdmin::Stub& keyadmin, const std::string& token,
                         const std::string& client_id,
                         const std::string& audience,
                         const std::vector<std::string>& scopes) {
  ka::CreateClientRequest request;
  request.set_client_id(client_id);
  request.mutable_policy()->add_allowed_audiences(audience);
  auto* entry = request.mutable_policy()->add_audience_scopes();
  entry->set_audience(audience);
  for (const std::string& s : scopes) entry->add_scopes(s);
  ka::CreateClientResponse response;
  const grpc::Status s =
      keyadmin.CreateClient(WithToken(token).get(), request, &response);
  if (!s.ok()) Die(absl::StrCat("CreateClient ", client_id, ": ", s.error_message()));
  return response.client_secret();
}

ka::KeySlot PairSlot() {
  ka::KeySlot slot;
  slot.mutable_pair()->set_client_id(kCaller);
  slot.mutable_pair()->set_audience(kValidator);
  return slot;
}

// Nearest rank.
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

void SpawnWorkers(const std::string& self, int processes, int watchers,
                  Run& run) {
  for (int i = 0; i < processes; ++i) {
    Worker w;
    w.watchers = watchers / processes + (i < watchers % processes ? 1 : 0);
    int cmd[2], res[2];
    if (pipe2(cmd, O_CLOEXEC) != 0 || pipe2(res, O_CLOEXEC) != 0) {
      Die("pipe2 failed");
    }
    std::vector<std::string> args = {
        self,
        "--worker",
        absl::StrCat("--worker_index=", i),
        absl::StrCat("--worker_watchers=", w.watchers),
        absl::StrCat("--parent_pid=", getpid()),
        absl::StrCat("--ready_timeout_s=", absl::GetFlag(FLAGS_ready_timeout_s)),
        absl::StrCat("--worker_timeout_s=",
                     absl::GetFlag(FLAGS_worker_timeout_s)),
        absl::StrCat("--shared_connections=",
                     absl::GetFlag(FLAGS_shared_connections) ? "true" : "false"),
        absl::StrCat("--mutex_deadlock_detection=",
                     absl::GetFlag(FLAGS_mutex_deadlock_detection) ? "true"
                                                                    : "false"),
        absl::StrCat("--record_every=", absl::GetFlag(FLAGS_record_every)),
        absl::StrCat("--client_bdp_probe=",
                     absl::GetFlag(FLAGS_client_bdp_probe) ? "true" : "false"),
        absl::StrCat("--verbose=",
                     absl::GetFlag(FLAGS_verbose) ? "true" : "false"),
    };
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // dup2 clears FD_CLOEXEC on the copy; the originals close on exec.
    posix_spawn_file_actions_adddup2(&actions, cmd[0], kCmdFd);
    posix_spawn_file_actions_adddup2(&actions, res[1], kResFd);
    pid_t pid = -1;
    const int rc =
        posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(cmd[0]);
    close(res[1]);
    if (rc != 0) Die(absl::StrCat("posix_spawn: ", std::strerror(rc)));
    w.pid = pid;
    w.cmd_fd = cmd[1];
    w.results = std::make_unique<LineReader>(res[0]);
    run.workers.push_back(std::move(w));
  }
}

// Total CPU seconds (user + sys) of all workers so far.
double WorkersCpu(Run& run) {
  double total = 0;
  for (size_t i = 0; i < run.workers.size(); ++i) {
    if (!WriteAll(run.workers[i].cmd_fd, "CPU\n")) Die("cannot send CPU");
    std::string line;
    double cpu = 0;
    if (!run.workers[i].results->Next(&line,
                                      MonoNs() + int64_t{30} * 1'000'000'000) ||
        line.rfind("CPU ", 0) != 0 || !absl::SimpleAtod(line.substr(4), &cpu)) {
      Die(absl::StrCat("worker ", i, " did not answer CPU"));
    }
    total += cpu;
  }
  return total;
}

int CoordinatorMain(const std::string& self) {
  const int watchers = absl::GetFlag(FLAGS_watchers);
  const int processes = absl::GetFlag(FLAGS_processes);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  if (watchers < 1 || processes < 1 || processes > watchers || rounds < 1 ||
      absl::GetFlag(FLAGS_record_every) < 1) {
    Die("need --watchers >= --processes >= 1, --rounds >= 1, --record_every >= 1");
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
  if (!started.ok()) Die(absl::StrCat("IdentityServer::Start: ", started.status().ToString()));
  run.server = *std::move(started);
  const std::string identity_address =
      absl::StrCat("127.0.0.1:", run.server->ports().identity);
  const std::string keyadmin_address =
      absl::StrCat("127.0.0.1:", run.server->ports().keyadmin);
  auto identity_stub = v1::Identity::NewStub(
      grpc::CreateChannel(identity_address, grpc::InsecureChannelCredentials()));
  auto keyadmin = ka::KeyAdmin::NewStub(
      grpc::CreateChannel(keyadmin_address, grpc::InsecureChannelCredentials()));

  std::string admin = IssueWhenReady(*identity_stub, "meshid-admin",
                                     kAdminSecret, "meshid-keyadmin",
                                     absl::Seconds(15));
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
      MonoNs() + int64_t{absl::GetFlag(FLAGS_ready_timeout_s) + 10} * 1'000'000'000;
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
  std::printf("propagation_bench: %d watchers in %d processes synced in %.2f s "
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
      if (!WriteAll(w.cmd_fd,
                    absl::StrCat("ROUND ", r, " ", target, " ", deadline, "\n"))) {
        Die("cannot send ROUND");
      }
    }
    std::vector<double> this_round;
    int64_t this_missing = 0;
    for (size_t i = 0; i < run.workers.size(); ++i) {
      std::string line;
      if (!run.workers[i].results->Next(&line,
                                        deadline + int64_t{5} * 1'000'000'000)) {
        Die(absl::StrCat("worker ", i, " did not answer round ", r));
      }
      std::vector<std::string> f = absl::StrSplit(line, ' ');
      int64_t n = 0, round = -1;
      if (f.size() < 3 || f[0] != "ARRIVALS" || !absl::SimpleAtoi(f[1], &round) ||
          round != r || !absl::SimpleAtoi(f[2], &n) ||
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
    const double round_cpu_ms =
        1e3 * ((round_cpu1.first + round_cpu1.second) -
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

  // --- shut down ---------------------------------------------------------------
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

  // --- report ------------------------------------------------------------------
  const int64_t expected = recorded_per_round * rounds;
  std::sort(all.begin(), all.end());
  const double p99 = Percentile(all, 99);
  const bool pass = missing == 0 &&
                    static_cast<int64_t>(all.size()) == expected &&
                    p99 <= absl::GetFlag(FLAGS_target_p99_ms);
  const double per_watcher_kb =
      static_cast<double>(rss_idle - rss_before) / watchers;
  std::printf("\n== propagation: commit -> applied in every watcher's cache ==\n");
  std::printf("watchers=%d processes=%d rounds=%d connections=%s "
              "record_every=%d deadlock_detection=%s client_bdp_probe=%s\n",
              watchers, processes, rounds,
              absl::GetFlag(FLAGS_shared_connections) ? "shared" : "per-watcher",
              absl::GetFlag(FLAGS_record_every),
              absl::GetFlag(FLAGS_mutex_deadlock_detection) ? "on" : "off",
              absl::GetFlag(FLAGS_client_bdp_probe) ? "on" : "off");
  std::printf("samples=%zu expected=%lld missing=%lld\n", all.size(),
              static_cast<long long>(expected), static_cast<long long>(missing));
  std::printf("all     %s\n", Summary(all).c_str());
  std::printf("rotate  %s\n", Summary(rotate).c_str());
  std::printf("revoke  %s\n", Summary(revoke).c_str());
  std::printf("rpc     %s   (t0 -> reply; the fan-out runs inside the RPC)\n",
              Summary(rpc_ms).c_str());
  std::printf("round max %s\n", Summary(round_max).c_str());
  std::printf("server cpu per rotate round %s\n", Summary(cpu_rotate_ms).c_str());
  std::printf("server cpu per revoke round %s\n", Summary(cpu_revoke_ms).c_str());
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
    std::printf("cpu rounds phase (%.1f s wall): server %.2f s, workers %.2f s; "
                "beyond idle, per change: server %.1f ms (%.1f us/watcher), "
                "workers %.1f ms (%.1f us/watcher)\n",
                rounds_wall, server_rounds, rounds_workers_cpu,
                1e3 * server_change / rounds, 1e6 * server_change / rounds / watchers,
                1e3 * workers_change / rounds,
                1e6 * workers_change / rounds / watchers);
    std::printf("workers cpu, whole run: %.2f s\n", worker_cpu);
  }
  std::printf("\n== identity server memory (in-process, coordinator VmRSS) ==\n");
  std::printf("before watchers: VmRSS %lld kB (RssAnon %lld kB, %d threads, "
              "%d sockets)\n",
              static_cast<long long>(rss_before),
              static_cast<long long>(anon_before), threads_before,
              sockets_before);
  std::printf("idle, %d watchers: VmRSS %lld kB (RssAnon %lld kB, %d threads, "
              "%d sockets)\n",
              watchers, static_cast<long long>(rss_idle),
              static_cast<long long>(anon_idle), threads_idle, sockets_idle);
  std::printf("per idle watcher: %.1f kB VmRSS (%.1f kB RssAnon)\n",
              per_watcher_kb,
              static_cast<double>(anon_idle - anon_before) / watchers);
  std::printf("workers (client side) at READY: %lld kB VmRSS total, %.1f kB "
              "per watcher\n",
              static_cast<long long>(worker_rss_kb),
              static_cast<double>(worker_rss_kb) / watchers);
  std::printf("\nRESULT %s: p99 %.2f ms vs target <= %.0f ms; %zu/%lld samples\n",
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
  meshid::server::SetLogServiceName(absl::GetFlag(FLAGS_worker)
                                        ? "propagation-worker"
                                        : "propagation-bench");
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
