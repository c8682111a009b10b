// The HTTP side of every meshid process: Prometheus /metrics, a /healthz
// liveness answer, and a few fixed GET documents (identity serves
// /.well-known/jwks.json). Built on civetweb's C API with no document root,
// so nothing on disk is ever served.
//
//   HttpServerOptions options;
//   options.address = absl::GetFlag(FLAGS_http_address);  // "0.0.0.0:9101"
//   options.metrics = registry;  // std::shared_ptr<prometheus::Registry>
//   HttpServer http(std::move(options));
//   RETURN_IF_ERROR(http.Handle("/.well-known/jwks.json",
//                               [&](const HttpRequest&) {
//     return HttpResponse{200, "application/json", "max-age=60",
//                         jwks.Current()};
//   }));
//   RETURN_IF_ERROR(http.Start());
//   Log(LogLevel::kInfo, "http.listening", {{"port", http.port()}});
//   ...
//   http.Stop();
//
// Only GET is served (anything else: 405); unknown paths are 404; a request
// that announces a body (Content-Length > 0 or Transfer-Encoding) is refused
// with 413 before the body is read. Connections close after each response.
#ifndef MESHID_COMMON_SERVER_HTTP_SERVER_H_
#define MESHID_COMMON_SERVER_HTTP_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "prometheus/collectable.h"

struct mg_context;
struct mg_connection;

namespace meshid::server {

struct HttpRequest {
  absl::string_view path;   // decoded path, no query: "/.well-known/jwks.json"
  absl::string_view query;  // raw query string without '?', maybe empty
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string cache_control = "no-store";
  std::string body;
};

// Called on one of the server's worker threads, possibly concurrently with
// itself; must be thread-safe and must not throw (the caller is C code).
using HttpHandler = std::function<HttpResponse(const HttpRequest& request)>;

struct HttpServerOptions {
  // "host:port"; port 0 picks a free port (see HttpServer::port()). IPv6
  // literals in brackets ("[::]:9101") need a civetweb built with IPv6.
  std::string address = "0.0.0.0:9100";
  // Worker threads; each serves one connection at a time.
  int num_threads = 2;
  // Read or write idle time after which a connection is dropped.
  int request_timeout_ms = 10000;
  // Served at /metrics in the Prometheus text format; nullptr: /metrics 404.
  std::shared_ptr<prometheus::Collectable> metrics;
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Serves GET `path` (exact match, starting with '/') with `handler`. Only
  // before Start: InvalidArgument for a bad or built-in path (/metrics,
  // /healthz), AlreadyExists for a path handled twice, FailedPrecondition
  // once started.
  absl::Status Handle(absl::string_view path, HttpHandler handler);

  // Binds and starts serving. InvalidArgument for a malformed address,
  // Unavailable (naming the address) when it cannot be bound, e.g. in use;
  // FailedPrecondition when called twice.
  [[nodiscard]] absl::Status Start();

  // Stops accepting, finishes the requests in progress and joins the
  // workers. Idempotent; safe without Start.
  void Stop();

  // The bound port between a successful Start and Stop (the real one when
  // the address said port 0), else 0.
  int port() const { return port_; }

  // /healthz answers 200 "ok" while serving (the default) and 503
  // "draining" after SetServing(false). Thread-safe.
  void SetServing(bool serving) { serving_.store(serving); }

 private:
  static int BeginRequest(mg_connection* conn);
  static int LogMessage(const mg_connection* conn, const char* message);
  HttpResponse Dispatch(const HttpRequest& request) const;

  const HttpServerOptions options_;
  // Fixed before Start and only read afterwards, so lock-free.
  absl::flat_hash_map<std::string, HttpHandler> handlers_;
  mg_context* context_ = nullptr;
  int port_ = 0;
  std::string wake_host_;  // where Stop connects to wake civetweb
  bool started_ = false;
  std::atomic<bool> serving_{true};
};

}  // namespace meshid::server

#endif  // MESHID_COMMON_SERVER_HTTP_SERVER_H_
