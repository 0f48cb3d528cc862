-- Issue 14: relabel in review. A reviewer's corrected label is the item's current state
-- (SelectionItem.reviewLabel, sharing reviewVersion with decisions) and every correction is logged in
-- ReviewRelabel (append-only, like ReviewDecision). Finalising writes a corrected copy of the sample
-- (a new Sample row, same externalId) into the new version and one VersionRelabel row linking it to
-- the row the reviewed version held.
ALTER TABLE "SelectionItem" ADD COLUMN "reviewLabel" TEXT;

CREATE TABLE "ReviewRelabel" (
    "id" SERIAL NOT NULL,
    "runId" INTEGER NOT NULL,
    "sampleId" INTEGER NOT NULL,
    "reviewerId" INTEGER NOT NULL,
    "label" TEXT,
    "previous" TEXT,
    "newLabel" BOOLEAN NOT NULL DEFAULT false,
    "suggested" BOOLEAN NOT NULL DEFAULT false,
    "comment" TEXT,
    "version" INTEGER NOT NULL,
    "applied" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReviewRelabel_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "ReviewRelabel_runId_sampleId_idx" ON "ReviewRelabel"("runId", "sampleId");

ALTER TABLE "ReviewRelabel" ADD CONSTRAINT "ReviewRelabel_runId_fkey" FOREIGN KEY ("runId") REFERENCES "SelectionRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ReviewRelabel" ADD CONSTRAINT "ReviewRelabel_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ReviewRelabel" ADD CONSTRAINT "ReviewRelabel_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "VersionRelabel" (
    "versionId" INTEGER NOT NULL,
    "sampleId" INTEGER NOT NULL,
    "fromSampleId" INTEGER NOT NULL,
    "fromLabel" TEXT NOT NULL,
    "toLabel" TEXT NOT NULL,
    "relabelId" INTEGER,

    CONSTRAINT "VersionRelabel_pkey" PRIMARY KEY ("versionId", "sampleId")
);

CREATE INDEX "VersionRelabel_fromSampleId_idx" ON "VersionRelabel"("fromSampleId");

ALTER TABLE "VersionRelabel" ADD CONSTRAINT "VersionRelabel_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "VersionRelabel" ADD CONSTRAINT "VersionRelabel_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "VersionRelabel" ADD CONSTRAINT "VersionRelabel_fromSampleId_fkey" FOREIGN KEY ("fromSampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "VersionRelabel" ADD CONSTRAINT "VersionRelabel_relabelId_fkey" FOREIGN KEY ("relabelId") REFERENCES "ReviewRelabel"("id") ON DELETE SET NULL ON UPDATE CASCADE;
