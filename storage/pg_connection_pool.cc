#include "storage/pg_connection_pool.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/pg_errors.h"

namespace meshid::storage {

PgConnectionPool::PgConnectionPool(std::string conninfo, int size,
                                   std::vector<std::string> secrets)
    : conninfo_(std::move(conninfo)),
      size_(size < 1 ? 1 : size),
      secrets_(std::move(secrets)) {}

PgConnectionPool::~PgConnectionPool() {
  absl::MutexLock lock(&mu_);
  // Every lease must end before the pool does; the store owns both in that
  // order.
  idle_.clear();
}

PgConnectionPool::Lease::Lease(PgConnectionPool* pool,
                               std::unique_ptr<pqxx::connection> connection,
                               bool reused)
    : pool_(pool), connection_(std::move(connection)), reused_(reused) {}

PgConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      connection_(std::move(other.connection_)),
      reused_(other.reused_) {}

PgConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Release(std::move(connection_));
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> PgConnectionPool::Connect(
    const std::string& conninfo, const std::vector<std::string>& secrets) {
  try {
    return std::make_unique<pqxx::connection>(conninfo);
  } catch (...) {
    absl::Status status = CurrentPgExceptionToStatus(secrets);
    // Whatever stopped the connection (refused, timed out, authentication,
    // no such database), the store cannot be reached.
    if (absl::IsInternal(status) || absl::IsFailedPrecondition(status)) {
      return absl::UnavailableError(
          absl::StrCat("store unavailable: ", status.message()));
    }
    return status;
  }
}

absl::StatusOr<PgConnectionPool::Lease> PgConnectionPool::Acquire() {
  std::unique_ptr<pqxx::connection> connection;
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](PgConnectionPool* pool) ABSL_EXCLUSIVE_LOCKS_REQUIRED(pool->mu_) {
          return pool->leased_ < pool->size_;
        },
        this));
    ++leased_;
    if (!idle_.empty()) {
      connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection), /*reused=*/true);
    }
  }
  // Connecting takes a round trip or a timeout: never under the lock.
  absl::StatusOr<std::unique_ptr<pqxx::connection>> opened =
      Connect(conninfo_, secrets_);
  if (!opened.ok()) {
    absl::MutexLock lock(&mu_);
    --leased_;
    return opened.status();
  }
  return Lease(this, *std::move(opened), /*reused=*/false);
}

void PgConnectionPool::DropIdle() {
  std::vector<std::unique_ptr<pqxx::connection>> dropped;
  {
    absl::MutexLock lock(&mu_);
    dropped.swap(idle_);
  }
  // Closing sends a terminate message: outside the lock.
}

void PgConnectionPool::Release(std::unique_ptr<pqxx::connection> connection) {
  const bool keep = connection != nullptr && connection->is_open();
  if (!keep) connection.reset();
  absl::MutexLock lock(&mu_);
  --leased_;
  if (keep) idle_.push_back(std::move(connection));
}

}  // namespace meshid::storage
