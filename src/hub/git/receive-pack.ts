import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import { DEFAULT_BRANCH, lfsPointer, type RefKind, type Repo } from "../../core/types.ts";
import { type PackObject, readPack } from "../../git/pack-reader.ts";
import {
  parseReceiveRequest,
  type RefCommand,
  type RefResult,
  reportStatus,
  ZERO_OID,
} from "../../git/receive-request.ts";
import type { Caller } from "../accounts/principal.ts";
import { recordAudit, repoTarget } from "../audit/record-audit.ts";
import { refreshRepoHead } from "../create-commit.ts";
import { recordPullRequestCommit } from "../discussions/record-pull-request.ts";
import { emitRefMoved } from "../events/emit-ref-moved.ts";
import type { HubContext, HubScope } from "../hub.ts";
import { acquireBlobLeases, type BlobLease } from "../maintenance/blob-leases.ts";
import { validateRefName } from "../write/validate-ref-name.ts";
import { type PreparedCommit, PushedCommits, PushRejected } from "./pushed-commits.ts";
import { RepoObjects } from "./repo-objects.ts";

/** Ref updates one push may ask for. */
const MAX_COMMANDS = 1000;
/** Objects one pack may hold. */
const MAX_PACK_OBJECTS = 500_000;

interface Update {
  command: RefCommand;
  target?: { kind: RefKind; name: string };
  /** New commits the update brings, parents first. */
  commits: PreparedCommit[];
  error?: string;
}

/**
 * Answers one `git-receive-pack` request of a caller with write access: reads the commands and the pack
 * (deltas and thin packs resolved, every object hashed), turns the pushed commits into Hangar commits with
 * the same ids, and moves each ref by compare-and-swap, fast-forward only. Returns the `report-status`
 * answer (empty when the request asked for nothing, as git's probe before a large push does).
 */
export async function serveReceivePack(
  hub: HubContext,
  repo: Repo,
  body: Buffer,
  caller: Caller = null,
): Promise<Buffer> {
  const request = parseReceiveRequest(body, MAX_COMMANDS);
  if (request.commands.length === 0) return Buffer.alloc(0);
  const sideband = request.capabilities.has("side-band-64k");
  const atomic = request.capabilities.has("atomic");
  let objects: PackObject[] = [];
  try {
    if (request.pack.byteLength > 0)
      objects = await readPack(request.pack, packLimits(hub), baseLookup(hub, repo));
  } catch (error) {
    if (!HangarError.isInstance(error)) throw error;
    const results = request.commands.map((command) => ({ ref: command.ref, error: "unpacker error" }));
    return reportStatus(error.message, results, sideband);
  }

  const pushed = new PushedCommits(hub, repo, objects);
  const updates: Update[] = [];
  for (const command of request.commands) updates.push(await prepareUpdate(hub, pushed, command));
  const lease = await acquireBlobLeases(hub, pushed.referencedBlobs.keys());
  try {
    const ready = updates.filter((update) => !update.error);
    if (atomic && ready.length < updates.length) {
      for (const update of ready) update.error = "atomic transaction failed";
    } else if (atomic) {
      await hub.catalog
        .transaction((tx) => applyAll({ ...hub, catalog: tx }, caller, repo, pushed, ready, lease))
        .catch((error) => {
          const reason = rejection(error);
          for (const update of ready) update.error ??= "atomic transaction failed";
          if (!ready.some((update) => update.error === reason)) ready[0]!.error = reason;
        });
    } else {
      for (const update of ready) {
        await hub.catalog
          .transaction((tx) => applyAll({ ...hub, catalog: tx }, caller, repo, pushed, [update], lease))
          .catch((error) => {
            update.error = rejection(error);
          });
      }
    }
  } finally {
    lease.release();
  }
  const results: RefResult[] = updates.map((update) => ({ ref: update.command.ref, error: update.error }));
  return reportStatus(undefined, results, sideband);
}

function packLimits(hub: HubContext) {
  const { maxRequestBodySize, maxFileSize } = hub.config.limits;
  return {
    maxObjects: MAX_PACK_OBJECTS,
    maxObjectSize: Math.min(maxFileSize, maxRequestBodySize),
    maxTotalSize: 2 * maxRequestBodySize,
  };
}

/** A thin pack's bases: trees and commits from the catalog, blobs from the files of the repo's history. */
function baseLookup(hub: HubScope, repo: Repo) {
  const objects = new RepoObjects(hub, repo);
  return async (oid: string): Promise<PackObject | undefined> => {
    const stored = await hub.catalog.commits.getGitObject(repo.pk, oid);
    if (stored) return stored;
    const file = await objects.blobFile(oid);
    if (!file) return undefined;
    const body = file.lfs
      ? Buffer.from(lfsPointer(file.sha256, file.size))
      : await hub.blobs.read(file.sha256);
    return { oid, type: "blob", body };
  };
}

/** The reason an update failed, as one line for `ng`. */
function rejection(error: unknown): string {
  if (error instanceof PushRejected || HangarError.isInstance(error)) return error.message;
  console.error(error);
  return "internal server error";
}

function parseTarget(ref: string): { kind: RefKind; name: string } {
  const match = /^refs\/(heads|tags|pr)\/(.+)$/.exec(ref);
  if (!match) {
    throw new PushRejected(
      "Hangar keeps only branches (refs/heads/*), tags (refs/tags/*) and pull requests (refs/pr/N)",
    );
  }
  const name = match[2]!;
  if (match[1] === "pr") {
    if (!/^[1-9][0-9]*$/.test(name)) throw new PushRejected("a pull request ref is refs/pr/<number>");
    return { kind: "pr", name };
  }
  const kind = match[1] === "heads" ? "branch" : "tag";
  try {
    validateRefName(name, kind);
  } catch (error) {
    throw new PushRejected((error as Error).message);
  }
  return { kind, name };
}

async function prepareUpdate(hub: HubContext, pushed: PushedCommits, command: RefCommand): Promise<Update> {
  const update: Update = { command, commits: [] };
  try {
    update.target = parseTarget(command.ref);
    if (command.newOid !== ZERO_OID) {
      const kind = await pushed.kindOf(command.newOid);
      if (kind === "tag") {
        throw new PushRejected("annotated tags are not kept: push a lightweight tag (git tag <name>, no -a)");
      }
      if (kind === "missing") throw new PushRejected(`missing necessary objects: ${command.newOid}`);
      update.commits = await pushed.prepare(command.newOid);
      // A block policy (HANGAR_SCAN_BLOCK) judges the files the push adds before any ref moves.
      await hub.scans?.beforeCommit(
        hub,
        update.commits.flatMap((commit) =>
          commit.files.filter((file) => file.lastCommit === commit.info.oid),
        ),
      );
    }
  } catch (error) {
    update.error = rejection(error);
  }
  return update;
}

/** Records the updates' commits and moves their refs, in the caller's transaction. */
async function applyAll(
  hub: HubScope,
  caller: Caller,
  repo: Repo,
  pushed: PushedCommits,
  updates: Update[],
  lease: BlobLease,
): Promise<void> {
  await hub.catalog.maintenance.holdOffGc();
  await lease.assertStored();
  for (const update of updates) {
    try {
      await applyUpdate(hub, repo, pushed, update);
      await recordAudit(hub.catalog, {
        caller,
        action: update.command.newOid === ZERO_OID ? "ref.delete" : "repo.push",
        target: repoTarget(repo),
        details: {
          ref: update.command.ref,
          from: update.command.oldOid === ZERO_OID ? null : update.command.oldOid,
          to: update.command.newOid === ZERO_OID ? null : update.command.newOid,
        },
      });
    } catch (error) {
      update.error = rejection(error);
      throw error;
    }
  }
}

async function applyUpdate(hub: HubScope, repo: Repo, pushed: PushedCommits, update: Update): Promise<void> {
  const { command } = update;
  const { kind, name } = update.target!;
  const commits = hub.catalog.commits;
  const current = await commits.getRef(repo.pk, kind, name, { forUpdate: true });
  const creating = command.oldOid === ZERO_OID;
  if (creating && current) throw new PushRejected("already exists");
  if (!creating && current?.commitOid !== command.oldOid) throw new PushRejected("fetch first");
  const at = nowIso();

  if (command.newOid === ZERO_OID) {
    if (kind === "branch" && name === DEFAULT_BRANCH) {
      throw new PushRejected(`deletion of the default branch refs/heads/${DEFAULT_BRANCH} prohibited`);
    }
    if (kind === "pr") throw new PushRejected("pull request refs are not deleted by a push");
    if (!current || !(await commits.deleteRef(repo.pk, kind, name))) throw new PushRejected("fetch first");
    await emitRefMoved(hub, repo, { kind, name, oldSha: current.commitOid, newSha: null });
    return;
  }
  if (kind === "pr" && creating) {
    throw new PushRejected(
      "pull requests are opened through the Hub API (create_commit with create_pr); a push may only update an existing refs/pr/N",
    );
  }
  if (kind === "tag" && !creating) throw new PushRejected("already exists (delete the tag to move it)");
  if (!creating && !(await pushed.isAncestor(commits, command.oldOid, command.newOid))) {
    throw new PushRejected("non-fast-forward");
  }

  for (const commit of update.commits) {
    if (await commits.getCommit(repo.pk, commit.info.oid)) continue;
    const pk = await commits.insertCommit(repo.pk, { ...commit.info, metadata: commit.metadata });
    await commits.insertTree(pk, commit.files);
    await commits.insertGitObjects(repo.pk, commit.objects);
    await commits.registerBlobs(
      commit.files.filter((file) => file.lastCommit === commit.info.oid),
      at,
    );
    hub.telemetry?.commitCreated({
      repoType: repo.type,
      operations: commit.files.length,
      pullRequest: false,
    });
  }
  const moved = creating
    ? await commits.insertRef(repo.pk, kind, name, command.newOid, at)
    : await commits.moveRef(repo.pk, kind, name, command.oldOid, command.newOid, at);
  if (!moved) throw new PushRejected(creating ? "already exists" : "fetch first");
  if (kind === "pr") {
    // The pushed commits join the pull request's timeline, as commits made through the Hub API do.
    for (const commit of update.commits) {
      await recordPullRequestCommit(hub, {
        repo,
        num: Number(name),
        commit: commit.info,
        author: commit.info.author,
      });
    }
  }

  if (kind === "branch" && name === DEFAULT_BRANCH) {
    const tip = await commits.getCommit(repo.pk, command.newOid);
    if (tip) await refreshRepoHead(hub, repo, tip, tip.metadata, await commits.listFiles(tip.pk));
  }
  await emitRefMoved(hub, repo, {
    kind,
    name,
    oldSha: creating ? null : command.oldOid,
    newSha: command.newOid,
  });
}
