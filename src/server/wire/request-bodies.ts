import type { JsonSchema } from "../../core/json-schema.ts";
import type { JsonBodyRule } from "../read-json-body.ts";

type BodyRule = Readonly<JsonBodyRule>;

/**
 * The JSON bodies routes take, as data: a shape (JSON Schema) and a size. Sizes are what the real clients
 * send with room to spare; every body is also bounded by `HANGAR_MAX_REQUEST_BODY_SIZE`. Fields are
 * declared with the types the clients send (Python sends `null` for options it was not given); fields no
 * route reads are let through, as the Hub lets them through.
 */

const KiB = 1024;
const MiB = 1024 ** 2;

/** Bodies of a few fields: names, flags, a revision. */
const SMALL = 64 * KiB;

const OPTIONAL_STRING = { type: ["string", "null"] } as const;
const OPTIONAL_BOOLEAN = { type: ["boolean", "null"] } as const;
const NAME = { type: "string", minLength: 1 } as const;

/** A repo named in the body: `{name, organization, type}` (delete; create adds more). */
const REPO_IN_BODY = {
  name: NAME,
  organization: OPTIONAL_STRING,
  type: OPTIONAL_STRING,
} as const;

export const DELETE_REPO_BODY = {
  maxBytes: SMALL,
  schema: { type: "object", properties: REPO_IN_BODY, required: ["name"] },
} as const satisfies BodyRule;

/** `files` are a Space's or repo's first files, base64 (the JS client's `createRepo({files})`). */
export const CREATE_REPO_BODY = {
  maxBytes: 16 * MiB,
  schema: {
    type: "object",
    properties: {
      ...REPO_IN_BODY,
      private: OPTIONAL_BOOLEAN,
      visibility: OPTIONAL_STRING,
      files: {
        type: ["array", "null"],
        items: {
          type: "object",
          properties: {
            path: NAME,
            content: { type: "string" },
            encoding: { type: ["string", "null"], enum: ["base64", "utf-8", null] },
          },
          required: ["path"],
        },
      },
    },
    required: ["name"],
  },
} as const satisfies BodyRule;

export const MOVE_REPO_BODY = {
  maxBytes: SMALL,
  schema: {
    type: "object",
    properties: {
      fromRepo: { ...NAME, description: "namespace/name" },
      toRepo: { ...NAME, description: "namespace/name" },
      type: OPTIONAL_STRING,
    },
    required: ["fromRepo", "toRepo"],
  },
} as const satisfies BodyRule;

export const REPO_SETTINGS_BODY = {
  maxBytes: SMALL,
  schema: {
    type: "object",
    properties: {
      private: OPTIONAL_BOOLEAN,
      visibility: OPTIONAL_STRING,
      gated: { type: ["string", "boolean", "null"] },
    },
  },
} as const satisfies BodyRule;

/** A README sent whole; its metadata has its own limit (1 MiB, 413 above it). */
export const VALIDATE_YAML_BODY = {
  maxBytes: 20 * MiB,
  schema: {
    type: "object",
    properties: { content: { type: "string", description: "the README.md text" }, repoType: OPTIONAL_STRING },
    required: ["content"],
  },
} as const satisfies BodyRule;

/** Python asks about 256 files at a time, the JS client 100; a sample is 512 bytes, base64. */
export const PREUPLOAD_BODY = {
  maxBytes: 4 * MiB,
  schema: {
    type: "object",
    properties: {
      files: {
        type: "array",
        maxItems: 1000,
        items: {
          type: "object",
          properties: {
            path: NAME,
            size: { type: "integer", minimum: 0 },
            sample: { type: "string", maxLength: 4 * KiB },
          },
          required: ["path", "size"],
        },
      },
      gitAttributes: OPTIONAL_STRING,
      gitIgnore: OPTIONAL_STRING,
    },
    required: ["files"],
  },
} as const satisfies BodyRule;

export const CREATE_BRANCH_BODY = {
  maxBytes: SMALL,
  schema: {
    type: "object",
    properties: {
      startingPoint: OPTIONAL_STRING,
      emptyBranch: OPTIONAL_BOOLEAN,
      overwrite: OPTIONAL_BOOLEAN,
    },
  },
} as const satisfies BodyRule;

export const CREATE_TAG_BODY = {
  maxBytes: SMALL,
  schema: { type: "object", properties: { tag: NAME, message: OPTIONAL_STRING }, required: ["tag"] },
} as const satisfies BodyRule;

/** JSON from the JS client; Python sends a form, read apart. */
export const PATHS_INFO_BODY = {
  maxBytes: 4 * MiB,
  schema: {
    type: "object",
    properties: {
      paths: { type: ["array", "string"], items: { type: "string" } },
      expand: { type: ["boolean", "string", "null"] },
    },
    required: ["paths"],
  },
} as const satisfies BodyRule;

/**
 * A Git LFS batch. Each object is checked by the batch itself, which answers a bad one with an error of its
 * own (the LFS protocol's per-object errors) rather than failing the others.
 */
export const LFS_BATCH_BODY = {
  maxBytes: 4 * MiB,
  schema: {
    type: "object",
    properties: {
      operation: { type: "string", description: '"upload"' },
      transfers: { type: ["array", "null"], items: { type: "string" } },
      hash_algo: OPTIONAL_STRING,
      objects: { type: "array", maxItems: 1000, items: { type: "object" } },
    },
    required: ["operation", "objects"],
  },
} as const satisfies BodyRule;

export const LFS_VERIFY_BODY = {
  maxBytes: SMALL,
  schema: {
    type: "object",
    properties: { oid: { type: "string" }, size: { type: "integer" } },
    required: ["oid", "size"],
  },
} as const satisfies BodyRule;

/** A multipart upload's completion: one `{partNumber, etag}` per part (10,000 parts at most, as S3). */
export const LFS_COMPLETION_BODY = {
  maxBytes: 2 * MiB,
  schema: {
    type: "object",
    properties: {
      oid: OPTIONAL_STRING,
      parts: { type: "array", maxItems: 10_000, items: { type: "object" } },
    },
    required: ["parts"],
  },
} as const satisfies BodyRule;

/** Hangar's compare, recommend and evaluation APIs check their fields themselves, with their own messages. */
export const HANGAR_API_BODY = { maxBytes: SMALL, schema: { type: "object" } } as const;

/** Inference: sizes come from the task (`TaskDefinition.maxRequestBytes`); these are the shapes. */
export const TASK_INFERENCE_SCHEMA = {
  type: "object",
  properties: {
    model: { ...NAME, description: 'a model repo id such as "namespace/name"' },
    revision: { type: ["string", "null"], description: "a branch, tag or commit id" },
    parameters: { type: ["object", "null"] },
    stream: OPTIONAL_BOOLEAN,
  },
  required: ["model"],
} as const satisfies JsonSchema;

export const SERVERLESS_INFERENCE_SCHEMA = {
  type: "object",
  properties: { parameters: { type: ["object", "null"] }, stream: OPTIONAL_BOOLEAN },
} as const satisfies JsonSchema;

/** OpenAI's request fields Hangar reads, with the types OpenAI documents. */
const OPENAI_SAMPLING = {
  model: { type: "string" },
  stream: OPTIONAL_BOOLEAN,
  stream_options: { type: ["object", "null"] },
  n: { type: ["integer", "null"] },
  max_tokens: { type: ["integer", "null"] },
  max_completion_tokens: { type: ["integer", "null"] },
  temperature: { type: ["number", "null"] },
  top_p: { type: ["number", "null"] },
  seed: { type: ["integer", "null"] },
  stop: { type: ["string", "array", "null"] },
} as const;

/** Prompts for the small models Hangar runs fit well within these; inputs are also bounded per task. */
export const OPENAI_BODY_BYTES = 4 * MiB;

export const CHAT_COMPLETION_BODY = {
  maxBytes: OPENAI_BODY_BYTES,
  schema: {
    type: "object",
    properties: { ...OPENAI_SAMPLING, messages: { type: "array" }, tools: { type: ["array", "null"] } },
  },
} as const satisfies BodyRule;

export const COMPLETION_BODY = {
  maxBytes: OPENAI_BODY_BYTES,
  schema: {
    type: "object",
    properties: { ...OPENAI_SAMPLING, prompt: { type: ["string", "array"] }, echo: OPTIONAL_BOOLEAN },
  },
} as const satisfies BodyRule;

export const EMBEDDINGS_BODY = {
  maxBytes: OPENAI_BODY_BYTES,
  schema: {
    type: "object",
    properties: {
      model: { type: "string" },
      input: { type: ["string", "array"] },
      encoding_format: OPTIONAL_STRING,
      dimensions: { type: ["integer", "null"] },
    },
  },
} as const satisfies BodyRule;

/** Discussion and comment texts: the Hub's limit is far below this. */
const DISCUSSION_TEXT = 256 * KiB;

export const CREATE_DISCUSSION_BODY = {
  maxBytes: DISCUSSION_TEXT,
  schema: {
    type: "object",
    properties: { title: { type: "string" }, description: OPTIONAL_STRING, pullRequest: OPTIONAL_BOOLEAN },
    required: ["title"],
  },
} as const satisfies BodyRule;

export const DISCUSSION_COMMENT_BODY = {
  maxBytes: DISCUSSION_TEXT,
  schema: { type: "object", properties: { comment: { type: "string" } }, required: ["comment"] },
} as const satisfies BodyRule;

export const DISCUSSION_TITLE_BODY = {
  maxBytes: SMALL,
  schema: { type: "object", properties: { title: { type: "string" } }, required: ["title"] },
} as const satisfies BodyRule;

export const DISCUSSION_STATUS_BODY = {
  maxBytes: DISCUSSION_TEXT,
  schema: {
    type: "object",
    properties: { status: { type: "string", enum: ["open", "closed"] }, comment: OPTIONAL_STRING },
    required: ["status"],
  },
} as const satisfies BodyRule;

/** Merge and hide take no body, or an optional comment (merge). */
export const DISCUSSION_OPTIONAL_COMMENT_BODY = {
  maxBytes: DISCUSSION_TEXT,
  schema: { type: "object", properties: { comment: OPTIONAL_STRING } },
} as const satisfies BodyRule;

export const EDIT_COMMENT_BODY = {
  maxBytes: DISCUSSION_TEXT,
  schema: { type: "object", properties: { content: { type: "string" } }, required: ["content"] },
} as const satisfies BodyRule;

export const SUPER_SQUASH_BODY = {
  maxBytes: SMALL,
  schema: { type: "object", properties: { message: OPTIONAL_STRING } },
} as const satisfies BodyRule;
