import { Type } from "typebox";
import { badRequest } from "../../core/errors.ts";
import { parseRepoId } from "../../core/validate.ts";
import { describeModelLicence } from "../../governance/licences/describe-model-licence.ts";
import { ENFORCEMENT_POINTS, POLICY_ACTIONS } from "../../governance/licences/policy.ts";
import { getLicencePolicy, setLicencePolicy } from "../../governance/licences/policy-store.ts";
import type { Hangar } from "../../hangar.ts";
import { LICENSE_CATEGORIES, LICENSE_TABLE } from "../../hub/metadata/licenses.ts";
import { requestUrl } from "../native/request-url.ts";
import {
  HANGAR_ERRORS,
  type NativeApp,
  OPTIONAL_TOKEN,
  openObject,
  queryValue,
  TOKEN,
} from "../native/schemas.ts";
import { HANGAR_API_BODY } from "../wire/request-bodies.ts";

const ACTION = Type.Union(
  POLICY_ACTIONS.map((action) => Type.Literal(action)),
  {
    description: "allow; review (let through with an X-Hangar-Warning); deny (403 HANGAR_ERR_LICENCE_DENIED)",
  },
);

const POLICY = Type.Object(
  {
    enforce: Type.Optional(
      Type.Array(Type.Union(ENFORCEMENT_POINTS.map((point) => Type.Literal(point))), {
        description: "where the policy is enforced: pull (pulls and mirrors), inference, promotion",
      }),
    ),
    categories: Type.Optional(
      Type.Record(Type.String(), ACTION, {
        description: `rules by licence category: ${LICENSE_CATEGORIES.join(", ")}`,
      }),
    ),
    licenses: Type.Optional(
      Type.Record(Type.String(), ACTION, {
        description: "rules by Hub licence id (GET /v1/licenses); a licence's rule beats its category's",
      }),
    ),
  },
  { additionalProperties: false },
);

const POLICY_VIEW = openObject(
  {
    scope: Type.Union([Type.Literal("instance"), Type.Literal("org")]),
    org: Type.Optional(Type.String()),
    policy: POLICY,
    updatedAt: Type.Union([Type.String(), Type.Null()]),
    updatedBy: Type.Union([Type.String(), Type.Null()]),
  },
  "a licence policy: the instance's, or an organisation's (which can only make the instance's stricter)",
);

const SCOPE_QUERY = Type.Object({
  org: Type.Optional(queryValue("an organisation's policy instead of the instance's")),
});

/** The `org` query parameter: at most one, not empty. */
function orgOf(url: URL): string | undefined {
  const unknown = [...new Set(url.searchParams.keys())].filter((name) => name !== "org");
  if (unknown.length > 0) throw badRequest(`Unknown parameter "${unknown[0]}": the only one is org`);
  const values = url.searchParams.getAll("org");
  if (values.length === 0) return undefined;
  if (values.length > 1 || !values[0]) throw badRequest("org must be given once, naming an organisation");
  return values[0];
}

/**
 * `GET /v1/policy[?org=]` and `PUT /v1/policy[?org=]` (a whole policy: `{enforce, categories, licenses}`):
 * the instance's licence policy (read by any signed-in caller, set by admins) or an organisation's (read
 * by its members, set by its admins). `GET /v1/licenses`: the licence vocabulary. `GET
 * /v1/licenses/{namespace}/{name}`: a model's effective licence and what the policy says of it.
 */
export function registerPolicyRoutes(app: NativeApp, hangar: Hangar): void {
  app.get(
    "/v1/policy",
    {
      schema: {
        summary: "Show the instance's or an organisation's licence policy",
        tags: ["governance"],
        security: TOKEN,
        querystring: SCOPE_QUERY,
        response: { 200: POLICY_VIEW, ...HANGAR_ERRORS },
      },
    },
    async (request) => {
      const org = orgOf(requestUrl(request));
      return getLicencePolicy(hangar, request.caller, org === undefined ? {} : { org });
    },
  );
  app.put(
    "/v1/policy",
    {
      schema: {
        summary: "Replace the instance's or an organisation's licence policy",
        tags: ["governance"],
        security: TOKEN,
        querystring: SCOPE_QUERY,
        body: POLICY,
        response: { 200: POLICY_VIEW, ...HANGAR_ERRORS },
      },
      config: { jsonBody: HANGAR_API_BODY },
    },
    async (request) => {
      const org = orgOf(requestUrl(request));
      return setLicencePolicy(hangar, request.caller, {
        ...(org === undefined ? {} : { org }),
        policy: request.body,
      });
    },
  );
  app.get(
    "/v1/licenses",
    {
      schema: {
        summary: "The licence ids Hangar knows, with their category and commercial use",
        tags: ["governance"],
        security: OPTIONAL_TOKEN,
        response: {
          200: Type.Object({
            categories: Type.Array(Type.String(), { description: "from the least to the most restrictive" }),
            licenses: Type.Array(
              openObject({
                id: Type.String(),
                category: Type.String(),
                commercialUse: Type.Union([Type.String(), Type.Null()]),
                osi: Type.Boolean(),
              }),
            ),
          }),
          ...HANGAR_ERRORS,
        },
      },
    },
    async () => ({
      categories: [...LICENSE_CATEGORIES],
      licenses: Object.entries(LICENSE_TABLE)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([id, entry]) => ({
          id,
          category: entry.category,
          commercialUse: entry.commercialUse,
          osi: entry.osi === true,
        })),
    }),
  );
  app.get(
    "/v1/licenses/:namespace/:name",
    {
      schema: {
        summary:
          "A model's effective licence (the strictest along its base_model chain) and the policy's decisions",
        tags: ["governance"],
        security: OPTIONAL_TOKEN,
        params: Type.Object({ namespace: Type.String(), name: Type.String() }),
        querystring: Type.Object({ revision: Type.Optional(queryValue("a branch, tag or commit id")) }),
        response: {
          200: openObject({
            model: Type.String(),
            revision: Type.Union([Type.String(), Type.Null()]),
            effective: openObject(
              {},
              "license, category, commercialUse, source, path, chain, missing, cycles",
            ),
            decisions: openObject({}, "per enforcement point: action, enforced, rule, message"),
          }),
          ...HANGAR_ERRORS,
        },
      },
    },
    async (request) => {
      const url = requestUrl(request);
      const revision = url.searchParams.get("revision") ?? undefined;
      const { namespace, name } = request.params as { namespace: string; name: string };
      const ref = parseRepoId(`${namespace}/${name}`, "model");
      return describeModelLicence(hangar, request.caller, ref, revision);
    },
  );
}
