import { badRequest, HangarError } from "./errors.ts";
import { REPO_TYPES, type RepoRef, type RepoType } from "./types.ts";

const NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_-])?$/;
const RESERVED_NAMESPACES = new Set(["api", "models", "datasets", "spaces", "kernels", "new", "settings"]);

/** Checks one part of a repo id (namespace or name) against the Hub's naming rules. */
export function validateName(value: string, what: string): string {
  if (!NAME_PATTERN.test(value) || value.includes("--") || value.includes("..") || value.endsWith(".git")) {
    throw new HangarError(
      "HANGAR_ERR_INVALID_REPO_ID",
      `Invalid ${what} "${value}": use letters, digits, "-", "_" and "." (no "--" or ".."), 1 to 96 characters, starting and ending with a letter or digit`,
    );
  }
  return value;
}

export function validateNamespace(value: string): string {
  validateName(value, "namespace");
  if (RESERVED_NAMESPACES.has(value.toLowerCase())) {
    throw new HangarError("HANGAR_ERR_INVALID_REPO_ID", `The namespace "${value}" is reserved`);
  }
  return value;
}

export function parseRepoType(value: string | undefined | null, fallback: RepoType = "model"): RepoType {
  if (value === undefined || value === null || value === "") return fallback;
  const singular = value.endsWith("s") ? value.slice(0, -1) : value;
  if ((REPO_TYPES as readonly string[]).includes(singular)) return singular as RepoType;
  throw badRequest(`Invalid repo type "${value}": expected one of ${REPO_TYPES.join(", ")}`);
}

/** Parses `namespace/name` into a repo reference. */
export function parseRepoId(id: string, type: RepoType = "model"): RepoRef {
  const parts = id.split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new HangarError("HANGAR_ERR_INVALID_REPO_ID", `Invalid repo id "${id}": expected "namespace/name"`);
  }
  return { type, namespace: validateNamespace(parts[0]), name: validateName(parts[1], "repo name") };
}

/** `datasets/` or `spaces/` before repo ids in file URLs; nothing for models. */
export function repoUrlPrefix(type: RepoType): string {
  return type === "model" ? "" : `${type}s/`;
}

const MAX_PATH_LENGTH = 1024;
/** Control characters: C0, DEL and C1. */
const CONTROL = /\p{Cc}/u;
/** Half of a UTF-16 pair without its other half (JSON can carry one): no UTF-8 name can hold it. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Right-to-left overrides and the other bidirectional formatting marks: they make a name read as another. */
const BIDI_CONTROL = /\p{Bidi_Control}/u;
/** Characters Windows does not allow in a file name. */
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;
/** `C:` at the start of a segment: a drive (absolute `C:/x`, or drive-relative `C:x`) once on Windows. */
const DRIVE = /^[A-Za-z]:/;
/**
 * Device names Windows reserves in every folder, with or without an extension (`con`, `nul.txt`, `com1.json`):
 * a client on Windows cannot create such a file, or writes to the device instead.
 */
const WINDOWS_RESERVED =
  /^(?:con|prn|aux|nul|com[1-9\u00b9\u00b2\u00b3]|lpt[1-9\u00b9\u00b2\u00b3]|conin\$|conout\$)$/i;
/** Folders the clients keep for themselves: git's, and the `huggingface_hub` download metadata. */
const CLIENT_FOLDERS = new Set([".git", ".cache"]);

/**
 * Checks a path inside a repository. Paths are relative, "/"-separated, with no empty, "." or ".." segment,
 * not inside `.git/` or `.cache/` (folders clients keep their own files in; `huggingface_hub` refuses them
 * too), and hold nothing that escapes a download folder or changes meaning on another system: no backslash,
 * no leading `~` (a home folder to a shell), no drive (`C:`), no control or bidirectional formatting
 * character, and no name Windows cannot create (`<>:"|?*`, a segment ending in a dot or space, or a device
 * name such as `con` or `nul.txt`). Clients download into folders named like the path, on every system.
 */
export function validateRepoPath(path: string): string {
  const fail = (reason: string): never => {
    throw new HangarError("HANGAR_ERR_INVALID_PATH", `Invalid path "${printable(path)}": ${reason}`);
  };
  if (path.length === 0) fail("it is empty");
  if (path.length > MAX_PATH_LENGTH) fail(`it is longer than ${MAX_PATH_LENGTH} characters`);
  if (LONE_SURROGATE.test(path)) fail("it is not valid Unicode (a lone surrogate)");
  if (CONTROL.test(path)) fail("it contains a control character");
  if (BIDI_CONTROL.test(path)) fail("it contains a bidirectional formatting character");
  if (path.includes("\\")) fail("it contains a backslash");
  if (path.startsWith("/")) fail("it is absolute");
  if (path.startsWith("~")) fail('it starts with "~", a home folder to a shell');
  if (DRIVE.test(path)) fail("it starts with a drive letter");
  const forbidden = WINDOWS_FORBIDDEN.exec(path);
  if (forbidden) fail(`it contains "${forbidden[0]}", which Windows does not allow in file names`);
  const segments = path.split("/");
  for (const segment of segments) {
    if (segment === "") fail("it has an empty segment");
    if (segment === "." || segment === "..") fail(`it has a "${segment}" segment`);
    if (CLIENT_FOLDERS.has(segment.toLowerCase())) {
      fail(`it has a "${segment}" segment, a folder clients keep their own files in`);
    }
    if (/[. ]$/.test(segment)) fail(`"${segment}" ends with a dot or a space, which Windows drops`);
    const base = segment.split(".")[0]!.trimEnd();
    if (WINDOWS_RESERVED.test(base)) fail(`"${segment}" is a device name on Windows`);
  }
  return path;
}

/** The path with invisible and misleading characters shown as escapes, for error messages. */
function printable(value: string): string {
  return [...value]
    .map((char) => {
      if (!CONTROL.test(char) && !BIDI_CONTROL.test(char) && !LONE_SURROGATE.test(char)) return char;
      const code = char.charCodeAt(0);
      return code <= 0xff
        ? `\\x${code.toString(16).padStart(2, "0")}`
        : `\\u${code.toString(16).padStart(4, "0")}`;
    })
    .join("");
}

const COMMIT_ID = /^[0-9a-f]{40}$/;
export function isCommitId(value: string): boolean {
  return COMMIT_ID.test(value);
}

/** Parses booleans the way the clients send them: true/false, True/False, 1/0. */
export function parseBoolean(value: string | null | undefined): boolean | undefined {
  if (value === null || value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === "true" || lower === "1" || lower === "yes" || lower === "") return true;
  if (lower === "false" || lower === "0" || lower === "no") return false;
  throw badRequest(`Invalid boolean "${value}": expected true or false`);
}

/**
 * Whether a create or settings request asks for a private repo: `private` (older clients) or `visibility`
 * (newer ones, which wins); undefined when neither is given.
 */
export function parseVisibility(body: { private?: unknown; visibility?: unknown }): boolean | undefined {
  if (body.visibility !== undefined && body.visibility !== null) {
    if (body.visibility === "public") return false;
    // "protected" is a Space that shows its app but not its files; Hangar keeps such repos private.
    if (body.visibility === "private" || body.visibility === "protected") return true;
    throw badRequest(
      `Invalid visibility "${String(body.visibility)}": expected public, private or protected`,
    );
  }
  if (body.private === undefined || body.private === null) return undefined;
  if (typeof body.private !== "boolean") throw badRequest(`"private" must be true or false`);
  return body.private;
}

/**
 * A 400 naming the first name that is not one of `valid` (of a JSON body's fields or a query's parameters),
 * with the valid ones: `Unknown field "x": valid ones are a, b`.
 */
export function rejectUnknownNames(
  names: Iterable<string>,
  valid: readonly string[],
  kind: "field" | "parameter" = "field",
): void {
  for (const name of names) {
    if (!valid.includes(name))
      throw badRequest(`Unknown ${kind} "${name}": valid ones are ${valid.join(", ")}`);
  }
}
