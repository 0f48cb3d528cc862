-- Confounder groups are merged layout fragments ("modes"); each group lists its modes and how sure
-- its weakest merge was, and each member records its mode.
ALTER TABLE "ConfounderGroup" ADD COLUMN "modes" JSONB NOT NULL DEFAULT '[]';
ALTER TABLE "ConfounderGroup" ADD COLUMN "mergeConfidence" DOUBLE PRECISION;
ALTER TABLE "ConfounderGroupMember" ADD COLUMN "mode" INTEGER;
