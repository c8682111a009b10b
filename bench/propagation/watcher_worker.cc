#include "bench/propagation/watcher_worker.h"

#include "bench/propagation/process_util.h"
#include "bench/propagation/propagation_flags.h"

namespace meshid::bench {
namespace {

namespace v1 = ::meshid::identity::v1;
namespace ka = ::meshid::keyadmin::v1;
using server::Log;
using server::LogLevel;

class OwnConnectionCredentials final : public grpc::ChannelCredentials {
 public:
  grpc::SecureChannelCredentials* AsSecureCredentials() override {
    return nullptr;
  }

 private:
  std::shared_ptr<grpc::Channel> CreateChannelImpl(
      const grpc::string& target, const grpc::ChannelArguments& args) override {
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

// One watcher and the log of when it published what: written by its
// on_publish hook, or by a recorder thread with --recorder_threads.
struct Watched {
  std::unique_ptr<keyset::KeySetWatcher> watcher;
  bool recorded = false;
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

}  // namespace

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
    Watched* raw = w.get();
    w->recorded = i % absl::GetFlag(FLAGS_record_every) == 0;
    const bool hook = w->recorded && !absl::GetFlag(FLAGS_recorder_threads);
    if (hook) {
      // The publishing thread logs the moment the new set became visible.
      options.on_publish = [raw](int64_t version) {
        const int64_t t = MonoNs();
        absl::MutexLock lock(&raw->mu);
        raw->log.emplace_back(version, t);
      };
    }
    w->watcher = std::make_unique<keyset::KeySetWatcher>(std::move(options));
    absl::Status started = w->watcher->Start();
    if (!started.ok()) WorkerDie(started.ToString());
    if (!w->recorded || hook) {
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
  if (!WriteAll(kResFd,
                absl::StrCat("READY ", synced, " ", min_version, " ",
                             max_version, " ", ProcStatusKb("VmRSS"), "\n"))) {
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
    for (auto& w : watched) recorded += w->recorded ? 1 : 0;
    std::string out = absl::StrCat("ARRIVALS ", round, " ", recorded);
    for (auto& w : watched) {
      if (!w->recorded) continue;
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
        auto keep =
            std::find_if(w->log.begin(), w->log.end(),
                         [target](const auto& e) { return e.first >= target; });
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

}  // namespace meshid::bench
