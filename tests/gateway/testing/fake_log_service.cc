#include "tests/gateway/testing/fake_log_service.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace meshid::gatewaytest {

FakeLogServer::~FakeLogServer() {
  if (server_) server_->Shutdown(std::chrono::system_clock::now());
}

absl::Status FakeLogServer::Start() {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port_);
  builder.RegisterService(this);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError("fake log server did not start");
  }
  return absl::OkStatus();
}

std::string FakeLogServer::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

grpc::ServerUnaryReactor* FakeLogServer::Append(
    grpc::CallbackServerContext* context,
    const logging::v1::AppendRequest* request,
    logging::v1::AppendResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::string authorization;
  auto it = context->client_metadata().find("authorization");
  if (it != context->client_metadata().end()) {
    authorization.assign(it->second.data(), it->second.size());
  }
  {
    absl::MutexLock lock(&mu_);
    ++appends_;
    if (failing_) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "failing"));
      return reactor;
    }
    authorizations_.push_back(authorization);
    for (const auto& entry : request->entries()) entries_.push_back(entry);
    appended_.SignalAll();
  }
  response->set_accepted(request->entries_size());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

std::vector<logging::v1::LogEntry> FakeLogServer::Entries() const {
  absl::MutexLock lock(&mu_);
  return entries_;
}

std::vector<std::string> FakeLogServer::Authorizations() const {
  absl::MutexLock lock(&mu_);
  return authorizations_;
}

int FakeLogServer::appends() const {
  absl::MutexLock lock(&mu_);
  return appends_;
}

bool FakeLogServer::WaitFor(
    const std::function<bool(const std::vector<logging::v1::LogEntry>&)>& ready,
    absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&mu_);
  while (!ready(entries_)) {
    if (appended_.WaitWithDeadline(&mu_, deadline)) return ready(entries_);
  }
  return true;
}

void FakeLogServer::SetFailing(bool failing) {
  absl::MutexLock lock(&mu_);
  failing_ = failing;
}

}  // namespace meshid::gatewaytest
