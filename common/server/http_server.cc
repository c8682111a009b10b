#include "common/server/http_server.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/server/json_log.h"
#include "prometheus/text_serializer.h"

namespace meshid::server {
namespace {

constexpr absl::string_view kMetricsPath = "/metrics";
constexpr absl::string_view kHealthzPath = "/healthz";
constexpr absl::string_view kMetricsContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// civetweb wants one mg_init_library call before any context exists; 0 keeps
// it from initialising OpenSSL, which the HTTP port never uses.
void InitCivetwebOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mg_init_library(0); });
}

// A decimal number of 1 to `max_digits` digits, nothing else (SimpleAtoi
// alone would also take signs and surrounding spaces).
bool ParseDigits(absl::string_view text, size_t max_digits, int* value) {
  if (text.empty() || text.size() > max_digits) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return absl::SimpleAtoi(text, value);
}

bool IsIpv4(absl::string_view host) {
  int parts = 0;
  for (absl::string_view rest = host;; ++parts) {
    const size_t dot = rest.find('.');
    int value;
    if (!ParseDigits(rest.substr(0, dot), 3, &value) || value > 255) {
      return false;
    }
    if (dot == absl::string_view::npos) return parts == 3;
    rest.remove_prefix(dot + 1);
  }
}

bool IsBracketedIpv6(absl::string_view host) {
  if (host.size() < 3 || host.front() != '[' || host.back() != ']') {
    return false;
  }
  for (char c : host.substr(1, host.size() - 2)) {
    if (!absl::ascii_isxdigit(c) && c != ':' && c != '.') return false;
  }
  return true;
}

// civetweb's listening_ports mini-language also has lists (','), TLS ('s')
// and redirect ('r') suffixes; only a plain "ip:port" may pass.
absl::Status CheckAddress(absl::string_view address) {
  const size_t colon = address.rfind(':');
  int port;
  if (colon == absl::string_view::npos ||
      !ParseDigits(address.substr(colon + 1), 5, &port) || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "HTTP address \"", address, "\" is not IP:port (port 0-65535)"));
  }
  const absl::string_view host = address.substr(0, colon);
  if (!IsIpv4(host) && !IsBracketedIpv6(host)) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP address \"", address,
                     "\" must name an IP address (e.g. 0.0.0.0:9100)"));
  }
  return absl::OkStatus();
}

bool HasControlChar(absl::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

void WriteResponse(mg_connection* conn, const HttpResponse& response,
                   absl::string_view extra_headers) {
  const std::string head = absl::StrCat(
      "HTTP/1.1 ", response.status, " ",
      mg_get_response_code_text(conn, response.status),
      "\r\nContent-Type: ", response.content_type,
      "\r\nContent-Length: ", response.body.size(),
      "\r\nCache-Control: ", response.cache_control,
      "\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
      extra_headers, "\r\n");
  mg_write(conn, head.data(), head.size());
  mg_write(conn, response.body.data(), response.body.size());
}

HttpResponse TextResponse(int status, absl::string_view body) {
  HttpResponse response;
  response.status = status;
  response.body = absl::StrCat(body, "\n");
  return response;
}

// The address to connect to for reaching a listener bound to `host`.
std::string WakeHost(absl::string_view host) {
  if (host == "0.0.0.0") return "127.0.0.1";
  if (host.front() == '[') {
    host = host.substr(1, host.size() - 2);
    return host == "::" ? "::1" : std::string(host);
  }
  return std::string(host);
}

// Connects to host:port and closes at once; failures do not matter.
void PokeListener(const std::string& host, int port) {
  sockaddr_storage addr{};
  socklen_t len;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof(*v6);
  } else {
    return;
  }
  const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  ::connect(fd, reinterpret_cast<sockaddr*>(&addr), len);
  ::close(fd);
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options)
    : options_(std::move(options)) {}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Handle(absl::string_view path, HttpHandler handler) {
  if (started_) {
    return absl::FailedPreconditionError(
        "HTTP handlers must be added before Start");
  }
  if (path.empty() || path[0] != '/' || HasControlChar(path) ||
      path == kMetricsPath || path == kHealthzPath || !handler) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot serve HTTP path \"", path, "\""));
  }
  if (!handlers_.emplace(std::string(path), std::move(handler)).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("HTTP path \"", path, "\" is already served"));
  }
  return absl::OkStatus();
}

absl::Status HttpServer::Start() {
  if (started_) {
    return absl::FailedPreconditionError("HTTP server already started");
  }
  const absl::Status address_ok = CheckAddress(options_.address);
  if (!address_ok.ok()) return address_ok;
  InitCivetwebOnce();

  const std::string threads = absl::StrCat(std::max(1, options_.num_threads));
  const std::string timeout = absl::StrCat(options_.request_timeout_ms);
  // No document_root: civetweb serves nothing from disk, and every request
  // is answered by BeginRequest before civetweb would look for a file.
  const char* civet_options[] = {"listening_ports",
                                 options_.address.c_str(),
                                 "num_threads",
                                 threads.c_str(),
                                 "request_timeout_ms",
                                 timeout.c_str(),
                                 "enable_keep_alive",
                                 "no",
                                 "max_request_size",
                                 "8192",
                                 nullptr};
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof(callbacks));
  callbacks.begin_request = &HttpServer::BeginRequest;
  callbacks.log_message = &HttpServer::LogMessage;
  mg_init_data init;
  init.callbacks = &callbacks;
  init.user_data = this;
  init.configuration_options = civet_options;
  unsigned error_code = 0;
  char error_text[256] = {0};
  mg_error_data error;
  error.code = &error_code;
  error.text = error_text;
  error.text_buffer_size = sizeof(error_text);

  started_ = true;  // handlers_ is frozen from here on
  context_ = mg_start2(&init, &error);
  if (context_ == nullptr) {
    started_ = false;
    return absl::UnavailableError(absl::StrCat(
        "HTTP server cannot listen on ", options_.address, ": ",
        error_text[0] != '\0' ? error_text : "civetweb failed to start"));
  }
  mg_server_port ports[4];
  const int n = mg_get_server_ports(context_, 4, ports);
  port_ = n > 0 ? ports[0].port : 0;
  wake_host_ = WakeHost(absl::string_view(options_.address)
                            .substr(0, options_.address.rfind(':')));
  return absl::OkStatus();
}

void HttpServer::Stop() {
  if (context_ == nullptr) return;
  // civetweb's accept loop polls with a fixed 2 s timeout and sees the stop
  // flag only between polls; a connection wakes it at once. The poke repeats
  // because one that lands before mg_stop sets the flag wakes nothing.
  absl::Notification stopped;
  std::thread waker([this, &stopped] {
    while (!stopped.WaitForNotificationWithTimeout(absl::Milliseconds(20))) {
      PokeListener(wake_host_, port_);
    }
  });
  mg_stop(context_);
  stopped.Notify();
  waker.join();
  context_ = nullptr;
  port_ = 0;
}

HttpResponse HttpServer::Dispatch(const HttpRequest& request) const {
  if (request.path == kHealthzPath) {
    return serving_.load() ? TextResponse(200, "ok")
                           : TextResponse(503, "draining");
  }
  if (request.path == kMetricsPath && options_.metrics != nullptr) {
    HttpResponse response;
    response.content_type = std::string(kMetricsContentType);
    response.body =
        prometheus::TextSerializer().Serialize(options_.metrics->Collect());
    return response;
  }
  const auto it = handlers_.find(request.path);
  if (it == handlers_.end()) return TextResponse(404, "not found");
  HttpResponse response = it->second(request);
  if (response.status < 200 || response.status > 599 ||
      HasControlChar(response.content_type) ||
      HasControlChar(response.cache_control)) {
    Log(LogLevel::kError, "http.bad_handler_response",
        {{"path", request.path}, {"status", response.status}});
    return TextResponse(500, "internal error");
  }
  return response;
}

int HttpServer::BeginRequest(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  const auto* self =
      static_cast<const HttpServer*>(mg_get_user_data(mg_get_context(conn)));
  HttpResponse response;
  absl::string_view extra_headers;
  if (std::strcmp(info->request_method, "GET") != 0) {
    response = TextResponse(405, "method not allowed");
    extra_headers = "Allow: GET\r\n";
  } else if (info->content_length > 0 ||
             mg_get_header(conn, "Transfer-Encoding") != nullptr) {
    // Nothing meshid serves over HTTP takes input; the body is never read.
    response = TextResponse(413, "request bodies are not accepted");
  } else {
    const HttpRequest request{
        info->local_uri != nullptr ? info->local_uri : "",
        info->query_string != nullptr ? info->query_string : ""};
    response = self->Dispatch(request);
  }
  WriteResponse(conn, response, extra_headers);
  return response.status;  // non-zero: civetweb does nothing more
}

int HttpServer::LogMessage(const mg_connection* conn, const char* message) {
  // civetweb's own diagnostics (bind failures, thread errors). Cut at '?' so
  // a query string quoted in a message can never reach the log.
  absl::string_view text(message != nullptr ? message : "");
  text = text.substr(0, text.find('?'));
  Log(LogLevel::kWarning, "http.civetweb", {{"message", text}});
  return 1;  // handled: civetweb prints nothing to stderr itself
}

}  // namespace meshid::server
