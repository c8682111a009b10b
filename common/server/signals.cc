#include "common/server/signals.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace meshid::server {
namespace {

sigset_t ShutdownSignalSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

ShutdownSignal FromSignalNumber(int signo) {
  return signo == SIGINT ? ShutdownSignal::kInterrupt
                         : ShutdownSignal::kTerminate;
}

}  // namespace

absl::string_view ShutdownSignalName(ShutdownSignal signal) {
  return signal == ShutdownSignal::kInterrupt ? "SIGINT" : "SIGTERM";
}

absl::Status BlockShutdownSignals() {
  const sigset_t set = ShutdownSignalSet();
  const int err = pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (err != 0) {
    return absl::InternalError(
        absl::StrCat("cannot block SIGTERM/SIGINT: ", std::strerror(err)));
  }
  return absl::OkStatus();
}

ShutdownSignal WaitForShutdownSignal() {
  const sigset_t set = ShutdownSignalSet();
  int signo = 0;
  // sigwait returns only our two signals; any error would mean a broken set.
  while (sigwait(&set, &signo) != 0) {
  }
  return FromSignalNumber(signo);
}

absl::optional<ShutdownSignal> WaitForShutdownSignalFor(
    absl::Duration timeout) {
  const sigset_t set = ShutdownSignalSet();
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    const absl::Duration left =
        std::max(deadline - absl::Now(), absl::ZeroDuration());
    const timespec ts = absl::ToTimespec(left);
    const int signo = sigtimedwait(&set, nullptr, &ts);
    if (signo > 0) return FromSignalNumber(signo);
    if (errno != EINTR || left == absl::ZeroDuration()) return absl::nullopt;
  }
}

}  // namespace meshid::server
