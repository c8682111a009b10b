// SIGTERM/SIGINT without signal handlers: the signals are blocked in every
// thread and one thread takes them with sigwait(), so shutdown work (health
// NOT_SERVING, drain, flush logs) runs as ordinary code, not in a handler.
//
//   int main(int argc, char** argv) {
//     if (!BlockShutdownSignals().ok()) return 1;  // before any thread starts
//     ... parse flags, start servers (their threads inherit the mask) ...
//     const ShutdownSignal signal = WaitForShutdownSignal();
//     Log(LogLevel::kInfo, "shutdown.begin",
//         {{"signal", ShutdownSignalName(signal)}});
//     DrainGrpcServer(*server, {});
//   }
//
// The mask is per thread and inherited by threads created afterwards, which
// is why BlockShutdownSignals must run before gRPC, civetweb or anything else
// starts a thread: a thread that does not block SIGTERM would receive it and
// the default action would kill the process without a drain.
#ifndef MESHID_COMMON_SERVER_SIGNALS_H_
#define MESHID_COMMON_SERVER_SIGNALS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"

namespace meshid::server {

enum class ShutdownSignal { kTerminate, kInterrupt };  // SIGTERM, SIGINT

// "SIGTERM" or "SIGINT".
absl::string_view ShutdownSignalName(ShutdownSignal signal);

// Blocks SIGTERM and SIGINT in the calling thread, and so in every thread it
// creates afterwards. Fails only if the mask cannot be changed.
[[nodiscard]] absl::Status BlockShutdownSignals();

// Waits until SIGTERM or SIGINT is pending for the calling thread or the
// process and consumes it. The calling thread must have the signals blocked.
ShutdownSignal WaitForShutdownSignal();

// The same with a limit: nullopt when `timeout` passes without a signal.
absl::optional<ShutdownSignal> WaitForShutdownSignalFor(absl::Duration timeout);

}  // namespace meshid::server

#endif  // MESHID_COMMON_SERVER_SIGNALS_H_
