// What both roles of propagation_bench use: the monotonic clock, readings of
// this process (memory, threads, sockets, CPU), and the line-based pipe
// protocol between the coordinator and its workers.
//
// Protocol (text lines; coordinator -> worker on fd 3, worker -> coordinator
// on fd 4; the client secret goes through the pipe, never argv):
//   -> CONFIG <identity_address> <keyadmin_address> <client_id> <secret>
//   <- READY <watchers_synced> <min_version> <max_version> <vm_rss_kb>
//   -> ROUND <round> <target_version> <deadline_monotonic_ns>
//   <- ARRIVALS <round> <n> <t_1> ... <t_n>   (-1: not by the deadline)
//   -> CPU
//   <- CPU <user+sys seconds so far>
//   -> QUIT (or EOF)
//   <- BYE <cpu_user_s> <cpu_sys_s> <vm_rss_kb>
//
#ifndef MESHID_BENCH_PROPAGATION_PROCESS_UTIL_H_
#define MESHID_BENCH_PROPAGATION_PROCESS_UTIL_H_

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/crypto/secret_bytes.h"
#include "common/keyset/key_set_watcher.h"
#include "common/server/json_log.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/security/credentials.h"
#include "identity/identity_server.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"

namespace meshid::bench {

constexpr int kCmdFd = 3;  // worker reads commands here
constexpr int kResFd = 4;  // worker writes results here

// CLOCK_MONOTONIC in ns: one clock for every process of the host.
int64_t MonoNs();
// A field of /proc/self/status in kB ("VmRSS", "RssAnon", ...); -1 if absent.
int64_t ProcStatusKb(const char* field);
int ThreadCount();
int SocketCount();
// (user, system) CPU seconds of this process.
std::pair<double, double> CpuSeconds();
// Writes all of `data` to `fd`; false on error.
bool WriteAll(int fd, const std::string& data);

// Reads '\n'-terminated lines from a pipe, with a deadline.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  int fd() const { return fd_; }
  // true: *line holds the next line. false: EOF, error or deadline (see
  // eof()).
  bool Next(std::string* line, int64_t deadline_ns) {
    for (;;) {
      const size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        *line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return true;
      }
      if (eof_) return false;
      const int64_t left_ms = (deadline_ns - MonoNs()) / 1'000'000;
      if (left_ms <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      const int r =
          poll(&p, 1, static_cast<int>(std::min<int64_t>(left_ms, 1000)));
      if (r < 0 && errno != EINTR) {
        eof_ = true;
        return false;
      }
      if (r <= 0) continue;
      char chunk[65536];
      const ssize_t n = read(fd_, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        eof_ = true;
        continue;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }
  bool eof() const { return eof_; }

 private:
  const int fd_;
  std::string buffer_;
  bool eof_ = false;
};

// Insecure credentials whose channels do not share subchannels: every
// channel made with one of these gets a distinct argument and a local
// subchannel pool, so it opens its own TCP connection. (KeySetWatcherOptions
// takes credentials, not channel arguments; this is how the bench gives each
// watcher its own connections without touching common/.)

}  // namespace meshid::bench

#endif  // MESHID_BENCH_PROPAGATION_PROCESS_UTIL_H_
