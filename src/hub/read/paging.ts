import { badRequest } from "../../core/errors.ts";

/**
 * Page sizes and opaque cursors shared by the listings. A cursor is base64url JSON, so clients treat it as a
 * token and the server can change what it holds without breaking old links more than a bad cursor would.
 */
export function parsePageLimit(value: string | null | undefined, max: number, fallback = max): number {
  if (value === null || value === undefined || value === "") return Math.min(fallback, max);
  const limit = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(limit) || limit < 1) {
    throw badRequest(
      `Invalid limit "${value}": expected an integer from 1 to ${max} (larger values are capped at ${max})`,
    );
  }
  return Math.min(limit, max);
}

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

/** Decodes a cursor made by `encodeCursor`; `check` narrows it, and anything else is a 400. */
export function decodeCursor<T>(cursor: string, check: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  if (!check(value)) throw badRequest(`Invalid cursor "${cursor.slice(0, 100)}": use the Link header's URL`);
  return value;
}
