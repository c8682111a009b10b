#include "common/keyset/key_set_watcher.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/server/json_log.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace meshid::keyset {
namespace {

namespace kv1 = ::meshid::keyadmin::v1;
namespace iv1 = ::meshid::identity::v1;
using server::Log;
using server::LogLevel;

// How often the watcher thread wakes while waiting, to refresh
// meshid_keyset_seconds_since_last_event.
constexpr absl::Duration kMetricsTick = absl::Seconds(1);
// A token is re-issued once this fraction of its lifetime has passed.
constexpr double kTokenRefreshFraction = 0.8;
constexpr int64_t kNoResyncYet = std::numeric_limits<int64_t>::min();

int ClampMillis(absl::Duration d) {
  const int64_t ms = absl::ToInt64Milliseconds(d);
  return static_cast<int>(
      std::clamp<int64_t>(ms, 0, std::numeric_limits<int>::max()));
}

std::string CodeName(const grpc::Status& status) {
  return absl::StatusCodeToString(FromGrpcStatus(status).code());
}

absl::string_view MessageKind(const kv1::WatchKeysResponse& message) {
  switch (message.event_case()) {
    case kv1::WatchKeysResponse::kSnapshot:
      return "snapshot";
    case kv1::WatchKeysResponse::kKeyEvent:
      return "key_event";
    case kv1::WatchKeysResponse::kRevocation:
      return "revocation";
    case kv1::WatchKeysResponse::kHeartbeat:
      return "heartbeat";
    case kv1::WatchKeysResponse::EVENT_NOT_SET:
      break;
  }
  return "empty";
}

}  // namespace

KeySetWatcher::KeySetWatcher(KeySetWatcherOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : SystemClock::Get()),
      metrics_(options_.registry),
      current_(KeySet::Empty()),
      last_resync_ns_(kNoResyncYet),
      updater_(nullptr, options_.updater),
      last_event_unix_ns_(absl::ToUnixNanos(clock_->Now())) {
  metrics_.OnPublished(*current_);
}

KeySetWatcher::~KeySetWatcher() { Stop(); }

absl::Status KeySetWatcher::Start() {
  if (options_.identity_address.empty() || options_.keyadmin_address.empty()) {
    return absl::InvalidArgumentError(
        "key set watcher needs identity_address and keyadmin_address");
  }
  if (options_.client_id.empty() || options_.client_secret.empty()) {
    return absl::InvalidArgumentError(
        "key set watcher needs client_id and client_secret");
  }
  if (options_.token_audience.empty()) {
    return absl::InvalidArgumentError("key set watcher needs token_audience");
  }
  if (options_.idle_timeout <= absl::ZeroDuration() ||
      options_.rpc_timeout <= absl::ZeroDuration() ||
      options_.resync_min_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "key set watcher timeouts must be positive");
  }
  {
    absl::MutexLock lock(&mu_);
    if (started_ || stopping_) {
      return absl::FailedPreconditionError(
          "key set watcher already started or stopped");
    }
    started_ = true;
  }

  std::shared_ptr<grpc::ChannelCredentials> credentials =
      options_.channel_credentials != nullptr
          ? options_.channel_credentials
          : grpc::InsecureChannelCredentials();
  grpc::ChannelArguments args;
  // The channel's own reconnect backoff (default 1 s growing to 120 s) would
  // otherwise hide a returning server long after our backoff retries.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
              ClampMillis(options_.backoff.initial));
  // A watch stream carries a few small messages; bandwidth-delay probing
  // only adds pings (measured: a quarter of the CPU on both ends with 1,000
  // watchers).
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
              ClampMillis(options_.backoff.max));
  keyadmin_channel_ =
      grpc::CreateCustomChannel(options_.keyadmin_address, credentials, args);
  identity_channel_ = options_.identity_address == options_.keyadmin_address
                          ? keyadmin_channel_
                          : grpc::CreateCustomChannel(options_.identity_address,
                                                      credentials, args);
  identity_stub_ = iv1::Identity::NewStub(identity_channel_);
  keyadmin_stub_ = kv1::KeyAdmin::NewStub(keyadmin_channel_);

  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void KeySetWatcher::Stop() {
  std::lock_guard<std::mutex> join_lock(join_mu_);
  std::shared_ptr<WatchCall> call;
  std::shared_ptr<grpc::ClientContext> token_call;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    call = active_call_;
    token_call = token_call_;
  }
  // Outside mu_: gRPC may run the reactions (which take mu_) inline.
  if (call != nullptr) call->Cancel();
  if (token_call != nullptr) token_call->TryCancel();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const KeySet> KeySetWatcher::Current() const {
  return std::atomic_load(&current_);
}

void KeySetWatcher::RequestResync() {
  const int64_t now_ns = absl::ToUnixNanos(clock_->Now());
  const int64_t min_ns = absl::ToInt64Nanoseconds(options_.resync_min_interval);
  int64_t last = last_resync_ns_.load(std::memory_order_relaxed);
  // A clock that went backwards does not block resyncs.
  if (last != kNoResyncYet && now_ns >= last && now_ns - last < min_ns) {
    return;
  }
  if (!last_resync_ns_.compare_exchange_strong(last, now_ns)) return;

  std::shared_ptr<WatchCall> call;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    resync_requested_ = true;
    call = active_call_;
  }
  metrics_.OnResync();
  Log(LogLevel::kInfo, "keyset.resync",
      {{"version", Current()->version()}, {"stream_open", call != nullptr}});
  if (call != nullptr) call->Cancel();
}

bool KeySetWatcher::WaitForVersion(int64_t version,
                                   absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto reached = [this, version]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return published_version_ >= version || stopping_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  return published_version_ >= version;
}

bool KeySetWatcher::stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void KeySetWatcher::Run() {
  Backoff backoff(options_.backoff);
  bool first = true;
  while (!stopping()) {
    if (!EnsureToken()) {
      WaitBackoff(backoff.Next());
      continue;
    }
    const StreamResult result = RunStream(first);
    first = false;
    if (result.end == StreamEnd::kStop) break;
    if (result.healthy) backoff.Reset();
    if (result.unauthenticated) {
      // Expired early, revoked, or the clocks disagree: get a new one.
      token_ = crypto::SecretBytes();
      token_refresh_at_ = absl::InfinitePast();
    }
    if (result.end == StreamEnd::kResync) continue;
    WaitBackoff(backoff.Next());
  }
}

bool KeySetWatcher::EnsureToken() {
  const absl::Time now = clock_->Now();
  if (!token_.empty() && now < token_refresh_at_) return true;

  iv1::IssueTokenRequest request;
  request.set_client_id(options_.client_id);
  request.set_client_secret(options_.client_secret.view().data(),
                            options_.client_secret.size());
  request.set_audience(options_.token_audience);
  request.add_scopes(std::string(kWatchScope));
  if (options_.token_ttl > absl::ZeroDuration()) {
    request.mutable_ttl()->set_seconds(
        absl::ToInt64Seconds(options_.token_ttl));
  }
  auto context = std::make_shared<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + options_.rpc_timeout));
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return false;
    token_call_ = context;
  }
  iv1::TokenResponse response;
  const grpc::Status status =
      identity_stub_->IssueToken(context.get(), request, &response);
  {
    absl::MutexLock lock(&mu_);
    token_call_.reset();
  }
  // Wipe our copy of the secret (moving it into SecretBytes wipes the
  // string it leaves, and SecretBytes wipes itself when destroyed).
  { crypto::SecretBytes wipe(std::move(*request.mutable_client_secret())); }

  if (!status.ok() || response.access_token().empty()) {
    Log(LogLevel::kWarning, "keyset.token_failed",
        {{"client_id", options_.client_id},
         {"audience", options_.token_audience},
         {"code", status.ok() ? "OK" : CodeName(status)},
         {"error",
          status.ok() ? "empty access_token" : status.error_message()}});
    return false;
  }
  token_ = crypto::SecretBytes(std::move(*response.mutable_access_token()));
  const absl::Duration lifetime = absl::Seconds(response.expires_in());
  token_refresh_at_ = lifetime > absl::ZeroDuration()
                          ? now + lifetime * kTokenRefreshFraction
                          : now;  // unknown lifetime: re-issue every time
  Log(LogLevel::kInfo, "keyset.token_issued",
      {{"client_id", options_.client_id},
       {"audience", options_.token_audience},
       {"expires_in", response.expires_in()},
       {"scope", response.scope()}});
  return true;
}

KeySetWatcher::StreamResult KeySetWatcher::RunStream(bool first) {
  StreamResult result;
  const int64_t since_version = updater_.resume_version();
  auto call = std::make_shared<WatchCall>(
      &mu_, since_version, token_.view(),
      [this](const kv1::WatchKeysResponse& m) { return OnStreamMessage(m); });
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      result.end = StreamEnd::kStop;
      return result;
    }
    active_call_ = call;
    // This stream serves every resync asked for so far.
    resync_requested_ = false;
    stream_healthy_ = false;
    stream_rejected_ = false;
    stream_idle_deadline_ = absl::Now() + options_.idle_timeout;
  }
  if (!first) metrics_.OnReconnect();
  Log(LogLevel::kInfo, "keyset.watch_connect",
      {{"keyadmin", options_.keyadmin_address},
       {"since_version", since_version},
       {"reconnect", !first}});
  call->Start(keyadmin_stub_.get());

  // The messages are applied by the handler on gRPC threads; this thread
  // only waits for the end of the call, and cancels it when it stays silent
  // past the idle deadline. Set once we cancelled it (idle).
  bool cancelled = false;
  grpc::Status status;
  while (true) {
    absl::Time idle_deadline;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [&call]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return call->done();
      };
      mu_.AwaitWithDeadline(
          absl::Condition(&ready),
          std::min(stream_idle_deadline_, absl::Now() + kMetricsTick));
      if (call->done()) {
        status = call->status();
        active_call_.reset();
        result.healthy = stream_healthy_;
        if (stopping_) {
          result.end = StreamEnd::kStop;
        } else if (resync_requested_) {
          result.end = StreamEnd::kResync;
        } else if (stream_rejected_) {
          result.end = StreamEnd::kRejected;
        } else if (cancelled) {
          result.end = StreamEnd::kIdle;
        }
        break;
      }
      idle_deadline = stream_idle_deadline_;
    }
    RefreshFreshnessMetric();
    if (!cancelled && absl::Now() >= idle_deadline) {
      Log(LogLevel::kWarning, "keyset.watch_idle",
          {{"keyadmin", options_.keyadmin_address},
           {"idle_ms", absl::ToInt64Milliseconds(options_.idle_timeout)},
           {"version", Current()->version()}});
      cancelled = true;
      call->Cancel();  // the read ends, then the call is done
    }
  }

  result.unauthenticated =
      status.error_code() == grpc::StatusCode::UNAUTHENTICATED;
  absl::string_view reason = "server";
  switch (result.end) {
    case StreamEnd::kServer:
      reason = "server";
      break;
    case StreamEnd::kIdle:
      reason = "idle";
      break;
    case StreamEnd::kRejected:
      reason = "rejected";
      break;
    case StreamEnd::kResync:
      reason = "resync";
      break;
    case StreamEnd::kStop:
      reason = "stop";
      break;
  }
  const bool expected =
      result.end == StreamEnd::kResync || result.end == StreamEnd::kStop;
  // The status message comes from the server or the gRPC library; servers
  // never echo tokens or secrets in it (identity.proto conventions), and the
  // request carried none.
  Log(expected ? LogLevel::kInfo : LogLevel::kWarning,
      "keyset.watch_disconnect",
      {{"keyadmin", options_.keyadmin_address},
       {"code", CodeName(status)},
       {"grpc_code", static_cast<int>(status.error_code())},
       {"error", status.error_message()},
       {"reason", reason},
       {"healthy", result.healthy},
       {"version", updater_.version()}});
  return result;
}

bool KeySetWatcher::OnStreamMessage(const kv1::WatchKeysResponse& message) {
  absl::StatusOr<std::shared_ptr<const KeySet>> next = ApplyMessage(message);
  if (next.ok() && *next != nullptr) {
    metrics_.OnPublished(**next);
    const int64_t version = (*next)->version();
    std::atomic_store(&current_,
                      std::shared_ptr<const KeySet>(*std::move(next)));
    if (options_.on_publish) options_.on_publish(version);
    absl::MutexLock lock(&mu_);
    published_version_ = version;
    stream_healthy_ = true;
    stream_idle_deadline_ = absl::Now() + options_.idle_timeout;
    return true;
  }
  absl::MutexLock lock(&mu_);
  if (!next.ok()) {
    stream_rejected_ = true;
    return false;
  }
  stream_healthy_ = true;
  stream_idle_deadline_ = absl::Now() + options_.idle_timeout;
  return true;
}

absl::StatusOr<std::shared_ptr<const KeySet>> KeySetWatcher::ApplyMessage(
    const kv1::WatchKeysResponse& message) {
  const std::shared_ptr<const KeySet> before = updater_.current();
  const absl::Time now = clock_->Now();
  absl::StatusOr<std::shared_ptr<const KeySet>> next =
      updater_.Apply(message, now);
  if (!next.ok()) {
    metrics_.OnRejected();
    Log(LogLevel::kError, "keyset.message_rejected",
        {{"kind", MessageKind(message)},
         {"code", absl::StatusCodeToString(next.status().code())},
         {"error", next.status().message()},
         {"version", updater_.version()}});
    return next.status();
  }
  last_event_unix_ns_.store(absl::ToUnixNanos(now), std::memory_order_relaxed);
  metrics_.SetSinceLastEvent(absl::ZeroDuration());
  if (*next == before) return nullptr;
  if (message.has_snapshot()) {
    Log((*next)->version() < before->version() ? LogLevel::kWarning
                                               : LogLevel::kInfo,
        "keyset.snapshot_applied",
        {{"version", (*next)->version()},
         {"previous_version", before->version()},
         {"keys", (*next)->key_count()}});
  }
  return next;
}

void KeySetWatcher::WaitBackoff(absl::Duration delay) {
  const absl::Time deadline = absl::Now() + delay;
  absl::MutexLock lock(&mu_);
  auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || resync_requested_;
  };
  while (!wake()) {
    const absl::Time now = absl::Now();
    if (now >= deadline) break;
    if (mu_.AwaitWithDeadline(absl::Condition(&wake),
                              std::min(deadline, now + kMetricsTick))) {
      break;
    }
    RefreshFreshnessMetric();
  }
  // A resync that cut the wait short is served by the attempt that follows
  // now; clearing it here keeps a failing attempt (e.g. IssueToken) from
  // spinning without backoff.
  resync_requested_ = false;
}

void KeySetWatcher::RefreshFreshnessMetric() {
  metrics_.SetSinceLastEvent(
      clock_->Now() -
      absl::FromUnixNanos(last_event_unix_ns_.load(std::memory_order_relaxed)));
}

}  // namespace meshid::keyset
