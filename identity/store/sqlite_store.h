// The embedded SQLite Store: one connection in WAL mode, used by one
// transaction at a time. SQLite has a single writer anyway, and meshid's
// store is written by admin changes and read at start and on resync, so a
// pool would add locking states without adding throughput.
#ifndef MESHID_IDENTITY_STORE_SQLITE_STORE_H_
#define MESHID_IDENTITY_STORE_SQLITE_STORE_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "identity/store/store.h"
#include "storage/sqlite_db.h"
#include "storage/store_url.h"

namespace meshid::identity::store_internal {

class SqliteStore : public Store {
 public:
  // Opens (creating the file, never its folder) and applies pending
  // migrations.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const storage::ParsedStoreUrl& url, const StoreOptions& options);

  // Serializes callers. `fn` must not call RunInTransaction on this store.
  absl::Status RunInTransaction(
      absl::FunctionRef<absl::Status(Transaction&)> fn) override;
  absl::string_view dialect() const override { return "sqlite"; }

 private:
  explicit SqliteStore(storage::SqliteHandle db) : db_(std::move(db)) {}

  absl::Mutex mu_;
  storage::SqliteHandle db_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<MigrationStatus> GetSqliteMigrationStatus(
    const storage::ParsedStoreUrl& url, const StoreOptions& options);

}  // namespace meshid::identity::store_internal

#endif  // MESHID_IDENTITY_STORE_SQLITE_STORE_H_
