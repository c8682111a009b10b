// A fixed-size pool of PostgreSQL connections, each used by one thread at a
// time. Connections open lazily; a broken one is dropped when its lease ends
// and a new one opens on a later Acquire.
#ifndef MESHID_STORAGE_PG_CONNECTION_POOL_H_
#define MESHID_STORAGE_PG_CONNECTION_POOL_H_

#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace meshid::storage {

class PgConnectionPool {
 public:
  // `secrets` are scrubbed from connection error messages.
  PgConnectionPool(std::string conninfo, int size,
                   std::vector<std::string> secrets);
  PgConnectionPool(const PgConnectionPool&) = delete;
  PgConnectionPool& operator=(const PgConnectionPool&) = delete;
  ~PgConnectionPool();

  // Exclusive use of one connection until destroyed; then the connection
  // goes back to the pool, or is closed if it is broken.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& connection() { return *connection_; }
    // True when the connection served earlier leases: it may have died while
    // idle (server restart, pg_terminate_backend) without anyone noticing.
    bool reused() const { return reused_; }
    // Closes the connection instead of returning it to the pool: for one
    // that failed in a way that leaves its state unknown.
    void Discard() { connection_.reset(); }

   private:
    friend class PgConnectionPool;
    Lease(PgConnectionPool* pool, std::unique_ptr<pqxx::connection> connection,
          bool reused);
    PgConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
    bool reused_;
  };

  // Waits for a free slot, then hands out an idle connection or opens one.
  // UNAVAILABLE when a new connection cannot be opened.
  absl::StatusOr<Lease> Acquire();

  // Opens a connection outside the pool (for migrations, status checks).
  static absl::StatusOr<std::unique_ptr<pqxx::connection>> Connect(
      const std::string& conninfo, const std::vector<std::string>& secrets);

  // Closes every idle connection. After one connection is found broken the
  // others, idle in the same pool, most likely are too.
  void DropIdle();

 private:
  void Release(std::unique_ptr<pqxx::connection> connection);

  const std::string conninfo_;
  const int size_;
  const std::vector<std::string> secrets_;
  absl::Mutex mu_;
  int leased_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace meshid::storage

#endif  // MESHID_STORAGE_PG_CONNECTION_POOL_H_
