/**
 * The baseline: a bare Fastify + pg handler serving the same page the straightforward way — one
 * JSON object per cell (students × tasks, untouched cells derived from the step locks), built by
 * PostgreSQL with json_agg. Deliberately favoured: no authentication, no scoping, and PostgreSQL's
 * JSON text is passed through as it is (no parse and re-serialise in Node).
 */
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const PAGE_SQL = `
  WITH page AS (
    SELECT e.id, e.user_id, u.display_name, e.enrolled_at
    FROM enrollments e JOIN users u ON u.id = e.user_id
    WHERE e.cohort_id = $1 AND e.status IN ('active', 'completed')
    ORDER BY e.enrolled_at, e.id
    LIMIT $2
  ), tasks AS (
    SELECT t.slug, s.number AS step, t.position, t.max_points,
           EXISTS (SELECT 1 FROM cohort_steps cs
                   WHERE cs.cohort_id = $1 AND cs.step_number = s.number
                     AND (NOT cs.locked OR cs.unlocks_at <= now())) AS unlocked
    FROM cohorts c
    JOIN curriculum_tasks t ON t.version_id = c.curriculum_version_id
    JOIN curriculum_steps s ON s.id = t.step_id
    WHERE c.id = $1
  )
  SELECT json_build_object('cells', COALESCE(json_agg(json_build_object(
           'userId', p.user_id,
           'displayName', p.display_name,
           'taskId', t.slug,
           'step', t.step,
           'status', COALESCE(tp.status::text, CASE WHEN t.unlocked THEN 'available' ELSE 'locked' END),
           'attempts', COALESCE(tp.attempts, 0),
           'points', COALESCE(tp.points, 0),
           'maxPoints', t.max_points,
           'updatedAt', tp.updated_at
         ) ORDER BY p.enrolled_at, p.id, t.step, t.position), '[]'::json))::text AS body
  FROM page p
  CROSS JOIN tasks t
  LEFT JOIN task_progress tp ON tp.enrollment_id = p.id AND tp.task_slug = t.slug`;

const app = Fastify({ logger: false });
app.get<{ Params: { id: string }; Querystring: { limit?: string } }>(
  '/cohorts/:id/progress',
  async (request, reply) => {
    const limit = Math.min(Number(request.query.limit ?? 100) || 100, 200);
    const { rows } = await pool.query<{ body: string }>(PAGE_SQL, [request.params.id, limit]);
    return reply.type('application/json; charset=utf-8').send(rows[0]!.body);
  },
);

const address = await app.listen({ port: 0, host: '127.0.0.1' });
let cpu = process.cpuUsage();
process.on('message', (message: { type: string }) => {
  if (message.type === 'reset') {
    cpu = process.cpuUsage();
    process.send!({ type: 'reset' });
  }
  if (message.type === 'stats') {
    const used = process.cpuUsage(cpu);
    process.send!({ type: 'stats', cpuMs: (used.user + used.system) / 1000 });
  }
  if (message.type === 'stop')
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0));
});
process.send!({ type: 'ready', port: Number(new URL(address).port) });
