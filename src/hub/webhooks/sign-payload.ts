import { createHmac } from "node:crypto";

/**
 * The `X-Hangar-Signature` of a webhook body: `sha256=` and the hex HMAC-SHA256 of the exact bytes sent,
 * keyed by the webhook's secret. Receivers recompute it over the raw body and compare in constant time.
 */
export function signPayload(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}
