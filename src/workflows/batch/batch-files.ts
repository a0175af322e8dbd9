import { randomBytes } from "node:crypto";
import { HangarError } from "../../core/errors.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubContext } from "../../hub/hub.ts";
import type { BatchFileRow } from "../../store/batch-files-table.ts";
import { requireUser } from "../require-user.ts";

/** The largest file the Files API takes (OpenAI's limit for batch inputs); `maxRequestBodySize` may lower it. */
export const MAX_BATCH_FILE_BYTES = 200 * 1024 ** 2;

/** Purposes a caller may upload with; `batch_output` is what jobs write. */
const UPLOAD_PURPOSES = new Set(["batch", "user_data"]);

/** A file as the OpenAI Files API shows it. */
export interface ApiFile {
  id: string;
  object: "file";
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: "processed";
  expires_at?: number;
}

export function apiFile(row: BatchFileRow): ApiFile {
  return {
    id: row.id,
    object: "file",
    bytes: row.bytes,
    created_at: Math.floor(row.createdMs / 1000),
    filename: row.filename,
    purpose: row.purpose,
    status: "processed",
    ...(row.expiresMs !== null ? { expires_at: Math.floor(row.expiresMs / 1000) } : {}),
  };
}

export function newId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString("hex")}`;
}

/** Stores bytes as a file of `owner` (blob first, then the catalog row). */
export async function storeFile(
  hub: HubContext,
  params: { owner: string; filename: string; purpose: string; bytes: Uint8Array },
): Promise<BatchFileRow> {
  const stored = await hub.blobs.put(params.bytes, { gitOid: false });
  const row: BatchFileRow = {
    id: newId("file-"),
    owner: params.owner,
    filename: params.filename,
    purpose: params.purpose,
    bytes: stored.size,
    sha256: stored.sha256,
    createdMs: Date.now(),
    expiresMs: null,
  };
  await hub.catalog.batchFiles.insert(row);
  return row;
}

/** `POST /v1/files`: a file the caller uploads (purpose `batch` for batch inputs). */
export async function uploadFile(
  hub: HubContext,
  caller: Caller,
  params: { filename: string; purpose: string; bytes: Uint8Array },
): Promise<ApiFile> {
  const user = requireUser(caller);
  if (!UPLOAD_PURPOSES.has(params.purpose)) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `"purpose" must be one of ${[...UPLOAD_PURPOSES].join(", ")}; got "${params.purpose}"`,
      { details: { param: "purpose" } },
    );
  }
  if (params.bytes.byteLength === 0) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", '"file" is empty', { details: { param: "file" } });
  }
  if (params.bytes.byteLength > MAX_BATCH_FILE_BYTES) {
    throw new HangarError(
      "HANGAR_ERR_PAYLOAD_TOO_LARGE",
      `"file" has ${params.bytes.byteLength} bytes; the limit is ${MAX_BATCH_FILE_BYTES}`,
      { details: { param: "file" } },
    );
  }
  return apiFile(await storeFile(hub, { owner: user.user, ...params }));
}

/** The caller's file; anyone else's is not found (its existence is not revealed). */
export async function getOwnFile(hub: HubContext, caller: Caller, id: string): Promise<BatchFileRow> {
  const user = requireUser(caller);
  const row = await hub.catalog.batchFiles.get(id);
  if (!row || row.owner !== user.user) {
    throw new HangarError("HANGAR_ERR_NOT_FOUND", `No file with id "${id}"`, {
      details: { param: "file_id" },
    });
  }
  return row;
}

/** `GET /v1/files/{id}/content`: the bytes of the caller's file. */
export async function readFileContent(
  hub: HubContext,
  caller: Caller,
  id: string,
): Promise<{ file: BatchFileRow; bytes: Buffer }> {
  const file = await getOwnFile(hub, caller, id);
  return { file, bytes: await hub.blobs.read(file.sha256) };
}

/** `DELETE /v1/files/{id}`: the row goes; the bytes go with the next gc unless something else names them. */
export async function deleteFile(hub: HubContext, caller: Caller, id: string) {
  const file = await getOwnFile(hub, caller, id);
  await hub.catalog.batchFiles.delete(file.id);
  return { id: file.id, object: "file" as const, deleted: true };
}

/** A page of results in the OpenAI list shape (`after` is the last id of the previous page). */
export interface ApiList<T> {
  object: "list";
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

export function listPage<T extends { id: string }>(rows: T[], limit: number): ApiList<T> {
  const data = rows.slice(0, limit);
  return {
    object: "list",
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: rows.length > limit,
  };
}

export function pageLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", `"limit" must be an integer from 1 to ${max}`, {
      details: { param: "limit" },
    });
  }
  return limit;
}

/** `GET /v1/files`: the caller's files, newest first by default. */
export async function listFiles(
  hub: HubContext,
  caller: Caller,
  query: { after?: string; limit?: number; order?: "asc" | "desc"; purpose?: string },
): Promise<ApiList<ApiFile>> {
  const user = requireUser(caller);
  const limit = pageLimit(query.limit, 10_000, 10_000);
  const after = query.after ? await getOwnFile(hub, caller, query.after) : undefined;
  const rows = await hub.catalog.batchFiles.list({
    owner: user.user,
    limit: limit + 1,
    order: query.order ?? "desc",
    ...(after ? { after } : {}),
    ...(query.purpose ? { purpose: query.purpose } : {}),
  });
  return listPage(rows.map(apiFile), limit);
}
