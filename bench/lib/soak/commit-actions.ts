import { createHash, randomBytes } from "node:crypto";
import { commit, HubApiError } from "@huggingface/hub";
import { type Action, auth, type ClientContext, encodeRepo, judge } from "./client-context.ts";
import type { Outcome } from "./recorder.ts";

/** The git blob id of a regular file, as the tree lists it. */
function gitBlobOid(bytes: Buffer): string {
  return createHash("sha1").update(`blob ${bytes.byteLength}\0`).update(bytes).digest("hex");
}

function textContent(context: ClientContext, label: string): Buffer {
  const lines = 1 + Math.floor(context.random() * 200);
  const rows = [`${label} by ${context.user.name}, client ${context.index}`];
  for (let index = 0; index < lines; index++) rows.push(`${index} ${randomBytes(24).toString("base64")}`);
  return Buffer.from(`${rows.join("\n")}\n`);
}

/**
 * A commit through the real `@huggingface/hub` client (preupload, LFS batch and PUTs for binary files, NDJSON
 * commit). A 200 is logged as acknowledged with its files, for the check that none is lost; `allowed` are
 * the other statuses this commit may get.
 */
async function commitFiles(
  context: ClientContext,
  params: {
    repo: string;
    branch: string;
    files: Array<{ path: string; bytes: Buffer }>;
    parentCommit?: string;
    allowed?: readonly number[];
  },
): Promise<Outcome> {
  const request = `commit of ${params.files.length} file(s) to ${params.repo}@${params.branch}`;
  try {
    const output = await commit({
      repo: { type: "model", name: params.repo },
      branch: params.branch,
      title: `soak: client ${context.index} op ${context.sequence}`,
      operations: params.files.map((file) => ({
        operation: "addOrUpdate" as const,
        path: file.path,
        content: new Blob([new Uint8Array(file.bytes)]),
      })),
      ...(params.parentCommit ? { parentCommit: params.parentCommit } : {}),
      accessToken: context.user.token,
      hubUrl: context.hubUrl,
      fetch: context.hubFetch,
      useXet: false,
      abortSignal: AbortSignal.timeout(context.requestTimeoutMs),
    });
    if (!output?.commit.oid) {
      return { status: 200, expected: false, problem: `${request}: no commit id in the answer` };
    }
    context.commits.acknowledge({
      repo: params.repo,
      branch: params.branch,
      oid: output.commit.oid,
      files: params.files.map((file) => ({
        path: file.path,
        gitOid: gitBlobOid(file.bytes),
        sha256: createHash("sha256").update(file.bytes).digest("hex"),
      })),
    });
    return { status: 200, expected: true };
  } catch (error) {
    if (error instanceof HubApiError) {
      const allowed = params.allowed ?? [];
      return {
        status: error.statusCode,
        expected: allowed.includes(error.statusCode),
        problem: `${request} answered ${error.statusCode}: ${error.message}`,
      };
    }
    return {
      status: "error",
      expected: false,
      problem: `${request}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

export const ownCommit: Action = {
  kind: "commit to own repo",
  weight: 7,
  run: (context) => {
    const count = 1 + Math.floor(context.random() * 3);
    const files = Array.from({ length: count }, (_, index) => ({
      path: `clients/${context.index}/${context.sequence}-${index}.txt`,
      bytes: textContent(context, `file ${index} of op ${context.sequence}`),
    }));
    return commitFiles(context, { repo: context.user.repo, branch: "main", files });
  },
};

/**
 * A commit to the branch every client shares, with `parentCommit` set to the head just read: when another
 * client commits in between, the answer is 412 (expected; the client would refresh and retry).
 */
export const sharedCommit: Action = {
  kind: "commit to shared branch (head read + commit)",
  weight: 7,
  run: async (context) => {
    const { repo, branch } = context.world.shared;
    const path = `/api/models/${encodeRepo(repo)}/revision/${branch}`;
    const head = await context.http.send({ path, headers: auth(context) });
    if (head.status !== 200) return judge(`GET ${path}`, head, [200]);
    const parentCommit = head.json<{ sha: string }>().sha;
    return commitFiles(context, {
      repo,
      branch,
      parentCommit,
      allowed: [412],
      files: [
        {
          path: `clients/${context.index}/${context.sequence}.txt`,
          bytes: textContent(context, `shared op ${context.sequence}`),
        },
      ],
    });
  },
};

/** A binary file (LFS by its bytes) of 64 KiB to 2 MiB, to the client's own repo. */
export const lfsCommit: Action = {
  kind: "LFS upload + commit",
  weight: 3,
  run: (context) => {
    const size = 64 * 1024 + Math.floor(context.random() * 2 * 1024 * 1024);
    return commitFiles(context, {
      repo: context.user.repo,
      branch: "main",
      files: [{ path: `lfs/${context.index}-${context.sequence}.bin`, bytes: randomBytes(size) }],
    });
  },
};
