-- CreateIndex
CREATE INDEX "Job_consortiumId_createdAt_idx" ON "Job"("consortiumId", "createdAt");
