// PostgresCluster: a PostgreSQL server of the test's own, in a temp folder,
// that the test may stop and start again on the same port (the shared
// server from tests/run.sh must never be stopped by a test).
//
//   auto cluster = PostgresCluster::Create();   // initdb, not running
//   ASSERT_TRUE(cluster.ok()) << cluster.status();
//   ASSERT_TRUE((*cluster)->Start().ok());
//   OpenStore((*cluster)->url(), ...);
//   ASSERT_TRUE((*cluster)->Stop().ok());       // an outage
//   ASSERT_TRUE((*cluster)->Start().ok());      // back, same port
//
// As root, initdb and the server run as the `postgres` user (initdb refuses
// root), as tests/run.sh does. The destructor stops the server and removes
// the folder.
#ifndef MESHID_TESTS_TESTING_POSTGRES_CLUSTER_H_
#define MESHID_TESTS_TESTING_POSTGRES_CLUSTER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace meshid::test_process {

class PostgresCluster {
 public:
  // Runs initdb into a new temp folder and picks a free port.
  static absl::StatusOr<std::unique_ptr<PostgresCluster>> Create();
  ~PostgresCluster();

  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // Starts the server and waits until it accepts connections.
  absl::Status Start();
  // Stops it at once, as a crash would (`pg_ctl stop -m immediate`).
  absl::Status Stop();

  // postgresql://postgres@127.0.0.1:<port>/postgres
  std::string url() const;

 private:
  PostgresCluster(std::string bin_dir, std::string dir, int port)
      : bin_dir_(std::move(bin_dir)), dir_(std::move(dir)), port_(port) {}
  // Runs `command` (a pg binary and its arguments) as the cluster's owner.
  absl::Status RunAsOwner(const std::string& command) const;

  std::string bin_dir_;
  std::string dir_;
  int port_;
  bool running_ = false;
};

}  // namespace meshid::test_process

#endif  // MESHID_TESTS_TESTING_POSTGRES_CLUSTER_H_
