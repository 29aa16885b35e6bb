-- Full-text search over questions (hand-edited: Prisma cannot express generated columns).
-- Title words carry weight A, body words weight B, so ts_rank scores a title hit above any
-- number of body repetitions of the same word. STORED generated column: PostgreSQL keeps it
-- current on every INSERT/UPDATE of title or body, no trigger needed. The expression must stay
-- byte-identical to the @default(dbgenerated(...)) of Question.searchVector in schema.prisma
-- (Prisma introspects a generation expression as a column default).

-- AlterTable
ALTER TABLE "questions" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english'::regconfig, title), 'A'::"char") || setweight(to_tsvector('english'::regconfig, body), 'B'::"char")) STORED;

-- CreateIndex
CREATE INDEX "questions_search_vector_idx" ON "questions" USING GIN ("search_vector");
