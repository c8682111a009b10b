#include "gateway/proxy_call.h"

#include <utility>

#include "gateway/metadata_policy.h"

namespace meshid::gateway {

grpc::ServerGenericBidiReactor* ProxyCall::Start(Params params) {
  auto* call = new ProxyCall(std::move(params));
  call->Begin();
  return &call->caller_;
}

ProxyCall::ProxyCall(Params params)
    : params_(std::move(params)),
      method_(params_.server_context->method()),
      caller_(this),
      upstream_(this) {}

void ProxyCall::Begin() {
  grpc::GenericCallbackServerContext& server = *params_.server_context;
  // Deadline and cancellation follow the caller's call.
  upstream_context_ = grpc::ClientContext::FromCallbackServerContext(server);
  for (const auto& [key, value] : server.client_metadata()) {
    const absl::string_view k(key.data(), key.size());
    if (!ForwardRequestHeader(k)) continue;
    upstream_context_->AddMetadata(std::string(k),
                                   std::string(value.data(), value.size()));
  }
  upstream_context_->AddMetadata(
      "authorization", std::string(params_.upstream_token->bearer.view()));
  ForEachCallerHeader(
      *params_.principal, [this](absl::string_view key, std::string value) {
        upstream_context_->AddMetadata(std::string(key), std::move(value));
      });
  params_.stub->PrepareBidiStreamingCall(upstream_context_.get(), method_,
                                         grpc::StubOptions(), &upstream_);
  // One hold per chain (see the header).
  upstream_.AddMultipleHolds(2);
  upstream_.StartCall();
  {
    absl::MutexLock lock(&mu_);
    request_reading_ = 0;
    response_reading_ = 0;
  }
  // The first response is read at once; it waits for the upstream's
  // initial metadata (OnUpstreamHeaders) before going to the caller.
  upstream_.StartRead(&response_[0]);
  caller_.StartRead(&request_[0]);
}

void ProxyCall::Run(const Next& next) {
  if (next.cancel_upstream) upstream_context_->TryCancel();
  if (next.write_request != kNone) {
    upstream_.StartWrite(&request_[next.write_request]);
  }
  if (next.writes_done) upstream_.StartWritesDone();
  if (next.read_request != kNone) {
    caller_.StartRead(&request_[next.read_request]);
  }
  if (next.write_response != kNone) {
    if (next.write_response_last) {
      caller_.StartWriteLast(&response_[next.write_response],
                             grpc::WriteOptions());
    } else {
      caller_.StartWrite(&response_[next.write_response]);
    }
  }
  if (next.read_response != kNone) {
    upstream_.StartRead(&response_[next.read_response]);
  }
  // Last: a released hold may let the upstream call finish at once.
  for (int i = 0; i < next.release_holds; ++i) upstream_.RemoveHold();
}

void ProxyCall::MaybeReleaseRequestHoldLocked(Next& next) {
  if (request_chain_stopped_ && !request_hold_released_) {
    request_hold_released_ = true;
    ++next.release_holds;
  }
}

// --- Request chain -----------------------------------------------------

void ProxyCall::OnRequestRead(bool ok) {
  Next next;
  {
    absl::MutexLock lock(&mu_);
    const int buffer = request_reading_;
    request_reading_ = kNone;
    if (request_chain_stopped_) {
      MaybeReleaseRequestHoldLocked(next);
    } else if (ok) {
      if (request_writing_ == kNone) {
        // Write this one and read the next into the other buffer at once.
        request_writing_ = buffer;
        next.write_request = buffer;
        request_reading_ = 1 - buffer;
        next.read_request = 1 - buffer;
      } else {
        request_waiting_ = buffer;  // both buffers busy: reading pauses
      }
    } else {
      // Half-close (or the caller went away: then the cancellation reaches
      // the upstream through propagation).
      // Also with a write in flight: the end of stream follows its data.
      // (Nothing waits: a read is only outstanding while a buffer is free.)
      next.writes_done = true;
      request_chain_stopped_ = true;
      MaybeReleaseRequestHoldLocked(next);
    }
  }
  Run(next);
}

void ProxyCall::OnRequestWritten(bool ok) {
  Next next;
  {
    absl::MutexLock lock(&mu_);
    const int buffer = request_writing_;
    request_writing_ = kNone;
    // A failed write: the upstream call is over; its status will come.
    if (!ok) request_chain_stopped_ = true;
    if (request_chain_stopped_) {
      request_waiting_ = kNone;
      MaybeReleaseRequestHoldLocked(next);
    } else if (request_waiting_ != kNone) {
      // (No read was outstanding while a message waited, so the caller
      // cannot have half-closed yet.)
      request_writing_ = request_waiting_;
      request_waiting_ = kNone;
      next.write_request = request_writing_;
      request_reading_ = buffer;
      next.read_request = buffer;
    } else if (request_reading_ == kNone) {
      request_reading_ = buffer;
      next.read_request = buffer;
    }
  }
  Run(next);
}

// --- Response chain ----------------------------------------------------

void ProxyCall::AdvanceResponsesLocked(Next& next) {
  if (response_chain_ended_) return;
  if (caller_write_failed_) {
    response_waiting_ = kNone;
    if (response_reading_ == kNone && response_writing_ == kNone) {
      EndResponseChainLocked(next);
    }
    return;
  }
  if (response_writing_ == kNone && response_waiting_ != kNone &&
      headers_ready_) {
    response_writing_ = response_waiting_;
    response_waiting_ = kNone;
    next.write_response = response_writing_;
    // Known to be the last: let gRPC send it with the status.
    next.write_response_last = upstream_read_ended_;
  }
  if (!upstream_read_ended_ && response_reading_ == kNone &&
      response_waiting_ == kNone) {
    const int free = response_writing_ == kNone ? 0 : 1 - response_writing_;
    response_reading_ = free;
    next.read_response = free;
  }
  // A write may still be in flight: Finish, which follows, is sent after
  // its data.
  if (upstream_read_ended_ && response_reading_ == kNone &&
      response_waiting_ == kNone) {
    EndResponseChainLocked(next);
  }
}

void ProxyCall::EndResponseChainLocked(Next& next) {
  response_chain_ended_ = true;
  ++next.release_holds;
  // The upstream is done: no more requests go to it.
  request_chain_stopped_ = true;
  MaybeReleaseRequestHoldLocked(next);
}

void ProxyCall::OnUpstreamHeaders(bool ok) {
  Next next;
  {
    absl::MutexLock lock(&mu_);
    if (ok) {
      // Under the lock, before any write to the caller can start: the
      // first write sends them. AddInitialMetadata starts no gRPC op.
      for (const auto& [key, value] :
           upstream_context_->GetServerInitialMetadata()) {
        const absl::string_view k(key.data(), key.size());
        if (!ForwardResponseHeader(k)) continue;
        params_.server_context->AddInitialMetadata(
            std::string(k), std::string(value.data(), value.size()));
      }
    }
    headers_ready_ = true;
    AdvanceResponsesLocked(next);
  }
  Run(next);
}

void ProxyCall::OnResponseRead(bool ok) {
  Next next;
  {
    absl::MutexLock lock(&mu_);
    const int buffer = response_reading_;
    response_reading_ = kNone;
    if (ok) {
      response_waiting_ = buffer;
    } else {
      upstream_read_ended_ = true;
    }
    AdvanceResponsesLocked(next);
  }
  Run(next);
}

void ProxyCall::OnResponseWritten(bool ok) {
  Next next;
  {
    absl::MutexLock lock(&mu_);
    response_writing_ = kNone;
    if (!ok && !caller_write_failed_) {
      // The caller is gone: stop the upstream too.
      caller_write_failed_ = true;
      next.cancel_upstream = true;
    }
    AdvanceResponsesLocked(next);
  }
  Run(next);
}

// --- Ends --------------------------------------------------------------

void ProxyCall::OnCallerCancelled() { upstream_context_->TryCancel(); }

void ProxyCall::OnUpstreamDone(const grpc::Status& status) {
  // Every hold is released, so no chain starts anything any more (a last
  // write to the caller may still be in flight).
  for (const auto& [key, value] :
       upstream_context_->GetServerTrailingMetadata()) {
    const absl::string_view k(key.data(), key.size());
    if (!ForwardResponseHeader(k)) continue;
    params_.server_context->AddTrailingMetadata(
        std::string(k), std::string(value.data(), value.size()));
  }
  final_code_ = static_cast<int>(status.error_code());
  // Code, message and binary details (grpc-status-details-bin) as they are.
  caller_.Finish(status);
  SideDone();
}

void ProxyCall::OnCallerDone() {
  const Principal& principal = *params_.principal;
  params_.recorder->Record(
      FinishedCall{params_.arrival, MonotonicNanos() - params_.arrival_mono_ns,
                   params_.route, final_code_, method_, params_.peer,
                   principal.subject, principal.client_id, ""});
  SideDone();
}

void ProxyCall::SideDone() {
  if (sides_left_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

}  // namespace meshid::gateway
