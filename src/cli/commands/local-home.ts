import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HangarConfig } from "../../core/config.ts";
import { badRequest } from "../../core/errors.ts";
import { createHangar, type Hangar } from "../../hangar.ts";

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
