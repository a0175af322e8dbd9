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

async function onServer<T>(
  work: (client: pg.Client) => Promise<T>,
  serverUrl = POSTGRES_SERVER_URL,
): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Whether a PostgreSQL server answers at `serverUrl`. */
export function postgresAnswers(serverUrl = POSTGRES_SERVER_URL): Promise<boolean> {
  return onServer(async () => true, serverUrl).catch(() => false);
}

/**
 * A database of its own with a random name (`<prefix>_<hex>`), for one test file or test, or a benchmark run
 * (which names its own server and prefix).
 */
export async function createTestDatabase(
  options: { serverUrl?: string; prefix?: string } = {},
): Promise<TestDatabase> {
  const serverUrl = options.serverUrl ?? POSTGRES_SERVER_URL;
  const name = `${options.prefix ?? "hangar_test"}_${randomBytes(6).toString("hex")}`;
  await onServer((client) => client.query(`CREATE DATABASE ${name}`), serverUrl);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`), serverUrl);
    },
  };
}
