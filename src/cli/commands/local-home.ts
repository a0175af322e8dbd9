import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HubApiError } from "@huggingface/hub";
import type { HangarConfig } from "../../core/config.ts";
import { badRequest, ERROR_CODES, type ErrorCode, HangarError } from "../../core/errors.ts";
import { getSearchIndex } from "../../discovery/get-search-index.ts";
import { createHangar, type Hangar } from "../../hangar.ts";
import { type Connection, hubRequest } from "../client/hub-client.ts";

/**
 * Opens the instance in `config.home` for one command and closes it afterwards. SQLite's WAL mode and busy
 * timeout let this run while a server works on the same home.
 */
export async function withLocalHome<T>(
  config: HangarConfig,
  work: (hangar: Hangar) => Promise<T> | T,
): Promise<T> {
  const hangar = await createHangar(config);
  try {
    return await work(hangar);
  } finally {
    await hangar.close();
  }
}

/** The file in which `hangar serve` records where it listens, for the commands that work on its home. */
const SERVER_RECORD = "server.json";

/**
 * Records that this process serves the home at `url`; the returned function removes the record (if it is
 * still this process's) when the server stops. A server killed without stopping leaves a record whose
 * process is gone, which readers ignore.
 */
export function recordServer(home: string, url: string): () => void {
  const path = join(home, SERVER_RECORD);
  try {
    writeFileSync(path, `${JSON.stringify({ url, pid: process.pid })}\n`);
  } catch {
    // Only links depend on it: a home the server cannot write this file to still serves.
    return () => {};
  }
  return () => {
    if (readServerRecord(home)?.pid === process.pid) rmSync(path, { force: true });
  };
}

function readServerRecord(home: string): { url: string; pid: number } | undefined {
  try {
    const record = JSON.parse(readFileSync(join(home, SERVER_RECORD), "utf8")) as {
      url?: unknown;
      pid?: unknown;
    };
    return typeof record.url === "string" && typeof record.pid === "number"
      ? { url: record.url, pid: record.pid }
      : undefined;
  } catch {
    return undefined;
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The URL clients reach this home's server at, for the links offline commands print: `HANGAR_PUBLIC_URL`
 * when set, else the URL the `hangar serve` running on the home recorded; null when no server runs there
 * (a link to the default port would lead nowhere, or to another instance).
 */
export function runningServerUrl(config: HangarConfig): string | null {
  if (config.publicUrl) return config.publicUrl;
  const record = readServerRecord(config.home);
  return record && processRuns(record.pid) ? record.url : null;
}

/**
 * The `hangar serve` running on this home, when the CLI can ask it as the home's owner would see it: with
 * the instance's admin token (`HANGAR_ADMIN_TOKEN`). Without one the server would answer as an anonymous
 * caller and leave private repos out, so the command works on the home itself instead.
 */
export function homeServer(config: HangarConfig): Connection | null {
  if (!config.adminToken) return null;
  const record = readServerRecord(config.home);
  return record && processRuns(record.pid) ? { hubUrl: record.url, accessToken: config.adminToken } : null;
}

/** Where a discovery command's answer came from (in its `--json` output as `served`). */
export type Served =
  | { by: "server"; url: string }
  | {
      by: "home";
      index: { loadedFromSnapshot: boolean; buildMs: number; loadMs: number | null; models: number };
    };

/** `Served` for an answer worked out on the home: whether its search index was read from a snapshot or built. */
export async function servedByHome(hangar: Hangar): Promise<Served> {
  // Not `stats()`: it counts every array, which reads all of an index loaded from a snapshot.
  const index = await getSearchIndex(hangar);
  return {
    by: "home",
    index: {
      loadedFromSnapshot: index.loadMs !== null,
      buildMs: index.buildMs,
      loadMs: index.loadMs,
      models: index.size,
    },
  };
}

/**
 * What to tell someone whose search found nothing because the home holds no models at all (a home no
 * `hangar serve` has started yet: the bundled catalog is imported at the server's start); null otherwise.
 */
export function emptyHomeHint(served: Served): string | null {
  if (served.by !== "home" || served.index.models > 0) return null;
  return "This instance has no models yet: `hangar serve` imports the bundled catalog at its start (HANGAR_NO_CATALOG=1 skips it), `hangar pull REPO_ID` copies a model from the Hub, and `hangar upload` adds your own.";
}

/**
 * Asks the server running on the home (see `homeServer`), whose index is warm; undefined when none runs or
 * it cannot be reached (the caller then works on the home). An answer with an error status is thrown as the
 * server's error, as the same request on the home would be.
 */
export async function askHomeServer<T>(
  config: HangarConfig,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<{ result: T; served: Served } | undefined> {
  const server = homeServer(config);
  if (!server) return undefined;
  let result: T;
  try {
    result = await hubRequest<T>(server, method, `${server.hubUrl}${path}`, body);
  } catch (error) {
    // fetch's own failure (refused, reset): the record outlived its server, or it is stopping.
    if (error instanceof TypeError) return undefined;
    // The server's error as the home would have thrown it: same code, same message, same exit code.
    const code = (error as HubApiError).data?.code;
    if (error instanceof HubApiError && typeof code === "string" && code in ERROR_CODES) {
      throw new HangarError(code as ErrorCode, error.message, { cause: error });
    }
    throw error;
  }
  return { result, served: { by: "server", url: server.hubUrl } };
}

/** What an offline command prints instead of a link when no server runs on the home. */
export const NO_SERVER_HINT = "No server runs on this home: `hangar serve` serves it over HTTP";

export function writeJson(stream: NodeJS.WritableStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints rows as aligned columns under a header, or a note when there are none. */
export function writeTable(
  stream: NodeJS.WritableStream,
  header: string[],
  rows: string[][],
  empty: string,
): void {
  if (rows.length === 0) {
    stream.write(`${empty}\n`);
    return;
  }
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  for (const row of [header, ...rows]) {
    stream.write(
      `${row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd()}\n`,
    );
  }
}

/** A string option that must be given; its absence is a usage error. */
export function requiredOption(values: Record<string, unknown>, flag: string): string {
  const value = values[flag];
  if (typeof value !== "string" || value === "") throw badRequest(`--${flag} is required`);
  return value;
}

/** Exactly `count` positional arguments, named in `usage` for the error. */
export function expectPositionals(positionals: string[], count: number, usage: string): string[] {
  if (positionals.length !== count) {
    throw badRequest(
      positionals.length < count
        ? `missing arguments: expected ${usage}`
        : `unexpected arguments: ${positionals.slice(count).join(" ")}`,
    );
  }
  return positionals;
}
