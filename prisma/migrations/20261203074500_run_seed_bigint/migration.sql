-- Issue 15: a run's seed is a uint32 (0..4294967295, the engine's SEED_MAX). INTEGER stops at
-- 2147483647, so seeds ≥ 2^31, valid in the CLI and the engine, could not be stored. Widening keeps
-- every stored value as it is.
ALTER TABLE "SelectionRun" ALTER COLUMN "seed" SET DATA TYPE BIGINT;
