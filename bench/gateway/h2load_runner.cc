#include "bench/gateway/h2load_runner.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "meshid/gatewaytest/v1/echo.pb.h"
#include "tests/gateway/testing/child_process.h"

namespace meshid::bench {
namespace {

// The gRPC length-prefixed frame of Echo.Ping's request.
std::string FramedPingRequest(size_t payload_bytes) {
  gatewaytest::v1::PingRequest request;
  request.set_payload(std::string(payload_bytes, 'p'));
  const std::string body = request.SerializeAsString();
  std::string framed(5, '\0');
  const uint32_t n = static_cast<uint32_t>(body.size());
  framed[1] = static_cast<char>(n >> 24);
  framed[2] = static_cast<char>(n >> 16);
  framed[3] = static_cast<char>(n >> 8);
  framed[4] = static_cast<char>(n);
  return framed + body;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

absl::StatusOr<double> RunH2load(const std::string& h2load_binary,
                                 const std::string& dir,
                                 const std::string& address,
                                 const LoadOptions& options) {
  const std::string body_path = absl::StrCat(dir, "/ping.body");
  {
    std::ofstream out(body_path, std::ios::binary | std::ios::trunc);
    out << FramedPingRequest(options.payload_bytes);
  }
  const int connections = std::max(1, options.channels);
  const int streams = std::max(1, options.concurrency / connections);
  const std::string out_path = absl::StrCat(dir, "/h2load.out");
  std::remove(out_path.c_str());
  absl::StatusOr<std::unique_ptr<gatewaytest::ChildProcess>> process =
      gatewaytest::ChildProcess::Spawn(
          {{h2load_binary, "-c", std::to_string(connections), "-m",
            std::to_string(streams), "-D",
            absl::StrCat(std::max<int64_t>(
                             1, absl::ToInt64Milliseconds(options.measure)),
                         "ms"),
            absl::StrCat("--warm-up-time=",
                         absl::ToInt64Milliseconds(options.warmup), "ms"),
            "-H", "content-type: application/grpc", "-H", "te: trailers", "-H",
            absl::StrCat("authorization: Bearer ", options.bearer_token), "-d",
            body_path,
            absl::StrCat("http://", address,
                         "/meshid.gatewaytest.v1.Echo/Ping")},
           out_path,
           out_path});
  if (!process.ok()) return process.status();
  const std::optional<int> code = (*process)->WaitForExit(
      options.warmup + options.measure + absl::Seconds(30));
  const std::string output = ReadAll(out_path);
  if (!code.has_value() || *code != 0) {
    return absl::InternalError(absl::StrCat("h2load failed:\n", output));
  }
  // "finished in 3.00s, 12345.67 req/s, 1.23MB/s"
  const size_t at = output.find(" req/s");
  const size_t from = output.rfind(", ", at);
  double rps = 0;
  if (at == std::string::npos || from == std::string::npos ||
      !absl::SimpleAtod(output.substr(from + 2, at - from - 2), &rps)) {
    return absl::InternalError(absl::StrCat("no req/s in:\n", output));
  }
  if (output.find(" 0 failed, 0 errored") == std::string::npos) {
    return absl::InternalError(absl::StrCat("h2load saw failures:\n", output));
  }
  return rps;
}

}  // namespace meshid::bench
