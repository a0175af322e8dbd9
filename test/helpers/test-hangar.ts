import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { defaultConfig, type HangarConfig } from "../../src/core/config.ts";
import type { RepoType, TokenRole } from "../../src/core/types.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { createToken, createUser } from "../../src/hub/accounts/manage-accounts.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { type ImportFolderResult, importFolder } from "../../src/hub/import-folder.ts";
import { startServer } from "../../src/server/create-server.ts";
import { BlobStore } from "../../src/store/blob-store.ts";
import type { BlobStorage } from "../../src/store/blob-store-types.ts";
import { injectFetch } from "./inject-fetch.ts";
import { writeRepoFolder } from "./tiny-models.ts";

export interface TestHangar {
  hangar: Hangar;
  /** The Fastify app (for `inject`, hooks, `app.swagger()`). */
  app: FastifyInstance;
  /** The node server the app listens on. */
  server: Server;
  /** Base URL on 127.0.0.1, without a trailing slash. */
  url: string;
  /**
   * `fetch` for tests that only check what a route answers: URLs under `url` go to the app in-process through
   * Fastify's `inject()` (no socket); real clients use `url` and the port.
   */
  fetch: typeof fetch;
  home: string;
  /** An admin token (from HANGAR_ADMIN_TOKEN). */
  adminToken: string;
  /** Creates a user and returns a token of the given role for it. */
  addUser(name: string, role?: TokenRole): Promise<string>;
  close(): Promise<void>;
}

/** A temp folder removed by the returned function. */
export async function makeTempDir(
  prefix = "hangar-test-",
): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Starts a real Hangar on a temp home, listening on 127.0.0.1 with a free port. */
export async function startTestHangar(
  overrides: Partial<Omit<HangarConfig, "home">> = {},
): Promise<TestHangar> {
  const temp = await makeTempDir();
  const adminToken = "hf_test_admin_token_0123456789abcdef";
  const logLevel = overrides.logLevel ?? (process.env.HANGAR_LOG_LEVEL as HangarConfig["logLevel"]);
  const hangar = await createHangar(
    defaultConfig(temp.path, { adminToken, ...overrides, ...(logLevel ? { logLevel } : {}) }),
  );
  const running = await startServer(hangar, { host: "127.0.0.1", port: 0 });
  return {
    hangar,
    app: running.app,
    server: running.server,
    url: running.url,
    fetch: injectFetch(running.app, running.url),
    home: temp.path,
    adminToken,
    async addUser(name, role = "write") {
      if (!(await hangar.catalog.accounts.getNamespace(name))) await createUser(hangar, { name });
      return (await createToken(hangar, { user: name, role })).token;
    },
    async close() {
      await running.close();
      await hangar.close();
      await temp.remove();
    },
  };
}

export interface ImportFilesOptions {
  type?: RepoType;
  private?: boolean;
  gated?: "auto" | "manual";
}

/**
 * Commits files (path -> text or bytes) to a repo as the local administrator, through a temp folder that
 * is removed again: `importFolder` has copied the bytes into the blob store by then.
 */
export async function importFiles(
  hangar: Hangar,
  repo: string,
  files: Record<string, string | Uint8Array>,
  options: ImportFilesOptions = {},
): Promise<ImportFolderResult> {
  const dir = await makeTempDir();
  try {
    await writeRepoFolder(dir.path, files);
    const [namespace, name] = repo.split("/") as [string, string];
    return await importFolder(hangar, localAdministrator(), {
      folder: dir.path,
      repo: { type: options.type ?? "model", namespace, name },
      ...(options.private ? { private: true } : {}),
      ...(options.gated ? { gated: options.gated } : {}),
    });
  } finally {
    await dir.remove();
  }
}

/** The instance's filesystem blob store, for tests that look at its files (test instances keep blobs on disk). */
export function fsBlobs(hub: { blobs: BlobStorage }): BlobStore {
  assert.ok(hub.blobs instanceof BlobStore, "this test needs the filesystem blob store");
  return hub.blobs;
}
