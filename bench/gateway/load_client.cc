#include "bench/gateway/load_client.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "meshid/gatewaytest/v1/echo.grpc.pb.h"

namespace meshid::bench {
namespace {

namespace v1 = ::meshid::gatewaytest::v1;
using SteadyClock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

enum class Phase : int { kWarmup, kMeasure, kStop };

// All calls of one run.
class Run {
 public:
  Run(const std::string& address, const LoadOptions& options)
      : options_(options) {
    request_.set_payload(std::string(options.payload_bytes, 'p'));
    authorization_ = absl::StrCat("Bearer ", options.bearer_token);
    for (int i = 0; i < std::max(1, options.channels); ++i) {
      grpc::ChannelArguments args;
      // A connection per channel, not a shared subchannel.
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      args.SetInt("meshid.bench.channel", i);
      args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
      stubs_.push_back(v1::Echo::NewStub(grpc::CreateCustomChannel(
          address, grpc::InsecureChannelCredentials(), args)));
    }
    // A generous bound: 200k calls/s over the measured span.
    latencies_.resize(static_cast<size_t>(
        std::max(1.0, absl::ToDoubleSeconds(options.measure)) * 200'000));
  }

  absl::StatusOr<LoadResult> Execute() {
    // Connect first, so connection setup is not measured.
    for (auto& stub : stubs_) {
      grpc::ClientContext context;
      context.set_wait_for_ready(true);
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(10));
      context.AddMetadata("authorization", authorization_);
      v1::PingResponse response;
      const grpc::Status s = stub->Ping(&context, request_, &response);
      if (!s.ok()) {
        return absl::UnavailableError(
            absl::StrCat("first call failed: ", s.error_message()));
      }
    }
    {
      absl::MutexLock lock(&mu_);
      in_flight_ = options_.concurrency;
    }
    for (int i = 0; i < options_.concurrency; ++i) {
      slots_.push_back(std::make_unique<Slot>());
      slots_.back()->stub = stubs_[i % stubs_.size()].get();
    }
    for (auto& slot : slots_) Start(slot.get());
    absl::SleepFor(options_.warmup);
    const double cpu_before = CpuSeconds();
    const int64_t measure_start = NowNs();
    phase_.store(Phase::kMeasure);
    absl::SleepFor(options_.measure);
    phase_.store(Phase::kStop);
    const int64_t measure_end = NowNs();
    const double cpu_after = CpuSeconds();
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](int* n) { return *n == 0; }, &in_flight_));
    }
    if (failures_.load() > 0) {
      absl::MutexLock lock(&mu_);
      return absl::FailedPreconditionError(absl::StrCat(
          failures_.load(), " calls failed; first: ", first_failure_));
    }
    const size_t n = std::min(recorded_.load(), latencies_.size());
    if (n == 0) return absl::InternalError("no call completed");
    std::vector<int64_t> sorted(latencies_.begin(), latencies_.begin() + n);
    std::sort(sorted.begin(), sorted.end());
    LoadResult result;
    result.calls = static_cast<int64_t>(n);
    result.calls_per_second = n / ((measure_end - measure_start) / 1e9);
    result.p50_ns = sorted[n / 2];
    result.p99_ns = sorted[std::min(n - 1, n * 99 / 100)];
    result.client_cpu_us_per_call = (cpu_after - cpu_before) * 1e6 / n;
    return result;
  }

 private:
  struct Slot {
    v1::Echo::Stub* stub = nullptr;
    std::optional<grpc::ClientContext> context;
    v1::PingResponse response;
    int64_t started_ns = 0;
    bool measured = false;
  };

  void Start(Slot* slot) {
    slot->context.emplace();
    slot->context->AddMetadata("authorization", authorization_);
    slot->measured = phase_.load(std::memory_order_relaxed) == Phase::kMeasure;
    slot->started_ns = NowNs();
    slot->stub->async()->Ping(&*slot->context, &request_, &slot->response,
                              [this, slot](grpc::Status s) { Done(slot, s); });
  }

  void Done(Slot* slot, const grpc::Status& status) {
    const int64_t latency = NowNs() - slot->started_ns;
    if (!status.ok()) {
      if (failures_.fetch_add(1) == 0) {
        absl::MutexLock lock(&mu_);
        first_failure_ =
            absl::StrCat(status.error_code(), " ", status.error_message());
      }
    } else if (slot->measured &&
               phase_.load(std::memory_order_relaxed) == Phase::kMeasure) {
      const size_t i = recorded_.fetch_add(1, std::memory_order_relaxed);
      if (i < latencies_.size()) latencies_[i] = latency;
    }
    if (phase_.load(std::memory_order_relaxed) != Phase::kStop &&
        failures_.load(std::memory_order_relaxed) == 0) {
      Start(slot);
      return;
    }
    absl::MutexLock lock(&mu_);
    --in_flight_;
  }

  const LoadOptions options_;
  v1::PingRequest request_;
  std::string authorization_;
  std::vector<std::unique_ptr<v1::Echo::Stub>> stubs_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<int64_t> latencies_;
  std::atomic<size_t> recorded_{0};
  std::atomic<Phase> phase_{Phase::kWarmup};
  std::atomic<int> failures_{0};
  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::string first_failure_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<LoadResult> RunLoad(const std::string& address,
                                   const LoadOptions& options) {
  Run run(address, options);
  return run.Execute();
}

}  // namespace meshid::bench
