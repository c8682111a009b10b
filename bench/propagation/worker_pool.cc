#include "bench/propagation/worker_pool.h"

#include "bench/propagation/propagation_flags.h"

namespace meshid::bench {

Run* g_run = nullptr;

void KillWorkers() {
  if (g_run == nullptr) return;
  for (Worker& w : g_run->workers) {
    if (w.cmd_fd >= 0) {
      close(w.cmd_fd);  // EOF: a healthy worker stops by itself
      w.cmd_fd = -1;
    }
  }
  // Give them a moment to stop cleanly, then kill what is left.
  const int64_t deadline = MonoNs() + int64_t{10} * 1'000'000'000;
  for (Worker& w : g_run->workers) {
    if (w.pid <= 0) continue;
    int status = 0;
    while (waitpid(w.pid, &status, WNOHANG) == 0) {
      if (MonoNs() > deadline) {
        kill(w.pid, SIGKILL);
        waitpid(w.pid, &status, 0);
        break;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    w.pid = -1;
  }
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "propagation_bench: FATAL: %s\n", what.c_str());
  std::fflush(stderr);
  KillWorkers();
  if (g_run != nullptr && !g_run->data_dir.empty()) {
    std::system(absl::StrCat("rm -rf '", g_run->data_dir, "'").c_str());
  }
  std::_Exit(2);
}

void SpawnWorkers(const std::string& self, int processes, int watchers,
                  Run& run) {
  for (int i = 0; i < processes; ++i) {
    Worker w;
    w.watchers = watchers / processes + (i < watchers % processes ? 1 : 0);
    int cmd[2], res[2];
    if (pipe2(cmd, O_CLOEXEC) != 0 || pipe2(res, O_CLOEXEC) != 0) {
      Die("pipe2 failed");
    }
    std::vector<std::string> args = {
        self,
        "--worker",
        absl::StrCat("--worker_index=", i),
        absl::StrCat("--worker_watchers=", w.watchers),
        absl::StrCat("--parent_pid=", getpid()),
        absl::StrCat("--ready_timeout_s=",
                     absl::GetFlag(FLAGS_ready_timeout_s)),
        absl::StrCat("--worker_timeout_s=",
                     absl::GetFlag(FLAGS_worker_timeout_s)),
        absl::StrCat(
            "--shared_connections=",
            absl::GetFlag(FLAGS_shared_connections) ? "true" : "false"),
        absl::StrCat(
            "--mutex_deadlock_detection=",
            absl::GetFlag(FLAGS_mutex_deadlock_detection) ? "true" : "false"),
        absl::StrCat("--record_every=", absl::GetFlag(FLAGS_record_every)),
        absl::StrCat("--recorder_threads=",
                     absl::GetFlag(FLAGS_recorder_threads) ? "true" : "false"),
        absl::StrCat("--client_bdp_probe=",
                     absl::GetFlag(FLAGS_client_bdp_probe) ? "true" : "false"),
        absl::StrCat("--verbose=",
                     absl::GetFlag(FLAGS_verbose) ? "true" : "false"),
    };
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // dup2 clears FD_CLOEXEC on the copy; the originals close on exec.
    posix_spawn_file_actions_adddup2(&actions, cmd[0], kCmdFd);
    posix_spawn_file_actions_adddup2(&actions, res[1], kResFd);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, self.c_str(), &actions, nullptr,
                               argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(cmd[0]);
    close(res[1]);
    if (rc != 0) Die(absl::StrCat("posix_spawn: ", std::strerror(rc)));
    w.pid = pid;
    w.cmd_fd = cmd[1];
    w.results = std::make_unique<LineReader>(res[0]);
    run.workers.push_back(std::move(w));
  }
}

double WorkersCpu(Run& run) {
  double total = 0;
  for (size_t i = 0; i < run.workers.size(); ++i) {
    if (!WriteAll(run.workers[i].cmd_fd, "CPU\n")) Die("cannot send CPU");
    std::string line;
    double cpu = 0;
    if (!run.workers[i].results->Next(&line,
                                      MonoNs() + int64_t{30} * 1'000'000'000) ||
        line.rfind("CPU ", 0) != 0 || !absl::SimpleAtod(line.substr(4), &cpu)) {
      Die(absl::StrCat("worker ", i, " did not answer CPU"));
    }
    total += cpu;
  }
  return total;
}

}  // namespace meshid::bench
