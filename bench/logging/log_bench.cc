// log_bench: meshid-log through its real gRPC server (issue 5).
//
//   append  Append throughput: --clients concurrent clients (one thread and
//           one connection each), each sending batches of --batch entries
//           back to back; after --warmup_seconds, --rounds windows of
//           --seconds are measured. Reports per window entries/s, call
//           latency p50/p99, the group commit the server did (entries per
//           transaction, from its metrics) and CPU per entry (this process:
//           clients + gRPC + Log server; and every postgres process), then
//           the median and best window.
//   query   Query latency: a --rows table (default 1,000,000, filled
//           through the LogStore API in batches of 5000, then ANALYZEd),
//           then --queries Query calls per filter kind, one at a time,
//           page size 100, first page. Reports p50/p99/max and how many
//           entries the page held.
// Each phase runs on SQLite and, when MESHID_BENCH_PG_URL (or --pg_url)
// names a server, on PostgreSQL (a scratch database, default settings:
// fsync on, synchronous_commit on). An in-process meshid-identity issues
// the tokens and feeds the Log server's keys, as in production.
//
//   export MESHID_BENCH_PG_URL=postgresql://postgres@127.0.0.1:55432/postgres
//   build-log/bench/logging/log_bench --phases=append,query
//
// Exit status: 0 = every target met (median >= --append_target entries/s
// into PostgreSQL; every filter's p50 <= --query_target_ms), 1 = a target
// missed, 2 = the run failed.
#include <dirent.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/logging/bench_mesh.h"
#include "bench/logging/synthetic_entries.h"
#include "common/server/json_log.h"
#include "common/status_macros.h"
#include "grpcpp/grpcpp.h"
#include "logging/store/open_log_store.h"

ABSL_FLAG(std::string, phases, "append,query", "append, query, or both");
ABSL_FLAG(std::string, stores, "sqlite,postgresql",
          "sqlite, postgresql or both (postgresql needs a URL)");
ABSL_FLAG(std::string, pg_url, "",
          "PostgreSQL server for scratch databases; default "
          "$MESHID_BENCH_PG_URL");
ABSL_FLAG(int, clients, 8, "Concurrent Append clients");
ABSL_FLAG(int, batch, 100, "Entries per Append");
ABSL_FLAG(double, seconds, 10, "Measured seconds of Append load");
ABSL_FLAG(double, warmup_seconds, 2, "Unmeasured Append load first");
ABSL_FLAG(int, rounds, 3,
          "Measured Append windows; the median decides (a shared machine "
          "drifts)");
ABSL_FLAG(int64_t, rows, 1000000, "Rows in the Query table");
ABSL_FLAG(int, writers, 2,
          "PostgreSQL writer connections (and group-commit threads) of the "
          "Log server");
ABSL_FLAG(int, queries, 200, "Query calls per filter kind");
ABSL_FLAG(std::string, drop_indexes, "",
          "Experiment: comma-separated log_entries indexes to drop before "
          "measuring (PostgreSQL), e.g. log_entries_by_method, to see what "
          "each costs Append");
ABSL_FLAG(double, append_target, 50000, "Required entries/s into PostgreSQL");
ABSL_FLAG(double, query_target_ms, 20,
          "Required p50 of a filtered first page, ms");

namespace meshid::bench {
namespace {

namespace lg = ::meshid::logging;

std::unique_ptr<grpc::ClientContext> Bearer(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(60));
  return context;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t at =
      std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  return values[at];
}

// A metric's value from the Prometheus text of /metrics ("name{...} v").
double MetricValue(const std::string& metrics, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(metrics, '\n')) {
    if (!absl::StartsWith(line, series + " ")) continue;
    double value = 0;
    if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) return value;
  }
  return -1;
}

// GET /metrics over a plain socket (the server closes after replying).
std::string FetchMetrics(int port) {
  const std::string command =
      absl::StrCat("exec 3<>/dev/tcp/127.0.0.1/", port,
                   "; printf 'GET /metrics HTTP/1.1\\r\\nHost: x\\r\\n"
                   "Connection: close\\r\\n\\r\\n' >&3; cat <&3");
  std::string out;
  FILE* pipe = popen(absl::StrCat("bash -c \"", command, "\"").c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    out.append(buffer, n);
  pclose(pipe);
  return out;
}

// CPU seconds (user + system) of this process.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// CPU seconds of every process named "postgres" on this host (the server
// and its backends; other users of the same server count too).
double PostgresCpuSeconds() {
  double total = 0;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return 0;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  while (dirent* entry = readdir(proc)) {
    int pid = 0;
    if (!absl::SimpleAtoi(entry->d_name, &pid)) continue;
    std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
    std::string line;
    if (!std::getline(stat, line)) continue;
    const size_t open = line.find('(');
    const size_t close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos ||
        line.substr(open + 1, close - open - 1) != "postgres") {
      continue;
    }
    std::vector<std::string> fields =
        absl::StrSplit(line.substr(close + 2), ' ');
    double utime = 0, stime = 0;
    if (fields.size() > 12 && absl::SimpleAtod(fields[11], &utime) &&
        absl::SimpleAtod(fields[12], &stime)) {
      total += (utime + stime) / ticks;
    }
  }
  closedir(proc);
  return total;
}

// The 1-minute load average, to tell a quiet run from a shared one.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string first;
  in >> first;
  return first;
}

struct AppendResult {
  double entries_per_second = 0;
  double cpu_us_per_entry = 0;     // this process: clients + servers
  double pg_cpu_us_per_entry = 0;  // postgres processes
  double p50_ms = 0;
  double p99_ms = 0;
  int64_t calls = 0;
  int64_t errors = 0;
  double entries_per_commit = 0;
};

// --drop_indexes, for experiments on what an index costs.
absl::Status DropIndexes(const BenchMesh& mesh) {
  const std::string names = absl::GetFlag(FLAGS_drop_indexes);
  if (names.empty()) return absl::OkStatus();
  try {
    pqxx::connection connection(mesh.log_store_url());
    pqxx::nontransaction tx(connection);
    for (absl::string_view name : absl::StrSplit(names, ',')) {
      tx.exec0(absl::StrCat("DROP INDEX ", tx.quote_name(std::string(name))));
    }
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("--drop_indexes: ", e.what()));
  }
  std::printf("    (without index %s)\n", names.c_str());
  return absl::OkStatus();
}

// Runs the clients without pause and measures --rounds windows of
// --seconds each, after --warmup_seconds; one result per window.
absl::StatusOr<std::vector<AppendResult>> RunAppend(const BenchMesh& mesh) {
  const int clients = absl::GetFlag(FLAGS_clients);
  const int batch = absl::GetFlag(FLAGS_batch);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> entries{0}, errors{0};
  absl::Mutex mu;
  std::vector<double> latencies_ms;  // of the window being measured
  std::string first_error;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::unique_ptr<lg::v1::Log::Stub> stub = mesh.NewLogStub();
      lg::v1::AppendRequest request;
      for (int i = 0; i < batch; ++i) {
        *request.add_entries() = AccessEntry(int64_t{c} * 1000003 + i);
      }
      while (!stop.load()) {
        lg::v1::AppendResponse response;
        const absl::Time started = absl::Now();
        const grpc::Status status =
            stub->Append(Bearer(mesh.writer_token()).get(), request, &response);
        const double ms = absl::ToDoubleMilliseconds(absl::Now() - started);
        absl::MutexLock lock(&mu);
        if (!status.ok() || response.accepted() != batch) {
          errors.fetch_add(1);
          if (first_error.empty()) {
            first_error =
                absl::StrCat(status.error_code(), ": ", status.error_message(),
                             " accepted=", response.accepted());
          }
          continue;
        }
        entries.fetch_add(batch);
        latencies_ms.push_back(ms);
      }
    });
  }
  std::vector<AppendResult> results;
  absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_warmup_seconds)));
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    const std::string before = FetchMetrics(mesh.log_http_port());
    const double cpu_before = ProcessCpuSeconds();
    const double pg_before = PostgresCpuSeconds();
    int64_t entries_before;
    {
      absl::MutexLock lock(&mu);
      latencies_ms.clear();
      entries_before = entries.load();
    }
    const absl::Time started = absl::Now();
    absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_seconds)));
    std::vector<double> window;
    int64_t stored;
    {
      absl::MutexLock lock(&mu);
      window.swap(latencies_ms);
      stored = entries.load() - entries_before;
    }
    const absl::Duration elapsed = absl::Now() - started;
    const double cpu = ProcessCpuSeconds() - cpu_before;
    const double pg_cpu = PostgresCpuSeconds() - pg_before;
    const std::string after = FetchMetrics(mesh.log_http_port());
    AppendResult r;
    r.calls = static_cast<int64_t>(window.size());
    r.entries_per_second =
        static_cast<double>(stored) / absl::ToDoubleSeconds(elapsed);
    r.p50_ms = Percentile(window, 0.50);
    r.p99_ms = Percentile(window, 0.99);
    if (stored > 0) {
      r.cpu_us_per_entry = cpu * 1e6 / static_cast<double>(stored);
      r.pg_cpu_us_per_entry = pg_cpu * 1e6 / static_cast<double>(stored);
    }
    const double groups =
        MetricValue(after, "meshid_log_commit_group_entries_count") -
        MetricValue(before, "meshid_log_commit_group_entries_count");
    const double grouped =
        MetricValue(after, "meshid_log_commit_group_entries_sum") -
        MetricValue(before, "meshid_log_commit_group_entries_sum");
    r.entries_per_commit = groups > 0 ? grouped / groups : 0;
    results.push_back(r);
  }
  stop.store(true);
  for (std::thread& t : threads) t.join();
  if (errors.load() > 0) {
    return absl::InternalError(absl::StrCat(
        errors.load(), " Append calls failed, first: ", first_error));
  }
  return results;
}

// Fills the table through the store API (not measured) and refreshes the
// planner's statistics, as autovacuum/ANALYZE would in production.
absl::Status FillTable(const BenchMesh& mesh, int64_t rows, absl::Time now) {
  ASSIGN_OR_RETURN(std::unique_ptr<lg::LogStore> store,
                   lg::OpenLogStore(mesh.log_store_url(), {}));
  const absl::Time started = absl::Now();
  constexpr int64_t kChunk = 5000;
  for (int64_t first = 0; first < rows; first += kChunk) {
    std::vector<lg::LogRecord> chunk =
        DatasetRows(first, std::min(kChunk, rows - first), now);
    RETURN_IF_ERROR(store->Append(chunk));
  }
  const absl::Duration took = absl::Now() - started;
  std::printf("    filled %lld rows in %.1f s (%.0f rows/s, store API)\n",
              static_cast<long long>(rows), absl::ToDoubleSeconds(took),
              rows / absl::ToDoubleSeconds(took));
  if (store->dialect() == "postgresql") {
    pqxx::connection connection(mesh.log_store_url());
    pqxx::nontransaction tx(connection);
    tx.exec0("VACUUM ANALYZE log_entries");
  } else {
    const std::string path =
        mesh.log_store_url().substr(std::string("sqlite://").size());
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) == SQLITE_OK) {
      sqlite3_exec(db, "ANALYZE", nullptr, nullptr, nullptr);
    }
    sqlite3_close(db);
  }
  return absl::OkStatus();
}

struct QueryResult {
  std::string name;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  int entries = 0;
};

absl::StatusOr<std::vector<QueryResult>> RunQueries(const BenchMesh& mesh,
                                                    absl::Time now) {
  std::unique_ptr<lg::v1::Log::Stub> stub = mesh.NewLogStub();
  std::vector<QueryResult> results;
  for (const QueryCase& c : QueryCases(now)) {
    lg::v1::QueryRequest request;
    *request.mutable_filter() = c.filter;
    request.set_page_size(100);
    std::vector<double> ms;
    QueryResult r;
    r.name = c.name;
    const int queries = absl::GetFlag(FLAGS_queries);
    for (int i = 0; i < queries + 10; ++i) {  // 10 warm-up calls
      lg::v1::QueryResponse response;
      const absl::Time started = absl::Now();
      const grpc::Status status =
          stub->Query(Bearer(mesh.reader_token()).get(), request, &response);
      const double took = absl::ToDoubleMilliseconds(absl::Now() - started);
      if (!status.ok()) {
        return absl::InternalError(
            absl::StrCat(c.name, ": Query failed: ", status.error_message()));
      }
      r.entries = response.entries_size();
      if (i >= 10) ms.push_back(took);
    }
    r.p50_ms = Percentile(ms, 0.50);
    r.p99_ms = Percentile(ms, 0.99);
    r.max_ms = *std::max_element(ms.begin(), ms.end());
    results.push_back(r);
  }
  return results;
}

int Run() {
  server::SetMinLogLevel(server::LogLevel::kWarning);
  std::string pg_url = absl::GetFlag(FLAGS_pg_url);
  if (pg_url.empty() && std::getenv("MESHID_BENCH_PG_URL") != nullptr) {
    pg_url = std::getenv("MESHID_BENCH_PG_URL");
  }
  const std::vector<std::string> stores =
      absl::StrSplit(absl::GetFlag(FLAGS_stores), ',');
  const std::vector<std::string> phases =
      absl::StrSplit(absl::GetFlag(FLAGS_phases), ',');
  auto wants = [](const std::vector<std::string>& list, absl::string_view x) {
    return std::find(list.begin(), list.end(), x) != list.end();
  };
  bool missed = false;
  std::printf(
      "log_bench: %d clients x %d entries per Append, %.0f s; "
      "%lld-row table, %d queries per filter\n",
      absl::GetFlag(FLAGS_clients), absl::GetFlag(FLAGS_batch),
      absl::GetFlag(FLAGS_seconds),
      static_cast<long long>(absl::GetFlag(FLAGS_rows)),
      absl::GetFlag(FLAGS_queries));
  for (const std::string& dialect : stores) {
    if (dialect == "postgresql" && pg_url.empty()) {
      std::printf("\n[%s] skipped: set MESHID_BENCH_PG_URL or --pg_url\n",
                  dialect.c_str());
      continue;
    }
    BenchMeshOptions options;
    options.dialect = dialect;
    options.pg_base_url = pg_url;
    options.store_writer_connections = absl::GetFlag(FLAGS_writers);
    if (wants(phases, "append")) {
      absl::StatusOr<std::unique_ptr<BenchMesh>> mesh =
          BenchMesh::Start(options);
      if (!mesh.ok()) {
        std::fprintf(stderr, "setup failed: %s\n",
                     std::string(mesh.status().message()).c_str());
        return 2;
      }
      if (dialect == "postgresql") {
        if (absl::Status s = DropIndexes(**mesh); !s.ok()) {
          std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
          return 2;
        }
      }
      absl::StatusOr<std::vector<AppendResult>> rounds = RunAppend(**mesh);
      if (!rounds.ok()) {
        std::fprintf(stderr, "append failed: %s\n",
                     std::string(rounds.status().message()).c_str());
        return 2;
      }
      std::printf("\n[%s] Append, batches of %d, %d clients\n", dialect.c_str(),
                  absl::GetFlag(FLAGS_batch), absl::GetFlag(FLAGS_clients));
      std::vector<double> rates;
      for (const AppendResult& r : *rounds) {
        rates.push_back(r.entries_per_second);
        std::printf(
            "    %8.0f entries/s  call p50 %6.2f ms p99 %7.2f ms  %4.0f "
            "entries/commit  CPU/entry %.1f us here",
            r.entries_per_second, r.p50_ms, r.p99_ms, r.entries_per_commit,
            r.cpu_us_per_entry);
        if (dialect == "postgresql") {
          std::printf(" + %.1f us postgres", r.pg_cpu_us_per_entry);
        }
        std::printf("\n");
      }
      const double median = Percentile(rates, 0.5);
      const double best = *std::max_element(rates.begin(), rates.end());
      std::printf(
          "    median %.0f entries/s, best %.0f (load average now "
          "%s)\n",
          median, best, LoadAverage().c_str());
      if (dialect == "postgresql" &&
          median < absl::GetFlag(FLAGS_append_target)) {
        std::printf("    MISSED the target of %.0f entries/s (median)\n",
                    absl::GetFlag(FLAGS_append_target));
        missed = true;
      }
    }
    if (wants(phases, "query")) {
      absl::StatusOr<std::unique_ptr<BenchMesh>> mesh =
          BenchMesh::Start(options);
      if (!mesh.ok()) {
        std::fprintf(stderr, "setup failed: %s\n",
                     std::string(mesh.status().message()).c_str());
        return 2;
      }
      std::printf("\n[%s] Query, first page of 100 (load average %s)\n",
                  dialect.c_str(), LoadAverage().c_str());
      const absl::Time now = absl::Now();
      if (absl::Status s = FillTable(**mesh, absl::GetFlag(FLAGS_rows), now);
          !s.ok()) {
        std::fprintf(stderr, "fill failed: %s\n",
                     std::string(s.message()).c_str());
        return 2;
      }
      absl::StatusOr<std::vector<QueryResult>> results =
          RunQueries(**mesh, now);
      if (!results.ok()) {
        std::fprintf(stderr, "%s\n",
                     std::string(results.status().message()).c_str());
        return 2;
      }
      std::printf("    %-18s %8s %8s %8s %7s\n", "filter", "p50 ms", "p99 ms",
                  "max ms", "entries");
      for (const QueryResult& r : *results) {
        const bool over = r.p50_ms > absl::GetFlag(FLAGS_query_target_ms);
        std::printf("    %-18s %8.2f %8.2f %8.2f %7d%s\n", r.name.c_str(),
                    r.p50_ms, r.p99_ms, r.max_ms, r.entries,
                    over ? "  over target" : "");
        missed |= over;
      }
    }
  }
  return missed ? 1 : 0;
}

}  // namespace
}  // namespace meshid::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return meshid::bench::Run();
}
