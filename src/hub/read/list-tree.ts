import type { StoredCommit } from "../../core/catalog-types.ts";
import { HangarError } from "../../core/errors.ts";
import { buildGitTrees } from "../../core/git-objects.ts";
import type { RepoRef, TreeFile } from "../../core/types.ts";
import { validateRepoPath } from "../../core/validate.ts";
import { SCANNER_RULES_VERSION } from "../../governance/scan/types.ts";
import type { StoredScanResult } from "../../store/scan-results-table.ts";
import { getReadableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { resolveRevision } from "../resolve-revision.ts";
import { decodeCursor, encodeCursor } from "./paging.ts";

/** The commit that last changed an entry, for `expand`. */
export interface LastCommit {
  id: string;
  title: string;
  date: string;
}

export type TreeEntry =
  | {
      type: "file";
      file: TreeFile;
      lastCommit?: LastCommit;
      /** With `expand`: the file's scan verdict under the current rules (null: not scanned yet). */
      security?: StoredScanResult | null;
    }
  | { type: "directory"; path: string; oid: string; lastCommit?: LastCommit };

export interface ListTreeParams {
  ref: RepoRef;
  revision: string;
  /** Folder to list; the repo root when empty. */
  path?: string;
  recursive?: boolean;
  /** Adds `lastCommit` to each entry, and the scan verdict to each file. */
  expand?: boolean;
  limit: number;
  cursor?: string;
}

export interface ListTreeResult {
  commitOid: string;
  entries: TreeEntry[];
  nextCursor?: string;
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function entryPath(entry: TreeEntry): string {
  return entry.type === "file" ? entry.file.path : entry.path;
}

/** The 404 for a missing path; it names the commit so clients can cache the absence (`.no_exist`). */
export function entryNotFound(path: string, commitOid: string, repoId: string): HangarError {
  return new HangarError("HANGAR_ERR_ENTRY_NOT_FOUND", `Entry not found: ${path} in ${repoId}`, {
    headers: { "X-Repo-Commit": commitOid },
  });
}

/**
 * Builds the entries of a folder from a commit's flat file list: files directly inside, and a directory
 * entry for each sub-folder (with every sub-folder and file below it when recursive). Entries are in path
 * order, so a folder comes before its contents and a path is a stable keyset cursor. A folder's `oid` is its
 * git tree id, as the Hub reports it.
 */
export function buildTreeEntries(
  files: readonly TreeFile[],
  folder: string,
  recursive: boolean,
): TreeEntry[] {
  const prefix = folder === "" ? "" : `${folder}/`;
  const folders = new Set<string>();
  const entries: TreeEntry[] = [];
  for (const file of files) {
    const relative = file.path.slice(prefix.length);
    const parts = relative.split("/");
    const depth = recursive ? parts.length - 1 : Math.min(parts.length - 1, 1);
    for (let index = 1; index <= depth; index++) {
      folders.add(prefix + parts.slice(0, index).join("/"));
    }
    if (recursive || parts.length === 1) entries.push({ type: "file", file });
  }
  if (folders.size > 0) {
    // Every file lies under `folder`, so the trees built from them are the real trees of its sub-folders.
    const trees = buildGitTrees(files).folders;
    for (const path of folders) entries.push({ type: "directory", path, oid: trees.get(path)! });
  }
  return entries.sort((a, b) => compareStrings(entryPath(a), entryPath(b)));
}

/** Looks up the commits that last changed entries, once per commit. */
export function lastCommitFinder(
  hub: HubScope,
  repoPk: number,
  files: readonly TreeFile[],
): (entry: TreeEntry) => Promise<LastCommit | undefined> {
  const cache = new Map<string, Promise<LastCommit | undefined>>();
  const lookup = (oid: string): Promise<LastCommit | undefined> => {
    let found = cache.get(oid);
    if (!found) {
      found = hub.catalog.commits
        .getCommit(repoPk, oid)
        .then((commit) => (commit ? { id: commit.oid, title: commit.title, date: commit.date } : undefined));
      cache.set(oid, found);
    }
    return found;
  };
  // A folder last changed when the newest of its files did; one pass over the files finds that for all
  // folders at once, and only when a folder entry asks.
  let newestInFolder: Promise<Map<string, LastCommit>> | undefined;
  const findNewest = async (): Promise<Map<string, LastCommit>> => {
    const newest = new Map<string, LastCommit>();
    for (const file of files) {
      const candidate = await lookup(file.lastCommit);
      if (!candidate) continue;
      for (let slash = file.path.indexOf("/"); slash !== -1; slash = file.path.indexOf("/", slash + 1)) {
        const ancestor = file.path.slice(0, slash);
        const current = newest.get(ancestor);
        if (!current || candidate.date > current.date) newest.set(ancestor, candidate);
      }
    }
    return newest;
  };
  const folderNewest = async (folder: string): Promise<LastCommit | undefined> => {
    newestInFolder ??= findNewest();
    return (await newestInFolder).get(folder);
  };
  return (entry) => (entry.type === "file" ? lookup(entry.file.lastCommit) : folderNewest(entry.path));
}

function isPathCursor(value: unknown): value is { after: string } {
  return (
    typeof value === "object" && value !== null && typeof (value as { after?: unknown }).after === "string"
  );
}

async function listFolderFiles(hub: HubScope, commit: StoredCommit, folder: string): Promise<TreeFile[]> {
  return folder === ""
    ? await hub.catalog.commits.listFiles(commit.pk)
    : await hub.catalog.commits.listFilesUnder(commit.pk, folder);
}

/** Lists a folder of a repo at a revision, one page at a time. */
export async function listTree(
  hub: HubScope,
  caller: Caller,
  params: ListTreeParams,
): Promise<ListTreeResult> {
  const folder = params.path ? validateRepoPath(params.path.replace(/\/+$/, "")) : "";
  const repo = await getReadableRepo(hub, caller, params.ref);
  const { commit } = await resolveRevision(hub, repo, params.revision);
  const files = await listFolderFiles(hub, commit, folder);
  let entries: TreeEntry[];
  if (folder !== "" && files.length === 0) {
    const file = await hub.catalog.commits.getFile(commit.pk, folder);
    if (!file) throw entryNotFound(folder, commit.oid, repo.id);
    entries = [{ type: "file", file }];
  } else {
    entries = buildTreeEntries(files, folder, params.recursive ?? false);
  }
  if (params.cursor) {
    const { after } = decodeCursor(params.cursor, isPathCursor);
    entries = entries.filter((entry) => compareStrings(entryPath(entry), after) > 0);
  }
  const page = entries.slice(0, params.limit);
  if (params.expand) {
    const find = lastCommitFinder(hub, repo.pk, files);
    for (const entry of page) {
      const lastCommit = await find(entry);
      if (lastCommit) entry.lastCommit = lastCommit;
    }
    await attachScanResults(hub, page);
  }
  const last = page[page.length - 1];
  return {
    commitOid: commit.oid,
    entries: page,
    ...(entries.length > params.limit && last
      ? { nextCursor: encodeCursor({ after: entryPath(last) }) }
      : {}),
  };
}

/** Sets each file entry's scan verdict under the current rules (null when not scanned yet), in one query. */
export async function attachScanResults(hub: HubScope, entries: TreeEntry[]): Promise<void> {
  const files = entries.flatMap((entry) => (entry.type === "file" ? [entry] : []));
  if (files.length === 0) return;
  const results = await hub.catalog.scanResults.getMany(
    files.map((entry) => entry.file.sha256),
    SCANNER_RULES_VERSION,
  );
  for (const entry of files) entry.security = results.get(entry.file.sha256) ?? null;
}
