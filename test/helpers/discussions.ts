import assert from "node:assert/strict";
import type { TestHangar } from "./test-hangar.ts";

/** A discussion event as the Hub serves it (the fields the tests read). */
export interface ApiEvent {
  id: string;
  type: string;
  createdAt: string;
  author: { name: string };
  data: Record<string, unknown> & {
    latest?: { raw: string; updatedAt: string };
    edited?: boolean;
    hidden?: boolean;
    numEdits?: number;
  };
}

/** A discussion with its details as the Hub serves it. */
export interface ApiDetails {
  num: number;
  title: string;
  status: string;
  isPullRequest: boolean;
  author: { name: string };
  createdAt: string;
  repo: { name: string; type: string };
  events: ApiEvent[];
  changes?: { base: string; mergeCommitId?: string };
  filesWithConflicts?: string[];
  diff?: string;
}

/** A call shaped as huggingface_hub's HfApi sends it: JSON body (or none), bearer token. */
export async function hfApi(
  hub: TestHangar,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<Response> {
  return fetch(`${hub.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? { "content-length": "0" } : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The response's JSON, after checking its status (the body is shown when the status differs). */
export async function json<T>(response: Response, status = 200): Promise<T> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  return JSON.parse(text) as T;
}
