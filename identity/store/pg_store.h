// The PostgreSQL Store: a connection pool, READ COMMITTED transactions, and
// the global version counter row as the one point of write serialization.
#ifndef MESHID_IDENTITY_STORE_PG_STORE_H_
#define MESHID_IDENTITY_STORE_PG_STORE_H_

#include <memory>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "identity/store/store.h"
#include "storage/pg_connection_pool.h"
#include "storage/store_url.h"

namespace meshid::identity::store_internal {

class PgStore : public Store {
 public:
  // Connects once, applies pending migrations, and keeps up to
  // options.pool_size connections from then on.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const storage::ParsedStoreUrl& url, const StoreOptions& options);

  // Runs `fn` again (up to 3 times in all) when PostgreSQL reports a
  // serialization failure or deadlock, so `fn` must have no effect outside
  // the transaction it is given.
  absl::Status RunInTransaction(
      absl::FunctionRef<absl::Status(Transaction&)> fn) override;
  absl::string_view dialect() const override { return "postgresql"; }

 private:
  PgStore(const storage::ParsedStoreUrl& url, const StoreOptions& options);

  absl::Status RunOnce(absl::FunctionRef<absl::Status(Transaction&)> fn);
  absl::Status RunInWork(pqxx::work& work,
                         absl::FunctionRef<absl::Status(Transaction&)> fn);

  const std::vector<std::string> secrets_;
  storage::PgConnectionPool pool_;
};

absl::StatusOr<MigrationStatus> GetPgMigrationStatus(
    const storage::ParsedStoreUrl& url);

}  // namespace meshid::identity::store_internal

#endif  // MESHID_IDENTITY_STORE_PG_STORE_H_
