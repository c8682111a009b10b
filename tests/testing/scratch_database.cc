#include "tests/testing/scratch_database.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "pqxx/pqxx"

namespace meshid {

std::string WithDatabase(const std::string& url, const std::string& database) {
  // postgresql://user@host:port/dbname?options
  const size_t scheme = url.find("://");
  const size_t path =
      url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const size_t query = url.find('?');
  const std::string head =
      path == std::string::npos ? url : url.substr(0, path);
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  return absl::StrCat(head, "/", database, tail);
}

absl::StatusOr<std::unique_ptr<ScratchDatabase>> ScratchDatabase::Create(
    const std::string& base_url) {
  std::random_device rd;
  const std::string name = absl::StrCat("meshid_t_", rd(), "_", rd() % 100000);
  try {
    pqxx::connection admin(base_url);
    pqxx::nontransaction tx(admin);
    tx.exec0("CREATE DATABASE " + tx.quote_name(name));
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot create scratch database: ", e.what()));
  }
  return std::unique_ptr<ScratchDatabase>(
      new ScratchDatabase(base_url, name, WithDatabase(base_url, name)));
}

ScratchDatabase::~ScratchDatabase() {
  try {
    pqxx::connection admin(base_url_);
    pqxx::nontransaction tx(admin);
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) +
             " WITH (FORCE)");
  } catch (const std::exception&) {
    // The throwaway server is removed at the end of the run anyway.
  }
}

}  // namespace meshid
