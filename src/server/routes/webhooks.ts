import { HangarError } from "../../core/errors.ts";
import { createWebhook } from "../../hub/webhooks/create-webhook.ts";
import { deleteWebhook } from "../../hub/webhooks/delete-webhook.ts";
import { disableWebhook } from "../../hub/webhooks/disable-webhook.ts";
import { enableWebhook } from "../../hub/webhooks/enable-webhook.ts";
import { getWebhook } from "../../hub/webhooks/get-webhook.ts";
import { listWebhookDeliveries } from "../../hub/webhooks/list-webhook-deliveries.ts";
import { listWebhooks } from "../../hub/webhooks/list-webhooks.ts";
import { updateWebhook } from "../../hub/webhooks/update-webhook.ts";
import { decodeSegment, sendJson } from "../http.ts";
import { readJsonBody } from "../read-json-body.ts";
import type { Router } from "../router.ts";
import { toApiDelivery, toApiWebhook } from "../wire/api-webhook.ts";
import { CREATE_WEBHOOK_BODY, UPDATE_WEBHOOK_BODY } from "../wire/social-bodies.ts";

const WEBHOOKS = "/api/settings/webhooks";

/** The Hub's webhook settings routes (`huggingface_hub`'s create/list/get/update/enable/disable/delete_webhook). */
export function registerWebhookRoutes(router: Router): void {
  router.add(
    "GET",
    WEBHOOKS,
    async (context) => {
      const webhooks = await listWebhooks(context.hangar, context.caller);
      sendJson(context.response, 200, webhooks.map(toApiWebhook));
    },
    { summary: "The caller's webhooks" },
  );

  router.add(
    "POST",
    WEBHOOKS,
    async (context) => {
      const body = await readJsonBody(context, CREATE_WEBHOOK_BODY);
      if (body.jobSourceId) {
        throw new HangarError(
          "HANGAR_ERR_NOT_IMPLEMENTED",
          "Webhooks that trigger Jobs are not implemented in Hangar: give a url instead",
        );
      }
      const webhook = await createWebhook(context.hangar, context.caller, {
        url: body.url ?? undefined,
        watched: body.watched,
        domains: body.domains,
        secret: body.secret,
      });
      sendJson(context.response, 200, { webhook: toApiWebhook(webhook) });
    },
    { summary: "Creates a webhook" },
  );

  router.add(
    "GET",
    `${WEBHOOKS}/:id`,
    async (context) => {
      const webhook = await getWebhook(context.hangar, context.caller, decodeSegment(context.params.id!));
      sendJson(context.response, 200, { webhook: toApiWebhook(webhook) });
    },
    { summary: "One of the caller's webhooks (get_webhook)" },
  );

  router.add(
    "POST",
    `${WEBHOOKS}/:id`,
    async (context) => {
      const body = await readJsonBody(context, UPDATE_WEBHOOK_BODY);
      const webhook = await updateWebhook(context.hangar, context.caller, decodeSegment(context.params.id!), {
        url: body.url ?? undefined,
        watched: body.watched,
        domains: body.domains,
        secret: body.secret,
      });
      sendJson(context.response, 200, { webhook: toApiWebhook(webhook) });
    },
    { summary: "Updates a webhook (update_webhook)" },
  );

  router.add(
    "DELETE",
    `${WEBHOOKS}/:id`,
    async (context) => {
      await deleteWebhook(context.hangar, context.caller, decodeSegment(context.params.id!));
      sendJson(context.response, 200, {});
    },
    { summary: "Deletes a webhook and its delivery log" },
  );

  router.add(
    "POST",
    `${WEBHOOKS}/:id/enable`,
    async (context) => {
      const webhook = await enableWebhook(context.hangar, context.caller, decodeSegment(context.params.id!));
      sendJson(context.response, 200, { webhook: toApiWebhook(webhook) });
    },
    { summary: "Enables a webhook" },
  );

  router.add(
    "POST",
    `${WEBHOOKS}/:id/disable`,
    async (context) => {
      const webhook = await disableWebhook(context.hangar, context.caller, decodeSegment(context.params.id!));
      sendJson(context.response, 200, { webhook: toApiWebhook(webhook) });
    },
    { summary: "Disables a webhook" },
  );

  router.add(
    "GET",
    `${WEBHOOKS}/:id/deliveries`,
    async (context) => {
      const limit = Number(context.url.searchParams.get("limit") ?? 100);
      const deliveries = await listWebhookDeliveries(
        context.hangar,
        context.caller,
        decodeSegment(context.params.id!),
        Number.isInteger(limit) ? limit : 100,
      );
      sendJson(context.response, 200, deliveries.map(toApiDelivery));
    },
    { summary: "A webhook's delivery log, newest first (Hangar's own route)" },
  );
}
