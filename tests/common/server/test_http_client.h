// A minimal HTTP/1.1 client for tests: one request over a fresh connection to
// 127.0.0.1, read until the server closes. Raw on purpose, so tests can send
// what a real client would not (bodies, odd methods).
#ifndef MESHID_TESTS_COMMON_SERVER_TEST_HTTP_CLIENT_H_
#define MESHID_TESTS_COMMON_SERVER_TEST_HTTP_CLIENT_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace meshid::server {

struct TestHttpResponse {
  int status = 0;
  // Header names in lower case.
  absl::flat_hash_map<std::string, std::string> headers;
  std::string body;
};

// Sends `raw_request` as is and parses the reply. Every socket operation
// times out after 10 s, so a hung server fails the test instead of hanging.
absl::StatusOr<TestHttpResponse> SendRawHttp(int port,
                                             absl::string_view raw_request);

// "GET <target> HTTP/1.1" with Host and Connection: close.
absl::StatusOr<TestHttpResponse> HttpGet(int port, absl::string_view target);

}  // namespace meshid::server

#endif  // MESHID_TESTS_COMMON_SERVER_TEST_HTTP_CLIENT_H_
