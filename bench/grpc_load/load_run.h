// The closed-loop load client of identity_load: `concurrency` IssueToken
// calls kept in flight on `channels` connections (callback API), one
// warm-up then one measured window per Run, latencies per call and this
// process's CPU per call. Any failed call fails the whole run (`fail`).
#ifndef MESHID_BENCH_GRPC_LOAD_LOAD_RUN_H_
#define MESHID_BENCH_GRPC_LOAD_LOAD_RUN_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "meshid/identity/v1/identity.grpc.pb.h"

namespace meshid::bench {

struct Sample {
  std::string target;
  int round = 0;
  int64_t calls = 0;       // completed OK inside the measured window
  double seconds = 0;      // measured window
  double calls_per_sec = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0;
  // This process's CPU (user + sys, all threads: client and servers) in the
  // window per completed call. Other tenants of the machine do not count
  // here, so it is steadier than calls/s on a shared box.
  double cpu_us_per_call = 0;
};

// User + system CPU seconds of this process so far.
double ProcessCpuSeconds();

struct LoadOptions {
  int channels = 4;
  int concurrency = 64;
  double seconds = 5;         // measured window
  double warmup_seconds = 1;  // unmeasured load before it
  int64_t max_calls = 20'000'000;
  // Ends the process (must not return): a failed call, no connection.
  void (*fail)(const std::string& what) = nullptr;
};

class LoadRun {
 public:
  LoadRun(const std::string& address,
          const identity::v1::IssueTokenRequest& request, bool expect_token,
          LoadOptions options);

  Sample Run(const std::string& target, int round);

 private:
  using Clock = std::chrono::steady_clock;
  enum Phase { kWarmup, kMeasure, kStop };
  struct Slot {
    identity::v1::Identity::Stub* stub = nullptr;
    std::unique_ptr<grpc::ClientContext> ctx;
    identity::v1::TokenResponse response;
    Clock::time_point started;
    // Written only by this slot's completions, which never overlap (one
    // call per slot at a time); read after every call has ended.
    std::vector<int64_t> latencies_ns;
  };

  void Issue(Slot* slot);
  void Done(Slot* slot, const grpc::Status& status);

  const LoadOptions options_;
  const identity::v1::IssueTokenRequest request_;
  const bool expect_token_;
  std::vector<std::unique_ptr<identity::v1::Identity::Stub>> stubs_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::atomic<int> phase_{kWarmup};
  std::atomic<int64_t> measured_{0};
  std::atomic<int64_t> errors_{0};
  int64_t max_calls_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;  // guarded by mu_
  std::string first_error_;  // guarded by mu_
};

}  // namespace meshid::bench

#endif  // MESHID_BENCH_GRPC_LOAD_LOAD_RUN_H_
