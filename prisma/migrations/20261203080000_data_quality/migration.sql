-- Issue 14: data-quality findings per (dataset version, embedding set), computed by a QUALITY job and
-- written in one transaction at its end: the report, its duplicate sets with their members (samples of
-- this version, or of another version of the consortium for leakage), and one row per sample of the
-- version with its outlier and label-error scores.
-- A new enum value cannot be used in the transaction that adds it; nothing here uses it.
ALTER TYPE "JobKind" ADD VALUE IF NOT EXISTS 'QUALITY';

CREATE TYPE "DuplicateKind" AS ENUM ('EXACT', 'NEAR');

CREATE TABLE "DataQualityReport" (
    "id" SERIAL NOT NULL,
    "datasetVersionId" INTEGER NOT NULL,
    "embeddingSetId" INTEGER NOT NULL,
    "params" JSONB NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'QUEUED',
    "results" JSONB,
    "error" TEXT,
    "createdById" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),
    "jobId" INTEGER,

    CONSTRAINT "DataQualityReport_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "DataQualityDuplicateSet" (
    "id" SERIAL NOT NULL,
    "reportId" INTEGER NOT NULL,
    "kind" "DuplicateKind" NOT NULL,
    "index" INTEGER NOT NULL,
    "size" INTEGER NOT NULL,
    "maxDistance" DOUBLE PRECISION NOT NULL,
    "crossSite" BOOLEAN NOT NULL,
    "crossSplit" BOOLEAN NOT NULL,
    "conflictingLabels" BOOLEAN NOT NULL,
    "sites" JSONB NOT NULL DEFAULT '[]',
    "labels" JSONB NOT NULL DEFAULT '[]',
    "versions" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "DataQualityDuplicateSet_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "DataQualityDuplicateMember" (
    "setId" INTEGER NOT NULL,
    "sampleId" INTEGER NOT NULL,
    "versionId" INTEGER NOT NULL,

    CONSTRAINT "DataQualityDuplicateMember_pkey" PRIMARY KEY ("setId","sampleId")
);

CREATE TABLE "DataQualitySample" (
    "reportId" INTEGER NOT NULL,
    "sampleId" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "outlierScore" DOUBLE PRECISION,
    "outlierRatio" DOUBLE PRECISION,
    "outlierRank" INTEGER NOT NULL,
    "labelErrorScore" DOUBLE PRECISION NOT NULL,
    "suggestedLabel" TEXT NOT NULL,
    "labelIssue" BOOLEAN NOT NULL,

    CONSTRAINT "DataQualitySample_pkey" PRIMARY KEY ("reportId","sampleId")
);

CREATE UNIQUE INDEX "DataQualityReport_jobId_key" ON "DataQualityReport"("jobId");
CREATE INDEX "DataQualityReport_datasetVersionId_createdAt_idx" ON "DataQualityReport"("datasetVersionId", "createdAt");
CREATE INDEX "DataQualityDuplicateSet_reportId_kind_index_idx" ON "DataQualityDuplicateSet"("reportId", "kind", "index");
CREATE INDEX "DataQualityDuplicateMember_sampleId_idx" ON "DataQualityDuplicateMember"("sampleId");
CREATE INDEX "DataQualitySample_reportId_label_outlierRank_idx" ON "DataQualitySample"("reportId", "label", "outlierRank");
CREATE INDEX "DataQualitySample_reportId_labelErrorScore_idx" ON "DataQualitySample"("reportId", "labelErrorScore");
CREATE INDEX "DataQualitySample_sampleId_idx" ON "DataQualitySample"("sampleId");

ALTER TABLE "DataQualityReport" ADD CONSTRAINT "DataQualityReport_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DataQualityReport" ADD CONSTRAINT "DataQualityReport_embeddingSetId_fkey" FOREIGN KEY ("embeddingSetId") REFERENCES "EmbeddingSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DataQualityReport" ADD CONSTRAINT "DataQualityReport_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "DataQualityReport" ADD CONSTRAINT "DataQualityReport_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "DataQualityDuplicateSet" ADD CONSTRAINT "DataQualityDuplicateSet_reportId_fkey" FOREIGN KEY ("reportId") REFERENCES "DataQualityReport"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DataQualityDuplicateMember" ADD CONSTRAINT "DataQualityDuplicateMember_setId_fkey" FOREIGN KEY ("setId") REFERENCES "DataQualityDuplicateSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DataQualityDuplicateMember" ADD CONSTRAINT "DataQualityDuplicateMember_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DataQualityDuplicateMember" ADD CONSTRAINT "DataQualityDuplicateMember_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DataQualitySample" ADD CONSTRAINT "DataQualitySample_reportId_fkey" FOREIGN KEY ("reportId") REFERENCES "DataQualityReport"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DataQualitySample" ADD CONSTRAINT "DataQualitySample_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;
