import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.KC_TEST_DATABASE;
  if (!name || process.env.KC_KEEP_TEST_DB === '1') return;
  const admin = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
