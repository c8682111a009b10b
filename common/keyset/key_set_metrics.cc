#include "common/keyset/key_set_metrics.h"

#include "prometheus/family.h"

namespace meshid::keyset {
namespace {

prometheus::Gauge* MakeGauge(prometheus::Registry& registry,
                             const std::string& name, const std::string& help) {
  return &prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add(
      {});
}

prometheus::Counter* MakeCounter(prometheus::Registry& registry,
                                 const std::string& name,
                                 const std::string& help) {
  return &prometheus::BuildCounter()
              .Name(name)
              .Help(help)
              .Register(registry)
              .Add({});
}

}  // namespace

KeySetMetrics::KeySetMetrics(prometheus::Registry* registry) {
  if (registry == nullptr) return;
  version_ = MakeGauge(*registry, "meshid_keyset_version",
                       "Version of the key set this validator holds.");
  keys_ = MakeGauge(*registry, "meshid_keyset_keys",
                    "Keys in the current key set, revoked tombstones "
                    "included.");
  since_last_event_ =
      MakeGauge(*registry, "meshid_keyset_seconds_since_last_event",
                "Seconds since the last WatchKeys message was applied "
                "(heartbeats included).");
  reconnects_ = MakeCounter(*registry, "meshid_keyset_reconnects_total",
                            "WatchKeys streams opened after the first.");
  resyncs_ = MakeCounter(*registry, "meshid_keyset_resyncs_total",
                         "Resyncs triggered by tokens naming an unknown kid.");
  rejected_ =
      MakeCounter(*registry, "meshid_keyset_rejected_messages_total",
                  "WatchKeys messages refused (malformed, stale or out of "
                  "order); each one drops the stream.");
}

void KeySetMetrics::OnPublished(const KeySet& set) {
  if (version_ == nullptr) return;
  version_->Set(static_cast<double>(set.version()));
  keys_->Set(static_cast<double>(set.key_count()));
}

void KeySetMetrics::SetSinceLastEvent(absl::Duration since) {
  if (since_last_event_ == nullptr) return;
  since_last_event_->Set(absl::ToDoubleSeconds(since));
}

void KeySetMetrics::OnReconnect() {
  if (reconnects_ != nullptr) reconnects_->Increment();
}

void KeySetMetrics::OnResync() {
  if (resyncs_ != nullptr) resyncs_->Increment();
}

void KeySetMetrics::OnRejected() {
  if (rejected_ != nullptr) rejected_->Increment();
}

}  // namespace meshid::keyset
