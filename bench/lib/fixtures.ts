import { join } from "node:path";
import { defaultConfig, type HangarConfig } from "../../src/core/config.ts";
import { buildHangarCommit, commitDate, gitBlobOid } from "../../src/core/git-objects.ts";
import { nowIso } from "../../src/core/time.ts";
import type { Repo, TreeFile } from "../../src/core/types.ts";
import { createHangar } from "../../src/hangar.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { createRepo, DEFAULT_GITATTRIBUTES } from "../../src/hub/create-repo.ts";
import type { HubContext } from "../../src/hub/hub.ts";
import { importFolder } from "../../src/hub/import-folder.ts";

const FAMILIES = [
  "bert",
  "roberta",
  "distilbert",
  "gpt2",
  "llama",
  "mistral",
  "t5",
  "whisper",
  "vit",
  "clip",
];
const VARIANTS = [
  "finetuned",
  "base",
  "large",
  "small",
  "instruct",
  "chat",
  "squad",
  "sst2",
  "ner",
  "quantized",
];
const TASKS = [
  "text-classification",
  "token-classification",
  "question-answering",
  "text-generation",
  "translation",
  "automatic-speech-recognition",
  "image-classification",
  "feature-extraction",
];
const LICENSES = ["apache-2.0", "mit", "cc-by-4.0", "llama3", "openrail"];

/** A small deterministic generator, so every run builds the same catalog. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The id of the i-th catalog repo, like `org-123/bert-finetuned-456`. */
export function catalogRepoId(index: number): { namespace: string; name: string } {
  const family = FAMILIES[index % FAMILIES.length]!;
  const variant = VARIANTS[Math.floor(index / FAMILIES.length) % VARIANTS.length]!;
  return { namespace: `org-${index % 500}`, name: `${family}-${variant}-${index}` };
}

/**
 * Fills a catalog with `count` public model repos through the hub layer (`createRepo`), each with one
 * commit holding `.gitattributes` and listing fields (task, library, tags, downloads) like real repos.
 * The commits are written in one transaction, as `createRepo` would write them one by one.
 */
export async function populateCatalog(hub: HubContext, count: number): Promise<void> {
  const admin = localAdministrator();
  const random = seededRandom(42);
  const blob = Buffer.from(DEFAULT_GITATTRIBUTES);
  const stored = await hub.blobs.put(blob, { expectedSize: blob.byteLength });
  const repos: Repo[] = [];
  for (let index = 0; index < count; index++) {
    repos.push(
      await createRepo(hub, admin, { type: "model", ...catalogRepoId(index), initialCommit: false }),
    );
  }
  await hub.catalog.transaction(async (tx) => {
    await tx.commits.registerBlob(stored.sha256, stored.size, nowIso());
    for (const repo of repos) {
      const date = commitDate(new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 300 * 86_400_000)));
      const files: TreeFile[] = [
        {
          path: ".gitattributes",
          gitOid: gitBlobOid(blob),
          size: blob.byteLength,
          sha256: stored.sha256,
          lfs: false,
          lastCommit: "",
        },
      ];
      const message = "initial commit";
      const built = buildHangarCommit({ files, parents: [], author: "bench", date, message });
      const oid = built.oid;
      for (const file of files) file.lastCommit = oid;
      const commitPk = await tx.commits.insertCommit(repo.pk, {
        oid,
        parents: [],
        author: "bench",
        date,
        title: message,
        message,
        metadata: {},
      });
      await tx.commits.insertTree(commitPk, files);
      await tx.commits.insertGitObjects(repo.pk, [...built.trees.objects, built.commit]);
      await tx.commits.setRef(repo.pk, "branch", "main", oid, date);
      const task = TASKS[Math.floor(random() * TASKS.length)]!;
      const license = LICENSES[Math.floor(random() * LICENSES.length)]!;
      await tx.repos.updateHead(repo.pk, {
        sha: oid,
        lastModified: date,
        pipelineTag: task,
        libraryName: "transformers",
        tags: ["transformers", "safetensors", task, "en", `license:${license}`],
        usedStorage: blob.byteLength,
      });
      await tx.repos.addDownloads(repo.pk, Math.floor(random() ** 4 * 1_000_000));
    }
  });
}

export interface BenchHome {
  home: string;
  /** Repo id and file of the imported large file, when one was asked for. */
  largeFile?: { repoId: string; path: string; sha256: string };
}

/**
 * Builds a Hangar home before the server starts: optionally a catalog of `catalogSize` repos, empty repos,
 * and one repo imported from `importFrom` (its files become LFS when large), then closes it so a server
 * can open it.
 */
export async function buildHome(params: {
  home: string;
  catalogSize?: number;
  importFrom?: { folder: string; repoId: string; path: string };
  /** Model repos to create with the Hub's initial commit, e.g. as upload targets. */
  repos?: string[];
  /** The engines (default: the embedded SQLite + filesystem of `home`); see `scale-out.ts`. */
  config?: HangarConfig;
}): Promise<BenchHome> {
  const hangar = await createHangar(params.config ?? defaultConfig(params.home));
  try {
    if (params.catalogSize) await populateCatalog(hangar, params.catalogSize);
    for (const repoId of params.repos ?? []) {
      const [namespace, name] = repoId.split("/") as [string, string];
      await createRepo(hangar, localAdministrator(), { type: "model", namespace, name });
    }
    if (!params.importFrom) return { home: params.home };
    const [namespace, name] = params.importFrom.repoId.split("/") as [string, string];
    await importFolder(hangar, localAdministrator(), {
      folder: params.importFrom.folder,
      repo: { type: "model", namespace, name },
      message: "Import benchmark weights",
    });
    const repo = (await hangar.catalog.repos.get({ type: "model", namespace, name }))!;
    const commit = repo.sha ? await hangar.catalog.commits.getCommit(repo.pk, repo.sha) : undefined;
    const row = commit ? await hangar.catalog.commits.getFile(commit.pk, params.importFrom.path) : undefined;
    if (!row)
      throw new Error(`Import of ${join(params.importFrom.folder, params.importFrom.path)} made no file`);
    return {
      home: params.home,
      largeFile: { repoId: params.importFrom.repoId, path: params.importFrom.path, sha256: row.sha256 },
    };
  } finally {
    await hangar.close();
  }
}
