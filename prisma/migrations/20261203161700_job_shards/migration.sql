-- Issue 13 (scale-out): a long job over a large version is split into shard jobs. A shard is an
-- ordinary Job row (claimed, heart-beaten and re-queued like any other) whose "parentId" names the job
-- it belongs to; what it computed is kept in "JobShardOutput", written in the transaction that marks the
-- shard SUCCEEDED and deleted in the one that commits the parent's result (so nothing is half-written:
-- the parent's domain rows appear only when every shard has committed).
ALTER TABLE "Job" ADD COLUMN "parentId" INTEGER;
ALTER TABLE "Job" ADD CONSTRAINT "Job_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE INDEX "Job_parentId_idx" ON "Job"("parentId");

CREATE TABLE "JobShardOutput" (
    "jobId" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "JobShardOutput_pkey" PRIMARY KEY ("jobId")
);
ALTER TABLE "JobShardOutput" ADD CONSTRAINT "JobShardOutput_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;
