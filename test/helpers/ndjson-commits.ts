// Commits posted as NDJSON lines, as Python's create_commit posts them (huggingface_hub's commit API), and the
// head of a repo read from the catalog.
import assert from "node:assert/strict";
import type { TestHangar } from "./test-hangar.ts";

/** Posts a raw NDJSON commit, as Python's create_commit does. */
export async function postCommit(
  hub: TestHangar,
  token: string | undefined,
  repo: string,
  revision: string,
  lines: unknown[] | string,
  query = "",
): Promise<Response> {
  return hub.fetch(`${hub.url}/api/models/${repo}/commit/${encodeURIComponent(revision)}${query}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-ndjson",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: typeof lines === "string" ? lines : `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`,
  });
}

/** The header line of a commit: its summary, and the parent it must be based on if given. */
export function header(summary: string, parentCommit?: string): unknown {
  return { key: "header", value: { summary, ...(parentCommit ? { parentCommit } : {}) } };
}

/** A file line of a commit, its text inline in base64. */
export function inlineFile(path: string, text: string): unknown {
  return { key: "file", value: { path, content: Buffer.from(text).toString("base64"), encoding: "base64" } };
}

/** The head commit of the model repo `namespace/name`, which must have one. */
export async function headShaOf(hub: TestHangar, namespace: string, name: string): Promise<string> {
  const repo = await hub.hangar.catalog.repos.get({ type: "model", namespace, name });
  assert.ok(repo?.sha, `${namespace}/${name} has a head`);
  return repo.sha;
}
