import { Type } from "typebox";
import { badRequest } from "../../core/errors.ts";
import { rejectUnknownNames } from "../../core/validate.ts";
import {
  aliasHistory,
  approveVersion,
  configureModel,
  listRepoVersions,
  promoteVersion,
  registerVersion,
  rollbackAlias,
  showModel,
} from "../../governance/registry/index.ts";
import type { Hangar } from "../../hangar.ts";
import { requestUrl } from "../native/request-url.ts";
import { HANGAR_ERRORS, type NativeApp, OPTIONAL_TOKEN, openObject, TOKEN } from "../native/schemas.ts";
import { HANGAR_API_BODY } from "../wire/request-bodies.ts";

const MODEL_PARAMS = Type.Object({
  namespace: Type.String({ description: "the registered model's namespace (a user or an organisation)" }),
  name: Type.String({ description: "the registered model's name" }),
});
const VERSION_PARAMS = Type.Object({
  ...MODEL_PARAMS.properties,
  version: Type.String({ description: "a version number" }),
});
const ALIAS_PARAMS = Type.Object({
  ...MODEL_PARAMS.properties,
  alias: Type.String({ description: "an alias, e.g. production" }),
});

const GATES = Type.Object(
  {
    aliases: Type.Optional(
      Type.Array(Type.String(), { description: "the aliases the gates guard (all when absent)" }),
    ),
    scans: Type.Optional(Type.Object({ allowSuspicious: Type.Optional(Type.Boolean()) })),
    evaluations: Type.Optional(
      Type.Array(
        Type.Object({
          dataset: Type.String({ description: 'a dataset id, optionally @revision: "acme/tickets@v3"' }),
          metric: Type.String({ description: "a metric of the recorded evaluations, e.g. accuracy" }),
          min: Type.Number({ description: "the lowest value that passes" }),
        }),
      ),
    ),
    approvals: Type.Optional(
      Type.Object({
        count: Type.Integer({ minimum: 1 }),
        role: Type.Optional(Type.Union([Type.Literal("write"), Type.Literal("admin")])),
      }),
    ),
    licence: Type.Optional(
      Type.Union([Type.Literal(true), Type.Object({ use: Type.Optional(Type.String()) })]),
    ),
  },
  { description: "promotion gates: every gate given must pass before an alias it guards moves" },
);

const REGISTERED_MODEL = openObject(
  {
    name: Type.String(),
    description: Type.String(),
    gates: Type.Unsafe<object>(GATES),
    versions: Type.Array(
      openObject({ version: Type.Integer(), repoId: Type.String(), commitOid: Type.String() }),
    ),
    aliases: Type.Array(
      Type.Object({ alias: Type.String(), version: Type.Integer(), updatedAt: Type.String() }),
    ),
  },
  "a registered model with its versions, aliases and gates",
);
const VERSION = openObject(
  {
    version: Type.Integer(),
    repoId: Type.String(),
    commitOid: Type.String(),
    evidence: Type.Unsafe<object>(Type.Object({})),
  },
  "a model version pinned to a repo commit, with the evidence known when it was registered",
);
const ALIAS_EVENT = openObject(
  {
    alias: Type.String(),
    action: Type.String({ description: "promote or rollback" }),
    fromVersion: Type.Union([Type.Integer(), Type.Null()]),
    toVersion: Type.Integer(),
    actor: Type.String(),
    reason: Type.String(),
    createdAt: Type.String(),
  },
  "one move of an alias",
);

const modelName = (params: { namespace: string; name: string }) => `${params.namespace}/${params.name}`;

/**
 * The model registry under `/v1/registry/models/{namespace}/{name}`: show and configure (gates), register
 * versions, approve them, promote a version to an alias, roll an alias back, and the aliases' history.
 * Fields are checked by the registry's functions, with messages naming them; the schemas document them.
 */
export function registerRegistryRoutes(app: NativeApp, hangar: Hangar): void {
  const base = "/v1/registry/models/:namespace/:name";
  app.get(
    "/v1/registry/repos/:namespace/:name/versions",
    {
      schema: {
        summary:
          "The registered versions that pin a model repo, across registered models, with the aliases on each",
        tags: ["registry"],
        security: OPTIONAL_TOKEN,
        params: Type.Object({
          namespace: Type.String({ description: "the model repo's namespace" }),
          name: Type.String({ description: "the model repo's name" }),
        }),
        response: {
          200: Type.Object({
            versions: Type.Array(
              openObject(
                {
                  model: Type.String({ description: "the registered model" }),
                  version: Type.Integer(),
                  commitOid: Type.String(),
                  revision: Type.String(),
                  aliases: Type.Array(Type.String(), { description: "aliases pointing at this version now" }),
                  approvals: Type.Integer(),
                },
                "a version pinning the repo",
              ),
            ),
          }),
          ...HANGAR_ERRORS,
        },
      },
    },
    async (request) => ({
      versions: await listRepoVersions(hangar, request.caller, {
        type: "model",
        namespace: request.params.namespace,
        name: request.params.name,
      }),
    }),
  );
  app.get(
    base,
    {
      schema: {
        summary: "Show a registered model",
        tags: ["registry"],
        security: OPTIONAL_TOKEN,
        params: MODEL_PARAMS,
        response: { 200: REGISTERED_MODEL, ...HANGAR_ERRORS },
      },
    },
    async (request) => showModel(hangar, request.caller, modelName(request.params)),
  );
  app.put(
    base,
    {
      schema: {
        summary: "Create or configure a registered model (description, promotion gates)",
        tags: ["registry"],
        security: TOKEN,
        params: MODEL_PARAMS,
        body: Type.Object({ description: Type.Optional(Type.String()), gates: Type.Optional(GATES) }),
        response: { 200: REGISTERED_MODEL, ...HANGAR_ERRORS },
      },
      config: { jsonBody: HANGAR_API_BODY },
    },
    async (request) => {
      const body = request.body as Record<string, unknown>;
      rejectUnknownNames(Object.keys(body), ["description", "gates"]);
      return configureModel(hangar, request.caller, {
        name: modelName(request.params),
        ...(body.description === undefined ? {} : { description: body.description as string }),
        ...(body.gates === undefined ? {} : { gates: body.gates }),
      });
    },
  );
  app.post(
    `${base}/versions`,
    {
      schema: {
        summary: "Register a version: a model repo pinned at the commit its revision points to now",
        tags: ["registry"],
        security: TOKEN,
        params: MODEL_PARAMS,
        body: Type.Object({
          repo: Type.String({ description: 'a model repo id such as "acme/classifier"' }),
          revision: Type.Optional(Type.String({ description: "branch, tag or commit id (default: main)" })),
          description: Type.Optional(Type.String()),
          tags: Type.Optional(Type.Record(Type.String(), Type.String())),
        }),
        response: { 201: VERSION, ...HANGAR_ERRORS },
      },
      config: { jsonBody: HANGAR_API_BODY },
    },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const valid = ["repo", "revision", "description", "tags"];
      rejectUnknownNames(Object.keys(body), valid);
      if (body.revision !== undefined && typeof body.revision !== "string")
        throw badRequest('"revision" must be a string');
      const version = await registerVersion(hangar, request.caller, {
        name: modelName(request.params),
        repo: body.repo as string,
        ...(body.revision === undefined ? {} : { revision: body.revision as string }),
        ...(body.description === undefined ? {} : { description: body.description as string }),
        ...(body.tags === undefined ? {} : { tags: body.tags as Record<string, string> }),
      });
      return reply.code(201).send(version);
    },
  );
  app.post(
    `${base}/versions/:version/approvals`,
    {
      schema: {
        summary: "Approve a version (counted by an approvals gate)",
        tags: ["registry"],
        security: TOKEN,
        params: VERSION_PARAMS,
        body: Type.Object({ comment: Type.Optional(Type.String()) }),
        response: {
          201: openObject({ version: Type.Integer(), user: Type.String(), role: Type.String() }),
          ...HANGAR_ERRORS,
        },
      },
      config: { jsonBody: HANGAR_API_BODY },
    },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const approval = await approveVersion(hangar, request.caller, {
        name: modelName(request.params),
        version: request.params.version as unknown as number,
        ...(body.comment === undefined ? {} : { comment: body.comment as string }),
      });
      return reply.code(201).send(approval);
    },
  );
  app.post(
    `${base}/aliases/:alias`,
    {
      schema: {
        summary:
          "Promote a version to an alias, once every gate guarding the alias passes (409 names the gate that failed)",
        tags: ["registry"],
        security: TOKEN,
        params: ALIAS_PARAMS,
        body: Type.Object({ version: Type.Integer({ minimum: 1 }), reason: Type.Optional(Type.String()) }),
        response: {
          200: Type.Object({
            event: ALIAS_EVENT,
            gates: Type.Array(
              Type.Object({ gate: Type.String(), passed: Type.Boolean(), reason: Type.String() }),
            ),
          }),
          ...HANGAR_ERRORS,
        },
      },
      config: { jsonBody: HANGAR_API_BODY },
    },
    async (request) => {
      const body = request.body as Record<string, unknown>;
      return promoteVersion(hangar, request.caller, {
        name: modelName(request.params),
        alias: request.params.alias,
        version: body.version as number,
        ...(body.reason === undefined ? {} : { reason: body.reason as string }),
      });
    },
  );
  app.post(
    `${base}/aliases/:alias/rollback`,
    {
      schema: {
        summary: "Move an alias back to the version it held before its current one was promoted",
        tags: ["registry"],
        security: TOKEN,
        params: ALIAS_PARAMS,
        body: Type.Object({ reason: Type.Optional(Type.String()) }),
        response: { 200: ALIAS_EVENT, ...HANGAR_ERRORS },
      },
      config: { jsonBody: HANGAR_API_BODY },
    },
    async (request) => {
      const body = request.body as Record<string, unknown>;
      return rollbackAlias(hangar, request.caller, {
        name: modelName(request.params),
        alias: request.params.alias,
        ...(body.reason === undefined ? {} : { reason: body.reason as string }),
      });
    },
  );
  app.get(
    `${base}/history`,
    {
      schema: {
        summary: "Every move of the model's aliases (of one with ?alias=), oldest first",
        tags: ["registry"],
        security: OPTIONAL_TOKEN,
        params: MODEL_PARAMS,
        response: { 200: Type.Object({ events: Type.Array(ALIAS_EVENT) }), ...HANGAR_ERRORS },
      },
    },
    async (request) => {
      const query = requestUrl(request).searchParams;
      const alias = query.get("alias") ?? undefined;
      return { events: await aliasHistory(hangar, request.caller, modelName(request.params), alias) };
    },
  );
}
