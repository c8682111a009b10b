#include "tests/common/keyset/fake_key_servers.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace meshid::keyset::testing {

namespace iv1 = ::meshid::identity::v1;
namespace kv1 = ::meshid::keyadmin::v1;

// --- FakeIdentity ------------------------------------------------------------

grpc::Status FakeIdentity::IssueToken(grpc::ServerContext* context,
                                      const iv1::IssueTokenRequest* request,
                                      iv1::TokenResponse* response) {
  absl::MutexLock lock(&mu_);
  requests_.push_back(*request);
  if (!fail_.ok()) return fail_;
  response->set_access_token(absl::StrCat("watch-token-", requests_.size()));
  response->set_token_type("Bearer");
  response->set_expires_in(expires_in_);
  response->set_scope("keys:watch");
  return grpc::Status::OK;
}

int FakeIdentity::calls() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(requests_.size());
}

iv1::IssueTokenRequest FakeIdentity::request(int i) const {
  absl::MutexLock lock(&mu_);
  return requests_.at(i);
}

bool FakeIdentity::WaitForCalls(int n, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto reached = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return static_cast<int>(requests_.size()) >= n;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
}

void FakeIdentity::set_expires_in(int64_t seconds) {
  absl::MutexLock lock(&mu_);
  expires_in_ = seconds;
}

void FakeIdentity::FailWith(grpc::Status status) {
  absl::MutexLock lock(&mu_);
  fail_ = std::move(status);
}

// --- FakeWatchStream ---------------------------------------------------------
//
// gRPC may run a reaction inline inside StartWrite or Finish, and reactions
// take mu_, so those calls are made without mu_. writing_ is the token that
// lets exactly one thread start the next write; Finish starts only when no
// write is in flight, so no write ever follows it.

FakeWatchStream::FakeWatchStream(int64_t since_version,
                                 std::string authorization)
    : since_version_(since_version), authorization_(std::move(authorization)) {}

bool FakeWatchStream::Send(const kv1::WatchKeysResponse& message) {
  {
    absl::MutexLock lock(&mu_);
    if (finish_.has_value() || finish_started_ || done_) return false;
    queue_.push_back(message);
    if (writing_) return true;
    writing_ = true;
    in_flight_ = std::move(queue_.front());
    queue_.pop_front();
  }
  StartWrite(&in_flight_);
  return true;
}

void FakeWatchStream::Finish(grpc::Status status) {
  {
    absl::MutexLock lock(&mu_);
    if (finish_.has_value() || finish_started_) return;
    finish_ = status;
    if (writing_) return;  // OnWriteDone finishes after the queue
    finish_started_ = true;
  }
  ServerWriteReactor::Finish(std::move(status));
}

void FakeWatchStream::OnWriteDone(bool ok) {
  enum { kNothing, kWrite, kFinish } next = kNothing;
  grpc::Status finish_with;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (ok && !queue_.empty()) {
      writing_ = true;
      in_flight_ = std::move(queue_.front());
      queue_.pop_front();
      next = kWrite;
    } else if ((!ok || finish_.has_value()) && !finish_started_) {
      // Everything written and Finish asked for, or the stream broke.
      queue_.clear();
      if (!finish_.has_value()) {
        finish_ = grpc::Status(grpc::StatusCode::CANCELLED, "write failed");
      }
      finish_started_ = true;
      finish_with = *finish_;
      next = kFinish;
    }
  }
  if (next == kWrite) StartWrite(&in_flight_);
  if (next == kFinish) ServerWriteReactor::Finish(finish_with);
}

void FakeWatchStream::OnCancel() {
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
  }
  Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
}

void FakeWatchStream::OnDone() {
  absl::MutexLock lock(&mu_);
  done_ = true;
}

bool FakeWatchStream::WaitForDone(absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&done_), timeout);
}

bool FakeWatchStream::cancelled() const {
  absl::MutexLock lock(&mu_);
  return cancelled_;
}

// --- FakeKeyAdmin ------------------------------------------------------------

grpc::ServerWriteReactor<kv1::WatchKeysResponse>* FakeKeyAdmin::WatchKeys(
    grpc::CallbackServerContext* context,
    const kv1::WatchKeysRequest* request) {
  std::string authorization;
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("authorization");
  if (it != metadata.end()) {
    authorization.assign(it->second.data(), it->second.size());
  }
  auto stream = std::make_unique<FakeWatchStream>(request->since_version(),
                                                  std::move(authorization));
  FakeWatchStream* raw = stream.get();
  absl::MutexLock lock(&mu_);
  streams_.push_back(std::move(stream));
  return raw;
}

int FakeKeyAdmin::stream_count() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(streams_.size());
}

bool FakeKeyAdmin::WaitForStreams(int n, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto reached = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return static_cast<int>(streams_.size()) >= n;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
}

FakeWatchStream& FakeKeyAdmin::stream(int i) const {
  absl::MutexLock lock(&mu_);
  return *streams_.at(i);
}

// --- FakeKeyServers ----------------------------------------------------------

std::unique_ptr<FakeKeyServers> FakeKeyServers::Start(int port) {
  std::unique_ptr<FakeKeyServers> servers(new FakeKeyServers());
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", port),
                           grpc::InsecureServerCredentials(), &servers->port_);
  builder.RegisterService(&servers->identity_);
  builder.RegisterService(&servers->keyadmin_);
  servers->server_ = builder.BuildAndStart();
  if (servers->server_ == nullptr || servers->port_ == 0) return nullptr;
  return servers;
}

FakeKeyServers::~FakeKeyServers() { Shutdown(); }

void FakeKeyServers::Shutdown() {
  if (server_ == nullptr) return;
  // Cancels open streams at once (OnCancel -> Finish -> OnDone).
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
  server_.reset();
}

std::string FakeKeyServers::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

}  // namespace meshid::keyset::testing
