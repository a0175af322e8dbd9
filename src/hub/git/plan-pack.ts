import type { StoredCommit } from "../../core/catalog-types.ts";
import { type GitObject, parseGitTree } from "../../core/git-objects.ts";
import { lfsPointer } from "../../core/types.ts";
import type { FetchRequest } from "../../git/fetch-request.ts";
import { commitTree, gitServeError, type RepoObjects } from "./repo-objects.ts";

/** An object to send: commits and trees with their bytes, blobs as what to read. */
export type PlannedObject =
  | { type: "commit" | "tree"; oid: string; body: Buffer }
  | { type: "blob"; oid: string; size: number; inline: Buffer }
  | { type: "blob"; oid: string; size: number; sha256: string; path: string };

export interface PackPlan {
  objects: PlannedObject[];
  /** Commits the client's history now ends at (`--depth`), and those it no longer ends at. */
  shallow: string[];
  unshallow: string[];
}

/** Commits walked to learn what the client already has. */
const MAX_HAVE_WALK = 100_000;
/** Commits the client has whose trees are read to leave out the trees and blobs it holds. */
const MAX_EXCLUDED_COMMITS = 256;

const GITLINK_MODE = "160000";
const TREE_MODE = "40000";

/** The commits of the client's haves that this repo knows. */
export async function commonCommits(objects: RepoObjects, haves: readonly string[]): Promise<string[]> {
  const common: string[] = [];
  for (const have of new Set(haves)) if (await objects.commit(have)) common.push(have);
  return common;
}

/**
 * What a fetch sends: the commits reachable from the wants that the client lacks (down to the depth asked),
 * their trees, and the blobs the filter lets through, leaving out what the client's common commits hold.
 */
export async function planPack(objects: RepoObjects, request: FetchRequest): Promise<PackPlan> {
  const common = await commonCommits(objects, request.haves);
  const clientShallow = new Set(request.shallows);
  const has = await clientHistory(objects, common, clientShallow);
  const deepening = request.depth !== undefined || request.deepenSince !== undefined;

  const commitWants: string[] = [];
  const otherWants: string[] = [];
  for (const want of new Set(request.wants)) {
    if (await objects.commit(want)) commitWants.push(want);
    else otherWants.push(want);
  }

  const plan: PackPlan = { objects: [], shallow: [], unshallow: [] };
  const sent: Array<{ commit: StoredCommit; object: GitObject }> = [];
  /** Commits the client has next to those sent: what they hold is left out of the pack. */
  const boundary = new Set(common.slice(0, MAX_EXCLUDED_COMMITS));
  const queue: Array<{ oid: string; depth: number }> = commitWants.map((oid) => ({ oid, depth: 0 }));
  const visited = new Set<string>();
  for (let next = 0; next < queue.length; next++) {
    const { oid, depth } = queue[next]!;
    if (visited.has(oid)) continue;
    visited.add(oid);
    const commit = await objects.commit(oid);
    if (!commit) {
      throw gitServeError(
        `the history of ${objects.repo.id} is incomplete here: the parent commit ${oid} is not stored (fetch with --depth)`,
      );
    }
    const clientHas = has.has(oid);
    if (clientHas) {
      if (boundary.size < MAX_EXCLUDED_COMMITS) boundary.add(oid);
      // The client has this commit and its history, unless its history stops here and it asks for more.
      if (!(deepening && clientShallow.has(oid))) continue;
    } else {
      // Read now, so a commit without objects (a mirrored one) is named before its missing parents are.
      sent.push({ commit, object: await objects.commitObject(commit) });
    }
    if (commit.parents.length === 0) continue;
    let stopHere = request.depth !== undefined && depth + 1 >= request.depth;
    if (!stopHere && request.deepenSince !== undefined) {
      for (const parent of commit.parents) {
        const stored = await objects.commit(parent);
        if (stored && Date.parse(stored.date) / 1000 < request.deepenSince) stopHere = true;
      }
    }
    if (!stopHere && !deepening && clientShallow.has(oid)) stopHere = true;
    if (stopHere) {
      if (!clientShallow.has(oid)) plan.shallow.push(oid);
      continue;
    }
    if (clientShallow.has(oid)) plan.unshallow.push(oid);
    for (const parent of commit.parents) queue.push({ oid: parent, depth: depth + 1 });
  }

  const seen = new Set<string>();
  for (const oid of boundary) {
    const commit = await objects.commit(oid);
    if (commit) await markHeld(objects, commit, seen);
  }
  const filter = request.filter;
  const wantBlob = (size: number): boolean =>
    !filter || (filter.kind === "blob:limit" && size < filter.bytes);

  const addTree = async (treeOid: string, where: string, commit: StoredCommit | undefined): Promise<void> => {
    if (seen.has(treeOid)) return;
    seen.add(treeOid);
    const tree = await objects.tree(treeOid, where);
    plan.objects.push({ type: "tree", oid: treeOid, body: tree.body });
    for (const entry of parseGitTree(tree.body)) {
      const path = where === "" ? entry.name : `${where}/${entry.name}`;
      if (entry.mode === TREE_MODE) await addTree(entry.oid, path, commit);
      else if (entry.mode !== GITLINK_MODE && !seen.has(entry.oid)) {
        if (filter?.kind === "blob:none") continue;
        await addBlob(entry.oid, commit, path, false);
      }
    }
  };
  const addBlob = async (
    oid: string,
    commit: StoredCommit | undefined,
    path: string,
    wanted: boolean,
  ): Promise<boolean> => {
    const file = await objects.blobFile(oid, commit);
    if (!file) {
      if (!wanted) {
        throw gitServeError(`the blob ${oid} of ${path} in ${objects.repo.id} has no recorded file`);
      }
      return false;
    }
    if (file.lfs) {
      const pointer = Buffer.from(lfsPointer(file.sha256, file.size));
      if (!wanted && !wantBlob(pointer.byteLength)) return true;
      plan.objects.push({ type: "blob", oid, size: pointer.byteLength, inline: pointer });
    } else {
      if (!wanted && !wantBlob(file.size)) return true;
      plan.objects.push({ type: "blob", oid, size: file.size, sha256: file.sha256, path: file.path });
    }
    seen.add(oid);
    return true;
  };

  for (const { commit, object } of sent) {
    plan.objects.push({ type: "commit", oid: commit.oid, body: object.body });
    await addTree(commitTree(object), "", commit);
  }
  for (const want of otherWants) {
    if (seen.has(want)) continue;
    const object = await objects.object(want);
    if (object?.type === "tree") await addTree(want, want, undefined);
    else if (!(await addBlob(want, undefined, want, true))) {
      throw gitServeError(`upload-pack: not our ref ${want}`);
    }
  }
  return plan;
}

/** The commits the client has: its common commits and their ancestors, down to where its history stops. */
async function clientHistory(
  objects: RepoObjects,
  common: readonly string[],
  clientShallow: ReadonlySet<string>,
): Promise<Set<string>> {
  const has = new Set<string>();
  const queue = [...common];
  while (queue.length > 0 && has.size < MAX_HAVE_WALK) {
    const oid = queue.pop()!;
    if (has.has(oid)) continue;
    const commit = await objects.commit(oid);
    if (!commit) continue;
    has.add(oid);
    if (!clientShallow.has(oid)) queue.push(...commit.parents);
  }
  return has;
}

/** Marks the trees and blobs of a commit the client has, so they are not sent again. */
async function markHeld(objects: RepoObjects, commit: StoredCommit, seen: Set<string>): Promise<void> {
  const object = await objects.object(commit.oid);
  // A mirrored commit has no objects here: nothing to leave out, the pack just carries more.
  if (object?.type !== "commit") return;
  const walk = async (treeOid: string): Promise<void> => {
    if (seen.has(treeOid)) return;
    const tree = await objects.object(treeOid);
    if (tree?.type !== "tree") return;
    seen.add(treeOid);
    for (const entry of parseGitTree(tree.body)) {
      if (entry.mode === TREE_MODE) await walk(entry.oid);
      else seen.add(entry.oid);
    }
  };
  await walk(commitTree(object));
}
