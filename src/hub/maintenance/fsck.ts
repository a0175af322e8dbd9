import { createHash } from "node:crypto";
import type { CatalogCounts, ReferencedBlob, RegisteredBlob } from "../../core/catalog-types.ts";
import { lfsPointerOid } from "../../core/git-objects.ts";
import type { TempLeftover } from "../../store/blob-store-types.ts";
import type { HubContext, HubScope } from "../hub.ts";
import { checkGitObjects } from "./check-git-objects.ts";
import { type FsckProblem, type FsckProblemKind, repoName } from "./fsck-problem.ts";

export type { FsckProblem, FsckProblemKind } from "./fsck-problem.ts";

export interface FsckCounts extends CatalogCounts {
  /** Distinct blobs that tree entries reference, and their bytes. */
  referencedBlobs: number;
  referencedBytes: number;
  blobsOnDisk: number;
  /** Blobs on disk that no tree entry references: pending uploads or garbage for gc. */
  unreferencedBlobs: number;
  /** Blobs on disk the registry does not list (uploads whose commit has not come yet, for instance). */
  unregisteredBlobs: number;
  /** Registry rows of unreferenced blobs no longer on disk (an interrupted gc leaves these). */
  registryRowsWithoutBlob: number;
  hashedBlobs: number;
  hashedBytes: number;
  tempFiles: number;
  tempBytes: number;
}

export interface FsckReport {
  ok: boolean;
  problems: FsckProblem[];
  counts: FsckCounts;
  /** Harmless leftovers of interrupted writes in the blob store's temp area; `hangar gc` removes them. */
  tempLeftovers: TempLeftover[];
}

export interface FsckProgress {
  phase: "catalog" | "objects" | "blobs" | "registry" | "disk";
  done: number;
  total: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface FsckOptions {
  /** Re-hash every referenced blob; without it only regular (non-LFS) files are read. */
  verifyHashes?: boolean;
  onProgress?: (progress: FsckProgress) => void;
}

const REF_PREFIX = { branch: "refs/heads/", tag: "refs/tags/", pr: "refs/pr/" } as const;

interface BlobHashes {
  sha256: string;
  gitOid: string;
}

async function hashBlob(hub: HubScope, sha256: string, size: number): Promise<BlobHashes> {
  const content = createHash("sha256");
  const git = createHash("sha1").update(`blob ${size}\0`);
  for await (const chunk of await hub.blobs.openRead(sha256)) {
    content.update(chunk as Buffer);
    git.update(chunk as Buffer);
  }
  return { sha256: content.digest("hex"), gitOid: git.digest("hex") };
}

/**
 * Checks an instance end to end: refs point at commits, commits' parents exist, each commit made here has
 * its git commit and tree objects, intact and agreeing with its files and parents, every file of every commit
 * has its blob with the recorded size and git id (and, with `verifyHashes`, its sha256), and the blob
 * registry agrees with the disk. Reads only; safe to run next to a live server.
 */
export async function fsck(hub: HubContext, options: FsckOptions = {}): Promise<FsckReport> {
  const table = hub.catalog.maintenance;
  const problems: FsckProblem[] = [];
  const progress: FsckProgress = { phase: "catalog", done: 0, total: 1, bytesDone: 0, bytesTotal: 0 };
  options.onProgress?.(progress);

  // One read transaction, so the checks see one consistent state even while commits land.
  const snapshot = await hub.catalog.transaction(
    async (tx) => ({
      counts: await tx.maintenance.counts(),
      danglingRefs: await tx.maintenance.danglingRefs(),
      missingParents: await tx.maintenance.missingParents(),
      referenced: await tx.maintenance.referencedBlobs(),
      registered: await tx.maintenance.registeredBlobs(),
    }),
    { readOnly: true },
  );

  for (const ref of snapshot.danglingRefs) {
    problems.push({
      kind: "ref-missing-commit",
      repo: repoName(ref),
      ref: `${REF_PREFIX[ref.kind]}${ref.ref}`,
      commit: ref.commitOid,
      message: `${repoName(ref)}: ${REF_PREFIX[ref.kind]}${ref.ref} points at ${ref.commitOid}, which is not in the catalog`,
    });
  }
  for (const commit of snapshot.missingParents) {
    problems.push({
      kind: "commit-missing-parent",
      repo: repoName(commit),
      commit: commit.commitOid,
      message: `${repoName(commit)}: commit ${commit.commitOid} has parent ${commit.parentOid}, which is not in the catalog`,
    });
  }
  progress.done = 1;
  options.onProgress?.(progress);

  Object.assign(progress, {
    phase: "objects",
    done: 0,
    total: snapshot.counts.gitObjects + snapshot.counts.commits,
  });
  await checkGitObjects(hub, table, {
    report: (problem) => problems.push(problem),
    onChecked: (count) => {
      progress.done += count;
      options.onProgress?.(progress);
    },
  });

  const bySha = new Map<string, ReferencedBlob[]>();
  for (const blob of snapshot.referenced) {
    const group = bySha.get(blob.sha256);
    if (group) group.push(blob);
    else bySha.set(blob.sha256, [blob]);
  }
  const mustRead = (group: ReferencedBlob[]) =>
    Boolean(options.verifyHashes) || group.some((blob) => !blob.lfs);
  let referencedBytes = 0;
  let hashedBlobs = 0;
  let hashedBytes = 0;
  Object.assign(progress, { phase: "blobs", done: 0, total: bySha.size, bytesDone: 0, bytesTotal: 0 });
  for (const group of bySha.values()) {
    referencedBytes += group[0]!.size;
    if (mustRead(group)) progress.bytesTotal += group[0]!.size;
  }

  const report = async (blob: ReferencedBlob, kind: FsckProblemKind, what: string) => {
    const where = await table.exampleEntry(blob);
    const others = blob.entries > 1 ? ` (and ${blob.entries - 1} more tree entries)` : "";
    problems.push({
      kind,
      sha256: blob.sha256,
      ...(where ? { repo: repoName(where), commit: where.commitOid, path: where.path } : {}),
      message: where
        ? `${repoName(where)}@${where.commitOid.slice(0, 12)}: ${where.path}${others}: ${what}`
        : `blob ${blob.sha256}: ${what}`,
    });
  };

  for (const [sha256, group] of bySha) {
    const onDisk = await hub.blobs.stat(sha256).catch(() => undefined);
    let hashes: BlobHashes | undefined;
    let unreadable: string | undefined;
    if (onDisk && mustRead(group) && group.some((blob) => blob.size === onDisk.size)) {
      try {
        hashes = await hashBlob(hub, sha256, onDisk.size);
        hashedBlobs++;
        hashedBytes += onDisk.size;
      } catch (error) {
        unreadable = (error as Error).message;
      }
    }
    for (const blob of group) {
      if (!onDisk) {
        await report(
          blob,
          "blob-missing",
          `blob ${sha256} (${blob.size} bytes) is missing from the blob store`,
        );
        continue;
      }
      if (onDisk.size !== blob.size) {
        await report(
          blob,
          "blob-size-mismatch",
          `blob ${sha256} is ${onDisk.size} bytes on disk, but ${blob.size} bytes are recorded`,
        );
        continue;
      }
      if (unreadable !== undefined) {
        await report(blob, "blob-unreadable", `blob ${sha256} cannot be read: ${unreadable}`);
        continue;
      }
      if (hashes && hashes.sha256 !== sha256) {
        await report(blob, "blob-corrupt", `blob ${sha256} is corrupt: its bytes hash to ${hashes.sha256}`);
        continue;
      }
      const expectedGitOid = blob.lfs ? lfsPointerOid(sha256, blob.size) : hashes?.gitOid;
      if (expectedGitOid !== undefined && expectedGitOid !== blob.gitOid) {
        await report(
          blob,
          "git-oid-mismatch",
          `the recorded git id ${blob.gitOid} does not match the ${blob.lfs ? "LFS pointer" : "bytes"} (${expectedGitOid})`,
        );
      }
    }
    progress.done++;
    if (hashes || unreadable !== undefined) progress.bytesDone += group[0]!.size;
    options.onProgress?.(progress);
  }

  Object.assign(progress, {
    phase: "registry",
    done: 0,
    total: snapshot.registered.length,
    bytesDone: 0,
    bytesTotal: 0,
  });
  let registryRowsWithoutBlob = 0;
  const registeredSha256s = new Set<string>();
  for (const row of snapshot.registered) {
    registeredSha256s.add(row.sha256);
    const onDisk = await hub.blobs.stat(row.sha256).catch(() => undefined);
    if (!onDisk) {
      // A referenced blob that is missing is already reported above, with where it is used.
      if (!bySha.has(row.sha256)) registryRowsWithoutBlob++;
    } else if (onDisk.size !== row.size) {
      problems.push(registrySizeProblem(row, onDisk.size));
    }
    progress.done++;
    options.onProgress?.(progress);
  }

  Object.assign(progress, { phase: "disk", done: 0, total: 0 });
  let blobsOnDisk = 0;
  let unreferencedBlobs = 0;
  let unregisteredBlobs = 0;
  for await (const sha256 of hub.blobs.list()) {
    blobsOnDisk++;
    if (!bySha.has(sha256)) unreferencedBlobs++;
    if (!registeredSha256s.has(sha256)) unregisteredBlobs++;
    progress.done = blobsOnDisk;
    options.onProgress?.(progress);
  }
  const tempLeftovers = await hub.blobs.listLeftovers();

  return {
    ok: problems.length === 0,
    problems,
    counts: {
      ...snapshot.counts,
      referencedBlobs: bySha.size,
      referencedBytes,
      blobsOnDisk,
      unreferencedBlobs,
      unregisteredBlobs,
      registryRowsWithoutBlob,
      hashedBlobs,
      hashedBytes,
      tempFiles: tempLeftovers.length,
      tempBytes: tempLeftovers.reduce((total, leftover) => total + leftover.size, 0),
    },
    tempLeftovers,
  };
}

function registrySizeProblem(row: RegisteredBlob, sizeOnDisk: number): FsckProblem {
  return {
    kind: "registry-size-mismatch",
    sha256: row.sha256,
    message: `blob ${row.sha256} is ${sizeOnDisk} bytes on disk, but the blob registry records ${row.size} bytes`,
  };
}
