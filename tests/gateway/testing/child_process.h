// ChildProcess: a program the test runs as a real process (meshid-identity,
// meshid-gateway, the echo upstream), its stdout and stderr in files. The
// child is killed when the test process dies (PR_SET_PDEATHSIG) and when
// the object is destroyed, so a failing test leaves nothing running.
//
//   absl::StatusOr<std::unique_ptr<ChildProcess>> p = ChildProcess::Spawn(
//       {.argv = {binary, "--config", path}, .stderr_path = dir + "/gw.err"});
//   (*p)->Signal(SIGTERM);
//   std::optional<int> code = (*p)->WaitForExit(absl::Seconds(10));
#ifndef MESHID_TESTS_GATEWAY_TESTING_CHILD_PROCESS_H_
#define MESHID_TESTS_GATEWAY_TESTING_CHILD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace meshid::gatewaytest {

struct ChildProcessOptions {
  std::vector<std::string> argv;  // argv[0] is the binary's path
  std::string stdout_path = "/dev/null";
  std::string stderr_path = "/dev/null";
};

class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(
      const ChildProcessOptions& options);
  ~ChildProcess();  // SIGKILL and reap when still running

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int signal);
  // The exit code (128 + signal when killed by one) once it exited within
  // `timeout`; nullopt when still running.
  std::optional<int> WaitForExit(absl::Duration timeout);
  bool Running();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  std::optional<int> exit_code_;
};

}  // namespace meshid::gatewaytest

#endif  // MESHID_TESTS_GATEWAY_TESTING_CHILD_PROCESS_H_
