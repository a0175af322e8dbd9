import type { JsonBodyRule } from "../read-json-body.ts";

type BodyRule = Readonly<JsonBodyRule>;

/** Bodies of the webhook and collection routes, as `huggingface_hub` and `@huggingface/hub` send them. */
const SMALL = 64 * 1024;
const OPTIONAL_STRING = { type: ["string", "null"] } as const;

const WATCHED = {
  type: "array",
  maxItems: 1000,
  items: {
    type: "object",
    properties: { type: { type: "string" }, name: { type: "string" } },
    required: ["type", "name"],
  },
} as const;

const DOMAINS = { type: "array", maxItems: 4, items: { type: "string" } } as const;

export const CREATE_WEBHOOK_BODY = {
  maxBytes: SMALL,
  schema: {
    type: "object",
    properties: {
      url: OPTIONAL_STRING,
      jobSourceId: OPTIONAL_STRING,
      watched: WATCHED,
      domains: DOMAINS,
      secret: OPTIONAL_STRING,
    },
    required: ["watched"],
  },
} as const satisfies BodyRule;

export const UPDATE_WEBHOOK_BODY = {
  maxBytes: SMALL,
  schema: {
    type: "object",
    properties: { url: OPTIONAL_STRING, watched: WATCHED, domains: DOMAINS, secret: OPTIONAL_STRING },
  },
} as const satisfies BodyRule;

export const CREATE_COLLECTION_BODY = {
  maxBytes: SMALL,
  schema: {
    type: "object",
    properties: {
      title: { type: "string", minLength: 1, maxLength: 60 },
      namespace: OPTIONAL_STRING,
      description: OPTIONAL_STRING,
      private: { type: ["boolean", "null"] },
      item: {
        type: ["object", "null"],
        properties: { type: { type: "string" }, id: { type: "string" } },
        required: ["type", "id"],
      },
      note: OPTIONAL_STRING,
    },
    required: ["title"],
  },
} as const satisfies BodyRule;

export const UPDATE_COLLECTION_BODY = {
  maxBytes: SMALL,
  schema: {
    type: "object",
    properties: {
      title: { type: ["string", "null"], minLength: 1, maxLength: 60 },
      description: OPTIONAL_STRING,
      position: { type: ["integer", "null"], minimum: 0 },
      private: { type: ["boolean", "null"] },
      theme: OPTIONAL_STRING,
    },
  },
} as const satisfies BodyRule;

export const ADD_COLLECTION_ITEM_BODY = {
  maxBytes: SMALL,
  schema: {
    type: "object",
    properties: {
      item: {
        type: "object",
        properties: { type: { type: "string" }, id: { type: "string", minLength: 1 } },
        required: ["type", "id"],
      },
      note: OPTIONAL_STRING,
    },
    required: ["item"],
  },
} as const satisfies BodyRule;

export const UPDATE_COLLECTION_ITEM_BODY = {
  maxBytes: SMALL,
  schema: {
    type: "object",
    properties: { note: OPTIONAL_STRING, position: { type: ["integer", "null"], minimum: 0 } },
  },
} as const satisfies BodyRule;
