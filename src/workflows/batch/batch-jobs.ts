import { HangarError } from "../../core/errors.ts";
import type { Caller, Principal } from "../../hub/accounts/principal.ts";
import type { HubContext } from "../../hub/hub.ts";
import type { BatchCounts, BatchRow } from "../../store/batches-table.ts";
import { requireUser } from "../require-user.ts";
import { type ApiList, getOwnFile, listPage, newId, pageLimit } from "./batch-files.ts";
import { isBatchEndpoint, OPENAI_BATCH_ENDPOINTS } from "./batch-rows.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/** What Hangar measured of the input before the job ran: requests and the characters their texts hold. */
export interface BatchEstimate {
  requests: number;
  malformed: number;
  input_characters: number;
  /** The unit the estimate counts; models that count tokens meter tokens (see `usage`). */
  unit: "characters";
}

/** A batch as the OpenAI Batch API shows it, with Hangar's estimate and metered units. */
export interface ApiBatch {
  id: string;
  object: "batch";
  endpoint: string;
  errors: {
    object: "list";
    data: Array<{ code: string; message: string; line: number | null; param: string | null }>;
  } | null;
  input_file_id: string;
  completion_window: string;
  status: BatchRow["status"];
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
  /** Hangar: the estimate made before the job started (null while validating). */
  estimate: BatchEstimate | null;
  /** Hangar: the units the inference meter counted for the requests answered so far. */
  metered: { input_units: number; output_units: number };
}

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

export function apiBatch(row: BatchRow, counts: BatchCounts): ApiBatch {
  return {
    id: row.id,
    object: "batch",
    endpoint: row.endpoint,
    errors: row.errors ? JSON.parse(row.errors) : null,
    input_file_id: row.inputFileId,
    completion_window: row.completionWindow,
    status: row.status,
    output_file_id: row.outputFileId,
    error_file_id: row.errorFileId,
    created_at: seconds(row.createdMs)!,
    in_progress_at: seconds(row.inProgressMs),
    expires_at: seconds(row.expiresMs)!,
    finalizing_at: seconds(row.finalizingMs),
    completed_at: seconds(row.completedMs),
    failed_at: seconds(row.failedMs),
    expired_at: seconds(row.expiredMs),
    cancelling_at: seconds(row.cancellingMs),
    cancelled_at: seconds(row.cancelledMs),
    request_counts: { total: row.total, completed: counts.completed, failed: counts.failed },
    metadata: row.metadata ? JSON.parse(row.metadata) : null,
    estimate: row.estimate ? JSON.parse(row.estimate) : null,
    metered: { input_units: counts.inputUnits, output_units: counts.outputUnits },
  };
}

async function toApi(hub: HubContext, row: BatchRow): Promise<ApiBatch> {
  return apiBatch(row, await hub.catalog.batches.counts(row.id));
}

function checkMetadata(metadata: unknown): Record<string, string> | null {
  if (metadata === undefined || metadata === null) return null;
  const bad = (message: string) =>
    new HangarError("HANGAR_ERR_BAD_REQUEST", `"metadata" ${message}`, { details: { param: "metadata" } });
  if (typeof metadata !== "object" || Array.isArray(metadata)) throw bad("must be an object of strings");
  const entries = Object.entries(metadata);
  if (entries.length > 16) throw bad("takes at most 16 keys");
  for (const [key, value] of entries) {
    if (typeof value !== "string") throw bad(`value of "${key}" must be a string`);
    if (key.length > 64 || value.length > 512) throw bad("keys take at most 64 characters, values 512");
  }
  return metadata as Record<string, string>;
}

export interface CreateBatchParams {
  input_file_id?: unknown;
  endpoint?: unknown;
  completion_window?: unknown;
  metadata?: unknown;
}

/** `POST /v1/batches`: a job over one of the caller's files; the runner validates and runs it. */
export async function createBatch(
  hub: HubContext,
  caller: Caller,
  params: CreateBatchParams,
): Promise<ApiBatch> {
  const user = requireUser(caller);
  if (typeof params.endpoint !== "string" || !isBatchEndpoint(params.endpoint)) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `"endpoint" must be one of ${OPENAI_BATCH_ENDPOINTS.join(", ")} or /v1/inference/{task}`,
      { details: { param: "endpoint" } },
    );
  }
  if (params.completion_window !== "24h") {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", '"completion_window" must be "24h"', {
      details: { param: "completion_window" },
    });
  }
  if (typeof params.input_file_id !== "string" || params.input_file_id === "") {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", '"input_file_id" is required', {
      details: { param: "input_file_id" },
    });
  }
  const metadata = checkMetadata(params.metadata);
  const file = await getOwnFile(hub, caller, params.input_file_id);
  if (file.purpose !== "batch") {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `"input_file_id" names a file with purpose "${file.purpose}"; a batch input needs purpose "batch"`,
      { details: { param: "input_file_id" } },
    );
  }
  const now = Date.now();
  const row: Omit<BatchRow, "leaseOwner" | "leaseExpiresMs"> = {
    id: newId("batch_"),
    owner: user.user,
    tokenId: user.token.id,
    endpoint: params.endpoint,
    inputFileId: file.id,
    completionWindow: "24h",
    status: "validating",
    metadata: metadata ? JSON.stringify(metadata) : null,
    createdMs: now,
    inProgressMs: null,
    finalizingMs: null,
    completedMs: null,
    failedMs: null,
    cancellingMs: null,
    cancelledMs: null,
    expiresMs: now + DAY_MS,
    expiredMs: null,
    outputFileId: null,
    errorFileId: null,
    errors: null,
    total: 0,
    estimate: null,
  };
  await hub.catalog.batches.insert(row);
  return toApi(hub, { ...row, leaseOwner: null, leaseExpiresMs: 0 });
}

async function getOwnBatch(hub: HubContext, user: Principal, id: string): Promise<BatchRow> {
  const row = await hub.catalog.batches.get(id);
  if (!row || row.owner !== user.user) {
    throw new HangarError("HANGAR_ERR_NOT_FOUND", `No batch with id "${id}"`, {
      details: { param: "batch_id" },
    });
  }
  return row;
}

/** `GET /v1/batches/{id}` */
export async function getBatch(hub: HubContext, caller: Caller, id: string): Promise<ApiBatch> {
  return toApi(hub, await getOwnBatch(hub, requireUser(caller), id));
}

/** `GET /v1/batches`: the caller's jobs, newest first, `limit` (1 to 100, default 20) after the job `after`. */
export async function listBatches(
  hub: HubContext,
  caller: Caller,
  query: { after?: string; limit?: number },
): Promise<ApiList<ApiBatch>> {
  const user = requireUser(caller);
  const limit = pageLimit(query.limit, 20, 100);
  const after = query.after ? await getOwnBatch(hub, user, query.after) : undefined;
  const rows = await hub.catalog.batches.list({
    owner: user.user,
    limit: limit + 1,
    ...(after ? { after } : {}),
  });
  const page = listPage(rows, limit);
  return { ...page, data: await Promise.all(page.data.map((row) => toApi(hub, row))) };
}

/**
 * `POST /v1/batches/{id}/cancel`: a job not started yet is cancelled at once; a running one turns
 * `cancelling`, and the runner stops taking lines and writes what it has (then `cancelled`).
 */
export async function cancelBatch(hub: HubContext, caller: Caller, id: string): Promise<ApiBatch> {
  const user = requireUser(caller);
  const row = await getOwnBatch(hub, user, id);
  const now = Date.now();
  if (row.status === "validating") {
    await hub.catalog.batches.update(id, { status: "cancelling", cancellingMs: now }, ["validating"]);
  } else if (row.status === "in_progress") {
    await hub.catalog.batches.update(id, { status: "cancelling", cancellingMs: now }, ["in_progress"]);
  } else if (row.status !== "cancelling" && row.status !== "cancelled") {
    throw new HangarError(
      "HANGAR_ERR_CONFLICT",
      `Batch ${id} is ${row.status}; only a validating or in_progress batch can be cancelled`,
    );
  }
  return getBatch(hub, caller, id);
}
