-- meshid-log: the skip index of text_contains (logging/store/text_blocks.h).
--
-- One row per chunk of an Append (at most 64 entries), written in the same
-- transaction as its entries: the chunk's id and time ranges and a Bloom
-- filter of the 3-grams of its messages. A Query for a needle of 3 bytes or
-- more reads these newest first and fetches only the rows of blocks whose
-- filter may hold the needle, each block a rowid range.
CREATE TABLE log_text_blocks (
  first_id INTEGER PRIMARY KEY,  -- the smallest entry id of the block
  last_id INTEGER NOT NULL,
  min_time_us INTEGER NOT NULL,
  max_time_us INTEGER NOT NULL,
  -- trigram_bloom.h's format; NULL: no filter, may hold any text.
  filter BLOB
) STRICT;

-- The read order: newest first by latest time (first_id is the rowid, part
-- of the index).
CREATE INDEX log_text_blocks_by_time ON log_text_blocks (max_time_us);

-- Entries stored before this migration have no block: one block without a
-- filter covers them all, so they are still found (by a scan of their
-- range) until retention removes them.
INSERT INTO log_text_blocks (first_id, last_id, min_time_us, max_time_us,
                             filter)
SELECT min(id), max(id), min(time_us), max(time_us), NULL
FROM log_entries
HAVING count(*) > 0;
