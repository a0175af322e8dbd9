import type { Caller } from "../hub/accounts/principal.ts";
import type { Operations } from "./operations/register-operations.ts";
import type { JsonBodyRule } from "./read-json-body.ts";

/**
 * What Hangar adds to Fastify's request and route config, in one place. Plugins registered after Hangar's
 * own hooks (metrics, rate limits, audit) read `request.caller` and `request.hangarRoute`.
 */
declare module "fastify" {
  interface FastifyRequest {
    /** The caller, resolved from the Authorization header by the `onRequest` hook (null when anonymous). */
    caller: Caller;
    /**
     * The route, for logs and metrics: the `Router` pattern for a Hub route (`/:namespace/:name/...`), the
     * Fastify route url for a native route (`/v1/inference/:task`), "unmatched" otherwise. Set by `onRequest`.
     */
    hangarRoute: string;
  }

  interface FastifyInstance {
    /** Metrics and the readiness switch of this app (see `registerOperations`). */
    hangarOperations: Operations;
  }

  interface FastifyContextConfig {
    /** The native route's JSON body: its shape (checked as it is parsed) and its size limit. */
    jsonBody?: JsonBodyRule | ((request: FastifyRequest) => JsonBodyRule);
    /** A native route that takes its body as bytes (a multipart upload), read up to `maxBytes`. */
    rawBody?: { maxBytes: number };
    /** OpenAI's routes: placeholder API keys count as none, and errors have OpenAI's shape. */
    openAi?: boolean;
    /** The catch-all that hands Hub routes to `Router`. */
    hubRoutes?: boolean;
  }
}
