// AuditSink: where identity's committed audit events go besides its own
// store, e.g. the Log server (AuditShipper). The store's audit table stays
// the record; a sink is a copy for the mesh's central log.
//
//   class MySink : public AuditSink {
//     void Publish(std::vector<AuditEvent> committed) override { ... }
//   };
#ifndef MESHID_IDENTITY_AUDIT_AUDIT_SINK_H_
#define MESHID_IDENTITY_AUDIT_AUDIT_SINK_H_

#include <vector>

#include "identity/store/records.h"

namespace meshid::identity {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // The events one transaction wrote, ids set, called once after it
  // committed (never for a rollback, never twice for a retried
  // transaction). Runs on the thread of the admin call that committed, so
  // it must not block: queue and return. Thread-safe.
  virtual void Publish(std::vector<AuditEvent> committed) = 0;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_AUDIT_AUDIT_SINK_H_
