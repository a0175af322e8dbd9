import { badRequest, HangarError } from "../../core/errors.ts";
import { lfsPointerOid } from "../../core/git-objects.ts";
import type { RepoRef } from "../../core/types.ts";
import type { Caller } from "../accounts/principal.ts";
import { type CommitOperation, type CreateCommitResult, createCommit } from "../create-commit.ts";
import { getRepoForCommit } from "../discussions/pull-request-access.ts";
import type { HubContext } from "../hub.ts";
import { lfsCopySize } from "./lfs-copy-source.ts";
import { parseCommitNdjson } from "./parse-commit-ndjson.ts";

export interface CommitNdjsonParams {
  repo: RepoRef;
  /** Branch or `refs/pr/N`, already percent-decoded. */
  revision: string;
  createPr: boolean;
  /** The request body in the Hub's NDJSON commit format. */
  body: AsyncIterable<Uint8Array>;
  /** The Content-Length of the body, when the client sent one: too large a body is refused before reading. */
  declaredSize?: number;
}

/**
 * The longest NDJSON line a commit may send: a file sent inline is below the LFS threshold (preupload sends
 * larger ones through LFS), base64-encoded, plus room for its path and the line's JSON.
 */
export function maxCommitLineBytes(lfsThreshold: number): number {
  return Math.ceil(lfsThreshold / 3) * 4 + 1024 ** 2;
}

/**
 * Makes a commit from the Hub's NDJSON format. Inline file contents are stored in the blob store as their
 * lines arrive; LFS files must already be held by the repo (uploaded to it through the LFS batch API, or in
 * one of its commits, which is how a copy names them). The commit itself is one catalog transaction, so a
 * malformed or refused request leaves the repo unchanged.
 */
export async function commitNdjson(
  hub: HubContext,
  caller: Caller,
  params: CommitNdjsonParams,
): Promise<CreateCommitResult> {
  const repo = await getRepoForCommit(hub, caller, params.repo, {
    revision: params.revision,
    createPr: params.createPr,
  });
  const limits = hub.config.limits;
  if (params.declaredSize !== undefined && params.declaredSize > limits.maxRequestBodySize) {
    throw new HangarError(
      "HANGAR_ERR_PAYLOAD_TOO_LARGE",
      `The commit body is ${params.declaredSize} bytes, over the limit of ${limits.maxRequestBodySize} bytes: upload large files through LFS`,
    );
  }
  const operations: CommitOperation[] = [];
  let header: { summary: string; description?: string; parentCommit?: string } | undefined;
  for await (const { line, entry } of parseCommitNdjson(params.body, {
    maxBytes: limits.maxRequestBodySize,
    maxLineBytes: maxCommitLineBytes(limits.lfsThreshold),
  })) {
    if (entry.key === "header") {
      header = entry;
      continue;
    }
    if (operations.length >= limits.maxFilesPerCommit) {
      throw new HangarError(
        "HANGAR_ERR_PAYLOAD_TOO_LARGE",
        `A commit may hold at most ${limits.maxFilesPerCommit} operations (line ${line} is one more)`,
      );
    }
    switch (entry.key) {
      case "file": {
        // Refused before its bytes reach the blob store, where they would wait for gc.
        if (entry.content.byteLength > limits.maxFileSize) {
          throw new HangarError(
            "HANGAR_ERR_PAYLOAD_TOO_LARGE",
            `${entry.path} is ${entry.content.byteLength} bytes, over the limit of ${limits.maxFileSize} bytes`,
          );
        }
        const stored = await hub.blobs.put(entry.content, {
          expectedSize: entry.content.byteLength,
          gitOid: true,
        });
        operations.push({
          kind: "put",
          path: entry.path,
          file: { sha256: stored.sha256, size: stored.size, gitOid: stored.gitOid!, lfs: false },
        });
        break;
      }
      case "lfsFile": {
        if (entry.size === undefined) {
          // A copy: the object's size comes from where the caller may read it (this repo or the source).
          const size = await lfsCopySize(hub, caller, { repo, oid: entry.oid, path: entry.path });
          operations.push({
            kind: "put",
            path: entry.path,
            file: { sha256: entry.oid, size, gitOid: lfsPointerOid(entry.oid, size), lfs: true },
          });
          break;
        }
        // Only a pointer: createCommit checks that this repo holds the object (uploaded to it or committed).
        operations.push({
          kind: "put",
          path: entry.path,
          file: {
            sha256: entry.oid,
            size: entry.size,
            gitOid: lfsPointerOid(entry.oid, entry.size),
            lfs: true,
          },
          pointerOnly: true,
        });
        break;
      }
      case "deletedFile":
        operations.push({ kind: "delete", path: entry.path });
        break;
      case "deletedFolder":
        operations.push({ kind: "deleteFolder", path: entry.path });
        break;
    }
  }
  if (!header) throw badRequest("The commit is empty: the first line must be the header");
  return await createCommit(hub, {
    repo,
    revision: params.revision,
    operations,
    title: header.summary,
    ...(header.description ? { description: header.description } : {}),
    author: caller?.user ?? "hangar",
    ...(header.parentCommit ? { parentCommit: header.parentCommit } : {}),
    createPr: params.createPr,
    caller,
  });
}
