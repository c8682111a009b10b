#include "tests/gateway/echo/echo_service.h"

#include <chrono>
#include <string>
#include <utility>

namespace meshid::gatewaytest {
namespace {

void MarkResponse(grpc::CallbackServerContext* context, const char* method) {
  context->AddInitialMetadata("x-echo-initial", "yes");
  context->AddTrailingMetadata("x-echo-trailer", method);
}

// Waits for the call's cancellation (deadline or caller gone), then ends it.
class HangingUnary final : public grpc::ServerUnaryReactor {
 public:
  explicit HangingUnary(EchoService* service) : service_(service) {}
  void OnCancel() override {
    service_->OnHangCancelled();
    Finish(grpc::Status::CANCELLED);
  }
  void OnDone() override { delete this; }

 private:
  EchoService* const service_;
};

class CollectingReader final : public grpc::ServerReadReactor<v1::EchoRequest> {
 public:
  CollectingReader(grpc::CallbackServerContext* context,
                   v1::EchoResponse* response)
      : context_(context), response_(response) {
    MarkResponse(context, "ClientStream");
    StartRead(&request_);
  }
  void OnReadDone(bool ok) override {
    if (ok) {
      response_->mutable_payload()->append(request_.payload());
      last_status_ = RequestedStatus(request_);
      StartRead(&request_);
      return;
    }
    DescribeCall(*context_, response_);
    Finish(last_status_);
  }
  void OnDone() override { delete this; }

 private:
  grpc::CallbackServerContext* const context_;
  v1::EchoResponse* const response_;
  v1::EchoRequest request_;
  grpc::Status last_status_;
};

class RepeatingWriter final
    : public grpc::ServerWriteReactor<v1::EchoResponse> {
 public:
  RepeatingWriter(grpc::CallbackServerContext* context,
                  const v1::EchoRequest& request)
      : request_(request) {
    MarkResponse(context, "ServerStream");
    DescribeCall(*context, &response_);
    response_.set_payload(request.payload());
    WriteNext();
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::CANCELLED);
      return;
    }
    WriteNext();
  }
  void OnDone() override { delete this; }

 private:
  void WriteNext() {
    if (sent_ >= request_.repeat()) {
      Finish(RequestedStatus(request_));
      return;
    }
    response_.set_index(sent_++);
    StartWrite(&response_);
  }

  const v1::EchoRequest request_;
  v1::EchoResponse response_;
  int sent_ = 0;
};

class PingPong final
    : public grpc::ServerBidiReactor<v1::EchoRequest, v1::EchoResponse> {
 public:
  explicit PingPong(grpc::CallbackServerContext* context, EchoService* service)
      : context_(context), service_(service) {
    MarkResponse(context, "Bidi");
    StartRead(&request_);
  }
  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(status_);
      return;
    }
    if (request_.hang()) {
      hanging_ = true;  // OnCancel ends it
      return;
    }
    status_ = RequestedStatus(request_);
    response_.Clear();
    if (index_ == 0) DescribeCall(*context_, &response_);
    response_.set_payload(request_.payload());
    response_.set_index(index_++);
    StartWrite(&response_);
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::CANCELLED);
      return;
    }
    StartRead(&request_);
  }
  void OnCancel() override {
    // Counted whether or not the hang request arrived before the cancel.
    service_->OnHangCancelled();
    if (hanging_) Finish(grpc::Status::CANCELLED);
  }
  void OnDone() override { delete this; }

 private:
  grpc::CallbackServerContext* const context_;
  EchoService* const service_;
  v1::EchoRequest request_;
  v1::EchoResponse response_;
  grpc::Status status_;
  int index_ = 0;
  bool hanging_ = false;
};

}  // namespace

void DescribeCall(const grpc::CallbackServerContext& context,
                  v1::EchoResponse* response) {
  for (const auto& [key, value] : context.client_metadata()) {
    v1::Header* header = response->add_headers();
    header->set_key(std::string(key.data(), key.size()));
    header->set_value(std::string(value.data(), value.size()));
  }
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    response->set_deadline_remaining_ms(-1);
  } else {
    response->set_deadline_remaining_ms(
        std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::system_clock::now())
            .count());
  }
}

grpc::Status RequestedStatus(const v1::EchoRequest& request) {
  if (request.fail_code() == 0) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(request.fail_code()),
                      request.fail_message(), request.fail_details());
}

grpc::ServerUnaryReactor* EchoService::Echo(
    grpc::CallbackServerContext* context, const v1::EchoRequest* request,
    v1::EchoResponse* response, const char* method) {
  calls_.fetch_add(1);
  if (request->hang()) return new HangingUnary(this);
  MarkResponse(context, method);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  response->set_payload(request->payload());
  DescribeCall(*context, response);
  reactor->Finish(RequestedStatus(*request));
  return reactor;
}

grpc::ServerUnaryReactor* EchoService::Unary(
    grpc::CallbackServerContext* context, const v1::EchoRequest* request,
    v1::EchoResponse* response) {
  return Echo(context, request, response, "Unary");
}

grpc::ServerUnaryReactor* EchoService::Privileged(
    grpc::CallbackServerContext* context, const v1::EchoRequest* request,
    v1::EchoResponse* response) {
  return Echo(context, request, response, "Privileged");
}

grpc::ServerUnaryReactor* EchoService::Limited(
    grpc::CallbackServerContext* context, const v1::EchoRequest* request,
    v1::EchoResponse* response) {
  return Echo(context, request, response, "Limited");
}

grpc::ServerReadReactor<v1::EchoRequest>* EchoService::ClientStream(
    grpc::CallbackServerContext* context, v1::EchoResponse* response) {
  calls_.fetch_add(1);
  return new CollectingReader(context, response);
}

grpc::ServerWriteReactor<v1::EchoResponse>* EchoService::ServerStream(
    grpc::CallbackServerContext* context, const v1::EchoRequest* request) {
  calls_.fetch_add(1);
  return new RepeatingWriter(context, *request);
}

grpc::ServerBidiReactor<v1::EchoRequest, v1::EchoResponse>* EchoService::Bidi(
    grpc::CallbackServerContext* context) {
  calls_.fetch_add(1);
  return new PingPong(context, this);
}

grpc::ServerUnaryReactor* EchoService::Ping(
    grpc::CallbackServerContext* context, const v1::PingRequest* request,
    v1::PingResponse* response) {
  response->set_payload(request->payload());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* EchoService::Stats(
    grpc::CallbackServerContext* context, const v1::StatsRequest*,
    v1::StatsResponse* response) {
  response->set_calls(calls_.load());
  response->set_cancelled(cancelled_.load());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace meshid::gatewaytest
