#include "common/server/grpc_server_util.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/types/optional.h"
#include "gmock/gmock.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/client_callback.h"
#include "grpcpp/support/time.h"
#include "gtest/gtest.h"

namespace meshid::server {
namespace {

using ::google::protobuf::UnknownField;
using ::google::protobuf::UnknownFieldSet;
using ::testing::Contains;
using ::testing::HasSubstr;

// The generated health and reflection stubs are not installed on Debian, so
// the test speaks their (tiny) wire format by hand through GenericStub.
constexpr char kHealthCheck[] = "/grpc.health.v1.Health/Check";
constexpr char kHealthWatch[] = "/grpc.health.v1.Health/Watch";
constexpr char kReflectionInfo[] =
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
constexpr int kServing = 1;     // HealthCheckResponse.ServingStatus
constexpr int kNotServing = 2;  //
constexpr absl::Duration kWait = absl::Seconds(30);

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// A length-delimited field: tag, length, bytes.
std::string BytesField(int number, absl::string_view bytes) {
  return absl::StrCat(Varint((number << 3) | 2), Varint(bytes.size()), bytes);
}

// HealthCheckRequest{service = 1}; the empty service means the server.
std::string HealthRequest(absl::string_view service) {
  return service.empty() ? "" : BytesField(1, service);
}

// HealthCheckResponse.status (field 1); proto3 omits UNKNOWN (0).
int ServingStatusOf(const std::string& response) {
  UnknownFieldSet fields;
  if (!fields.ParseFromString(response)) return -1;
  for (int i = 0; i < fields.field_count(); ++i) {
    if (fields.field(i).number() == 1 &&
        fields.field(i).type() == UnknownField::TYPE_VARINT) {
      return static_cast<int>(fields.field(i).varint());
    }
  }
  return 0;
}

grpc::ByteBuffer ToBuffer(absl::string_view bytes) {
  grpc::Slice slice(bytes.data(), bytes.size());
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

// One streaming call over GenericStub: sends `request`, half-closes, and
// queues every response for the test to take with a deadline.
class RawStream final
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  RawStream(grpc::GenericStub& stub, const std::string& method,
            absl::string_view request)
      : request_(ToBuffer(request)) {
    context_.set_deadline(absl::ToChronoTime(absl::Now() + kWait));
    stub.PrepareBidiStreamingCall(&context_, method, grpc::StubOptions(), this);
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&response_);
    StartCall();
  }
  ~RawStream() override {
    Cancel();
    WaitDone();
  }

  void Cancel() { context_.TryCancel(); }
  void WaitDone() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&done_));
  }

  // The next response, or nullopt once the call ended or `kWait` passed.
  absl::optional<std::string> Next() {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !responses_.empty() || done_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&ready), kWait);
    if (responses_.empty()) return absl::nullopt;
    std::string next = std::move(responses_.front());
    responses_.erase(responses_.begin());
    return next;
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;
    {
      absl::MutexLock lock(&mu_);
      responses_.push_back(FromBuffer(response_));
    }
    StartRead(&response_);
  }
  void OnDone(const grpc::Status& status) override {
    absl::MutexLock lock(&mu_);
    done_ = true;
  }

 private:
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  absl::Mutex mu_;
  std::vector<std::string> responses_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

class GrpcServerUtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    ConfigureServerBuilder(builder, GrpcServerOptions{});
    auto server = StartGrpcServer(builder, "127.0.0.1:0",
                                  grpc::InsecureServerCredentials(), &port_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    ASSERT_GT(port_, 0);
    stub_ = std::make_unique<grpc::GenericStub>(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::ToChronoTime(absl::Now()));
  }

  // Health/Check of `service`: the status value, or the call's error.
  absl::StatusOr<int> Check(absl::string_view service,
                            std::string request_bytes = "") {
    if (request_bytes.empty()) request_bytes = HealthRequest(service);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + kWait));
    const grpc::ByteBuffer request = ToBuffer(request_bytes);
    grpc::ByteBuffer response;
    grpc::Status status;
    absl::Notification done;
    stub_->UnaryCall(&context, kHealthCheck, grpc::StubOptions(), &request,
                     &response, [&](grpc::Status s) {
                       status = std::move(s);
                       done.Notify();
                     });
    done.WaitForNotification();  // bounded by the call's deadline
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    }
    return ServingStatusOf(FromBuffer(response));
  }

  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::GenericStub> stub_;
};

TEST_F(GrpcServerUtilTest, HealthCheckSaysServing) {
  auto status = Check("");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(*status, kServing);
}

TEST_F(GrpcServerUtilTest, ReflectionListsServices) {
  // ServerReflectionRequest{list_services = 7: ""}.
  RawStream stream(*stub_, kReflectionInfo, BytesField(7, ""));
  const absl::optional<std::string> response = stream.Next();
  ASSERT_TRUE(response.has_value()) << "no reflection response";
  // ServerReflectionResponse.list_services_response = 6 ->
  // ListServiceResponse.service = 1 (repeated) -> ServiceResponse.name = 1.
  UnknownFieldSet top;
  ASSERT_TRUE(top.ParseFromString(*response));
  std::vector<std::string> names;
  for (int i = 0; i < top.field_count(); ++i) {
    if (top.field(i).number() != 6) continue;
    UnknownFieldSet list;
    ASSERT_TRUE(list.ParseFromString(top.field(i).length_delimited()));
    for (int j = 0; j < list.field_count(); ++j) {
      UnknownFieldSet service;
      ASSERT_TRUE(service.ParseFromString(list.field(j).length_delimited()));
      names.push_back(service.field(0).length_delimited());
    }
  }
  EXPECT_THAT(names, Contains("grpc.health.v1.Health"));
  EXPECT_THAT(names, Contains("grpc.reflection.v1alpha.ServerReflection"));
}

TEST_F(GrpcServerUtilTest, SetGrpcServingFalseSaysNotServing) {
  SetGrpcServing(*server_, false);
  auto status = Check("");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(*status, kNotServing);
  SetGrpcServing(*server_, true);
  EXPECT_EQ(Check("").value_or(-1), kServing);
}

TEST_F(GrpcServerUtilTest, DrainTellsWatchersNotServingThenStops) {
  RawStream watch(*stub_, kHealthWatch, HealthRequest(""));
  const absl::optional<std::string> first = watch.Next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(ServingStatusOf(*first), kServing);

  DrainOptions options;
  options.shutdown_deadline = absl::Seconds(5);
  std::thread drain([&] { DrainGrpcServer(*server_, options); });
  const absl::optional<std::string> second = watch.Next();
  // An open Watch holds Shutdown until its deadline; a client that saw
  // NOT_SERVING goes away, and then the drain finishes at once.
  watch.Cancel();
  watch.WaitDone();
  drain.join();
  ASSERT_TRUE(second.has_value()) << "watch ended without NOT_SERVING";
  EXPECT_EQ(ServingStatusOf(*second), kNotServing);

  const auto after = Check("");
  EXPECT_FALSE(after.ok());
}

TEST_F(GrpcServerUtilTest, OversizedRequestsAreRefused) {
  const std::string huge(5 * 1024 * 1024, 'x');
  const auto status = Check("", HealthRequest(huge));
  EXPECT_EQ(status.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(GrpcServerUtilTest, PortInUseIsAClearError) {
  const std::string address = absl::StrCat("127.0.0.1:", port_);
  grpc::ServerBuilder builder;
  ConfigureServerBuilder(builder, GrpcServerOptions{});
  int port = -1;
  auto second = StartGrpcServer(builder, address,
                                grpc::InsecureServerCredentials(), &port);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr(address));
  EXPECT_EQ(port, -1);
}

TEST(GrpcServerUtilStandaloneTest, ConfiguringTwiceStillBuilds) {
  grpc::ServerBuilder builder;
  ConfigureServerBuilder(builder, GrpcServerOptions{});
  ConfigureServerBuilder(builder, GrpcServerOptions{});
  auto server = StartGrpcServer(builder, "127.0.0.1:0",
                                grpc::InsecureServerCredentials(), nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  DrainGrpcServer(**server, DrainOptions{});
}

}  // namespace
}  // namespace meshid::server
