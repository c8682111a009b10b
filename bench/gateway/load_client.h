// LoadClient: drives one gRPC target (direct upstream, meshid-gateway or
// nginx) with a fixed number of calls in flight, through the callback API:
// each completion records its latency and starts the next call. Every
// target gets the same request bytes and metadata (the caller's bearer
// token, which nginx and the upstream ignore), so only the path differs.
//
//   LoadOptions options;
//   options.concurrency = 32;
//   options.channels = 4;
//   absl::StatusOr<LoadResult> r = RunLoad("127.0.0.1:7000", options);
//   // r->calls_per_second, r->p50_ns, r->p99_ns
//
// Any call that does not end OK fails the measurement (the result says
// how many and the first status).
#ifndef MESHID_BENCH_GATEWAY_LOAD_CLIENT_H_
#define MESHID_BENCH_GATEWAY_LOAD_CLIENT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace meshid::bench {

struct LoadOptions {
  int concurrency = 32;  // calls in flight
  int channels = 4;      // separate HTTP/2 connections they are spread on
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration measure = absl::Seconds(3);
  std::string bearer_token;  // sent as "authorization: Bearer <token>"
  size_t payload_bytes = 16;
};

struct LoadResult {
  int64_t calls = 0;  // completed in the measured span
  double calls_per_second = 0;
  int64_t p50_ns = 0;
  int64_t p99_ns = 0;
  // CPU seconds of this process (the load client) per measured call.
  double client_cpu_us_per_call = 0;
};

// Runs warmup, then the measured span, against `address` ("host:port").
// FAILED_PRECONDITION naming the first bad status when a call failed.
absl::StatusOr<LoadResult> RunLoad(const std::string& address,
                                   const LoadOptions& options);

}  // namespace meshid::bench

#endif  // MESHID_BENCH_GATEWAY_LOAD_CLIENT_H_
