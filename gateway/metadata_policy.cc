#include "gateway/metadata_policy.h"

#include <array>

#include "absl/strings/match.h"

namespace meshid::gateway {
namespace {

// Set by the transport or by gRPC itself; a copy from the caller would
// clash with the upstream call's own or lie about it.
bool IsTransportHeader(absl::string_view key) {
  if (key.empty() || key[0] == ':') return true;
  if (absl::StartsWith(key, "grpc-")) return true;
  static constexpr std::array<absl::string_view, 9> kReserved = {
      "te",      "content-type",      "user-agent",
      "host",    "connection",        "keep-alive",
      "upgrade", "transfer-encoding", "proxy-connection"};
  for (absl::string_view reserved : kReserved) {
    if (key == reserved) return true;
  }
  return false;
}

}  // namespace

bool ForwardRequestHeader(absl::string_view key) {
  if (key == "authorization") return false;
  if (absl::StartsWith(key, kCallerHeaderPrefix)) return false;
  return !IsTransportHeader(key);
}

bool ForwardResponseHeader(absl::string_view key) {
  return !IsTransportHeader(key);
}

std::string HeaderValue(absl::string_view value) {
  bool plain = true;
  for (const char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    plain &= u >= 0x20 && u <= 0x7e && u != '%';
  }
  if (plain) return std::string(value);
  std::string out;
  out.reserve(value.size() + 16);
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u <= 0x7e && u != '%') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  return out;
}

}  // namespace meshid::gateway
