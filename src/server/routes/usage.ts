import { Type } from "typebox";
import { badRequest } from "../../core/errors.ts";
import { type UsageReportParams, usageReport } from "../../governance/budgets/usage-report.ts";
import type { Hangar } from "../../hangar.ts";
import { requestUrl } from "../native/request-url.ts";
import { HANGAR_ERRORS, type NativeApp, openObject, queryValue, TOKEN } from "../native/schemas.ts";

const FILTERS = ["from", "to", "user", "org", "token", "model", "route"] as const;

/** `GET /v1/usage`: metered requests, tokens, compute and cost by group, and spend against each budget. */
export function registerUsageRoutes(app: NativeApp, hangar: Hangar): void {
  app.get(
    "/v1/usage",
    {
      schema: {
        summary:
          "Usage and cost grouped by user, org, token, model, route or day, with spend against each budget",
        tags: ["budgets"],
        security: TOKEN,
        querystring: Type.Object({
          group_by: Type.Optional(
            queryValue("comma-separated: user, org, token, model, route, day, task, api"),
          ),
          from: Type.Optional(queryValue("events at or after this ISO date or time")),
          to: Type.Optional(queryValue("events before this ISO date or time")),
          user: Type.Optional(queryValue("only this user's (administrators)")),
          org: Type.Optional(queryValue("only calls billed to this organisation")),
          token: Type.Optional(queryValue("only this token id's")),
          model: Type.Optional(queryValue("only this model (the name clients sent)")),
          route: Type.Optional(queryValue("only this route's")),
        }),
        response: {
          200: openObject({
            groups: Type.Array(openObject({})),
            totals: openObject({}),
            budgets: Type.Array(openObject({})),
          }),
          ...HANGAR_ERRORS,
        },
      },
    },
    async (request) => {
      const query = requestUrl(request).searchParams;
      const valid = ["group_by", ...FILTERS];
      const unknown = [...new Set(query.keys())].filter((name) => !valid.includes(name));
      if (unknown.length)
        throw badRequest(`Unknown parameter "${unknown[0]}": valid ones are ${valid.join(", ")}`);
      const params: UsageReportParams = {};
      for (const name of FILTERS) {
        const value = query.get(name);
        if (value !== null) params[name] = value;
      }
      const groupBy = query.get("group_by");
      if (groupBy)
        params.groupBy = groupBy
          .split(",")
          .map((part) => part.trim())
          .filter(Boolean);
      return usageReport(hangar, request.caller, params);
    },
  );
}
