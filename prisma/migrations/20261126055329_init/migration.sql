-- CreateEnum
CREATE TYPE "UserRole" AS ENUM ('admin', 'instructor', 'student', 'service');

-- CreateEnum
CREATE TYPE "TaskCompletion" AS ENUM ('grader', 'quiz', 'review', 'self_check');

-- CreateEnum
CREATE TYPE "CohortStatus" AS ENUM ('draft', 'active', 'completed', 'archived');

-- CreateEnum
CREATE TYPE "EnrollmentStatus" AS ENUM ('active', 'unenrolled', 'completed');

-- CreateEnum
CREATE TYPE "TaskStatus" AS ENUM ('locked', 'available', 'in_progress', 'pending_review', 'passed', 'failed');

-- CreateEnum
CREATE TYPE "HostClusterStatus" AS ENUM ('active', 'draining', 'unreachable');

-- CreateEnum
CREATE TYPE "EnvironmentState" AS ENUM ('requested', 'provisioning', 'ready', 'sleeping', 'waking', 'deleting', 'deleted', 'failed');

-- CreateEnum
CREATE TYPE "SubmissionStatus" AS ENUM ('queued', 'running', 'passed', 'failed', 'pending_review', 'error');

-- CreateEnum
CREATE TYPE "QuestionStatus" AS ENUM ('open', 'answered', 'solved');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT,
    "display_name" TEXT NOT NULL,
    "role" "UserRole" NOT NULL,
    "password_hash" TEXT,
    "disabled_at" TIMESTAMPTZ(3),
    "erased_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "discord_links" (
    "user_id" UUID NOT NULL,
    "discord_user_id" TEXT NOT NULL,
    "discord_username" TEXT NOT NULL,
    "linked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "discord_links_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "discord_link_codes" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "code_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "discord_link_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refresh_tokens" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "family_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "password_reset_codes" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "code_hash" TEXT NOT NULL,
    "issued_by_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "password_reset_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "service_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "created_by_id" UUID,
    "last_used_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "service_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "curriculum_versions" (
    "id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "checksum" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "curriculum_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "curriculum_phases" (
    "id" UUID NOT NULL,
    "version_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "objective" TEXT NOT NULL,
    "topics" JSONB NOT NULL,
    "projects" JSONB NOT NULL,

    CONSTRAINT "curriculum_phases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "curriculum_steps" (
    "id" UUID NOT NULL,
    "version_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "sections" JSONB NOT NULL,

    CONSTRAINT "curriculum_steps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "curriculum_labs" (
    "id" UUID NOT NULL,
    "version_id" UUID NOT NULL,
    "step_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "goals" JSONB NOT NULL,

    CONSTRAINT "curriculum_labs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "curriculum_tasks" (
    "id" UUID NOT NULL,
    "version_id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "step_id" UUID NOT NULL,
    "phase_id" UUID,
    "lab_id" UUID,
    "position" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "instructions" TEXT NOT NULL,
    "completion" "TaskCompletion" NOT NULL,
    "grader_id" TEXT,
    "max_points" INTEGER NOT NULL,
    "hints" JSONB NOT NULL,
    "rubric" JSONB,
    "quiz" JSONB,

    CONSTRAINT "curriculum_tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "key_questions" (
    "id" UUID NOT NULL,
    "version_id" UUID NOT NULL,
    "phase_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "slug" TEXT NOT NULL,
    "text" TEXT NOT NULL,

    CONSTRAINT "key_questions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cohorts" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "status" "CohortStatus" NOT NULL DEFAULT 'draft',
    "time_zone" TEXT NOT NULL DEFAULT 'UTC',
    "starts_at" TIMESTAMPTZ(3),
    "ends_at" TIMESTAMPTZ(3),
    "curriculum_version_id" UUID NOT NULL,
    "cpu_hours_budget" DOUBLE PRECISION,
    "memory_gib_hours_budget" DOUBLE PRECISION,
    "discord_guild_id" TEXT,
    "discord_forum_channel_id" TEXT,
    "discord_instructor_channel_id" TEXT,
    "discord_announce_channel_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "cohorts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cohort_instructors" (
    "cohort_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "assigned_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cohort_instructors_pkey" PRIMARY KEY ("cohort_id","user_id")
);

-- CreateTable
CREATE TABLE "cohort_steps" (
    "cohort_id" UUID NOT NULL,
    "step_number" INTEGER NOT NULL,
    "locked" BOOLEAN NOT NULL DEFAULT true,
    "unlocks_at" TIMESTAMPTZ(3),
    "deadline" TIMESTAMPTZ(3),

    CONSTRAINT "cohort_steps_pkey" PRIMARY KEY ("cohort_id","step_number")
);

-- CreateTable
CREATE TABLE "invite_codes" (
    "id" UUID NOT NULL,
    "cohort_id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "max_uses" INTEGER,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "revoked_at" TIMESTAMPTZ(3),
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invite_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "enrollments" (
    "id" UUID NOT NULL,
    "cohort_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "status" "EnrollmentStatus" NOT NULL DEFAULT 'active',
    "active_user_id" UUID,
    "expected_discord_username" TEXT,
    "enrolled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "unenrolled_at" TIMESTAMPTZ(3),
    "current_step" INTEGER NOT NULL DEFAULT 1,
    "step_started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "enrollments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deadline_extensions" (
    "enrollment_id" UUID NOT NULL,
    "step_number" INTEGER NOT NULL,
    "deadline" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "granted_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deadline_extensions_pkey" PRIMARY KEY ("enrollment_id","step_number")
);

-- CreateTable
CREATE TABLE "task_progress" (
    "id" UUID NOT NULL,
    "cohort_id" UUID NOT NULL,
    "enrollment_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "task_slug" TEXT NOT NULL,
    "status" "TaskStatus" NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "points" INTEGER NOT NULL DEFAULT 0,
    "max_points" INTEGER NOT NULL,
    "fail_streak" INTEGER NOT NULL DEFAULT 0,
    "fail_streak_check" TEXT,
    "last_submission_id" UUID,
    "override_reason" TEXT,
    "overridden_by_id" UUID,
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "task_progress_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "host_clusters" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "api_server_url" TEXT NOT NULL,
    "kubeconfig_encrypted" TEXT NOT NULL,
    "credentials_ref" TEXT,
    "capacity_environments" INTEGER NOT NULL,
    "capacity_cpu_millis" INTEGER NOT NULL,
    "capacity_memory_mib" INTEGER NOT NULL,
    "status" "HostClusterStatus" NOT NULL DEFAULT 'active',
    "last_checked_at" TIMESTAMPTZ(3),
    "last_check_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "host_clusters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "environments" (
    "id" UUID NOT NULL,
    "cohort_id" UUID,
    "user_id" UUID,
    "active_user_id" UUID,
    "host_cluster_id" UUID,
    "state" "EnvironmentState" NOT NULL DEFAULT 'requested',
    "state_reason" TEXT,
    "progress_step" TEXT,
    "progress_percent" INTEGER NOT NULL DEFAULT 0,
    "namespace" TEXT,
    "workbench_namespace" TEXT,
    "vcluster_name" TEXT,
    "server_url" TEXT,
    "kubeconfig_encrypted" TEXT,
    "pooled" BOOLEAN NOT NULL DEFAULT false,
    "cpu_millis" INTEGER NOT NULL DEFAULT 0,
    "memory_mib" INTEGER NOT NULL DEFAULT 0,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ready_at" TIMESTAMPTZ(3),
    "claimed_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "last_activity_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_api_request_count" BIGINT,
    "state_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "environments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "environment_exports" (
    "id" UUID NOT NULL,
    "environment_id" UUID NOT NULL,
    "user_id" UUID,
    "reason" TEXT NOT NULL,
    "bundle" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "environment_exports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "submissions" (
    "id" UUID NOT NULL,
    "cohort_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "enrollment_id" UUID NOT NULL,
    "task_slug" TEXT NOT NULL,
    "active_key" TEXT,
    "status" "SubmissionStatus" NOT NULL DEFAULT 'queued',
    "answer" JSONB,
    "grader_id" TEXT,
    "score" INTEGER,
    "max_score" INTEGER,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "reviewer_id" UUID,
    "review_comment" TEXT,
    "rubric" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "submissions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "check_results" (
    "id" UUID NOT NULL,
    "submission_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "check_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "passed" BOOLEAN NOT NULL,
    "skipped" BOOLEAN NOT NULL DEFAULT false,
    "points" INTEGER NOT NULL,
    "max_points" INTEGER NOT NULL,
    "message" TEXT,
    "hint" TEXT,
    "evidence" JSONB,
    "duration_ms" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "check_results_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "questions" (
    "id" UUID NOT NULL,
    "cohort_id" UUID NOT NULL,
    "author_id" UUID NOT NULL,
    "task_slug" TEXT,
    "step_number" INTEGER,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" "QuestionStatus" NOT NULL DEFAULT 'open',
    "context" JSONB,
    "accepted_answer_id" UUID,
    "solved_at" TIMESTAMPTZ(3),
    "solved_by" TEXT,
    "locked_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),
    "discord_thread_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "questions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "answers" (
    "id" UUID NOT NULL,
    "question_id" UUID NOT NULL,
    "author_id" UUID NOT NULL,
    "body" TEXT NOT NULL,
    "score" INTEGER NOT NULL DEFAULT 0,
    "endorsed_by_id" UUID,
    "endorsed_at" TIMESTAMPTZ(3),
    "discord_message_id" TEXT,
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "answers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "votes" (
    "answer_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "value" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "votes_pkey" PRIMARY KEY ("answer_id","user_id")
);

-- CreateTable
CREATE TABLE "tags" (
    "id" UUID NOT NULL,
    "cohort_id" UUID NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "tags_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "question_tags" (
    "question_id" UUID NOT NULL,
    "tag_id" UUID NOT NULL,

    CONSTRAINT "question_tags_pkey" PRIMARY KEY ("question_id","tag_id")
);

-- CreateTable
CREATE TABLE "cohort_event_counters" (
    "cohort_id" UUID NOT NULL,
    "last_id" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "cohort_event_counters_pkey" PRIMARY KEY ("cohort_id")
);

-- CreateTable
CREATE TABLE "events" (
    "cohort_id" UUID NOT NULL,
    "id" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "subject_user_id" UUID,
    "payload" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("cohort_id","id")
);

-- CreateTable
CREATE TABLE "outbox_messages" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "available_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "actor_id" UUID,
    "act_as_user_id" UUID,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "cohort_id" UUID,
    "metadata" JSONB,
    "request_id" TEXT,
    "ip" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "discord_links_discord_user_id_key" ON "discord_links"("discord_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "discord_link_codes_code_hash_key" ON "discord_link_codes"("code_hash");

-- CreateIndex
CREATE INDEX "discord_link_codes_user_id_idx" ON "discord_link_codes"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "refresh_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "refresh_tokens_family_id_idx" ON "refresh_tokens"("family_id");

-- CreateIndex
CREATE INDEX "refresh_tokens_user_id_idx" ON "refresh_tokens"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "password_reset_codes_code_hash_key" ON "password_reset_codes"("code_hash");

-- CreateIndex
CREATE INDEX "password_reset_codes_user_id_idx" ON "password_reset_codes"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "service_tokens_prefix_key" ON "service_tokens"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "curriculum_versions_version_key" ON "curriculum_versions"("version");

-- CreateIndex
CREATE UNIQUE INDEX "curriculum_versions_checksum_key" ON "curriculum_versions"("checksum");

-- CreateIndex
CREATE UNIQUE INDEX "curriculum_phases_version_id_number_key" ON "curriculum_phases"("version_id", "number");

-- CreateIndex
CREATE UNIQUE INDEX "curriculum_phases_version_id_slug_key" ON "curriculum_phases"("version_id", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "curriculum_steps_version_id_number_key" ON "curriculum_steps"("version_id", "number");

-- CreateIndex
CREATE UNIQUE INDEX "curriculum_steps_version_id_slug_key" ON "curriculum_steps"("version_id", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "curriculum_labs_version_id_number_key" ON "curriculum_labs"("version_id", "number");

-- CreateIndex
CREATE INDEX "curriculum_tasks_version_id_position_idx" ON "curriculum_tasks"("version_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "curriculum_tasks_version_id_slug_key" ON "curriculum_tasks"("version_id", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "key_questions_version_id_slug_key" ON "key_questions"("version_id", "slug");

-- CreateIndex
CREATE INDEX "cohorts_status_idx" ON "cohorts"("status");

-- CreateIndex
CREATE INDEX "cohort_instructors_user_id_idx" ON "cohort_instructors"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "invite_codes_code_key" ON "invite_codes"("code");

-- CreateIndex
CREATE INDEX "invite_codes_cohort_id_idx" ON "invite_codes"("cohort_id");

-- CreateIndex
CREATE UNIQUE INDEX "enrollments_active_user_id_key" ON "enrollments"("active_user_id");

-- CreateIndex
CREATE INDEX "enrollments_cohort_id_status_enrolled_at_idx" ON "enrollments"("cohort_id", "status", "enrolled_at");

-- CreateIndex
CREATE UNIQUE INDEX "enrollments_cohort_id_user_id_key" ON "enrollments"("cohort_id", "user_id");

-- CreateIndex
CREATE INDEX "task_progress_cohort_id_user_id_idx" ON "task_progress"("cohort_id", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "task_progress_enrollment_id_task_slug_key" ON "task_progress"("enrollment_id", "task_slug");

-- CreateIndex
CREATE UNIQUE INDEX "host_clusters_name_key" ON "host_clusters"("name");

-- CreateIndex
CREATE UNIQUE INDEX "environments_active_user_id_key" ON "environments"("active_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "environments_namespace_key" ON "environments"("namespace");

-- CreateIndex
CREATE UNIQUE INDEX "environments_workbench_namespace_key" ON "environments"("workbench_namespace");

-- CreateIndex
CREATE INDEX "environments_cohort_id_state_idx" ON "environments"("cohort_id", "state");

-- CreateIndex
CREATE INDEX "environments_host_cluster_id_state_idx" ON "environments"("host_cluster_id", "state");

-- CreateIndex
CREATE INDEX "environments_state_last_activity_at_idx" ON "environments"("state", "last_activity_at");

-- CreateIndex
CREATE INDEX "environment_exports_user_id_created_at_idx" ON "environment_exports"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "environment_exports_expires_at_idx" ON "environment_exports"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "submissions_active_key_key" ON "submissions"("active_key");

-- CreateIndex
CREATE INDEX "submissions_cohort_id_created_at_idx" ON "submissions"("cohort_id", "created_at");

-- CreateIndex
CREATE INDEX "submissions_user_id_task_slug_created_at_idx" ON "submissions"("user_id", "task_slug", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "check_results_submission_id_position_key" ON "check_results"("submission_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "questions_accepted_answer_id_key" ON "questions"("accepted_answer_id");

-- CreateIndex
CREATE UNIQUE INDEX "questions_discord_thread_id_key" ON "questions"("discord_thread_id");

-- CreateIndex
CREATE INDEX "questions_cohort_id_created_at_idx" ON "questions"("cohort_id", "created_at");

-- CreateIndex
CREATE INDEX "questions_cohort_id_status_idx" ON "questions"("cohort_id", "status");

-- CreateIndex
CREATE INDEX "questions_author_id_task_slug_idx" ON "questions"("author_id", "task_slug");

-- CreateIndex
CREATE UNIQUE INDEX "answers_discord_message_id_key" ON "answers"("discord_message_id");

-- CreateIndex
CREATE INDEX "answers_question_id_created_at_idx" ON "answers"("question_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "tags_cohort_id_name_key" ON "tags"("cohort_id", "name");

-- CreateIndex
CREATE INDEX "question_tags_tag_id_idx" ON "question_tags"("tag_id");

-- CreateIndex
CREATE INDEX "events_at_idx" ON "events"("at");

-- CreateIndex
CREATE INDEX "outbox_messages_processed_at_available_at_id_idx" ON "outbox_messages"("processed_at", "available_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_messages_topic_key_key" ON "outbox_messages"("topic", "key");

-- CreateIndex
CREATE INDEX "audit_log_cohort_id_at_idx" ON "audit_log"("cohort_id", "at");

-- CreateIndex
CREATE INDEX "audit_log_actor_id_at_idx" ON "audit_log"("actor_id", "at");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- AddForeignKey
ALTER TABLE "discord_links" ADD CONSTRAINT "discord_links_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "discord_link_codes" ADD CONSTRAINT "discord_link_codes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "password_reset_codes" ADD CONSTRAINT "password_reset_codes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "password_reset_codes" ADD CONSTRAINT "password_reset_codes_issued_by_id_fkey" FOREIGN KEY ("issued_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "service_tokens" ADD CONSTRAINT "service_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "service_tokens" ADD CONSTRAINT "service_tokens_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "curriculum_phases" ADD CONSTRAINT "curriculum_phases_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "curriculum_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "curriculum_steps" ADD CONSTRAINT "curriculum_steps_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "curriculum_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "curriculum_labs" ADD CONSTRAINT "curriculum_labs_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "curriculum_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "curriculum_labs" ADD CONSTRAINT "curriculum_labs_step_id_fkey" FOREIGN KEY ("step_id") REFERENCES "curriculum_steps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "curriculum_tasks" ADD CONSTRAINT "curriculum_tasks_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "curriculum_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "curriculum_tasks" ADD CONSTRAINT "curriculum_tasks_step_id_fkey" FOREIGN KEY ("step_id") REFERENCES "curriculum_steps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "curriculum_tasks" ADD CONSTRAINT "curriculum_tasks_phase_id_fkey" FOREIGN KEY ("phase_id") REFERENCES "curriculum_phases"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "curriculum_tasks" ADD CONSTRAINT "curriculum_tasks_lab_id_fkey" FOREIGN KEY ("lab_id") REFERENCES "curriculum_labs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "key_questions" ADD CONSTRAINT "key_questions_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "curriculum_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "key_questions" ADD CONSTRAINT "key_questions_phase_id_fkey" FOREIGN KEY ("phase_id") REFERENCES "curriculum_phases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cohorts" ADD CONSTRAINT "cohorts_curriculum_version_id_fkey" FOREIGN KEY ("curriculum_version_id") REFERENCES "curriculum_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cohort_instructors" ADD CONSTRAINT "cohort_instructors_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cohort_instructors" ADD CONSTRAINT "cohort_instructors_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cohort_steps" ADD CONSTRAINT "cohort_steps_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invite_codes" ADD CONSTRAINT "invite_codes_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invite_codes" ADD CONSTRAINT "invite_codes_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_active_user_id_fkey" FOREIGN KEY ("active_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deadline_extensions" ADD CONSTRAINT "deadline_extensions_enrollment_id_fkey" FOREIGN KEY ("enrollment_id") REFERENCES "enrollments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deadline_extensions" ADD CONSTRAINT "deadline_extensions_granted_by_id_fkey" FOREIGN KEY ("granted_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_progress" ADD CONSTRAINT "task_progress_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_progress" ADD CONSTRAINT "task_progress_enrollment_id_fkey" FOREIGN KEY ("enrollment_id") REFERENCES "enrollments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_progress" ADD CONSTRAINT "task_progress_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "environments" ADD CONSTRAINT "environments_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "environments" ADD CONSTRAINT "environments_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "environments" ADD CONSTRAINT "environments_active_user_id_fkey" FOREIGN KEY ("active_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "environments" ADD CONSTRAINT "environments_host_cluster_id_fkey" FOREIGN KEY ("host_cluster_id") REFERENCES "host_clusters"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "environment_exports" ADD CONSTRAINT "environment_exports_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_enrollment_id_fkey" FOREIGN KEY ("enrollment_id") REFERENCES "enrollments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_reviewer_id_fkey" FOREIGN KEY ("reviewer_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "check_results" ADD CONSTRAINT "check_results_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "questions" ADD CONSTRAINT "questions_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "questions" ADD CONSTRAINT "questions_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "questions" ADD CONSTRAINT "questions_accepted_answer_id_fkey" FOREIGN KEY ("accepted_answer_id") REFERENCES "answers"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "answers" ADD CONSTRAINT "answers_question_id_fkey" FOREIGN KEY ("question_id") REFERENCES "questions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "answers" ADD CONSTRAINT "answers_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "answers" ADD CONSTRAINT "answers_endorsed_by_id_fkey" FOREIGN KEY ("endorsed_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "votes" ADD CONSTRAINT "votes_answer_id_fkey" FOREIGN KEY ("answer_id") REFERENCES "answers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "votes" ADD CONSTRAINT "votes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tags" ADD CONSTRAINT "tags_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "question_tags" ADD CONSTRAINT "question_tags_question_id_fkey" FOREIGN KEY ("question_id") REFERENCES "questions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "question_tags" ADD CONSTRAINT "question_tags_tag_id_fkey" FOREIGN KEY ("tag_id") REFERENCES "tags"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cohort_event_counters" ADD CONSTRAINT "cohort_event_counters_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- Append-only logs: the event log may be pruned past its retention window but never rewritten;
-- the audit log is never rewritten nor deleted.
CREATE FUNCTION kubecohort_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % rejected', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE ON "events"
  FOR EACH ROW EXECUTE FUNCTION kubecohort_reject_change();

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION kubecohort_reject_change();
