import type { Readable } from "node:stream";
import type { StoredCommit } from "../../core/catalog-types.ts";
import { HangarError } from "../../core/errors.ts";
import type { GitObject } from "../../core/git-objects.ts";
import type { Repo, TreeFile } from "../../core/types.ts";
import type { HubScope } from "../hub.ts";
import { mirrorInfoOf } from "../mirror/mirror-info.ts";

/** Commits looked through for the file behind a blob that a partial clone asks for by id. */
const MAX_BLOB_SEARCH_COMMITS = 5_000;
/** Catalog reads between turns of the event loop, so one large fetch does not hold up other requests. */
const READS_PER_TURN = 200;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The reason a fetch cannot be served, as git shows it (`remote error: ...`). */
export function gitServeError(message: string): HangarError {
  return new HangarError("HANGAR_ERR_BAD_REQUEST", message, { details: { git: true } });
}

/**
 * A repo's git objects as a fetch reads them: commit and tree objects from the catalog, blobs from the files
 * commits record (their bytes in the blob store, an LFS file's blob being its pointer). Reads are cached for
 * one fetch.
 */
export class RepoObjects {
  private readonly commits = new Map<string, StoredCommit | null>();
  private readonly files = new Map<number, Map<string, TreeFile>>();
  /** Files found while searching history for a blob by id. */
  private readonly searched = new Map<string, TreeFile>();
  /** Commits still to look through for blobs by id, and those looked through. */
  private searchQueue: string[] | undefined;
  private readonly searchVisited = new Set<string>();
  private reads = 0;

  constructor(
    private readonly hub: HubScope,
    readonly repo: Repo,
  ) {}

  private async read<T>(work: () => Promise<T>): Promise<T> {
    if (++this.reads % READS_PER_TURN === 0) await nextTurn();
    return work();
  }

  async commit(oid: string): Promise<StoredCommit | undefined> {
    let commit = this.commits.get(oid);
    if (commit === undefined) {
      commit = (await this.read(() => this.hub.catalog.commits.getCommit(this.repo.pk, oid))) ?? null;
      this.commits.set(oid, commit);
    }
    return commit ?? undefined;
  }

  async object(oid: string): Promise<GitObject | undefined> {
    return this.read(() => this.hub.catalog.commits.getGitObject(this.repo.pk, oid));
  }

  /** A commit's object; a clear error for commits that have none (mirrored ones keep only the upstream id). */
  async commitObject(commit: StoredCommit): Promise<GitObject> {
    const object = await this.object(commit.oid);
    if (object?.type === "commit") return object;
    const mirror = mirrorInfoOf(commit);
    if (mirror) {
      const upstreamRepo = `${mirror.upstream.replace(/\/+$/, "")}/${mirror.type === "model" ? "" : `${mirror.type}s/`}${mirror.repo}`;
      throw gitServeError(
        `commit ${commit.oid} of ${this.repo.id} was mirrored from ${mirror.upstream}: Hangar keeps its files but not the upstream's git objects, so git cannot fetch it from here (clone ${upstreamRepo} instead, or download the files through the Hub API)`,
      );
    }
    throw gitServeError(
      `commit ${commit.oid} of ${this.repo.id} has no stored git commit object; an administrator should run "hangar fsck"`,
    );
  }

  async tree(oid: string, where: string): Promise<GitObject> {
    const object = await this.object(oid);
    if (object?.type === "tree") return object;
    throw gitServeError(
      `the tree ${oid} (${where}) of ${this.repo.id} is not stored; an administrator should run "hangar fsck"`,
    );
  }

  /** The whole bytes of a small regular file's blob, from the blob store. */
  async blobBytes(sha256: string, path: string): Promise<Buffer> {
    try {
      return await this.hub.blobs.read(sha256);
    } catch (error) {
      if ((error as { code?: string }).code !== "HANGAR_ERR_BLOB_MISSING") throw error;
      throw gitServeError(`the content of ${path} (sha256 ${sha256}) is missing from the blob store`);
    }
  }

  /** The bytes of a regular file's blob, from the blob store. */
  async blobStream(sha256: string, path: string): Promise<Readable> {
    if ((await this.hub.blobs.sizeOf(sha256)) === null) {
      throw gitServeError(`the content of ${path} (sha256 ${sha256}) is missing from the blob store`);
    }
    return this.hub.blobs.openRead(sha256);
  }

  /** The files of a commit by git blob id. */
  async filesOf(commit: StoredCommit): Promise<Map<string, TreeFile>> {
    let files = this.files.get(commit.pk);
    if (!files) {
      const list = await this.read(() => this.hub.catalog.commits.listFiles(commit.pk));
      files = new Map(list.map((file) => [file.gitOid, file]));
      this.files.set(commit.pk, files);
    }
    return files;
  }

  /**
   * The file a blob id stands for: in the given commit, else anywhere in the history of the repo's refs (a
   * partial clone asks for blobs by id alone).
   */
  async blobFile(oid: string, commit?: StoredCommit): Promise<TreeFile | undefined> {
    if (commit) {
      const file = (await this.filesOf(commit)).get(oid);
      if (file) return file;
    }
    if (!this.searchQueue) {
      const refs = await this.read(() => this.hub.catalog.commits.listRefs(this.repo.pk));
      this.searchQueue = [...new Set(refs.map((ref) => ref.commitOid))];
    }
    const queue = this.searchQueue;
    while (!this.searched.has(oid) && queue.length > 0 && this.searchVisited.size < MAX_BLOB_SEARCH_COMMITS) {
      const next = queue.pop()!;
      if (this.searchVisited.has(next)) continue;
      this.searchVisited.add(next);
      const stored = await this.commit(next);
      if (!stored) continue;
      for (const [blob, file] of await this.filesOf(stored)) {
        if (!this.searched.has(blob)) this.searched.set(blob, file);
      }
      queue.push(...stored.parents);
    }
    return this.searched.get(oid);
  }
}

/** The tree a commit object names. */
export function commitTree(object: GitObject): string {
  const match = /^tree ([0-9a-f]{40})\n/.exec(object.body.toString("latin1", 0, 46));
  if (!match) throw gitServeError(`the commit object ${object.oid} names no tree`);
  return match[1]!;
}
