import { tagsForFacts } from "../core/catalog-types.ts";
import { HangarError } from "../core/errors.ts";
import { buildHangarCommit, commitDate } from "../core/git-objects.ts";
import { nowIso } from "../core/time.ts";
import type { CommitInfo, CommitMetadata, RefKind, Repo, TreeFile } from "../core/types.ts";
import { DEFAULT_BRANCH } from "../core/types.ts";
import { validateRepoPath } from "../core/validate.ts";
import type { Caller } from "./accounts/principal.ts";
import { recordAudit, repoTarget } from "./audit/record-audit.ts";
import { recordPullRequestCommit, recordPullRequestOpened } from "./discussions/record-pull-request.ts";
import { emitRefMoved } from "./events/emit-ref-moved.ts";
import type { HubContext, HubScope } from "./hub.ts";
import { acquireBlobLeases, type BlobLease } from "./maintenance/blob-leases.ts";
import { catalogFactsFromMetadata } from "./metadata/catalog-facts.ts";
import { deriveRepoFields, extractMetadata } from "./metadata/extract-metadata.ts";
import {
  type ChangedMetadata,
  collectChangedMetadata,
  emptyChangedMetadata,
} from "./metadata/read-file-facts.ts";
import { parseRefName, revisionNotFound } from "./resolve-revision.ts";
import { applyOperation, assertNoFolderCollision } from "./write/apply-operations.ts";
import { lfsObjectsMissing, repoHoldsLfsObject } from "./write/held-lfs-objects.ts";

/** A file already in the blob store, ready to be placed in a tree. */
export interface StoredFile {
  sha256: string;
  size: number;
  gitOid: string;
  lfs: boolean;
}

export type CommitOperation =
  | {
      kind: "put";
      path: string;
      file: StoredFile;
      /**
       * The client named the content (an LFS pointer: sha256 and size) without sending it: the repo must
       * already hold it (see repoHoldsLfsObject), whatever else the blob store holds.
       */
      pointerOnly?: boolean;
    }
  | { kind: "delete"; path: string }
  | { kind: "deleteFolder"; path: string };

export interface CreateCommitParams {
  repo: Repo;
  /** The branch to commit to (`main`, `refs/heads/x`) or an open pull request (`refs/pr/N`). */
  revision: string;
  operations: CommitOperation[];
  title: string;
  description?: string;
  author: string;
  /** When set, the commit is refused (412) unless this is still the head of the revision. */
  parentCommit?: string;
  /** Commit onto a new `refs/pr/N` based on the revision instead of moving the revision. */
  createPr?: boolean;
  /** Whether a commit that changes nothing is recorded. */
  allowEmpty?: boolean;
  /** Who commits, for the audit log (the author is only a name); absent for the instance's own commits. */
  caller?: Caller;
  /**
   * Runs in the commit's transaction once the ref has moved (a merged pull request is marked merged in it),
   * so the commit and what it stands for land together or not at all.
   */
  inTransaction?: (hub: HubScope, result: CreateCommitResult) => Promise<void>;
}

export interface CreateCommitResult {
  commit: CommitInfo;
  /** The ref that now points at the commit. */
  ref: { kind: RefKind; name: string };
  pullRequestNumber?: number;
  /** False when nothing changed and no commit was made (the result then describes the current head). */
  created: boolean;
}

function targetRef(revision: string): { kind: RefKind; name: string } {
  const named = parseRefName(revision);
  if (named?.kind === "tag") {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `Cannot commit to the tag "${named.name}": commit to a branch`,
    );
  }
  return named ?? { kind: "branch", name: revision === "HEAD" ? DEFAULT_BRANCH : revision };
}

/**
 * Records one commit. Every blob it places must already be in the blob store; one catalog transaction then
 * checks the parent, builds the new tree and moves the ref, so a crash leaves either the old state or the
 * new one, and concurrent commits to one branch line up one after another.
 */
export async function createCommit(hub: HubContext, params: CreateCommitParams): Promise<CreateCommitResult> {
  // Held from before the blobs are checked until the transaction that references them has committed, so gc
  // cannot remove a blob in between.
  const lease = await acquireBlobLeases(
    hub,
    params.operations.flatMap((operation) => (operation.kind === "put" ? [operation.file.sha256] : [])),
  );
  try {
    const result = await recordCommit(hub, params, lease);
    if (result.created) {
      hub.telemetry?.commitCreated({
        repoType: params.repo.type,
        operations: params.operations.length,
        pullRequest: result.ref.kind === "pr",
      });
    }
    return result;
  } finally {
    lease.release();
  }
}

async function recordCommit(
  hub: HubContext,
  params: CreateCommitParams,
  lease: BlobLease,
): Promise<CreateCommitResult> {
  const { repo } = params;
  const limits = hub.config.limits;
  if (params.operations.length > limits.maxFilesPerCommit) {
    throw new HangarError(
      "HANGAR_ERR_PAYLOAD_TOO_LARGE",
      `A commit may hold at most ${limits.maxFilesPerCommit} operations; this one has ${params.operations.length}`,
    );
  }
  const ref = targetRef(params.revision);
  assertNoNul("title", params.title);
  assertNoNul("description", params.description ?? "");
  const changedMetadata = emptyChangedMetadata();
  const missingPointers: string[] = [];
  for (const operation of params.operations) {
    validateRepoPath(operation.path);
    if (operation.kind !== "put") continue;
    if (operation.file.size > limits.maxFileSize) {
      throw new HangarError(
        "HANGAR_ERR_PAYLOAD_TOO_LARGE",
        `${operation.path} is ${operation.file.size} bytes, over the limit of ${limits.maxFileSize} bytes`,
      );
    }
    const object = { oid: operation.file.sha256, size: operation.file.size };
    if (operation.pointerOnly && !(await repoHoldsLfsObject(hub, { repoPk: repo.pk, object }))) {
      missingPointers.push(operation.path);
      continue;
    }
    const storedSize = await hub.blobs.sizeOf(operation.file.sha256);
    if (storedSize !== operation.file.size) {
      throw new HangarError(
        "HANGAR_ERR_BAD_REQUEST",
        `The content of ${operation.path} (sha256 ${operation.file.sha256}, ${operation.file.size} bytes) has not been uploaded`,
      );
    }
    // Card, config and model-file headers are read here, outside the transaction that uses them.
    await collectChangedMetadata(hub.blobs, operation.path, operation.file, changedMetadata);
  }
  if (missingPointers.length > 0) throw lfsObjectsMissing(missingPointers);
  // A block policy scans the files now, before the ref moves (src/hub/scan/commit-gate.ts).
  await hub.scans?.beforeCommit(
    hub,
    params.operations.flatMap((operation) =>
      operation.kind === "put" ? [{ path: operation.path, ...operation.file }] : [],
    ),
  );

  // On PostgreSQL two nodes may build on one head at once: the ref moves by compare-and-swap, and the loser
  // builds again on the new head (or answers 412 when the client named the parent it expects).
  for (let attempt = 1; ; attempt++) {
    try {
      return await hub.catalog.transaction((tx) =>
        writeCommit({ ...hub, catalog: tx }, repo, params, ref, changedMetadata, lease),
      );
    } catch (error) {
      if (!(error instanceof RefMoved) || attempt >= 8) throw error;
      await new Promise((resume) => setTimeout(resume, Math.random() * 10 * attempt));
    }
  }
}

/** The ref moved between reading it and moving it (another node committed first). */
class RefMoved extends Error {}

async function writeCommit(
  hub: HubScope,
  repo: Repo,
  params: CreateCommitParams,
  ref: { kind: RefKind; name: string },
  changedMetadata: ChangedMetadata,
  lease: { assertStored(): Promise<void> },
): Promise<CreateCommitResult> {
  await hub.catalog.maintenance.holdOffGc();
  await lease.assertStored();
  const commits = hub.catalog.commits;
  const current = await commits.getRef(repo.pk, ref.kind, ref.name, { forUpdate: true });
  if (!current) throw revisionNotFound(repo, params.revision);
  // A parent named by an id the commit had before ids became git's is the same parent.
  const parentCommit =
    params.parentCommit === undefined
      ? undefined
      : ((await commits.resolveCommitAlias(repo.pk, params.parentCommit)) ?? params.parentCommit);
  if (parentCommit !== undefined && parentCommit !== current.commitOid) {
    throw new HangarError(
      "HANGAR_ERR_PRECONDITION_FAILED",
      `A commit has happened since ${params.parentCommit}: the head of ${ref.name} is now ${current.commitOid}. Please refresh and try again.`,
    );
  }
  const head = await commits.getCommit(repo.pk, current.commitOid);
  if (!head) throw revisionNotFound(repo, params.revision);

  const before = new Map<string, TreeFile>(
    (await commits.listFiles(head.pk)).map((file) => [file.path, file]),
  );
  const files = new Map(before);
  const changedPaths = new Set<string>();
  for (const operation of params.operations) applyOperation(files, changedPaths, operation);
  assertNoFolderCollision(files, changedPaths);

  const changed = [...changedPaths].some((path) => before.get(path)?.gitOid !== files.get(path)?.gitOid);
  if (!changed && params.allowEmpty === false) {
    return { commit: head, ref: { kind: current.kind, name: current.name }, created: false };
  }

  const ordered = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const title = params.title.trim() || "Update files";
  const message = params.description ? `${title}\n\n${params.description}` : title;
  const date = commitDate();
  const built = buildHangarCommit({
    files: ordered,
    parents: [head.oid],
    author: params.author,
    date,
    message,
  });
  const oid = built.oid;
  // The same tree, parent, author, second and message make the same git commit (a second pull request of
  // one change within a second, say): the ref then moves to the commit already recorded.
  const recorded = await commits.getCommit(repo.pk, oid);
  for (const path of changedPaths) {
    const file = files.get(path);
    if (file && before.get(path)?.gitOid !== file.gitOid) file.lastCommit = oid;
  }

  const metadata: CommitMetadata =
    recorded?.metadata ??
    extractMetadata({
      files,
      changed: changedMetadata.documents,
      fileFacts: changedMetadata.files,
      parent: head.metadata,
    });
  const commit: CommitInfo = { oid, parents: [head.oid], author: params.author, date, title, message };
  if (!recorded) {
    const commitPk = await commits.insertCommit(repo.pk, { ...commit, metadata });
    await commits.insertTree(commitPk, ordered);
    await commits.insertGitObjects(repo.pk, [...built.trees.objects, built.commit]);
  }
  const at = nowIso();
  await commits.registerBlobs(
    ordered
      .filter((file) => changedPaths.has(file.path))
      .map((file) => ({ sha256: file.sha256, size: file.size })),
    at,
  );

  let result: CreateCommitResult;
  if (params.createPr) {
    // Pull requests share their numbers with discussions (src/hub/discussions), and get a row of their own.
    const number = await hub.catalog.discussions.nextNumber(repo.pk);
    if (!(await commits.insertRef(repo.pk, "pr", String(number), oid, at))) throw new RefMoved();
    const opened = await recordPullRequestOpened(hub, {
      repo,
      num: number,
      title,
      ...(params.description ? { description: params.description } : {}),
      author: params.author,
      targetBranch: current.kind === "branch" ? current.name : DEFAULT_BRANCH,
      status: "open",
      createdAt: at,
    });
    if (!opened) throw new RefMoved();
    await recordPullRequestCommit(hub, { repo, num: number, commit, author: params.author });
    result = {
      commit,
      ref: { kind: "pr", name: String(number) },
      pullRequestNumber: number,
      created: true,
    };
  } else {
    if (!(await commits.moveRef(repo.pk, current.kind, current.name, current.commitOid, oid, at))) {
      if (params.parentCommit !== undefined) {
        throw new HangarError(
          "HANGAR_ERR_PRECONDITION_FAILED",
          `A commit has happened since ${params.parentCommit}: the head of ${ref.name} moved. Please refresh and try again.`,
        );
      }
      throw new RefMoved();
    }
    result = { commit, ref: { kind: current.kind, name: current.name }, created: true };
    if (current.kind === "pr") {
      await recordPullRequestCommit(hub, { repo, num: Number(current.name), commit, author: params.author });
    }
  }
  if (result.ref.kind === "branch" && result.ref.name === DEFAULT_BRANCH) {
    await refreshRepoHead(hub, repo, commit, metadata, ordered);
  }
  await recordAudit(hub.catalog, {
    caller: params.caller ?? null,
    action: "repo.commit",
    target: repoTarget(repo),
    details: {
      commit: oid,
      ref: `refs/${result.ref.kind === "branch" ? "heads" : result.ref.kind}/${result.ref.name}`,
      from: params.createPr ? null : current.commitOid,
      author: params.author,
      operations: params.operations.length,
    },
  });
  await params.inTransaction?.(hub, result);
  await emitRefMoved(hub, repo, {
    ...result.ref,
    oldSha: params.createPr ? null : current.commitOid,
    newSha: oid,
  });
  return result;
}

/** git refuses a commit message with a NUL byte, so a commit here refuses one too. */
function assertNoNul(field: "title" | "description", text: string): void {
  if (text.includes("\0")) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", `The commit ${field} may not contain a NUL character`);
  }
}

/** Updates a repo's listing fields from the new head of its default branch. */
export async function refreshRepoHead(
  hub: HubScope,
  repo: Repo,
  commit: CommitInfo,
  metadata: CommitMetadata,
  files: readonly TreeFile[],
): Promise<void> {
  const facts = catalogFactsFromMetadata(metadata, await hub.catalog.facts.get(repo.pk));
  const derived = deriveRepoFields(
    metadata,
    files.map((file) => file.path),
  );
  await hub.catalog.repos.updateHead(repo.pk, {
    sha: commit.oid,
    lastModified: commit.date,
    // What the files leave unsaid, the catalog's facts (kept from a snapshot entry) may still tell.
    pipelineTag: derived.pipelineTag ?? facts.pipelineTag,
    libraryName: derived.libraryName ?? facts.library,
    tags: [...new Set([...derived.tags, ...tagsForFacts(facts)])],
    usedStorage: files.reduce((total, file) => total + file.size, 0),
  });
  await hub.catalog.facts.set(repo.pk, facts);
}
