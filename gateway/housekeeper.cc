#include "gateway/housekeeper.h"

namespace meshid::gateway {

Housekeeper::Housekeeper(const Deps& deps, absl::Duration interval)
    : deps_(deps),
      clock_(deps.clock != nullptr ? deps.clock : SystemClock::Get()),
      interval_(interval) {}

Housekeeper::~Housekeeper() { Stop(); }

void Housekeeper::RunOnce(absl::Time now) {
  for (const RateSpike& spike : deps_.subjects->ScanForSpikes(now)) {
    deps_.anomalies->OnRateSpike(spike);
  }
  const size_t blocked = deps_.peers->Sweep(now);
  const size_t tracked = deps_.subjects->Sweep(now);
  if (deps_.metrics != nullptr) {
    deps_.metrics->SetBlockedPeers(blocked);
    deps_.metrics->SetTrackedSubjects(tracked);
  }
}

void Housekeeper::Start() {
  thread_ = std::thread([this] {
    for (;;) {
      {
        absl::MutexLock lock(&mu_);
        mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval_);
        if (stopping_) return;
      }
      RunOnce(clock_->Now());
    }
  });
}

void Housekeeper::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace meshid::gateway
