// KeySetSource: where a validator gets its key set from. KeySetWatcher is
// the real one; tests use a fake.
#ifndef MESHID_COMMON_KEYSET_KEY_SET_SOURCE_H_
#define MESHID_COMMON_KEYSET_KEY_SET_SOURCE_H_

#include <memory>

#include "common/token/key_set.h"

namespace meshid::keyset {

class KeySetSource {
 public:
  virtual ~KeySetSource() = default;
  // The current snapshot; never null. Thread-safe and cheap (no lock held
  // across the call, no I/O): called once per validated token.
  virtual std::shared_ptr<const KeySet> Current() const = 0;
  // Asks for the newest keys now, because a token named a kid the current
  // snapshot does not have. Thread-safe, cheap, rate limited by the source;
  // returns at once.
  virtual void RequestResync() = 0;
};

}  // namespace meshid::keyset

#endif  // MESHID_COMMON_KEYSET_KEY_SET_SOURCE_H_
