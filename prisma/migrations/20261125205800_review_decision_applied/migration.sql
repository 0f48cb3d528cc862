-- AlterTable
ALTER TABLE "ReviewDecision" ADD COLUMN     "applied" BOOLEAN NOT NULL DEFAULT true;
