import { Type } from "typebox";
import { badRequest, HangarError } from "../../core/errors.ts";
import { rejectUnknownNames } from "../../core/validate.ts";
import { type UsageReportParams, usageReport } from "../../governance/budgets/usage-report.ts";
import { compareBatch, estimateWorkload, parseWorkload } from "../../governance/pricing/estimate-cost.ts";
import type { Hangar } from "../../hangar.ts";
import { readFileContent } from "../../workflows/batch/batch-files.ts";
import { requestUrl } from "../native/request-url.ts";
import { HANGAR_ERRORS, type NativeApp, openObject, queryValue, TOKEN } from "../native/schemas.ts";
import { HANGAR_API_BODY } from "../wire/request-bodies.ts";

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
      rejectUnknownNames(query.keys(), valid, "parameter");
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
  app.post(
    "/v1/usage/estimate",
    {
      schema: {
        summary:
          "Estimate a workload's cost before it runs (jsonl: Batch API lines, or file_id), or compare a batch's estimate with its metered cost (batch_id)",
        tags: ["budgets"],
        security: TOKEN,
        body: Type.Object({
          jsonl: Type.Optional(
            Type.String({ description: "OpenAI Batch API lines ({custom_id, method, url, body})" }),
          ),
          file_id: Type.Optional(Type.String({ description: "an uploaded batch input file" })),
          batch_id: Type.Optional(
            Type.String({ description: "a batch: its estimate as of its creation against its metered cost" }),
          ),
        }),
        response: { 200: openObject({}), ...HANGAR_ERRORS },
      },
      config: { jsonBody: { ...HANGAR_API_BODY, maxBytes: 16 * 1024 ** 2 } },
    },
    async (request) => {
      if (!request.caller) throw new HangarError("HANGAR_ERR_UNAUTHORIZED", "Estimates need a token");
      const body = request.body as Record<string, unknown>;
      const given = ["jsonl", "file_id", "batch_id"].filter((key) => body[key] !== undefined);
      rejectUnknownNames(Object.keys(body), ["jsonl", "file_id", "batch_id"]);
      if (given.length !== 1) throw badRequest("Give exactly one of jsonl, file_id, batch_id");
      if (typeof body[given[0]!] !== "string") throw badRequest(`${given[0]} must be a string`);
      if (body.batch_id !== undefined) return compareBatch(hangar, request.caller, body.batch_id as string);
      const text =
        body.jsonl !== undefined
          ? (body.jsonl as string)
          : (await readFileContent(hangar, request.caller, body.file_id as string)).bytes.toString("utf8");
      return estimateWorkload(hangar, parseWorkload(text));
    },
  );
}
