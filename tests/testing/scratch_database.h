// ScratchDatabase: a fresh, empty PostgreSQL database on the test server,
// dropped again when the object goes. Each test gets its own, so tests never
// see each other's rows and can run in parallel.
//
//   std::string base;
//   MESHID_ASSIGN_TEST_POSTGRES_URL_OR_RETURN(base);
//   auto db = ScratchDatabase::Create(base);
//   ASSERT_TRUE(db.ok()) << db.status();
//   OpenStore((*db)->url(), {});
#ifndef MESHID_TESTS_TESTING_SCRATCH_DATABASE_H_
#define MESHID_TESTS_TESTING_SCRATCH_DATABASE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace meshid {

class ScratchDatabase {
 public:
  // Creates "meshid_t_<random>" on the server `base_url` points at.
  static absl::StatusOr<std::unique_ptr<ScratchDatabase>> Create(
      const std::string& base_url);
  ~ScratchDatabase();  // DROP DATABASE ... WITH (FORCE)

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  // The server's own database, for statements about this one.
  const std::string& base_url() const { return base_url_; }

 private:
  ScratchDatabase(std::string base_url, std::string name, std::string url)
      : base_url_(std::move(base_url)),
        name_(std::move(name)),
        url_(std::move(url)) {}
  std::string base_url_;
  std::string name_;
  std::string url_;
};

// `url` with its database name replaced by `database`.
std::string WithDatabase(const std::string& url, const std::string& database);

}  // namespace meshid

#endif  // MESHID_TESTS_TESTING_SCRATCH_DATABASE_H_
