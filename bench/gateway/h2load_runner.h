// H2loadRunner: nghttp2's h2load as a second load client for the
// throughput phase, a cross-check of load_client.h that costs far less CPU
// per call than a gRPC client (so more of the machine goes to the target).
// h2load speaks plain HTTP/2: it POSTs the same framed Echo.Ping request
// with the gRPC headers, and counts HTTP 200s. A gRPC error also comes with
// 200 (the status is in the trailers), so it is only run on targets the
// gRPC load client has just seen answer OK.
//
//   absl::StatusOr<double> rps = RunH2load("/usr/bin/h2load", dir,
//                                          "127.0.0.1:7000", options);
#ifndef MESHID_BENCH_GATEWAY_H2LOAD_RUNNER_H_
#define MESHID_BENCH_GATEWAY_H2LOAD_RUNNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "bench/gateway/load_client.h"

namespace meshid::bench {

// Runs h2load against `address` with options.channels connections and
// options.concurrency streams in all, for options.warmup + options.measure;
// returns the calls per second it reports. `dir` holds its request body and
// output.
absl::StatusOr<double> RunH2load(const std::string& h2load_binary,
                                 const std::string& dir,
                                 const std::string& address,
                                 const LoadOptions& options);

}  // namespace meshid::bench

#endif  // MESHID_BENCH_GATEWAY_H2LOAD_RUNNER_H_
