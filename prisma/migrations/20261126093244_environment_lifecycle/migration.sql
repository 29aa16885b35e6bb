-- CreateEnum
CREATE TYPE "EnvironmentOperationState" AS ENUM ('running', 'succeeded', 'stopped');

-- AlterTable
ALTER TABLE "environments" ADD COLUMN     "billed_seconds" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "billing_since" TIMESTAMPTZ(3),
ADD COLUMN     "operation_id" UUID;

-- CreateTable
CREATE TABLE "environment_operations" (
    "id" UUID NOT NULL,
    "cohort_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "requested_by_id" UUID,
    "state" "EnvironmentOperationState" NOT NULL DEFAULT 'running',
    "total" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL DEFAULT 0,
    "ready" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "stop_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "environment_operations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "environment_operations_cohort_id_created_at_idx" ON "environment_operations"("cohort_id", "created_at");

-- CreateIndex
CREATE INDEX "environments_operation_id_state_idx" ON "environments"("operation_id", "state");

-- AddForeignKey
ALTER TABLE "environments" ADD CONSTRAINT "environments_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "environment_operations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "environment_operations" ADD CONSTRAINT "environment_operations_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill (hand-written): environments already running are billed from when they entered their state.
UPDATE "environments" SET "billing_since" = "state_changed_at" WHERE "state" IN ('provisioning', 'ready', 'waking');
