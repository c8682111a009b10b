#include "identity/audit/audit_publishing_store.h"

#include <utility>
#include <vector>

namespace meshid::identity {
namespace {

// Forwards to the real repository and keeps what it stored.
class RecordingAuditRepository final : public AuditRepository {
 public:
  RecordingAuditRepository(AuditRepository& inner,
                           std::vector<AuditEvent>* stored)
      : inner_(inner), stored_(stored) {}

  absl::StatusOr<int64_t> Append(const AuditEvent& event) override {
    absl::StatusOr<int64_t> id = inner_.Append(event);
    if (id.ok()) {
      stored_->push_back(event);
      stored_->back().id = *id;
    }
    return id;
  }
  absl::StatusOr<std::vector<AuditEvent>> List(
      const AuditFilter& filter) override {
    return inner_.List(filter);
  }

 private:
  AuditRepository& inner_;
  std::vector<AuditEvent>* const stored_;
};

// The real transaction, with audit() recording.
class RecordingTransaction final : public Transaction {
 public:
  RecordingTransaction(Transaction& inner, std::vector<AuditEvent>* stored)
      : inner_(inner), audit_(inner.audit(), stored) {}

  KeyRepository& keys() override { return inner_.keys(); }
  PrincipalRepository& principals() override { return inner_.principals(); }
  ClientRepository& clients() override { return inner_.clients(); }
  RevocationRepository& revocations() override { return inner_.revocations(); }
  EventRepository& events() override { return inner_.events(); }
  AuditRepository& audit() override { return audit_; }

 private:
  Transaction& inner_;
  RecordingAuditRepository audit_;
};

}  // namespace

absl::Status AuditPublishingStore::RunInTransaction(
    absl::FunctionRef<absl::Status(Transaction&)> fn) {
  std::vector<AuditEvent> stored;
  const absl::Status status =
      inner_->RunInTransaction([&](Transaction& tx) -> absl::Status {
        // Each attempt starts afresh: only the one that commits counts.
        stored.clear();
        RecordingTransaction recording(tx, &stored);
        return fn(recording);
      });
  if (status.ok() && !stored.empty()) sink_->Publish(std::move(stored));
  return status;
}

}  // namespace meshid::identity
