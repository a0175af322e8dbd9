import assert from "node:assert/strict";
import { createRepo, uploadFiles } from "@huggingface/hub";
import { startTestHangar, type TestHangar } from "./test-hangar.ts";

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

/** A file's content as the Hub clients take it. */
export const text = (content: string): Blob => new Blob([content]);

/** What the discussions tests start from: a Hangar with three writers, and the reads they repeat. */
export interface DiscussionsHub {
  hub: TestHangar;
  /** Write tokens: alice owns the repos; bob and carol propose, comment and review. */
  alice: string;
  bob: string;
  carol: string;
  /** A discussion's details with its diff (`?diff=1`), read with `token` or anonymously. */
  details(repo: string, num: number, token?: string): Promise<ApiDetails>;
  /** Creates `alice/{name}` holding `files` (path → text), with @huggingface/hub. */
  makeRepo(name: string, files: Record<string, string>): Promise<void>;
}

/** Starts a Hangar with the users alice, bob and carol (write tokens). Close it with `hub.close()`. */
export async function startDiscussionsHub(): Promise<DiscussionsHub> {
  const hub = await startTestHangar();
  const alice = await hub.addUser("alice", "write");
  const bob = await hub.addUser("bob", "write");
  const carol = await hub.addUser("carol", "write");
  return {
    hub,
    alice,
    bob,
    carol,
    details: async (repo, num, token) =>
      json<ApiDetails>(await hfApi(hub, "GET", `/api/models/${repo}/discussions/${num}?diff=1`, token)),
    makeRepo: async (name, files) => {
      await createRepo({ repo: `alice/${name}`, accessToken: alice, hubUrl: hub.url });
      await uploadFiles({
        repo: `alice/${name}`,
        accessToken: alice,
        hubUrl: hub.url,
        files: Object.entries(files).map(([path, content]) => ({ path, content: text(content) })),
      });
    },
  };
}
