// fuzz-link: meshid_gateway_core
//
// The gateway's config (gateway/config_loader.h, config_validator.h) on
// arbitrary bytes. The first byte picks the form, the rest is the text:
//   even: JSON through ParseGatewayConfig, as meshid-gateway --config reads
//         it;
//   odd:  protobuf text format parsed into GatewayConfig, then
//         ValidateGatewayConfig (the config as another tool would build it).
// Beyond "no crash":
//   - the verdict and message are the same on a second call;
//   - an error is INVALID_ARGUMENT and has a message (it names the field
//     or the parser's complaint);
//   - a config accepted in either form, printed as JSON, is accepted by
//     ParseGatewayConfig with the same settings (the JSON and the proto
//     paths agree, and what the gateway accepts survives a round trip).
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "fuzz/fuzz_check.h"
#include "gateway/config_loader.h"
#include "gateway/config_validator.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"

namespace {

namespace gw = ::meshid::gateway;

// Past every per-field limit (strings of 256 bytes, many routes); the
// loader itself takes up to 1 MiB.
constexpr size_t kMaxInput = 64 * 1024;

// Keeps the text-format parser's complaints off stderr.
class SilentErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int, int, const std::string&) override {}
  void AddWarning(int, int, const std::string&) override {}
};

// The fields of the settings a round trip must keep.
std::string Summary(const gw::GatewaySettings& s) {
  std::string out;
  out.append(s.listen_address).push_back('|');
  out.append(s.name).push_back('|');
  out.append(std::to_string(s.routes.size())).push_back('|');
  out.append(std::to_string(s.upstreams.size())).push_back('|');
  out.append(std::to_string(s.access_log.queue_bound));
  return out;
}

// Strict UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF), as the JSON parser requires.
bool IsValidUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    int n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (int k = 1; k <= n; ++k) {
      const unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

void CheckError(const absl::Status& status) {
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  FUZZ_CHECK(!status.message().empty());
}

// A config accepted by one path, printed as JSON, is accepted again.
void CheckRoundTrip(const gw::v1::GatewayConfig& config,
                    const gw::GatewaySettings& settings) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(config, &json, options)
           .ok()) {
    return;
  }
  // The text format takes any bytes in a string field, JSON only UTF-8: a
  // config whose strings are not UTF-8 has no JSON form to compare with
  // (the gateway reads JSON only, so it never sees one).
  if (!IsValidUtf8(json)) return;
  const absl::StatusOr<gw::GatewaySettings> again =
      gw::ParseGatewayConfig(json);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(Summary(*again) == Summary(settings));
}

void FuzzJson(const std::string& text) {
  const absl::StatusOr<gw::GatewaySettings> first =
      gw::ParseGatewayConfig(text);
  const absl::StatusOr<gw::GatewaySettings> second =
      gw::ParseGatewayConfig(text);
  FUZZ_CHECK(first.ok() == second.ok());
  FUZZ_CHECK(first.status() == second.status());
  if (!first.ok()) {
    CheckError(first.status());
    return;
  }
  gw::v1::GatewayConfig config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  FUZZ_CHECK(
      google::protobuf::util::JsonStringToMessage(text, &config, options)
          .ok());
  const absl::StatusOr<gw::GatewaySettings> validated =
      gw::ValidateGatewayConfig(config);
  FUZZ_CHECK(validated.ok());
  CheckRoundTrip(config, *first);
}

void FuzzText(const std::string& text) {
  gw::v1::GatewayConfig config;
  google::protobuf::TextFormat::Parser parser;
  SilentErrors errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &config)) return;
  const absl::StatusOr<gw::GatewaySettings> first =
      gw::ValidateGatewayConfig(config);
  const absl::StatusOr<gw::GatewaySettings> second =
      gw::ValidateGatewayConfig(config);
  FUZZ_CHECK(first.status() == second.status());
  if (!first.ok()) {
    CheckError(first.status());
    return;
  }
  CheckRoundTrip(config, *first);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // protobuf logs every non-UTF-8 string it serializes; the fuzzer makes
  // many, and the verdicts are checked above.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > kMaxInput) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    FuzzJson(text);
  } else {
    FuzzText(text);
  }
  return 0;
}
