// ChildProcess: a meshid binary run by an integration test as a real
// process, with its stdout and stderr in a log file the test can search.
//
//   ChildProcessOptions options;
//   options.binary = MESHID_IDENTITY_BINARY;
//   options.args = {"--store=sqlite:///tmp/x/meshid.db", ...};
//   options.log_path = dir + "/identity.log";
//   auto child = ChildProcess::Start(options);
//   ASSERT_TRUE(child.ok()) << child.status();
//   std::optional<std::string> line =
//       (*child)->WaitForLogLine("identity.started", absl::Seconds(20));
//   std::optional<int> port = JsonLogInt(*line, "identity_port");
//   (*child)->Signal(SIGKILL);
//
// The destructor SIGKILLs a child that still runs and reaps it, so a failed
// assertion never leaves a server behind. Every wait has a deadline; waiting
// on the log polls the file every few milliseconds, because a child's output
// has no other completion signal.
#ifndef MESHID_TESTS_TESTING_CHILD_PROCESS_H_
#define MESHID_TESTS_TESTING_CHILD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace meshid::test_process {

struct ChildProcessOptions {
  // Absolute path of the executable.
  std::string binary;
  // Arguments after argv[0].
  std::vector<std::string> args;
  // "NAME=value" entries added to (or replacing in) this process's
  // environment.
  std::vector<std::string> env;
  // File receiving the child's stdout and stderr, appended to (so a restart
  // keeps the first run's lines). Required.
  std::string log_path;
};

class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      const ChildProcessOptions& options);
  ~ChildProcess();

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  // Sends `signal` if the child has not been reaped yet.
  void Signal(int signal);

  // Reaps the child. Returns its exit code, or 128 + the signal that ended
  // it, or nullopt when it still runs at the deadline.
  std::optional<int> WaitForExit(absl::Duration timeout);

  // True until the child has exited (checked without blocking).
  bool Running();

  // The whole log so far.
  std::string ReadLog() const;

  // Waits until a line of the log written since byte offset `*from` (0 when
  // `from` is null) contains `needle`; returns that line and moves `*from`
  // past it. nullopt at the deadline or when the child exits first.
  std::optional<std::string> WaitForLogLine(absl::string_view needle,
                                            absl::Duration timeout,
                                            size_t* from = nullptr);

 private:
  ChildProcess(pid_t pid, std::string log_path)
      : pid_(pid), log_path_(std::move(log_path)) {}
  std::optional<std::string> FindLine(absl::string_view needle,
                                      size_t* from) const;

  pid_t pid_;
  std::string log_path_;
  bool reaped_ = false;
  int exit_code_ = 0;
};

// The integer value of member `key` in a JSON log line, e.g. 50051 for
// JsonLogInt(R"({"event":"x","identity_port":50051})", "identity_port");
// the value may be a number or a string of digits. nullopt when absent.
std::optional<int> JsonLogInt(absl::string_view line, absl::string_view key);

// A fresh directory under $TMPDIR (or /tmp), removed with its contents by
// the destructor.
class TempDir {
 public:
  static absl::StatusOr<std::unique_ptr<TempDir>> Create(
      absl::string_view prefix);
  ~TempDir();
  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(absl::string_view name) const;

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// A free loopback TCP port (bound, read, released), for a server whose
// address another process must know before it starts (port 0 cannot be
// passed on). Another process could take it in between; on loopback in a
// test that has not been seen.
int FreeLoopbackPort();

// Writes `contents` to `path` with mode 0600 (secret files).
absl::Status WritePrivateFile(const std::string& path,
                              absl::string_view contents);

}  // namespace meshid::test_process

#endif  // MESHID_TESTS_TESTING_CHILD_PROCESS_H_
