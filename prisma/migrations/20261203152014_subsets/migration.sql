-- Issue 14: saved subsets of a dataset version (name unique per project; members immutable), and the
-- samples a selection run's constraints resolved to when it was started (pool subset, exclusions from
-- subsets and a data-quality report, must-include rows), which its SELECT job reads and a reproduction copies.
CREATE TYPE "SubsetKind" AS ENUM ('LASSO', 'SEARCH', 'QUALITY_FILTER', 'METADATA_FILTER', 'MANUAL');
CREATE TYPE "RunSampleRole" AS ENUM ('POOL', 'EXCLUDE', 'INCLUDE');

CREATE TABLE "Subset" (
    "id" SERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "datasetVersionId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "SubsetKind" NOT NULL,
    "definition" JSONB NOT NULL,
    "memberCount" INTEGER NOT NULL,
    "memberHash" TEXT NOT NULL,
    "createdById" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Subset_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "SubsetMember" (
    "subsetId" INTEGER NOT NULL,
    "sampleId" INTEGER NOT NULL,

    CONSTRAINT "SubsetMember_pkey" PRIMARY KEY ("subsetId","sampleId")
);

CREATE TABLE "SelectionRunSample" (
    "runId" INTEGER NOT NULL,
    "role" "RunSampleRole" NOT NULL,
    "sampleId" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "SelectionRunSample_pkey" PRIMARY KEY ("runId","role","sampleId")
);

CREATE UNIQUE INDEX "Subset_projectId_name_key" ON "Subset"("projectId", "name");
CREATE INDEX "Subset_datasetVersionId_createdAt_idx" ON "Subset"("datasetVersionId", "createdAt");
CREATE INDEX "SubsetMember_sampleId_idx" ON "SubsetMember"("sampleId");
CREATE INDEX "SelectionRunSample_sampleId_idx" ON "SelectionRunSample"("sampleId");

ALTER TABLE "Subset" ADD CONSTRAINT "Subset_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Subset" ADD CONSTRAINT "Subset_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Subset" ADD CONSTRAINT "Subset_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "SubsetMember" ADD CONSTRAINT "SubsetMember_subsetId_fkey" FOREIGN KEY ("subsetId") REFERENCES "Subset"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "SubsetMember" ADD CONSTRAINT "SubsetMember_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "SelectionRunSample" ADD CONSTRAINT "SelectionRunSample_runId_fkey" FOREIGN KEY ("runId") REFERENCES "SelectionRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "SelectionRunSample" ADD CONSTRAINT "SelectionRunSample_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;
