// BlockingExecutor: a few threads for work that blocks (store reads), so
// the gRPC callback threads that receive calls never wait on a database.
// The queue is bounded: when it is full, work is refused at once and the
// caller answers RESOURCE_EXHAUSTED instead of piling up latency.
//
//   BlockingExecutor executor(/*threads=*/4, /*max_queued=*/256);
//   if (!executor.TrySubmit([=] { reactor->Finish(Run()); })) {
//     reactor->Finish(ResourceExhausted());
//   }
//   executor.Shutdown();  // runs what is queued, then joins
#ifndef MESHID_LOGGING_BLOCKING_EXECUTOR_H_
#define MESHID_LOGGING_BLOCKING_EXECUTOR_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace meshid::logging {

class BlockingExecutor {
 public:
  BlockingExecutor(int threads, size_t max_queued);
  ~BlockingExecutor();  // Shutdown()

  BlockingExecutor(const BlockingExecutor&) = delete;
  BlockingExecutor& operator=(const BlockingExecutor&) = delete;

  // Queues `work` for a pool thread; false (and `work` is dropped, not run)
  // when max_queued items wait already or after Shutdown. Thread-safe.
  [[nodiscard]] bool TrySubmit(std::function<void()> work);

  // Refuses new work, runs what is queued, joins. Idempotent.
  void Shutdown();

 private:
  void Run();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !queue_.empty() || stopping_;
  }

  const size_t max_queued_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex join_mu_;
  std::vector<std::thread> threads_;
};

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_BLOCKING_EXECUTOR_H_
