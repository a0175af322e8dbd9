import { Type } from "typebox";
import { badRequest, HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import { rejectUnknownNames } from "../../core/validate.ts";
import {
  checkBudget,
  listBudgets,
  removeBudget,
  setBudget,
} from "../../governance/budgets/manage-budgets.ts";
import { parsePriceEntry } from "../../governance/pricing/price-book.ts";
import type { Hangar } from "../../hangar.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import { recordAudit } from "../../hub/audit/record-audit.ts";
import { HANGAR_ERRORS, type NativeApp, openObject, TOKEN } from "../native/schemas.ts";
import { HANGAR_API_BODY } from "../wire/request-bodies.ts";

const BUDGET_FIELDS = [
  "scope",
  "name",
  "limit",
  "unit",
  "period",
  "thresholds",
  "webhook_url",
  "webhook_secret",
];

const BUDGET = openObject(
  {
    id: Type.String(),
    scope: Type.String({ description: "user, org, token, model or route" }),
    name: Type.String(),
    unit: Type.String({ description: "usd, requests or tokens" }),
    period: Type.String({ description: "day, month or total (UTC)" }),
    limit: Type.Number(),
    thresholds: Type.Array(Type.Integer()),
    webhook_url: Type.Union([Type.String(), Type.Null()]),
    webhook_secret_set: Type.Boolean(),
    current: openObject({
      period_key: Type.String(),
      spent: Type.Number(),
      reserved: Type.Number(),
      remaining: Type.Number(),
      used_percent: Type.Number(),
    }),
  },
  "a budget and its current period's spend (its webhook secret is never shown)",
);

function requireAdmin(caller: Caller, what: string): asserts caller is NonNullable<Caller> {
  if (!caller) throw new HangarError("HANGAR_ERR_UNAUTHORIZED", `${what} needs a token`);
  if (!caller.isAdmin) throw new HangarError("HANGAR_ERR_FORBIDDEN", `${what} is for administrators`);
}

/**
 * Budgets (`/v1/budgets`), prices (`/v1/prices`) and token rate limits (`/v1/rate-limits/tokens`):
 * administrators set them, changes are audited; callers list the budgets that apply to them.
 */
export function registerBudgetRoutes(app: NativeApp, hangar: Hangar): void {
  app.get(
    "/v1/budgets",
    {
      schema: {
        summary: "List budgets with their current spend (administrators: all; others: their own)",
        tags: ["budgets"],
        security: TOKEN,
        response: { 200: Type.Object({ budgets: Type.Array(BUDGET) }), ...HANGAR_ERRORS },
      },
    },
    async (request) => ({ budgets: await listBudgets(hangar, request.caller) }),
  );
  app.post(
    "/v1/budgets",
    {
      schema: {
        summary: "Create or replace the budget of a scope, unit and period (administrators)",
        tags: ["budgets"],
        security: TOKEN,
        body: Type.Object({
          scope: Type.String({ description: "user, org, token, model or route" }),
          name: Type.String({ description: "the user, organisation, token id, model or route" }),
          limit: Type.Number({ description: "USD for unit usd, else a count" }),
          unit: Type.String({ description: "usd, requests or tokens" }),
          period: Type.String({ description: "day, month or total (UTC)" }),
          thresholds: Type.Optional(
            Type.Array(Type.Integer(), { description: "alert percentages (50, 80, 100)" }),
          ),
          webhook_url: Type.Optional(Type.String({ description: "where alerts are POSTed" })),
          webhook_secret: Type.Optional(Type.String({ description: "HMAC key of X-Hangar-Signature" })),
        }),
        response: { 201: BUDGET, ...HANGAR_ERRORS },
      },
      config: { jsonBody: HANGAR_API_BODY },
    },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      rejectUnknownNames(Object.keys(body), BUDGET_FIELDS);
      const params = checkBudget(
        { ...body, webhookUrl: body.webhook_url, webhookSecret: body.webhook_secret },
        hangar.spend.settings.alertThresholds,
      );
      return reply.code(201).send(await setBudget(hangar, request.caller, params));
    },
  );
  app.delete(
    "/v1/budgets/:id",
    {
      schema: {
        summary: "Remove a budget (administrators)",
        tags: ["budgets"],
        security: TOKEN,
        params: Type.Object({ id: Type.String() }),
        response: { 204: Type.Null(), ...HANGAR_ERRORS },
      },
    },
    async (request, reply) => {
      await removeBudget(hangar, request.caller, request.params.id);
      return reply.code(204).send(null);
    },
  );
  app.get(
    "/v1/prices",
    {
      schema: {
        summary:
          "Prices in force, each with its source: api, file or default (the defaults are placeholders)",
        tags: ["budgets"],
        security: TOKEN,
        response: {
          200: Type.Object({ prices: Type.Array(openObject({ source: Type.String() })) }),
          ...HANGAR_ERRORS,
        },
      },
    },
    async (request) => {
      if (!request.caller) throw new HangarError("HANGAR_ERR_UNAUTHORIZED", "Listing prices needs a token");
      const prices = await hangar.spend.prices.list();
      return {
        prices: prices.map((price) => ({
          [price.scopeKind]: price.scopeName,
          input_per_million: price.inputPerMillion,
          output_per_million: price.outputPerMillion,
          per_hour: price.perHour,
          source: price.source,
        })),
      };
    },
  );
  app.put(
    "/v1/prices",
    {
      schema: {
        summary:
          "Set a price (administrators): {model|route|backend|local|replica: NAME, input_per_million, output_per_million, per_hour}",
        tags: ["budgets"],
        security: TOKEN,
        body: Type.Object({}, { additionalProperties: true }),
        response: { 200: openObject({ source: Type.String() }), ...HANGAR_ERRORS },
      },
      config: { jsonBody: HANGAR_API_BODY },
    },
    async (request) => {
      const caller = request.caller;
      requireAdmin(caller, "Setting a price");
      const entry = parsePriceEntry(request.body, "body");
      await hangar.catalog.transaction(async (tx) => {
        await tx.prices.set({ ...entry, updatedBy: caller.user, updatedAt: nowIso() });
        await recordAudit(tx, {
          caller,
          action: "price.set",
          target: `price:${entry.scopeKind}:${entry.scopeName}`,
          details: { ...entry },
        });
      });
      hangar.spend.prices.invalidate();
      return { ...(request.body as object), source: "api" };
    },
  );
  app.put(
    "/v1/rate-limits/tokens",
    {
      schema: {
        summary:
          "Set the tokens per minute of a user or a token (administrators); tokens_per_minute null removes it",
        tags: ["budgets"],
        security: TOKEN,
        body: Type.Object({
          scope: Type.String({ description: "user or token" }),
          name: Type.String({ description: "the user's name or the token's id" }),
          tokens_per_minute: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
        }),
        response: { 200: openObject({ scope: Type.String() }), ...HANGAR_ERRORS },
      },
      config: { jsonBody: HANGAR_API_BODY },
    },
    async (request) => {
      const caller = request.caller;
      requireAdmin(caller, "Setting a token rate limit");
      const body = request.body as Record<string, unknown>;
      rejectUnknownNames(Object.keys(body), ["scope", "name", "tokens_per_minute"]);
      if (body.scope !== "user" && body.scope !== "token") throw badRequest("scope must be user or token");
      if (typeof body.name !== "string" || body.name === "")
        throw badRequest("name must be a user name or a token id");
      const perMinute = body.tokens_per_minute;
      if (
        perMinute !== null &&
        (typeof perMinute !== "number" || !Number.isInteger(perMinute) || perMinute < 1)
      ) {
        throw badRequest(
          "tokens_per_minute must be a whole number of at least 1, or null to remove the limit",
        );
      }
      const scope = body.scope;
      const name = body.name;
      await hangar.catalog.transaction(async (tx) => {
        if (perMinute === null) await tx.prices.removeTokenRateLimit(scope, name);
        else {
          await tx.prices.setTokenRateLimit({
            scopeKind: scope,
            scopeName: name,
            tokensPerMinute: perMinute as number,
            updatedBy: caller.user,
            updatedAt: nowIso(),
          });
        }
        await recordAudit(tx, {
          caller,
          action: "ratelimit.set",
          target: `${scope}:${name}`,
          details: { tokensPerMinute: perMinute },
        });
      });
      hangar.spend.tokenLimits.invalidate();
      return { scope, name, tokens_per_minute: perMinute };
    },
  );
}
