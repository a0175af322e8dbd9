import { randomBytes } from "node:crypto";
import pg from "pg";

/** The test server's maintenance database (trust auth on the local PostgreSQL). */
export const POSTGRES_SERVER_URL =
  process.env.HANGAR_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  /** URL of the new, empty database. */
  url: string;
  name: string;
  /** Drops it, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A database of its own with a random name, for one test file or test. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `hangar_test_${randomBytes(6).toString("hex")}`;
  await onServer((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_SERVER_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
