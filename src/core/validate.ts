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
const isControl = (code: number): boolean => code < 0x20 || code === 0x7f;

/**
 * Checks a path inside a repository. Paths are relative, "/"-separated, with no empty, "." or ".." segment,
 * no backslash or control character, and not inside `.git/`. Anything else could escape the repo or
 * collide with another path once a client writes it to disk.
 */
export function validateRepoPath(path: string): string {
  const fail = (reason: string): never => {
    throw new HangarError("HANGAR_ERR_INVALID_PATH", `Invalid path "${printable(path)}": ${reason}`);
  };
  if (path.length === 0) fail("it is empty");
  if (path.length > MAX_PATH_LENGTH) fail(`it is longer than ${MAX_PATH_LENGTH} characters`);
  if ([...path].some((char) => isControl(char.charCodeAt(0)))) fail("it contains a control character");
  if (path.includes("\\")) fail("it contains a backslash");
  if (path.startsWith("/")) fail("it is absolute");
  const segments = path.split("/");
  for (const segment of segments) {
    if (segment === "") fail("it has an empty segment");
    if (segment === "." || segment === "..") fail(`it has a "${segment}" segment`);
  }
  if (segments[0] === ".git") fail("it is inside .git");
  return path;
}

function printable(value: string): string {
  return [...value]
    .map((char) =>
      isControl(char.charCodeAt(0)) ? `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}` : char,
    )
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
