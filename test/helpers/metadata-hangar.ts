import assert from "node:assert/strict";
import { join } from "node:path";
import { defaultConfig } from "../../src/core/config.ts";
import type { CommitMetadata, Repo } from "../../src/core/types.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { importFolder } from "../../src/hub/import-folder.ts";
import { makeTempDir } from "./test-hangar.ts";
import { writeRepoFolder } from "./tiny-models.ts";

const admin = localAdministrator();

/** An in-process Hangar (no server) in a temp folder, for reading what a commit's metadata says. */
export interface MetadataHangar {
  hangar: Hangar;
  /** Imports `files` as the model acme/`name` and returns the repo and its commit's stored metadata. */
  importRepo(
    name: string,
    files: Record<string, string | Buffer>,
  ): Promise<{ repo: Repo; metadata: CommitMetadata; oid: string }>;
  close(): Promise<void>;
}

export async function startMetadataHangar(): Promise<MetadataHangar> {
  const temp = await makeTempDir("hangar-metadata-");
  const hangar = await createHangar(defaultConfig(join(temp.path, "home")));
  return {
    hangar,
    async importRepo(name, files) {
      const folder = join(temp.path, name);
      await writeRepoFolder(folder, files);
      const result = await importFolder(hangar, admin, {
        folder,
        repo: { type: "model", namespace: "acme", name },
      });
      const repo = (await hangar.catalog.repos.get({ type: "model", namespace: "acme", name })) as Repo;
      const stored = await hangar.catalog.commits.getCommit(repo.pk, result.commit.oid);
      assert.ok(stored);
      return { repo, metadata: stored.metadata, oid: result.commit.oid };
    },
    async close() {
      await hangar.close();
      await temp.remove();
    },
  };
}
