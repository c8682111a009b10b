#include "logging/store/text_blocks.h"

#include <algorithm>

#include "common/status_macros.h"
#include "logging/store/trigram_bloom.h"
#include "storage/time_codec.h"

namespace meshid::logging {

absl::StatusOr<std::vector<TextBlock>> BuildTextBlocks(
    absl::Span<const LogRecord> records, absl::Span<const int64_t> ids) {
  const bool with_ids = !ids.empty();
  if (with_ids && records.size() != ids.size()) {
    return absl::InternalError("text blocks: records and ids differ in size");
  }
  std::vector<TextBlock> blocks;
  blocks.reserve(records.size() / kMaxBlockEntries + 1);
  TrigramBloomBuilder builder;
  for (size_t begin = 0; begin < records.size(); begin += kMaxBlockEntries) {
    const size_t end = std::min(records.size(), begin + kMaxBlockEntries);
    TextBlock block;
    if (with_ids) block.first_id = block.last_id = ids[begin];
    for (size_t i = begin; i < end; ++i) {
      ASSIGN_OR_RETURN(int64_t time_us,
                       storage::TimeToMicros(records[i].time, "entry time"));
      if (i == begin) {
        block.min_time_us = block.max_time_us = time_us;
      } else {
        block.min_time_us = std::min(block.min_time_us, time_us);
        block.max_time_us = std::max(block.max_time_us, time_us);
      }
      if (with_ids) {
        block.first_id = std::min(block.first_id, ids[i]);
        block.last_id = std::max(block.last_id, ids[i]);
      }
      builder.Add(records[i].message);
    }
    block.filter = builder.Finish();
    blocks.push_back(std::move(block));
  }
  return blocks;
}

}  // namespace meshid::logging
