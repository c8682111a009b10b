#include "tests/authz/raw_call.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "grpcpp/generic/generic_stub.h"

namespace meshid::authz {
namespace {

// One request, half-close, read everything, report the status.
class OneShotCall final
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  OneShotCall(grpc::GenericStub* stub, const std::string& method,
              const std::string& request, const std::string& token,
              absl::Duration timeout) {
    grpc::Slice slice(request);
    request_ = grpc::ByteBuffer(&slice, 1);
    if (!token.empty()) {
      context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    }
    context_.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    stub->PrepareBidiStreamingCall(&context_, method, grpc::StubOptions(),
                                   this);
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&response_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (ok) StartRead(&response_);
  }
  void OnDone(const grpc::Status& status) override {
    status_ = status;
    done_.Notify();
  }
  grpc::Status Wait() {
    done_.WaitForNotification();
    return status_;
  }

 private:
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  grpc::Status status_;
  absl::Notification done_;
};

}  // namespace

grpc::Status RawCall(const std::shared_ptr<grpc::Channel>& channel,
                     const std::string& method, const std::string& request,
                     const std::string& token, absl::Duration timeout) {
  grpc::GenericStub stub(channel);
  OneShotCall call(&stub, method, request, token, timeout);
  return call.Wait();
}

}  // namespace meshid::authz
