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

/** The URL a server on this home would answer on, for printing links from offline commands. */
export function localBaseUrl(config: HangarConfig): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${config.port}`;
}

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
