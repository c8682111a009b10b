#include "bench/propagation/process_util.h"

namespace meshid::bench {

int64_t MonoNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// A field of /proc/self/status in kB ("VmRSS", "RssAnon", ...); -1 if absent.
int64_t ProcStatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = absl::StrCat(field, ":");
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) {
      int64_t kb = -1;
      std::vector<std::string> parts =
          absl::StrSplit(line.substr(prefix.size()), absl::ByAnyChar(" \t"),
                         absl::SkipEmpty());
      if (!parts.empty() && absl::SimpleAtoi(parts[0], &kb)) return kb;
    }
  }
  return -1;
}

int ThreadCount() { return static_cast<int>(ProcStatusKb("Threads")); }

// Open sockets of this process (/proc/self/fd links named "socket:[...]").
int SocketCount() {
  int sockets = 0;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  while (dirent* e = readdir(dir)) {
    char target[64];
    const std::string path = absl::StrCat("/proc/self/fd/", e->d_name);
    const ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
    if (n > 0 && std::strncmp(target, "socket:", 7) == 0) ++sockets;
  }
  closedir(dir);
  return sockets;
}

std::pair<double, double> CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return {ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
          ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6};
}

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace meshid::bench
