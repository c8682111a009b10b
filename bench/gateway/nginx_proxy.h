// NginxProxy: Debian's nginx as a plain gRPC proxy in front of the same
// upstream, the baseline meshid-gateway is compared with. Its config is
// generated into a temp dir (pid, logs and temp paths there too) and it
// runs in the foreground as a child of the bench:
//
//   worker_processes auto;  grpc_pass to an upstream with keepalive;
//   keepalive_requests high enough that no connection, downstream or
//   upstream, is recycled during a run; no auth; an access log line per
//   request to a file (as the gateway writes one per call), or none.
//
//   absl::StatusOr<std::unique_ptr<NginxProxy>> nginx =
//       NginxProxy::Start("/usr/sbin/nginx", dir, "127.0.0.1:7000",
//                         /*access_log=*/true);
//   RunLoad((*nginx)->address(), options);
#ifndef MESHID_BENCH_GATEWAY_NGINX_PROXY_H_
#define MESHID_BENCH_GATEWAY_NGINX_PROXY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/gateway/testing/child_process.h"

namespace meshid::bench {

class NginxProxy {
 public:
  // Writes <dir>/nginx.conf and starts `nginx_binary` on a free loopback
  // port, proxying to `upstream` ("127.0.0.1:port").
  static absl::StatusOr<std::unique_ptr<NginxProxy>> Start(
      const std::string& nginx_binary, const std::string& dir,
      const std::string& upstream, bool access_log);
  ~NginxProxy();  // SIGTERM (fast shutdown) and wait, workers included

  std::string address() const;
  // The generated configuration (for the report).
  static std::string Config(const std::string& dir, int port,
                            const std::string& upstream, bool access_log);

 private:
  NginxProxy() = default;
  int port_ = 0;
  std::unique_ptr<gatewaytest::ChildProcess> process_;
};

}  // namespace meshid::bench

#endif  // MESHID_BENCH_GATEWAY_NGINX_PROXY_H_
