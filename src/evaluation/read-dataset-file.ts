import { badRequest, HangarError } from "../core/errors.ts";
import { nextTurn } from "../core/next-turn.ts";
import type { Repo } from "../core/types.ts";
import { parseRepoId } from "../core/validate.ts";
import { canRead } from "../hub/access.ts";
import type { Caller } from "../hub/accounts/principal.ts";
import type { HubContext } from "../hub/hub.ts";
import { openFile } from "../hub/read/open-file.ts";
import { resolveRevision } from "../hub/resolve-revision.ts";
import { TABLE_FORMATS, type Table, type TableFormat, tableFormatOf } from "./parse-table.ts";
import { tableWorker } from "./table-worker.ts";

export interface DatasetFile {
  repo: Repo;
  commit: string;
  path: string;
  table: Table;
  /** The YAML metadata of the dataset card at that commit (its `dataset_info` names class ids). */
  cardData: Record<string, unknown> | undefined;
}

/**
 * Dataset files are read whole into memory and parsed on a worker, up to this size (the test split of a
 * text dataset is far smaller); a larger file is refused (413).
 */
export const MAX_EVALUATION_FILE_BYTES = 64 * 1024 ** 2;

/** Held-out splits first: a file named for one of these is the one evaluated when the caller names none. */
const SPLIT_PREFERENCE = [/test/, /valid|validation|dev|eval/];
const EXTENSIONS = Object.keys(TABLE_FORMATS).join(", ");

/**
 * A repo the caller may read, by id; anything else (missing, private to others) is one 404 naming it, so a
 * private repo cannot be told apart from a missing one. `datasets/` before a dataset id is accepted.
 */
export async function findReadableRepo(
  hub: HubContext,
  caller: Caller,
  id: string,
  type: "model" | "dataset",
): Promise<Repo> {
  if (typeof id !== "string" || id === "")
    throw badRequest(`"${type}" is required: a repo id "namespace/name"`);
  const bare = type === "dataset" ? id.replace(/^datasets\//, "") : id;
  const repo = await hub.catalog.repos.get(parseRepoId(bare, type));
  if (!repo || !canRead(caller, repo)) {
    throw new HangarError(
      "HANGAR_ERR_REPO_NOT_FOUND",
      `Hangar has no ${type} ${bare} (or you may not read it)`,
      {
        status: 404,
        details: { [type]: bare },
      },
    );
  }
  return repo;
}

/** The labelled file to evaluate on: the one named, or the only (or only held-out) table file of the repo. */
function chooseFile(paths: string[], repoId: string, requested: string | undefined): string {
  const tables = paths.filter((path) => tableFormatOf(path) !== undefined);
  if (requested !== undefined) {
    if (!paths.includes(requested)) {
      throw new HangarError(
        "HANGAR_ERR_ENTRY_NOT_FOUND",
        `Dataset ${repoId} has no file ${requested}${tables.length ? ` (its table files: ${tables.join(", ")})` : ""}`,
      );
    }
    if (!tableFormatOf(requested)) throw badRequest(`${requested} is not a ${EXTENSIONS} file`);
    return requested;
  }
  if (tables.length === 0) {
    throw badRequest(
      `Dataset ${repoId} has no ${EXTENSIONS} file to evaluate on (its files: ${paths.join(", ") || "none"})`,
    );
  }
  if (tables.length === 1) return tables[0]!;
  for (const pattern of SPLIT_PREFERENCE) {
    const matching = tables.filter((path) => pattern.test(path.toLowerCase().split("/").pop()!));
    if (matching.length === 1) return matching[0]!;
  }
  throw badRequest(
    `Dataset ${repoId} has several table files (${tables.join(", ")}): choose one with "file"`,
  );
}

/** Reads and parses one labelled file of a dataset repo at a revision, with the caller's read access. */
export async function readDatasetFile(
  hub: HubContext,
  caller: Caller,
  params: { dataset: string; revision?: string; file?: string },
): Promise<DatasetFile> {
  const repo = await findReadableRepo(hub, caller, params.dataset, "dataset");
  if (!repo.sha && params.revision === undefined) {
    throw badRequest(`Dataset ${repo.id} is empty: it has no commit with files`);
  }
  const { commit } = await resolveRevision(hub, repo, params.revision ?? "main");
  const paths = (await hub.catalog.commits.listFiles(commit.pk)).map((file) => file.path);
  const path = chooseFile(paths, repo.id, params.file);
  const opened = await openFile(hub, caller, { ref: repo, revision: commit.oid, path });
  if (opened.size > MAX_EVALUATION_FILE_BYTES) {
    throw new HangarError(
      "HANGAR_ERR_PAYLOAD_TOO_LARGE",
      `${path} is ${opened.size} bytes, over the ${MAX_EVALUATION_FILE_BYTES} an evaluation reads: name a smaller file with "file"`,
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of await opened.read()) chunks.push(chunk as Buffer);
  const table = await readTableOffThread(Buffer.concat(chunks), tableFormatOf(path)!, path);
  return { repo, commit: commit.oid, path, table, cardData: commit.metadata.cardData };
}

/** Parses a table on the table worker; its rows come back in chunks, each parsed in its own turn. */
async function readTableOffThread(bytes: Buffer, format: TableFormat, path: string): Promise<Table> {
  const { columns, rowChunks } = await tableWorker.run("parseTableFile", { bytes, format, path });
  const rows: Table["rows"] = [];
  for (const chunk of rowChunks) {
    for (const row of JSON.parse(chunk) as Table["rows"]) rows.push(row);
    await nextTurn();
  }
  return { columns, rows };
}
