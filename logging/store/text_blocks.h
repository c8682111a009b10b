// Text blocks: the skip index of `text_contains` (issue 5). Every Append
// also stores, in the same transaction, one log_text_blocks row per chunk
// of at most kMaxBlockEntries of its entries: their id and time ranges and
// a Bloom filter of the 3-grams of their messages (trigram_bloom.h). A
// Query for a needle of 3 bytes or more reads the blocks newest first and
// fetches only the rows of blocks whose filter may hold the needle
// (text_block_search.h).
//
//   std::vector<TextBlock> blocks = BuildTextBlocks(records, ids);
//   // ... INSERT them next to the entries, in the same transaction
//
// Invariant the search relies on: every entry lies inside the id range AND
// the time range of a block that summarises it. Rows stored before the
// migration that created the table are covered by one block without a
// filter (sql/logging/*/0002_log_text_blocks.sql), which every needle
// passes. Ranges may also contain entries of other blocks (PostgreSQL's
// cached sequence interleaves writers' ids): that costs reading them, and
// the real substring test still decides.
#ifndef MESHID_LOGGING_STORE_TEXT_BLOCKS_H_
#define MESHID_LOGGING_STORE_TEXT_BLOCKS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "logging/log_record.h"

namespace meshid::logging {

// Entries per block: small enough that a block holding a rare needle costs
// few rows to read, large enough that a query reads few summaries.
inline constexpr size_t kMaxBlockEntries = 64;

struct TextBlock {
  int64_t first_id = 0;  // smallest id, unique across blocks
  int64_t last_id = 0;
  int64_t min_time_us = 0;
  int64_t max_time_us = 0;
  // The 3-gram filter; nullopt for a block of rows stored without one (it
  // may hold any text).
  std::optional<std::string> filter;
};

// The blocks of `records` stored as `ids` (same length, increasing), in
// order: records [0, kMaxBlockEntries) make the first block, and so on.
// `ids` may be empty when they are not known yet: first_id and last_id are
// then 0 (PostgreSQL fills them in from the ids it allocates, in the same
// statement). INVALID_ARGUMENT for a time the store cannot hold.
absl::StatusOr<std::vector<TextBlock>> BuildTextBlocks(
    absl::Span<const LogRecord> records, absl::Span<const int64_t> ids);

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_STORE_TEXT_BLOCKS_H_
