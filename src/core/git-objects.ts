import { createHash } from "node:crypto";
import { lfsPointer } from "./types.ts";

/**
 * git's object formats, byte for byte as git writes them, so a commit id here is the id git computes for the
 * same files, parents, people, time and message. An object's id is the sha1 of `<type> <size>\0<body>`.
 */
export type GitObjectType = "blob" | "tree" | "commit";

export interface GitObject {
  oid: string;
  type: GitObjectType;
  /** The object without its `<type> <size>\0` header. */
  body: Buffer;
}

export function gitObjectOid(type: GitObjectType, body: Uint8Array): string {
  return createHash("sha1").update(`${type} ${body.byteLength}\0`).update(body).digest("hex");
}

/** git's blob id: sha1 of `blob <size>\0` followed by the bytes. */
export function gitBlobOid(content: Uint8Array): string {
  return gitObjectOid("blob", content);
}

/** The git blob id of the pointer file that stands in for an LFS object. */
export function lfsPointerOid(sha256: string, size: number): string {
  return gitBlobOid(Buffer.from(lfsPointer(sha256, size)));
}

/** Modes of the tree entries Hangar writes: every file is a regular, non-executable file. */
export const GIT_FILE_MODE = "100644";
export const GIT_FOLDER_MODE = "40000";

/** A file as a tree needs it: its path in the repo and the id of its blob (the pointer's, for LFS files). */
export interface GitTreeFile {
  path: string;
  gitOid: string;
}

export interface GitTrees {
  /** The id of the root tree. */
  root: string;
  /** The tree id of every folder, by path; the root is `""`. */
  folders: Map<string, string>;
  /** Every tree object, each once. */
  objects: GitObject[];
}

interface FolderNode {
  files: Map<string, string>;
  folders: Map<string, FolderNode>;
}

const newFolder = (): FolderNode => ({ files: new Map(), folders: new Map() });

/**
 * Builds one tree object per folder from a flat file list. git sorts a tree's entries by the bytes of their
 * names, comparing a folder as if its name ended in `/` (so `a.b` < `a/` < `a0`, and `a-b` < `a.b`).
 */
export function buildGitTrees(files: Iterable<GitTreeFile>): GitTrees {
  const root = newFolder();
  for (const file of files) {
    const names = file.path.split("/");
    let folder = root;
    for (const name of names.slice(0, -1)) {
      let child = folder.folders.get(name);
      if (!child) {
        child = newFolder();
        folder.folders.set(name, child);
      }
      folder = child;
    }
    folder.files.set(names[names.length - 1]!, file.gitOid);
  }
  const folders = new Map<string, string>();
  const objects = new Map<string, GitObject>();
  const encode = (folder: FolderNode, path: string): string => {
    const entries: Array<{ mode: string; name: string; oid: string; key: Buffer }> = [];
    for (const [name, oid] of folder.files) {
      entries.push({ mode: GIT_FILE_MODE, name, oid, key: Buffer.from(name) });
    }
    for (const [name, child] of folder.folders) {
      const oid = encode(child, path === "" ? name : `${path}/${name}`);
      entries.push({ mode: GIT_FOLDER_MODE, name, oid, key: Buffer.from(`${name}/`) });
    }
    entries.sort((a, b) => Buffer.compare(a.key, b.key));
    const body = Buffer.concat(
      entries.flatMap((entry) => [
        Buffer.from(`${entry.mode} ${entry.name}\0`),
        Buffer.from(entry.oid, "hex"),
      ]),
    );
    const oid = gitObjectOid("tree", body);
    folders.set(path, oid);
    if (!objects.has(oid)) objects.set(oid, { oid, type: "tree", body });
    return oid;
  };
  const rootOid = encode(root, "");
  return { root: rootOid, folders, objects: [...objects.values()] };
}

/** One entry of a tree object. */
export interface GitTreeEntry {
  mode: string;
  name: string;
  oid: string;
}

/** Reads the entries of a tree object. */
export function parseGitTree(body: Uint8Array): GitTreeEntry[] {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const entries: GitTreeEntry[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    const space = bytes.indexOf(0x20, offset);
    const nul = bytes.indexOf(0, space + 1);
    if (space === -1 || nul === -1 || nul + 21 > bytes.byteLength) throw new Error("truncated tree object");
    entries.push({
      mode: bytes.toString("latin1", offset, space),
      name: bytes.toString("utf8", space + 1, nul),
      oid: bytes.toString("hex", nul + 1, nul + 21),
    });
    offset = nul + 21;
  }
  return entries;
}

/** Who made or recorded a commit, and when, as git writes it: `Name <email> <unix seconds> <+hhmm>`. */
export interface GitIdentity {
  name: string;
  email: string;
  seconds: number;
  /** The author's offset from UTC, `+hhmm` or `-hhmm`. */
  timezone: string;
}

export interface GitCommitFields {
  tree: string;
  parents: readonly string[];
  author: GitIdentity;
  committer: GitIdentity;
  /** The message exactly as stored in the object, trailing newline included. */
  message: string;
}

const IDENTITY_LINE = /^(.*) <(.*)> (-?\d+) ([+-]\d{4})$/;

function identityLine(identity: GitIdentity): string {
  if (/[<>\n]/.test(identity.name) || /[<>\n]/.test(identity.email)) {
    throw new Error(`A git identity may not contain <, > or a newline: ${JSON.stringify(identity)}`);
  }
  return `${identity.name} <${identity.email}> ${identity.seconds} ${identity.timezone}`;
}

/** The body of a commit object. */
export function encodeGitCommit(fields: GitCommitFields): Buffer {
  const lines = [`tree ${fields.tree}`, ...fields.parents.map((parent) => `parent ${parent}`)];
  lines.push(`author ${identityLine(fields.author)}`, `committer ${identityLine(fields.committer)}`);
  return Buffer.from(`${lines.join("\n")}\n\n${fields.message}`);
}

function parseIdentity(line: string): GitIdentity {
  const match = IDENTITY_LINE.exec(line);
  if (!match) throw new Error(`malformed identity in commit object: ${line}`);
  return { name: match[1]!, email: match[2]!, seconds: Number(match[3]), timezone: match[4]! };
}

/** Reads a commit object that has no headers beyond tree, parents, author and committer. */
export function parseGitCommit(body: Uint8Array): GitCommitFields {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  const end = text.indexOf("\n\n");
  if (end === -1) throw new Error("commit object without a message");
  let tree: string | undefined;
  let author: GitIdentity | undefined;
  let committer: GitIdentity | undefined;
  const parents: string[] = [];
  for (const line of text.slice(0, end).split("\n")) {
    const space = line.indexOf(" ");
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === "tree") tree = value;
    else if (key === "parent") parents.push(value);
    else if (key === "author") author = parseIdentity(value);
    else if (key === "committer") committer = parseIdentity(value);
    else throw new Error(`unexpected header "${key}" in commit object`);
  }
  if (!tree || !author || !committer) throw new Error("commit object without tree, author or committer");
  return { tree, parents, author, committer, message: text.slice(end + 2) };
}

/**
 * Hangar's commits are made on a user's behalf: author and committer are the user, with an address that
 * reaches no one. An account's own email is never written into a commit, which every reader of the repo (and
 * later every clone) would see. The domain is fixed rather than taken from the server's URL, so the same
 * commit gets the same id however the server is reached, and a catalog migration (which has no config)
 * writes the same identity as a live commit.
 */
export const NOREPLY_EMAIL_DOMAIN = "users.noreply.hangar.invalid";

/** What git drops from the ends of a name (`crud` in git's ident.c). */
const isCrud = (char: string): boolean => char <= " " || ".,:;<>\"\\'".includes(char);

/** A name as git would write it: no `<`, `>` or newline anywhere, no punctuation or space at either end. */
export function gitIdentityName(name: string): string {
  const characters = [...name];
  let start = 0;
  let end = characters.length;
  while (start < end && isCrud(characters[start]!)) start++;
  while (end > start && isCrud(characters[end - 1]!)) end--;
  return characters
    .slice(start, end)
    .filter((char) => char !== "<" && char !== ">" && char !== "\n")
    .join("");
}

/** The identity of a Hangar user at a moment (UTC; Hangar knows no user's time zone). */
export function hangarIdentity(user: string, date: string): GitIdentity {
  const name = gitIdentityName(user) || "hangar";
  return {
    name,
    email: `${name.replace(/\s+/g, "-")}@${NOREPLY_EMAIL_DOMAIN}`,
    seconds: Math.floor(Date.parse(date) / 1000),
    timezone: "+0000",
  };
}

/** A moment at git's resolution (whole seconds), as the ISO string Hangar stores and the API reports. */
export function commitDate(at: Date = new Date()): string {
  return new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString();
}

/** A commit made in Hangar, from the fields its catalog row keeps. */
export interface HangarCommitFields {
  files: Iterable<GitTreeFile>;
  parents: readonly string[];
  /** The user name that made the commit. */
  author: string;
  /** ISO date; anything below a second is dropped, as git keeps none. */
  date: string;
  /** Title, blank line and description, as stored; the object ends it with a newline as `git commit` does. */
  message: string;
}

export interface HangarCommitObjects {
  oid: string;
  trees: GitTrees;
  commit: GitObject;
}

/** The commit object of a Hangar commit and the tree objects it names. */
export function buildHangarCommit(fields: HangarCommitFields): HangarCommitObjects {
  const trees = buildGitTrees(fields.files);
  const identity = hangarIdentity(fields.author, fields.date);
  const body = encodeGitCommit({
    tree: trees.root,
    parents: fields.parents,
    author: identity,
    committer: identity,
    message: fields.message.endsWith("\n") ? fields.message : `${fields.message}\n`,
  });
  const oid = gitObjectOid("commit", body);
  return { oid, trees, commit: { oid, type: "commit", body } };
}
