import { Type } from "typebox";
import { badRequest } from "../../core/errors.ts";
import { rejectUnknownNames } from "../../core/validate.ts";
import { type ListAuditParams, listAudit } from "../../governance/audit/index.ts";
import type { Hangar } from "../../hangar.ts";
import { requestUrl } from "../native/request-url.ts";
import { HANGAR_ERRORS, type NativeApp, openObject, queryValue, TOKEN } from "../native/schemas.ts";

const FILTERS = ["actor", "action", "target", "since", "until"] as const;
const QUERY_FIELDS = [...FILTERS, "after", "limit"];

const AUDIT_QUERY = Type.Object({
  actor: Type.Optional(queryValue("only entries by this user")),
  action: Type.Optional(queryValue('only this action (repo.create), or a scope ending in "." (repo.)')),
  target: Type.Optional(queryValue("only entries on this target (model:acme/classifier, token:12...)")),
  since: Type.Optional(queryValue("only entries at or after this ISO time")),
  until: Type.Optional(queryValue("only entries at or before this ISO time")),
  after: Type.Optional(queryValue("entries after this sequence number (the previous page's next)")),
  limit: Type.Optional(queryValue("at most this many entries (1 to 1000, 100 by default)")),
});

const ENTRY = openObject(
  {
    seq: Type.Integer(),
    time: Type.String(),
    actor: Type.Object({
      user: Type.Union([Type.String(), Type.Null()]),
      tokenId: Type.Union([Type.Integer(), Type.Null()]),
    }),
    action: Type.String(),
    target: Type.String(),
    outcome: Type.String({ description: "success, denied or failure" }),
    requestId: Type.Union([Type.String(), Type.Null()]),
    clientAddress: Type.Union([Type.String(), Type.Null()]),
    details: Type.Unsafe<object>(Type.Object({})),
    prevHash: Type.String(),
    hash: Type.String(),
  },
  "one entry of the audit log's hash chain",
);

function wholeNumber(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw badRequest(`${name} must be a whole number, got "${value}"`);
  return Number(value);
}

/** `GET /v1/audit`: the audit log for administrators, filtered and paged in chain order. */
export function registerAuditRoutes(app: NativeApp, hangar: Hangar): void {
  app.get(
    "/v1/audit",
    {
      schema: {
        summary: "List audit log entries (administrators)",
        tags: ["audit"],
        security: TOKEN,
        querystring: AUDIT_QUERY,
        response: {
          200: Type.Object({ entries: Type.Array(ENTRY), next: Type.Union([Type.Integer(), Type.Null()]) }),
          ...HANGAR_ERRORS,
        },
      },
    },
    async (request) => {
      const query = requestUrl(request).searchParams;
      rejectUnknownNames(query.keys(), QUERY_FIELDS, "parameter");
      const params: ListAuditParams = {};
      for (const name of FILTERS) {
        const value = query.get(name);
        if (value !== null) params[name] = value;
      }
      const after = query.get("after");
      if (after !== null) params.after = wholeNumber("after", after);
      const limit = query.get("limit");
      if (limit !== null) params.limit = wholeNumber("limit", limit);
      return listAudit(hangar.catalog, request.caller, params);
    },
  );
}
