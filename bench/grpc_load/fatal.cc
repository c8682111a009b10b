#include "bench/grpc_load/fatal.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "absl/strings/str_cat.h"
#include "pqxx/pqxx"

namespace meshid::bench {

void DropDatabase(const std::string& base_url, const std::string& name) {
  try {
    pqxx::connection admin(base_url);
    pqxx::nontransaction tx(admin);
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "identity_load: cannot drop %s: %s\n", name.c_str(),
                 e.what());
  }
}

Leftovers& leftovers() {
  static Leftovers* l = new Leftovers;
  return *l;
}

// Fails the run loudly: exit status 2, without unwinding (gRPC callbacks
// may still be running), after removing scratch databases and temp dirs.
[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "identity_load: FATAL: %s\n", what.c_str());
  std::fflush(stderr);
  for (const auto& [url, name] : leftovers().databases) DropDatabase(url, name);
  for (const std::string& dir : leftovers().dirs) {
    std::system(absl::StrCat("rm -rf '", dir, "'").c_str());
  }
  std::_Exit(2);
}

}  // namespace meshid::bench
