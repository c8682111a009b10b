#include "bench/grpc_load/load_run.h"

#include <sys/resource.h>

#include <algorithm>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"

namespace meshid::bench {

namespace v1 = ::meshid::identity::v1;

double ProcessCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

LoadRun::LoadRun(const std::string& address,
                 const v1::IssueTokenRequest& request, bool expect_token,
                 LoadOptions options)
    : options_(options), request_(request), expect_token_(expect_token) {
  const int channels = options_.channels;
  for (int i = 0; i < channels; ++i) {
    grpc::ChannelArguments args;
    // A distinct argument (and a local pool) keeps channels from sharing a
    // subchannel, so `channels` really are that many TCP connections.
    args.SetInt("meshid.bench.channel", i);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel = grpc::CreateCustomChannel(
        address, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                   std::chrono::seconds(10))) {
      options_.fail(absl::StrCat("cannot connect to ", address));
    }
    stubs_.push_back(v1::Identity::NewStub(channel));
  }
}

Sample LoadRun::Run(const std::string& target, int round) {
  const int concurrency = options_.concurrency;
  const auto measure = std::chrono::duration<double>(options_.seconds);
  const auto warmup =
      std::chrono::duration<double>(options_.warmup_seconds);
  max_calls_ = options_.max_calls;
  slots_.clear();
  for (int i = 0; i < concurrency; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->stub = stubs_[i % stubs_.size()].get();
    slot->latencies_ns.reserve(1 << 16);
    slots_.push_back(std::move(slot));
  }
  phase_.store(kWarmup);
  in_flight_ = concurrency;
  for (auto& slot : slots_) Issue(slot.get());

  std::this_thread::sleep_for(warmup);
  const double cpu0 = ProcessCpuSeconds();
  const Clock::time_point t0 = Clock::now();
  phase_.store(kMeasure);
  // Wakes early when --max_calls is reached.
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, t0 + std::chrono::duration_cast<Clock::duration>(measure),
                   [&] { return measured_.load() >= max_calls_; });
  }
  phase_.store(kStop);
  const Clock::time_point t1 = Clock::now();
  const double cpu1 = ProcessCpuSeconds();
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(40),
                      [&] { return in_flight_ == 0; })) {
      options_.fail(absl::StrCat(target, ": calls still in flight 40 s after stop"));
    }
  }
  if (errors_.load() > 0) {
    options_.fail(absl::StrCat(target, " round ", round, ": ", errors_.load(),
                     " failed calls; first: ", first_error_));
  }

  std::vector<int64_t> all;
  for (auto& slot : slots_) {
    all.insert(all.end(), slot->latencies_ns.begin(), slot->latencies_ns.end());
  }
  std::sort(all.begin(), all.end());
  Sample s;
  s.target = target;
  s.round = round;
  s.calls = static_cast<int64_t>(all.size());
  s.seconds = std::chrono::duration<double>(t1 - t0).count();
  s.calls_per_sec = s.calls / s.seconds;
  auto pct = [&](double q) {
    if (all.empty()) return 0.0;
    size_t i = static_cast<size_t>(q * (all.size() - 1) + 0.5);
    return all[std::min(i, all.size() - 1)] / 1000.0;
  };
  s.p50_us = pct(0.50);
  s.p90_us = pct(0.90);
  s.p99_us = pct(0.99);
  s.max_us = all.empty() ? 0 : all.back() / 1000.0;
  s.cpu_us_per_call = s.calls > 0 ? (cpu1 - cpu0) * 1e6 / s.calls : 0;
  measured_.store(0);
  return s;
}

void LoadRun::Issue(Slot* slot) {
  slot->ctx = std::make_unique<grpc::ClientContext>();
  slot->ctx->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(30));
  slot->response.Clear();
  slot->started = Clock::now();
  slot->stub->async()->IssueToken(
      slot->ctx.get(), &request_, &slot->response,
      [this, slot](grpc::Status status) { Done(slot, status); });
}

void LoadRun::Done(Slot* slot, const grpc::Status& status) {
  const Clock::time_point now = Clock::now();
  const int phase = phase_.load(std::memory_order_acquire);
  bool ok = status.ok();
  if (ok && expect_token_ && slot->response.access_token().empty()) {
    ok = false;
  }
  if (!ok) {
    if (errors_.fetch_add(1) == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      first_error_ =
          status.ok() ? std::string("OK reply without an access_token")
                      : absl::StrCat("code ", status.error_code(), ": ",
                                     status.error_message());
    }
  } else if (phase == kMeasure) {
    slot->latencies_ns.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - slot->started)
            .count());
    if (measured_.fetch_add(1) + 1 == max_calls_) {
      std::lock_guard<std::mutex> lock(mu_);
      cv_.notify_all();
    }
  }
  if (phase != kStop && ok && measured_.load() < max_calls_) {
    Issue(slot);
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (--in_flight_ == 0) cv_.notify_all();
}

}  // namespace meshid::bench
