import { badRequest, HangarError } from "../../core/errors.ts";
import { validateRepoPath } from "../../core/validate.ts";

/** One line of the Hub's NDJSON commit format, checked. */
export type NdjsonCommitEntry =
  | { key: "header"; summary: string; description?: string; parentCommit?: string }
  | { key: "file"; path: string; content: Buffer }
  /** `size` is absent when a copy names an object by its oid alone (Python's CommitOperationCopy). */
  | { key: "lfsFile"; path: string; oid: string; size?: number }
  | { key: "deletedFile"; path: string }
  | { key: "deletedFolder"; path: string };

export interface ParsedLine {
  /** 1-based line number in the request body, for error messages. */
  line: number;
  entry: NdjsonCommitEntry;
}

/** Splits a byte stream into lines, refusing more than `maxBytes` in total or `maxLineBytes` in one line. */
async function* splitLines(
  body: AsyncIterable<Uint8Array>,
  limits: { maxBytes: number; maxLineBytes: number },
): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  let line = 1;
  const checkLine = (bytes: number) => {
    if (bytes > limits.maxLineBytes) {
      throw new HangarError(
        "HANGAR_ERR_PAYLOAD_TOO_LARGE",
        `Line ${line} of the commit is over the limit of ${limits.maxLineBytes} bytes: upload large files through LFS`,
      );
    }
  };
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > limits.maxBytes) {
      throw new HangarError(
        "HANGAR_ERR_PAYLOAD_TOO_LARGE",
        `The commit body is over the limit of ${limits.maxBytes} bytes: upload large files through LFS`,
      );
    }
    let buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let newline = buffer.indexOf(10); newline !== -1; newline = buffer.indexOf(10)) {
      checkLine(pendingBytes + newline);
      pending.push(buffer.subarray(0, newline));
      yield Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      line++;
      buffer = buffer.subarray(newline + 1);
    }
    if (buffer.byteLength > 0) {
      pendingBytes += buffer.byteLength;
      checkLine(pendingBytes);
      pending.push(Buffer.from(buffer));
    }
  }
  if (pending.length > 0) yield Buffer.concat(pending);
}

function field(
  value: Record<string, unknown>,
  name: string,
  line: number,
  optional: true,
): string | undefined;
function field(value: Record<string, unknown>, name: string, line: number, optional?: false): string;
function field(
  value: Record<string, unknown>,
  name: string,
  line: number,
  optional = false,
): string | undefined {
  const found = value[name];
  if (found === undefined || found === null) {
    if (optional) return undefined;
    throw badRequest(`Line ${line} of the commit: "${name}" is missing`);
  }
  if (typeof found !== "string") throw badRequest(`Line ${line} of the commit: "${name}" must be a string`);
  return found;
}

function path(value: Record<string, unknown>, line: number): string {
  const found = field(value, "path", line);
  try {
    return validateRepoPath(found);
  } catch (error) {
    if (HangarError.isInstance(error)) {
      throw new HangarError(error.code, `Line ${line} of the commit: ${error.message}`);
    }
    throw error;
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function parseEntry(text: string, line: number): NdjsonCommitEntry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badRequest(`Line ${line} of the commit is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw badRequest(`Line ${line} of the commit must be a JSON object with "key" and "value"`);
  }
  const { key, value } = parsed as { key?: unknown; value?: unknown };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest(`Line ${line} of the commit: "value" must be an object`);
  }
  const fields = value as Record<string, unknown>;
  switch (key) {
    case "header": {
      const summary = field(fields, "summary", line, true) ?? "";
      const description = field(fields, "description", line, true);
      const parentCommit = field(fields, "parentCommit", line, true);
      if (parentCommit !== undefined && !/^[0-9a-f]{40}$/.test(parentCommit)) {
        throw badRequest(`Line ${line} of the commit: parentCommit must be a 40-character commit id`);
      }
      return {
        key,
        summary,
        ...(description ? { description } : {}),
        ...(parentCommit ? { parentCommit } : {}),
      };
    }
    case "file": {
      const filePath = path(fields, line);
      const content = field(fields, "content", line);
      const encoding = field(fields, "encoding", line, true) ?? "base64";
      if (encoding === "base64") {
        // Line breaks inside base64 are allowed; looking for them is cheaper than removing them from megabytes.
        const compact = /\s/.test(content) ? content.replace(/\s+/g, "") : content;
        if (!BASE64.test(compact) || compact.length % 4 === 1) {
          throw badRequest(`Line ${line} of the commit: the content of ${filePath} is not valid base64`);
        }
        return { key, path: filePath, content: Buffer.from(compact, "base64") };
      }
      if (encoding === "utf-8" || encoding === "utf8") {
        return { key, path: filePath, content: Buffer.from(content, "utf8") };
      }
      throw badRequest(`Line ${line} of the commit: unsupported encoding "${encoding}" (use base64)`);
    }
    case "lfsFile": {
      const filePath = path(fields, line);
      const algo = field(fields, "algo", line, true) ?? "sha256";
      if (algo !== "sha256") throw badRequest(`Line ${line} of the commit: unsupported algo "${algo}"`);
      const oid = field(fields, "oid", line);
      if (!/^[0-9a-f]{64}$/.test(oid)) {
        throw badRequest(`Line ${line} of the commit: the oid of ${filePath} must be a sha256 in hex`);
      }
      const size = fields.size;
      if (size === undefined || size === null) return { key, path: filePath, oid };
      if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
        throw badRequest(`Line ${line} of the commit: the size of ${filePath} must be an integer >= 0`);
      }
      return { key, path: filePath, oid, size };
    }
    case "deletedFile":
      return { key, path: path(fields, line) };
    case "deletedFolder": {
      const folder = field(fields, "path", line).replace(/\/+$/, "");
      return { key, path: path({ path: folder }, line) };
    }
    default:
      throw badRequest(
        `Line ${line} of the commit: unknown key ${JSON.stringify(key)} (expected header, file, lfsFile, deletedFile or deletedFolder)`,
      );
  }
}

/**
 * Parses the NDJSON body of a Hub commit as it arrives, one line at a time, so file contents can be
 * stored while the rest of the body is still coming. Blank lines are skipped; the header must come first.
 * A line is parsed on the event loop in one go, so its size is bounded (`maxLineBytes`) as well as the body's.
 */
export async function* parseCommitNdjson(
  body: AsyncIterable<Uint8Array>,
  options: { maxBytes: number; maxLineBytes: number },
): AsyncGenerator<ParsedLine> {
  let line = 0;
  let sawHeader = false;
  for await (const raw of splitLines(body, options)) {
    line++;
    const text = raw.toString("utf8").trim();
    if (!text) continue;
    const entry = parseEntry(text, line);
    if (entry.key === "header") {
      if (sawHeader) throw badRequest(`Line ${line} of the commit: a second header`);
      sawHeader = true;
    } else if (!sawHeader) {
      throw badRequest(`Line ${line} of the commit: the first line must be the header`);
    }
    yield { line, entry };
  }
  if (!sawHeader) throw badRequest("The commit is empty: the first line must be the header");
}
