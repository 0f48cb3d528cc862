-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('OWNER', 'CURATOR', 'REVIEWER', 'VIEWER');

-- CreateEnum
CREATE TYPE "EmbeddingModelKind" AS ENUM ('ONNX', 'EXTERNAL');

-- CreateEnum
CREATE TYPE "EmbeddingSetStatus" AS ENUM ('PENDING', 'RUNNING', 'COMPLETE', 'FAILED');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "GroupVerdict" AS ENUM ('PENDING', 'CONFIRMED', 'REJECTED', 'RENAMED');

-- CreateEnum
CREATE TYPE "ReviewDecisionKind" AS ENUM ('ACCEPT', 'REJECT', 'FLAG');

-- CreateEnum
CREATE TYPE "EvaluationSource" AS ENUM ('COMPUTED', 'REPORTED');

-- CreateEnum
CREATE TYPE "JobKind" AS ENUM ('IMPORT', 'EMBED', 'ANALYZE', 'SELECT', 'PROBE');

-- CreateTable
CREATE TABLE "Consortium" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Consortium_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Site" (
    "id" SERIAL NOT NULL,
    "consortiumId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Site_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "consortiumId" INTEGER NOT NULL,
    "role" "Role" NOT NULL,
    "siteId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "consortiumId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Project" (
    "id" SERIAL NOT NULL,
    "consortiumId" INTEGER NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Project_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Dataset" (
    "id" SERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Dataset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatasetVersion" (
    "id" SERIAL NOT NULL,
    "datasetId" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "parentId" INTEGER,
    "message" TEXT NOT NULL,
    "authorId" INTEGER,
    "contentHash" TEXT NOT NULL,
    "sampleCount" INTEGER NOT NULL,
    "sourceRunId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DatasetVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Sample" (
    "id" SERIAL NOT NULL,
    "datasetId" INTEGER NOT NULL,
    "externalId" TEXT NOT NULL,
    "uri" TEXT,
    "label" TEXT NOT NULL,
    "siteId" INTEGER,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "sha256" TEXT,
    "contentHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Sample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatasetVersionSample" (
    "versionId" INTEGER NOT NULL,
    "sampleId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "DatasetVersionSample_pkey" PRIMARY KEY ("versionId","sampleId")
);

-- CreateTable
CREATE TABLE "EmbeddingModel" (
    "id" SERIAL NOT NULL,
    "consortiumId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL DEFAULT '1',
    "kind" "EmbeddingModelKind" NOT NULL,
    "sha256" TEXT,
    "filePath" TEXT,
    "dim" INTEGER NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EmbeddingModel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EmbeddingSet" (
    "id" SERIAL NOT NULL,
    "modelId" INTEGER NOT NULL,
    "datasetVersionId" INTEGER NOT NULL,
    "dim" INTEGER NOT NULL,
    "status" "EmbeddingSetStatus" NOT NULL DEFAULT 'PENDING',
    "count" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),
    "jobId" INTEGER,

    CONSTRAINT "EmbeddingSet_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EmbeddingVector" (
    "setId" INTEGER NOT NULL,
    "sampleId" INTEGER NOT NULL,
    "vector" BYTEA NOT NULL,

    CONSTRAINT "EmbeddingVector_pkey" PRIMARY KEY ("setId","sampleId")
);

-- CreateTable
CREATE TABLE "EmbeddingFailure" (
    "setId" INTEGER NOT NULL,
    "sampleId" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "EmbeddingFailure_pkey" PRIMARY KEY ("setId","sampleId")
);

-- CreateTable
CREATE TABLE "ConfounderAnalysis" (
    "id" SERIAL NOT NULL,
    "datasetVersionId" INTEGER NOT NULL,
    "embeddingSetId" INTEGER NOT NULL,
    "parentId" INTEGER,
    "params" JSONB NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'QUEUED',
    "results" JSONB,
    "error" TEXT,
    "createdById" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),
    "jobId" INTEGER,

    CONSTRAINT "ConfounderAnalysis_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConfounderGroup" (
    "id" SERIAL NOT NULL,
    "analysisId" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "isNoise" BOOLEAN NOT NULL DEFAULT false,
    "size" INTEGER NOT NULL,
    "name" TEXT,
    "associations" JSONB NOT NULL DEFAULT '[]',
    "verdict" "GroupVerdict" NOT NULL DEFAULT 'PENDING',
    "verdictById" INTEGER,
    "verdictAt" TIMESTAMP(3),

    CONSTRAINT "ConfounderGroup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConfounderGroupMember" (
    "groupId" INTEGER NOT NULL,
    "sampleId" INTEGER NOT NULL,
    "x" DOUBLE PRECISION NOT NULL,
    "y" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "ConfounderGroupMember_pkey" PRIMARY KEY ("groupId","sampleId")
);

-- CreateTable
CREATE TABLE "SelectionRun" (
    "id" SERIAL NOT NULL,
    "datasetVersionId" INTEGER NOT NULL,
    "embeddingSetId" INTEGER,
    "analysisId" INTEGER,
    "parentId" INTEGER,
    "name" TEXT NOT NULL DEFAULT '',
    "strategy" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "seed" INTEGER NOT NULL,
    "budgetPerClass" INTEGER NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'QUEUED',
    "phase" TEXT NOT NULL DEFAULT 'queued',
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "error" TEXT,
    "manifestHash" TEXT,
    "reproducible" BOOLEAN,
    "metrics" JSONB,
    "warnings" JSONB NOT NULL DEFAULT '[]',
    "reviewFinalizedAt" TIMESTAMP(3),
    "createdById" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "jobId" INTEGER,

    CONSTRAINT "SelectionRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SelectionItem" (
    "runId" INTEGER NOT NULL,
    "sampleId" INTEGER NOT NULL,
    "rank" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "groupId" INTEGER,
    "groupKey" TEXT,
    "reason" TEXT NOT NULL,
    "reviewDecision" "ReviewDecisionKind",
    "reviewComment" TEXT,
    "reviewVersion" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "SelectionItem_pkey" PRIMARY KEY ("runId","sampleId")
);

-- CreateTable
CREATE TABLE "ReviewDecision" (
    "id" SERIAL NOT NULL,
    "runId" INTEGER NOT NULL,
    "sampleId" INTEGER NOT NULL,
    "reviewerId" INTEGER NOT NULL,
    "decision" "ReviewDecisionKind" NOT NULL,
    "comment" TEXT,
    "version" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReviewDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Evaluation" (
    "id" SERIAL NOT NULL,
    "runId" INTEGER NOT NULL,
    "metric" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "split" TEXT NOT NULL DEFAULT 'test',
    "source" "EvaluationSource" NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "reportedById" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Evaluation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" SERIAL NOT NULL,
    "consortiumId" INTEGER,
    "actorId" INTEGER,
    "tokenId" INTEGER,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" SERIAL NOT NULL,
    "consortiumId" INTEGER NOT NULL,
    "kind" "JobKind" NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'QUEUED',
    "phase" TEXT NOT NULL DEFAULT 'queued',
    "done" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER NOT NULL DEFAULT 0,
    "rate" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "checkpoint" JSONB,
    "result" JSONB,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "createdById" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StreamEvent" (
    "id" SERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StreamEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Consortium_slug_key" ON "Consortium"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Site_consortiumId_code_key" ON "Site"("consortiumId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Membership_userId_consortiumId_key" ON "Membership"("userId", "consortiumId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "Project_consortiumId_slug_key" ON "Project"("consortiumId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "Dataset_projectId_name_key" ON "Dataset"("projectId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "DatasetVersion_sourceRunId_key" ON "DatasetVersion"("sourceRunId");

-- CreateIndex
CREATE INDEX "DatasetVersion_datasetId_contentHash_idx" ON "DatasetVersion"("datasetId", "contentHash");

-- CreateIndex
CREATE UNIQUE INDEX "DatasetVersion_datasetId_number_key" ON "DatasetVersion"("datasetId", "number");

-- CreateIndex
CREATE INDEX "Sample_datasetId_label_idx" ON "Sample"("datasetId", "label");

-- CreateIndex
CREATE UNIQUE INDEX "Sample_datasetId_externalId_contentHash_key" ON "Sample"("datasetId", "externalId", "contentHash");

-- CreateIndex
CREATE INDEX "DatasetVersionSample_sampleId_idx" ON "DatasetVersionSample"("sampleId");

-- CreateIndex
CREATE UNIQUE INDEX "DatasetVersionSample_versionId_position_key" ON "DatasetVersionSample"("versionId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "EmbeddingModel_consortiumId_name_version_key" ON "EmbeddingModel"("consortiumId", "name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "EmbeddingSet_jobId_key" ON "EmbeddingSet"("jobId");

-- CreateIndex
CREATE UNIQUE INDEX "EmbeddingSet_modelId_datasetVersionId_key" ON "EmbeddingSet"("modelId", "datasetVersionId");

-- CreateIndex
CREATE UNIQUE INDEX "ConfounderAnalysis_jobId_key" ON "ConfounderAnalysis"("jobId");

-- CreateIndex
CREATE UNIQUE INDEX "ConfounderGroup_analysisId_label_index_key" ON "ConfounderGroup"("analysisId", "label", "index");

-- CreateIndex
CREATE INDEX "ConfounderGroupMember_sampleId_idx" ON "ConfounderGroupMember"("sampleId");

-- CreateIndex
CREATE UNIQUE INDEX "SelectionRun_jobId_key" ON "SelectionRun"("jobId");

-- CreateIndex
CREATE INDEX "SelectionRun_datasetVersionId_createdAt_idx" ON "SelectionRun"("datasetVersionId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "SelectionItem_runId_rank_key" ON "SelectionItem"("runId", "rank");

-- CreateIndex
CREATE INDEX "ReviewDecision_runId_sampleId_idx" ON "ReviewDecision"("runId", "sampleId");

-- CreateIndex
CREATE INDEX "Evaluation_runId_idx" ON "Evaluation"("runId");

-- CreateIndex
CREATE INDEX "AuditEvent_consortiumId_createdAt_idx" ON "AuditEvent"("consortiumId", "createdAt");

-- CreateIndex
CREATE INDEX "Job_status_createdAt_idx" ON "Job"("status", "createdAt");

-- CreateIndex
CREATE INDEX "StreamEvent_topic_id_idx" ON "StreamEvent"("topic", "id");

-- AddForeignKey
ALTER TABLE "Site" ADD CONSTRAINT "Site_consortiumId_fkey" FOREIGN KEY ("consortiumId") REFERENCES "Consortium"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_consortiumId_fkey" FOREIGN KEY ("consortiumId") REFERENCES "Consortium"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_consortiumId_fkey" FOREIGN KEY ("consortiumId") REFERENCES "Consortium"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Project" ADD CONSTRAINT "Project_consortiumId_fkey" FOREIGN KEY ("consortiumId") REFERENCES "Consortium"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Dataset" ADD CONSTRAINT "Dataset_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetVersion" ADD CONSTRAINT "DatasetVersion_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetVersion" ADD CONSTRAINT "DatasetVersion_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "DatasetVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetVersion" ADD CONSTRAINT "DatasetVersion_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetVersion" ADD CONSTRAINT "DatasetVersion_sourceRunId_fkey" FOREIGN KEY ("sourceRunId") REFERENCES "SelectionRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sample" ADD CONSTRAINT "Sample_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sample" ADD CONSTRAINT "Sample_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetVersionSample" ADD CONSTRAINT "DatasetVersionSample_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetVersionSample" ADD CONSTRAINT "DatasetVersionSample_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EmbeddingModel" ADD CONSTRAINT "EmbeddingModel_consortiumId_fkey" FOREIGN KEY ("consortiumId") REFERENCES "Consortium"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EmbeddingSet" ADD CONSTRAINT "EmbeddingSet_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "EmbeddingModel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EmbeddingSet" ADD CONSTRAINT "EmbeddingSet_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EmbeddingSet" ADD CONSTRAINT "EmbeddingSet_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EmbeddingVector" ADD CONSTRAINT "EmbeddingVector_setId_fkey" FOREIGN KEY ("setId") REFERENCES "EmbeddingSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EmbeddingVector" ADD CONSTRAINT "EmbeddingVector_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EmbeddingFailure" ADD CONSTRAINT "EmbeddingFailure_setId_fkey" FOREIGN KEY ("setId") REFERENCES "EmbeddingSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EmbeddingFailure" ADD CONSTRAINT "EmbeddingFailure_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfounderAnalysis" ADD CONSTRAINT "ConfounderAnalysis_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfounderAnalysis" ADD CONSTRAINT "ConfounderAnalysis_embeddingSetId_fkey" FOREIGN KEY ("embeddingSetId") REFERENCES "EmbeddingSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfounderAnalysis" ADD CONSTRAINT "ConfounderAnalysis_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "ConfounderAnalysis"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfounderAnalysis" ADD CONSTRAINT "ConfounderAnalysis_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfounderAnalysis" ADD CONSTRAINT "ConfounderAnalysis_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfounderGroup" ADD CONSTRAINT "ConfounderGroup_analysisId_fkey" FOREIGN KEY ("analysisId") REFERENCES "ConfounderAnalysis"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfounderGroup" ADD CONSTRAINT "ConfounderGroup_verdictById_fkey" FOREIGN KEY ("verdictById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfounderGroupMember" ADD CONSTRAINT "ConfounderGroupMember_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "ConfounderGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfounderGroupMember" ADD CONSTRAINT "ConfounderGroupMember_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SelectionRun" ADD CONSTRAINT "SelectionRun_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SelectionRun" ADD CONSTRAINT "SelectionRun_embeddingSetId_fkey" FOREIGN KEY ("embeddingSetId") REFERENCES "EmbeddingSet"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SelectionRun" ADD CONSTRAINT "SelectionRun_analysisId_fkey" FOREIGN KEY ("analysisId") REFERENCES "ConfounderAnalysis"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SelectionRun" ADD CONSTRAINT "SelectionRun_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "SelectionRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SelectionRun" ADD CONSTRAINT "SelectionRun_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SelectionRun" ADD CONSTRAINT "SelectionRun_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SelectionItem" ADD CONSTRAINT "SelectionItem_runId_fkey" FOREIGN KEY ("runId") REFERENCES "SelectionRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SelectionItem" ADD CONSTRAINT "SelectionItem_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SelectionItem" ADD CONSTRAINT "SelectionItem_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "ConfounderGroup"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewDecision" ADD CONSTRAINT "ReviewDecision_runId_fkey" FOREIGN KEY ("runId") REFERENCES "SelectionRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewDecision" ADD CONSTRAINT "ReviewDecision_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewDecision" ADD CONSTRAINT "ReviewDecision_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Evaluation" ADD CONSTRAINT "Evaluation_runId_fkey" FOREIGN KEY ("runId") REFERENCES "SelectionRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Evaluation" ADD CONSTRAINT "Evaluation_reportedById_fkey" FOREIGN KEY ("reportedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_consortiumId_fkey" FOREIGN KEY ("consortiumId") REFERENCES "Consortium"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "ApiToken"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_consortiumId_fkey" FOREIGN KEY ("consortiumId") REFERENCES "Consortium"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
