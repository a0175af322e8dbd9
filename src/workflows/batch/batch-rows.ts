import { randomBytes } from "node:crypto";
import { ERROR_CODES, HangarError } from "../../core/errors.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { InferenceRuntime, InferenceUsage } from "../../inference/inference-runtime.ts";
import { runChatCompletion, runCompletion, runEmbeddings } from "../../inference/openai-requests.ts";
import { taskInferenceRequest } from "../../inference/task-request.ts";
import type { BatchResult } from "../../store/batches-table.ts";

/** The endpoints a batch may name; `/v1/inference/{task}` is Hangar's task API. */
export const OPENAI_BATCH_ENDPOINTS = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"] as const;
const TASK_ENDPOINT = /^\/v1\/inference\/([a-z0-9-]+)$/;

export function isBatchEndpoint(endpoint: string): boolean {
  return (OPENAI_BATCH_ENDPOINTS as readonly string[]).includes(endpoint) || TASK_ENDPOINT.test(endpoint);
}

/** One input line, read: either a request or why it cannot be one. */
export type BatchLine =
  | { line: number; customId: string; body: Record<string, unknown>; error?: undefined }
  | { line: number; customId: string | null; error: { code: string; message: string } };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The input file's lines (1-based numbers; blank lines skipped, not counted), each checked against the
 * Batch API's request shape `{custom_id, method: "POST", url, body}` with `url` the job's endpoint.
 */
export function* readBatchLines(bytes: Uint8Array, endpoint: string): Generator<BatchLine> {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  let line = 0;
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") continue;
    line++;
    yield parseLine(raw, line, endpoint);
  }
}

function parseLine(raw: string, line: number, endpoint: string): BatchLine {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return {
      line,
      customId: null,
      error: { code: "invalid_json", message: `Line ${line} is not JSON: ${(error as Error).message}` },
    };
  }
  if (!isRecord(value)) {
    return {
      line,
      customId: null,
      error: { code: "invalid_request", message: `Line ${line} is not a JSON object` },
    };
  }
  const customId = typeof value.custom_id === "string" && value.custom_id !== "" ? value.custom_id : null;
  const fail = (code: string, message: string): BatchLine => ({ line, customId, error: { code, message } });
  if (customId === null)
    return fail("missing_custom_id", `Line ${line}: "custom_id" must be a non-empty string`);
  if (value.method !== undefined && value.method !== "POST") {
    return fail("invalid_method", `Line ${line}: "method" must be POST`);
  }
  if (value.url !== endpoint) {
    return fail(
      "invalid_url",
      `Line ${line}: "url" must be the batch's endpoint ${endpoint}; got ${JSON.stringify(value.url)}`,
    );
  }
  if (!isRecord(value.body)) return fail("invalid_body", `Line ${line}: "body" must be a JSON object`);
  return { line, customId, body: value.body };
}

/** Characters of the texts a request body sends: what the meter counts for models that count no tokens. */
export function inputCharacters(body: Record<string, unknown>): number {
  const count = (value: unknown): number => {
    if (typeof value === "string") return value.length;
    if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + count(item), 0);
    if (isRecord(value)) return Object.values(value).reduce((sum: number, item) => sum + count(item), 0);
    return 0;
  };
  return count(body.messages) + count(body.prompt) + count(body.input) + count(body.inputs);
}

export interface RowContext {
  runtime: Pick<InferenceRuntime, "run" | "router">;
  caller: Caller;
  endpoint: string;
  signal?: AbortSignal;
}

/** Runs one request the way its HTTP route would: the same service functions, the same answers. */
async function answerRow(
  context: RowContext,
  body: Record<string, unknown>,
): Promise<{ answer: unknown; usage: InferenceUsage }> {
  const call = {
    runtime: context.runtime,
    caller: context.caller,
    body,
    ...(context.signal ? { signal: context.signal } : {}),
  };
  switch (context.endpoint) {
    case "/v1/chat/completions":
      return runChatCompletion({ ...call, api: "openai" });
    case "/v1/completions":
      return runCompletion({ ...call, api: "openai" });
    case "/v1/embeddings":
      return runEmbeddings({ ...call, api: "openai" });
  }
  const task = TASK_ENDPOINT.exec(context.endpoint)?.[1];
  if (!task) throw new HangarError("HANGAR_ERR_BAD_REQUEST", `Unknown endpoint ${context.endpoint}`);
  const result = await context.runtime.run(taskInferenceRequest({ ...call, task, api: "task" }));
  return { answer: result, usage: result.usage };
}

function requestId(): string {
  return `batch_req_${randomBytes(12).toString("hex")}`;
}

/** OpenAI's error body for a failed request, as its route would have answered. */
function errorBody(error: HangarError) {
  const code = error.code === "HANGAR_ERR_REPO_NOT_FOUND" ? "model_not_found" : error.hubCode;
  const param = typeof error.details.param === "string" ? error.details.param : null;
  const type = error.status >= 500 ? "server_error" : "invalid_request_error";
  return { message: error.message, type, code, param };
}

/**
 * One line's result as the record of the output file (`{id, custom_id, response: {status_code, request_id,
 * body}, error: null}`) or of the error file (malformed lines: `response: null, error`; failed requests: the
 * route's error answer and `error`).
 */
export async function runBatchLine(context: RowContext, line: BatchLine): Promise<BatchResult> {
  const id = requestId();
  if (line.error) {
    const record = { id, custom_id: line.customId, response: null, error: line.error };
    return { line: line.line, ok: false, record: JSON.stringify(record), inputUnits: 0, outputUnits: 0 };
  }
  try {
    const { answer, usage } = await answerRow(context, line.body);
    const record = {
      id,
      custom_id: line.customId,
      response: { status_code: 200, request_id: id, body: answer },
      error: null,
    };
    return {
      line: line.line,
      ok: true,
      record: JSON.stringify(record),
      inputUnits: usage.input_units,
      outputUnits: usage.output_units,
    };
  } catch (thrown) {
    if (context.signal?.aborted) throw thrown;
    const error = HangarError.isInstance(thrown)
      ? thrown
      : new HangarError("HANGAR_ERR_INTERNAL", `Inference failed: ${(thrown as Error)?.message ?? thrown}`);
    const body = errorBody(error);
    const record = {
      id,
      custom_id: line.customId,
      response: {
        status_code: error.status ?? ERROR_CODES[error.code].status,
        request_id: id,
        body: { error: body },
      },
      error: { code: body.code, message: error.message },
    };
    return { line: line.line, ok: false, record: JSON.stringify(record), inputUnits: 0, outputUnits: 0 };
  }
}
