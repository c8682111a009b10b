// ProxyCall: one admitted call forwarded to its upstream, as a pair of gRPC
// callback reactors joined back to back: the caller's side (a
// ServerGenericBidiReactor) and the upstream's (a ClientBidiReactor over
// the generic stub). Every call is handled as a bidi stream of raw byte
// buffers, so unary and all streaming kinds pass through without the
// gateway knowing any upstream proto, and no thread is held per call.
//
//   return ProxyCall::Start(ProxyCall::Params{ctx, stub, token, ...});
//
// Two chains move messages, each with two buffers so that the next read
// overlaps the current write (a unary call's half-close is read while its
// message is still being written upstream, and the upstream's status
// arrives while its response is being written back), and never more than
// two messages per direction are held: a slow side slows the other down
// instead of filling the gateway's memory.
//   requests:  caller read -> upstream write; the caller's half-close
//              becomes the upstream's WritesDone at once (HTTP/2 orders
//              the end of stream after the data still being written).
//   responses: upstream read -> caller write; the upstream's initial
//              metadata goes out with the first response, its end brings
//              the status, message, details and trailers, which finish the
//              caller's call as they are. The caller's call is finished
//              without waiting for the last write's completion (gRPC sends
//              the status after the data; a last write started after the
//              upstream ended is StartWriteLast, coalesced with it).
// Every call costs several gRPC reactions on each side (gRPC 1.51 runs
// callback reactions through its "callback alternative" completion queue
// threads); the chains are arranged so that as few as possible of them
// lie on a unary call's critical path.
// The upstream call inherits the caller's deadline and is cancelled with
// it (grpc::ClientContext::FromCallbackServerContext propagation, and
// OnCancel for good measure). Metadata crosses per metadata_policy.h.
//
// Both chains start upstream operations from outside the upstream
// reactor's own reactions, so each holds a hold (ClientBidiReactor::
// AddHold) on the upstream call while it may still do so; the upstream's
// OnDone, which finishes the caller's call, can only come after both let
// go. The request chain lets go after WritesDone, when an upstream write
// fails, or when the response chain ended (the upstream finished: more
// requests are pointless). A per-call mutex guards the chains' state; gRPC
// operations are only ever started after it is released, since gRPC may
// run reactions inline.
//
// The object deletes itself once both sides are done, after recording the
// call (CallRecorder: metrics and the access log).
#ifndef MESHID_GATEWAY_PROXY_CALL_H_
#define MESHID_GATEWAY_PROXY_CALL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/token/principal.h"
#include "gateway/call_recorder.h"
#include "gateway/upstream_token_cache.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/client_callback.h"
#include "grpcpp/support/server_callback.h"

namespace meshid::gateway {

class ProxyCall final {
 public:
  struct Params {
    grpc::GenericCallbackServerContext* server_context;
    grpc::GenericStub* stub;
    std::shared_ptr<const CachedToken> upstream_token;
    std::shared_ptr<const Principal> principal;
    CallRecorder* recorder;
    int route;
    absl::Time arrival;
    int64_t arrival_mono_ns;
    std::string peer;
  };

  // Starts the upstream call and returns the caller-side reactor for
  // CallbackGenericService::CreateReactor to return.
  static grpc::ServerGenericBidiReactor* Start(Params params);

 private:
  class CallerSide final : public grpc::ServerGenericBidiReactor {
   public:
    explicit CallerSide(ProxyCall* call) : call_(call) {}
    void OnReadDone(bool ok) override { call_->OnRequestRead(ok); }
    void OnWriteDone(bool ok) override { call_->OnResponseWritten(ok); }
    void OnCancel() override { call_->OnCallerCancelled(); }
    void OnDone() override { call_->OnCallerDone(); }

   private:
    ProxyCall* const call_;
  };

  class UpstreamSide final
      : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    explicit UpstreamSide(ProxyCall* call) : call_(call) {}
    void OnReadInitialMetadataDone(bool ok) override {
      call_->OnUpstreamHeaders(ok);
    }
    void OnReadDone(bool ok) override { call_->OnResponseRead(ok); }
    void OnWriteDone(bool ok) override { call_->OnRequestWritten(ok); }
    void OnDone(const grpc::Status& status) override {
      call_->OnUpstreamDone(status);
    }

   private:
    ProxyCall* const call_;
  };

  static constexpr int kNone = -1;

  // gRPC operations decided under the mutex, started after it.
  struct Next {
    int read_request = kNone;          // caller StartRead into request_[i]
    int write_request = kNone;         // upstream StartWrite of request_[i]
    bool writes_done = false;          // upstream StartWritesDone
    int release_holds = 0;             // upstream RemoveHold, this many times
    int read_response = kNone;         // upstream StartRead into response_[i]
    int write_response = kNone;        // caller StartWrite of response_[i]
    bool write_response_last = false;  // ... as StartWriteLast
    bool copy_headers = false;  // upstream initial metadata to the caller
    bool cancel_upstream = false;
  };

  explicit ProxyCall(Params params);
  void Begin();
  void Run(const Next& next);

  // Request chain.
  void OnRequestRead(bool ok);
  void OnRequestWritten(bool ok);
  // Response chain.
  void OnUpstreamHeaders(bool ok);
  void OnResponseRead(bool ok);
  void OnResponseWritten(bool ok);
  // Ends.
  void OnCallerCancelled();
  void OnUpstreamDone(const grpc::Status& status);
  void OnCallerDone();
  void SideDone();

  // The request chain's hold goes once nothing more will be started
  // upstream (writes in flight may still complete); at most once.
  void MaybeReleaseRequestHoldLocked(Next& next)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes the next waiting response, reads the next one, or ends the
  // response chain, as the state allows.
  void AdvanceResponsesLocked(Next& next) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EndResponseChainLocked(Next& next) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Params params_;
  std::string method_;  // copied: outlives the server context's OnDone
  std::unique_ptr<grpc::ClientContext> upstream_context_;
  CallerSide caller_;
  UpstreamSide upstream_;
  grpc::ByteBuffer request_[2];
  grpc::ByteBuffer response_[2];
  int final_code_ = 0;  // written before Finish, read in OnCallerDone

  absl::Mutex mu_;
  // Request chain.
  int request_reading_ ABSL_GUARDED_BY(mu_) = kNone;
  int request_writing_ ABSL_GUARDED_BY(mu_) = kNone;
  int request_waiting_ ABSL_GUARDED_BY(mu_) = kNone;  // read, not yet written
  bool request_chain_stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool request_hold_released_ ABSL_GUARDED_BY(mu_) = false;
  // Response chain.
  int response_reading_ ABSL_GUARDED_BY(mu_) = kNone;
  int response_writing_ ABSL_GUARDED_BY(mu_) = kNone;
  int response_waiting_ ABSL_GUARDED_BY(mu_) = kNone;
  bool headers_ready_ ABSL_GUARDED_BY(mu_) = false;  // copied or none
  bool upstream_read_ended_ ABSL_GUARDED_BY(mu_) = false;
  bool caller_write_failed_ ABSL_GUARDED_BY(mu_) = false;
  bool response_chain_ended_ ABSL_GUARDED_BY(mu_) = false;

  std::atomic<int> sides_left_{2};
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_PROXY_CALL_H_
