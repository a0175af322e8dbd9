// The scale-out engines of issue 12 for a benchmark row: a PostgreSQL database of its own (created for the
// run on 127.0.0.1:5432, trust auth, dropped at the end) and an S3 bucket on s3rver (a child process). Every
// benchmark that adds a "PostgreSQL + S3" row starts them here, and passes `env` to the Hangar processes and
// `config()` to in-process setup, exactly as an operator would configure Hangar.
import { type HangarConfig, resolveConfig } from "../../src/core/config.ts";
import { createTestDatabase, postgresAnswers } from "../../test/helpers/postgres.ts";
import { type RunningS3, S3RVER_CREDENTIALS, startS3rverProcess } from "./s3rver-process.ts";
import { makeTempDir, onCleanup } from "./temp.ts";

/** The server's maintenance database; HANGAR_BENCH_POSTGRES_URL points elsewhere. */
export const POSTGRES_SERVER_URL =
  process.env.HANGAR_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface ScaleOut {
  databaseUrl: string;
  s3: RunningS3;
  /** Environment for `hangar serve` (database, bucket, endpoint, credentials). */
  env: Record<string, string>;
  /** The config `hangar serve` would resolve from `env` for `home`, without demo seeding. */
  config(home: string, extraEnv?: Record<string, string>): HangarConfig;
}

/** Creates a database `hangar_bench_<random>` that `runCleanups` drops (connections still open included). */
export async function createBenchDatabase(): Promise<string> {
  const database = await createTestDatabase({ serverUrl: POSTGRES_SERVER_URL, prefix: "hangar_bench" });
  onCleanup(database.drop);
  return database.url;
}

/** Whether PostgreSQL answers at POSTGRES_SERVER_URL (a row is skipped with one line when it does not). */
export function postgresAvailable(): Promise<boolean> {
  return postgresAnswers(POSTGRES_SERVER_URL);
}

/** Starts both engines; both go away with `runCleanups`. */
export async function startScaleOut(): Promise<ScaleOut> {
  const databaseUrl = await createBenchDatabase();
  const bucket = "hangar-bench";
  const s3 = await startS3rverProcess(await makeTempDir("s3rver"), bucket);
  onCleanup(s3.stop);
  const env: Record<string, string> = {
    HANGAR_DATABASE_URL: databaseUrl,
    HANGAR_BLOB_STORE: `s3://${bucket}/hub`,
    HANGAR_S3_ENDPOINT: s3.endpoint,
    HANGAR_S3_FORCE_PATH_STYLE: "1",
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: "us-east-1",
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
  };
  return {
    databaseUrl,
    s3,
    env,
    config: (home, extraEnv = {}) => ({
      ...resolveConfig({ flags: { home }, env: { ...env, ...extraEnv } }),
      seedDemo: false,
      importCatalog: false,
    }),
  };
}
