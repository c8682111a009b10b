#include "tests/testing/postgres_cluster.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/testing/child_process.h"

namespace meshid::test_process {
namespace {

// The newest /usr/lib/postgresql/<major>/bin holding initdb.
std::string FindPostgresBin() {
  std::vector<std::string> candidates;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string bin = (entry.path() / "bin").string();
    if (access((bin + "/initdb").c_str(), X_OK) == 0) candidates.push_back(bin);
  }
  std::sort(candidates.begin(), candidates.end());
  return candidates.empty() ? "" : candidates.back();
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresCluster>> PostgresCluster::Create() {
  const std::string bin = FindPostgresBin();
  if (bin.empty()) {
    return absl::FailedPreconditionError(
        "initdb not found under /usr/lib/postgresql/*/bin (install the "
        "postgresql package)");
  }
  std::string dir = "/tmp/meshid-pgc-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    return absl::InternalError("mkdtemp failed");
  }
  if (geteuid() == 0 &&
      std::system(absl::StrCat("chown postgres:postgres '", dir, "'").c_str()) !=
          0) {
    return absl::InternalError("cannot chown the cluster folder to postgres");
  }
  std::unique_ptr<PostgresCluster> cluster(
      new PostgresCluster(bin, dir, FreeLoopbackPort()));
  absl::Status status = cluster->RunAsOwner(
      absl::StrCat("'", bin, "/initdb' -D '", dir,
                   "/data' -U postgres -A trust -E UTF8 --locale=C --no-sync "
                   ">'",
                   dir, "/initdb.log' 2>&1"));
  if (!status.ok()) return status;
  return cluster;
}

PostgresCluster::~PostgresCluster() {
  if (running_) Stop().IgnoreError();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::Status PostgresCluster::RunAsOwner(const std::string& command) const {
  const std::string shell =
      geteuid() == 0
          ? absl::StrCat("runuser -u postgres -- sh -c \"", command, "\"")
          : command;
  const int rc = std::system(shell.c_str());
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat("failed (", rc, "): ", command, "; see ", dir_));
  }
  return absl::OkStatus();
}

absl::Status PostgresCluster::Start() {
  // -w waits until the server accepts connections; a socket directory in
  // the cluster folder keeps it off the system's /var/run/postgresql.
  absl::Status status = RunAsOwner(absl::StrCat(
      "'", bin_dir_, "/pg_ctl' -D '", dir_, "/data' -l '", dir_,
      "/postgres.log' -w -t 60 -o '-p ", port_, " -k ", dir_,
      " -c listen_addresses=127.0.0.1' start >/dev/null"));
  if (status.ok()) running_ = true;
  return status;
}

absl::Status PostgresCluster::Stop() {
  absl::Status status = RunAsOwner(
      absl::StrCat("'", bin_dir_, "/pg_ctl' -D '", dir_,
                   "/data' -m immediate -w -t 60 stop >/dev/null"));
  if (status.ok()) running_ = false;
  return status;
}

std::string PostgresCluster::url() const {
  return absl::StrCat("postgresql://postgres@127.0.0.1:", port_, "/postgres");
}

}  // namespace meshid::test_process
