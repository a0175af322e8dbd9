import { createHash } from "node:crypto";
import type { StoredCommit } from "../../core/catalog-types.ts";
import { HangarError } from "../../core/errors.ts";
import {
  buildGitTrees,
  GIT_FILE_MODE,
  GIT_FOLDER_MODE,
  type GitCommitFields,
  type GitObject,
  parseGitCommit,
  parseGitTree,
} from "../../core/git-objects.ts";
import type { CommitInfo, CommitMetadata, Repo, TreeFile } from "../../core/types.ts";
import { lfsPointer } from "../../core/types.ts";
import { validateRepoPath } from "../../core/validate.ts";
import type { PackObject } from "../../git/pack-reader.ts";
import type { CommitsTable } from "../../store/commits-table.ts";
import type { HubScope } from "../hub.ts";
import { extractMetadata } from "../metadata/extract-metadata.ts";
import { collectChangedMetadata, emptyChangedMetadata } from "../metadata/read-file-facts.ts";
import { repoHoldsLfsObject } from "../write/held-lfs-objects.ts";
import { RepoObjects } from "./repo-objects.ts";

/** A pushed commit, ready for the catalog: its row, files, metadata and the git objects to store. */
export interface PreparedCommit {
  info: CommitInfo;
  files: TreeFile[];
  metadata: CommitMetadata;
  /** The commit object and every tree it names, byte for byte as pushed (or as already stored). */
  objects: GitObject[];
}

/** A ref update refused for a reason git shows as `! [remote rejected] <ref> (<reason>)`. */
export class PushRejected extends Error {}

const LFS_POINTER =
  /^version https:\/\/git-lfs\.github\.com\/spec\/v1\noid sha256:([0-9a-f]{64})\nsize (\d+)\n$/;
/** Commits of one push looked through for the history of its tips. */
const MAX_NEW_COMMITS = 10_000;

interface BlobInfo {
  sha256: string;
  size: number;
  lfs: boolean;
}

/**
 * Turns the commits of a push into Hangar commits, keeping their ids: each new commit's tree is read from
 * the pack (or the trees Hangar holds), its blobs become files (regular files' bytes go to the blob store,
 * canonical LFS pointers name objects the repo must already hold), and the files must make exactly the tree
 * the commit names, so the commit id Hangar reports is the one git computed.
 */
export class PushedCommits {
  private readonly pushed = new Map<string, PackObject>();
  private readonly prepared = new Map<string, PreparedCommit>();
  private readonly blobs = new Map<string, BlobInfo>();
  private readonly repoObjects: RepoObjects;
  /** sha256 of every blob a prepared commit references, to lease against gc until the refs have moved. */
  readonly referencedBlobs = new Map<string, number>();

  constructor(
    private readonly hub: HubScope,
    private readonly repo: Repo,
    objects: readonly PackObject[],
  ) {
    for (const object of objects) this.pushed.set(object.oid, object);
    this.repoObjects = new RepoObjects(hub, repo);
  }

  /** What a ref's new id names: a pushed commit, a commit already held, or nothing Hangar can keep. */
  async kindOf(oid: string): Promise<"commit" | "tag" | "missing"> {
    const object = this.pushed.get(oid);
    if (object) return object.type === "commit" ? "commit" : object.type === "tag" ? "tag" : "missing";
    return (await this.hub.catalog.commits.getCommit(this.repo.pk, oid)) ? "commit" : "missing";
  }

  /** The commits from `tip` back to what the catalog holds, parents first (each prepared once per push). */
  async prepare(tip: string): Promise<PreparedCommit[]> {
    const order: string[] = [];
    const seen = new Set<string>();
    const stack: Array<{ oid: string; expanded: boolean }> = [{ oid: tip, expanded: false }];
    while (stack.length > 0) {
      const top = stack.pop()!;
      if (top.expanded) {
        order.push(top.oid);
        continue;
      }
      // Commits another update of this push prepared are listed again: that update may fail and leave them out.
      if (seen.has(top.oid)) continue;
      seen.add(top.oid);
      if (await this.hub.catalog.commits.getCommit(this.repo.pk, top.oid)) continue;
      if (seen.size > MAX_NEW_COMMITS) {
        throw new PushRejected(`a push may bring at most ${MAX_NEW_COMMITS} new commits`);
      }
      const fields = this.commitFields(top.oid);
      stack.push({ oid: top.oid, expanded: true });
      for (const parent of fields.parents) stack.push({ oid: parent, expanded: false });
    }
    for (const oid of order) {
      if (!this.prepared.has(oid)) this.prepared.set(oid, await this.prepareOne(oid));
    }
    return order.map((oid) => this.prepared.get(oid)!);
  }

  /** Whether `ancestor` is `oid` or reachable from it through parents (read through `commits`, a transaction's). */
  async isAncestor(commits: CommitsTable, ancestor: string, oid: string): Promise<boolean> {
    const queue = [oid];
    const visited = new Set<string>();
    while (queue.length > 0) {
      const next = queue.pop()!;
      if (next === ancestor) return true;
      if (visited.has(next) || visited.size > 100_000) continue;
      visited.add(next);
      const parents =
        this.prepared.get(next)?.info.parents ?? (await commits.getCommit(this.repo.pk, next))?.parents ?? [];
      queue.push(...parents);
    }
    return false;
  }

  private commitFields(oid: string): GitCommitFields {
    const object = this.pushed.get(oid);
    if (!object) throw new PushRejected(`missing necessary objects: the commit ${oid} was not sent`);
    if (object.type !== "commit") throw new PushRejected(`${oid} is a ${object.type}, not a commit`);
    try {
      return parseGitCommit(object.body);
    } catch (error) {
      throw new PushRejected(
        `commit ${oid} has headers Hangar does not keep (signed commits and other encodings are not supported): ${(error as Error).message}`,
      );
    }
  }

  private async tree(oid: string, path: string): Promise<GitObject> {
    const pushed = this.pushed.get(oid);
    if (pushed?.type === "tree") return { oid, type: "tree", body: pushed.body };
    const stored = await this.hub.catalog.commits.getGitObject(this.repo.pk, oid);
    if (stored?.type === "tree") return stored;
    throw new PushRejected(
      `missing necessary objects: the tree ${oid} of ${path || "the root"} was not sent`,
    );
  }

  private async parentState(
    oid: string,
  ): Promise<{ files: TreeFile[]; metadata: CommitMetadata } | undefined> {
    const prepared = this.prepared.get(oid);
    if (prepared) return prepared;
    const stored: StoredCommit | undefined = await this.hub.catalog.commits.getCommit(this.repo.pk, oid);
    if (!stored) return undefined;
    return { files: await this.hub.catalog.commits.listFiles(stored.pk), metadata: stored.metadata };
  }

  private async prepareOne(oid: string): Promise<PreparedCommit> {
    const fields = this.commitFields(oid);
    const parents: Array<{ files: TreeFile[]; metadata: CommitMetadata }> = [];
    for (const parent of fields.parents) {
      const state = await this.parentState(parent);
      if (!state) throw new PushRejected(`missing necessary objects: the parent ${parent} of ${oid}`);
      parents.push(state);
      for (const file of state.files) {
        if (!this.blobs.has(file.gitOid)) this.blobs.set(file.gitOid, blobInfo(file));
      }
    }
    const trees: GitObject[] = [];
    const entries: Array<{ path: string; oid: string }> = [];
    const walk = async (treeOid: string, prefix: string): Promise<void> => {
      const tree = await this.tree(treeOid, prefix);
      trees.push(tree);
      for (const entry of parseGitTree(tree.body)) {
        const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
        if (entry.mode === GIT_FOLDER_MODE) await walk(entry.oid, path);
        else if (entry.mode === GIT_FILE_MODE) entries.push({ path, oid: entry.oid });
        else throw new PushRejected(unsupportedMode(entry.mode, path, oid));
      }
    };
    await walk(fields.tree, "");

    const first = new Map((parents[0]?.files ?? []).map((file) => [file.path, file]));
    const changed = emptyChangedMetadata();
    const missingLfs: string[] = [];
    const files: TreeFile[] = [];
    for (const entry of entries) {
      try {
        validateRepoPath(entry.path);
      } catch (error) {
        throw new PushRejected(`commit ${oid}: ${(error as Error).message}`);
      }
      const blob = await this.blob(entry.oid, entry.path);
      if (blob === "missing-lfs") {
        missingLfs.push(entry.path);
        continue;
      }
      const before = first.get(entry.path);
      const same = before?.gitOid === entry.oid;
      files.push({
        path: entry.path,
        gitOid: entry.oid,
        ...blob,
        lastCommit: same ? before.lastCommit : oid,
      });
      this.referencedBlobs.set(blob.sha256, blob.size);
      if (!same) await collectChangedMetadata(this.hub.blobs, entry.path, blob, changed);
    }
    if (missingLfs.length > 0) {
      throw new PushRejected(
        `an LFS pointer points to an object this repo does not hold (run "git lfs push" or push with git-lfs installed): ${missingLfs.join(", ")}`,
      );
    }
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const rebuilt = buildGitTrees(files);
    if (rebuilt.root !== fields.tree) {
      throw new PushRejected(
        `the tree of commit ${oid} is not one Hangar can keep (empty folders, or entries out of git's order)`,
      );
    }
    const object = this.pushed.get(oid)!;
    const message = fields.message.endsWith("\n") ? fields.message.slice(0, -1) : fields.message;
    const title = message.split("\n", 1)[0]!.trim() || "Update files";
    const info: CommitInfo = {
      oid,
      parents: [...fields.parents],
      author: fields.author.name,
      date: new Date(fields.committer.seconds * 1000).toISOString(),
      title,
      message,
    };
    const metadata = extractMetadata({
      files: new Map(files.map((file) => [file.path, file])),
      changed: changed.documents,
      fileFacts: changed.files,
      parent: parents[0]?.metadata ?? {},
    });
    const unique = new Map(trees.map((tree) => [tree.oid, tree]));
    return {
      info,
      files,
      metadata,
      objects: [{ oid, type: "commit", body: object.body }, ...unique.values()],
    };
  }

  /** A blob's content as a file: known already, an LFS pointer the repo holds, or pushed bytes now stored. */
  private async blob(oid: string, path: string): Promise<BlobInfo | "missing-lfs"> {
    const known = this.blobs.get(oid);
    if (known) return known;
    const pushed = this.pushed.get(oid);
    if (!pushed) {
      const file = await this.repoObjects.blobFile(oid);
      if (!file) throw new PushRejected(`missing necessary objects: the blob ${oid} of ${path} was not sent`);
      this.blobs.set(oid, blobInfo(file));
      return blobInfo(file);
    }
    if (pushed.type !== "blob") throw new PushRejected(`${path} names ${oid}, a ${pushed.type}, as its blob`);
    const pointer = LFS_POINTER.exec(pushed.body.toString("latin1"));
    if (pointer && lfsPointer(pointer[1]!, Number(pointer[2])) === pushed.body.toString("latin1")) {
      const object = { oid: pointer[1]!, size: Number(pointer[2]) };
      if (!(await repoHoldsLfsObject(this.hub, { repoPk: this.repo.pk, object }))) return "missing-lfs";
      const info = { sha256: object.oid, size: object.size, lfs: true };
      this.blobs.set(oid, info);
      return info;
    }
    const limit = this.hub.config.limits.maxFileSize;
    if (pushed.body.byteLength > limit) {
      throw new PushRejected(`${path} is ${pushed.body.byteLength} bytes, over the limit of ${limit} bytes`);
    }
    const sha256 = createHash("sha256").update(pushed.body).digest("hex");
    if ((await this.hub.blobs.sizeOf(sha256)) !== pushed.body.byteLength) {
      await this.hub.blobs.put(pushed.body, { expectedSha256: sha256, expectedSize: pushed.body.byteLength });
    }
    const info = { sha256, size: pushed.body.byteLength, lfs: false };
    this.blobs.set(oid, info);
    return info;
  }
}

const blobInfo = (file: TreeFile): BlobInfo => ({ sha256: file.sha256, size: file.size, lfs: file.lfs });

function unsupportedMode(mode: string, path: string, commit: string): string {
  const what =
    mode === "120000"
      ? "a symbolic link"
      : mode === "160000"
        ? "a submodule"
        : mode === "100755"
          ? "an executable file (Hangar keeps every file as 100644)"
          : `an entry of mode ${mode}`;
  return `commit ${commit}: ${path} is ${what}, which Hangar does not keep`;
}

export const isRejection = (error: unknown): error is PushRejected | HangarError =>
  error instanceof PushRejected || HangarError.isInstance(error);
