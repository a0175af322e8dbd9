import { Type } from "typebox";
import { HangarError } from "../../core/errors.ts";
import type { Hangar } from "../../hangar.ts";
import {
  apiFile,
  deleteFile,
  getOwnFile,
  listFiles,
  MAX_BATCH_FILE_BYTES,
  readFileContent,
  uploadFile,
} from "../../workflows/batch/batch-files.ts";
import { cancelBatch, createBatch, getBatch, listBatches } from "../../workflows/batch/batch-jobs.ts";
import { type NativeApp, OPENAI_ERRORS, openObject, TOKEN } from "./schemas.ts";

/** Room for the multipart envelope around the largest file. */
const MULTIPART_OVERHEAD = 64 * 1024;

const FILE = openObject(
  {
    id: Type.String(),
    object: Type.Literal("file"),
    bytes: Type.Integer(),
    created_at: Type.Integer(),
    filename: Type.String(),
    purpose: Type.String(),
    status: Type.String(),
  },
  "a file (OpenAI's Files API)",
);

const BATCH = openObject(
  {
    id: Type.String(),
    object: Type.Literal("batch"),
    endpoint: Type.String(),
    status: Type.String({
      description: "validating, in_progress, finalizing, completed, failed, cancelling, cancelled or expired",
    }),
    request_counts: Type.Object({ total: Type.Integer(), completed: Type.Integer(), failed: Type.Integer() }),
    estimate: openObject({}, "Hangar: requests and input characters measured before the job ran"),
    metered: openObject({}, "Hangar: the units the inference meter counted for the answered requests"),
  },
  "a batch job (OpenAI's Batch API)",
);

const list = (item: ReturnType<typeof openObject>) =>
  Type.Object({
    object: Type.Literal("list"),
    data: Type.Array(item),
    first_id: Type.Union([Type.String(), Type.Null()]),
    last_id: Type.Union([Type.String(), Type.Null()]),
    has_more: Type.Boolean(),
  });

const PAGE_QUERY = {
  after: Type.Optional(Type.String({ description: "the last id of the previous page" })),
  limit: Type.Optional(Type.String({ description: "how many to list (a whole number)" })),
};

function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!/^\d+$/.test(value)) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", '"limit" must be a whole number', {
      details: { param: "limit" },
    });
  }
  return limit;
}

/** A multipart/form-data body's `file` and `purpose` fields (the way the OpenAI clients upload). */
async function readUpload(
  contentType: string | undefined,
  body: unknown,
): Promise<{ filename: string; purpose: string; bytes: Uint8Array }> {
  if (!contentType?.toLowerCase().startsWith("multipart/form-data") || !Buffer.isBuffer(body)) {
    throw new HangarError(
      "HANGAR_ERR_UNSUPPORTED_MEDIA_TYPE",
      "POST /v1/files takes multipart/form-data with the fields file and purpose",
    );
  }
  let form: FormData;
  try {
    form = await new Request("http://hangar.invalid/", {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    }).formData();
  } catch (error) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `The multipart body cannot be read: ${(error as Error).message}`,
    );
  }
  const file = form.get("file");
  const purpose = form.get("purpose");
  if (!(file instanceof Blob)) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", '"file" is required: the file to upload', {
      details: { param: "file" },
    });
  }
  if (typeof purpose !== "string") {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", '"purpose" is required (batch for batch inputs)', {
      details: { param: "purpose" },
    });
  }
  const filename = file instanceof File && file.name ? file.name : "upload.jsonl";
  return { filename, purpose, bytes: new Uint8Array(await file.arrayBuffer()) };
}

/**
 * OpenAI's Files and Batch APIs (`/v1/files`, `/v1/batches`): the `openai` clients upload inputs, start
 * jobs, follow them and download the output and error files. Everything belongs to the calling user.
 */
export function registerBatchRoutes(app: NativeApp, hangar: Hangar): void {
  const openAi = { openAi: true } as const;
  const fileId = Type.Object({ file_id: Type.String({ minLength: 1 }) });
  const batchId = Type.Object({ batch_id: Type.String({ minLength: 1 }) });
  app.post(
    "/v1/files",
    {
      schema: {
        summary: "Upload a file (multipart: file, purpose=batch) (OpenAI-compatible)",
        tags: ["batch"],
        security: TOKEN,
        response: { 200: FILE, ...OPENAI_ERRORS },
      },
      config: { ...openAi, rawBody: { maxBytes: MAX_BATCH_FILE_BYTES + MULTIPART_OVERHEAD } },
    },
    async (request) =>
      uploadFile(hangar, request.caller, await readUpload(request.headers["content-type"], request.body)),
  );
  app.get(
    "/v1/files",
    {
      schema: {
        summary: "The caller's files (OpenAI-compatible)",
        tags: ["batch"],
        security: TOKEN,
        querystring: Type.Object({
          ...PAGE_QUERY,
          order: Type.Optional(Type.Union([Type.Literal("asc"), Type.Literal("desc")])),
          purpose: Type.Optional(Type.String()),
        }),
        response: { 200: list(FILE), ...OPENAI_ERRORS },
      },
      config: openAi,
    },
    async (request) => {
      const { after, limit, order, purpose } = request.query;
      return listFiles(hangar, request.caller, {
        ...(after ? { after } : {}),
        ...(limit !== undefined ? { limit: parseLimit(limit)! } : {}),
        ...(order ? { order } : {}),
        ...(purpose ? { purpose } : {}),
      });
    },
  );
  app.get(
    "/v1/files/:file_id",
    {
      schema: {
        summary: "A file's description (OpenAI-compatible)",
        tags: ["batch"],
        security: TOKEN,
        params: fileId,
        response: { 200: FILE, ...OPENAI_ERRORS },
      },
      config: openAi,
    },
    async (request) => apiFile(await getOwnFile(hangar, request.caller, request.params.file_id)),
  );
  app.get(
    "/v1/files/:file_id/content",
    {
      schema: {
        summary: "A file's bytes (OpenAI-compatible)",
        tags: ["batch"],
        security: TOKEN,
        params: fileId,
        response: {
          200: Type.Unsafe<Buffer>({ type: "string", format: "binary", description: "the file's bytes" }),
          ...OPENAI_ERRORS,
        },
      },
      config: openAi,
    },
    async (request, reply) => {
      const { file, bytes } = await readFileContent(hangar, request.caller, request.params.file_id);
      return reply
        .header(
          "Content-Type",
          file.filename.endsWith(".jsonl") ? "application/jsonl" : "application/octet-stream",
        )
        .header("Content-Disposition", `attachment; filename="${file.filename.replace(/["\\\r\n]/g, "_")}"`)
        .send(bytes);
    },
  );
  app.delete(
    "/v1/files/:file_id",
    {
      schema: {
        summary: "Delete a file (OpenAI-compatible)",
        tags: ["batch"],
        security: TOKEN,
        params: fileId,
        response: {
          200: Type.Object({ id: Type.String(), object: Type.Literal("file"), deleted: Type.Boolean() }),
          ...OPENAI_ERRORS,
        },
      },
      config: openAi,
    },
    async (request) => deleteFile(hangar, request.caller, request.params.file_id),
  );
  app.post(
    "/v1/batches",
    {
      schema: {
        summary: "Start a batch job over an uploaded file (OpenAI-compatible)",
        tags: ["batch"],
        security: TOKEN,
        body: Type.Object(
          {
            input_file_id: Type.String(),
            endpoint: Type.String({
              description: "/v1/chat/completions, /v1/completions, /v1/embeddings or /v1/inference/{task}",
            }),
            completion_window: Type.Literal("24h"),
            metadata: Type.Optional(Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()])),
          },
          { additionalProperties: true },
        ),
        response: { 200: BATCH, ...OPENAI_ERRORS },
      },
      config: { ...openAi, jsonBody: { maxBytes: 64 * 1024, schema: { type: "object" } } },
    },
    async (request) => {
      const batch = await createBatch(hangar, request.caller, request.body as Record<string, unknown>);
      hangar.batches.notify();
      return batch;
    },
  );
  app.get(
    "/v1/batches",
    {
      schema: {
        summary: "The caller's batch jobs, newest first (OpenAI-compatible)",
        tags: ["batch"],
        security: TOKEN,
        querystring: Type.Object(PAGE_QUERY),
        response: { 200: list(BATCH), ...OPENAI_ERRORS },
      },
      config: openAi,
    },
    async (request) => {
      const { after, limit } = request.query;
      return listBatches(hangar, request.caller, {
        ...(after ? { after } : {}),
        ...(limit !== undefined ? { limit: parseLimit(limit)! } : {}),
      });
    },
  );
  app.get(
    "/v1/batches/:batch_id",
    {
      schema: {
        summary: "A batch job (OpenAI-compatible)",
        tags: ["batch"],
        security: TOKEN,
        params: batchId,
        response: { 200: BATCH, ...OPENAI_ERRORS },
      },
      config: openAi,
    },
    async (request) => getBatch(hangar, request.caller, request.params.batch_id),
  );
  app.post(
    "/v1/batches/:batch_id/cancel",
    {
      schema: {
        summary: "Cancel a batch job (OpenAI-compatible)",
        tags: ["batch"],
        security: TOKEN,
        params: batchId,
        response: { 200: BATCH, ...OPENAI_ERRORS },
      },
      config: { ...openAi, jsonBody: { maxBytes: 4096, schema: { type: "object" } } },
    },
    async (request) => {
      const batch = await cancelBatch(hangar, request.caller, request.params.batch_id);
      hangar.batches.notify();
      return batch;
    },
  );
}
