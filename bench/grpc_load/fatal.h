// identity_load's way to fail: Die() prints, removes the scratch
// databases and temp folders registered in leftovers(), and exits 2 without
// unwinding (gRPC callbacks may still be running).
#ifndef MESHID_BENCH_GRPC_LOAD_FATAL_H_
#define MESHID_BENCH_GRPC_LOAD_FATAL_H_

#include <string>
#include <utility>
#include <vector>

namespace meshid::bench {

// Drops a scratch database; failures are printed, not fatal.
void DropDatabase(const std::string& base_url, const std::string& name);

// Scratch databases and temp dirs made so far, so that Die() removes them
// too. Touched by the main thread only.
struct Leftovers {
  std::vector<std::pair<std::string, std::string>> databases;  // url, name
  std::vector<std::string> dirs;
};
Leftovers& leftovers();

[[noreturn]] void Die(const std::string& what);

}  // namespace meshid::bench

#endif  // MESHID_BENCH_GRPC_LOAD_FATAL_H_
