import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HangarError } from "../core/errors.ts";
import type { Hangar } from "../hangar.ts";
import { clientBaseUrl, sendError } from "./http.ts";
import { NATIVE_ROUTES } from "./native/native-routes.ts";
import { hubMatchOf, rawPathOf } from "./request-hooks.ts";
import { Router } from "./router.ts";
import { registerCollectionRoutes } from "./routes/collections.ts";
import { registerDiscussionRoutes } from "./routes/discussions.ts";
import { registerFileRoutes } from "./routes/files.ts";
import { registerGitRoutes } from "./routes/git.ts";
import { registerHubReadRoutes } from "./routes/hub-read.ts";
import { registerHubWriteRoutes } from "./routes/hub-write.ts";
import { registerServerlessRoutes } from "./routes/inference.ts";
import { registerLfsRoutes } from "./routes/lfs.ts";
import { registerWebUiRoutes } from "./routes/web-ui.ts";

export interface RouterOptions {
  /** Where the built web UI is (default: `web/dist` in Hangar's folder, where `npm install` builds it). */
  webRoot?: string;
}

import { registerNotImplementedRoutes } from "./routes/not-implemented.ts";
import { registerSocialRoutes } from "./routes/social.ts";
import { registerWebhookRoutes } from "./routes/webhooks.ts";

/** The Hub's routes (served through `Router`), in matching order. */
export function createHubRouter(options: RouterOptions = {}): Router {
  const router = new Router();
  registerHubWriteRoutes(router);
  registerDiscussionRoutes(router);
  registerWebhookRoutes(router);
  registerCollectionRoutes(router);
  registerSocialRoutes(router);
  registerLfsRoutes(router);
  registerGitRoutes(router);
  registerHubReadRoutes(router);
  registerFileRoutes(router);
  registerServerlessRoutes(router);
  // Last: routes the Hub's clients call that nothing above serves answer 501 (data/hub-client-routes.json).
  registerNotImplementedRoutes(router);
  // Last: `/{namespace}/{name}` and the other page URLs must not shadow any of the routes above.
  registerWebUiRoutes(router, options.webRoot);
  return router;
}

const nativeMarker = (): never => {
  throw new HangarError("HANGAR_ERR_NOT_FOUND", "No such route");
};

/**
 * Every route of the server, in one table: the Hub's, then the native routes (which Fastify serves; here
 * so that their paths answer 405 with `Allow` for other methods, and so tests can go over all routes).
 */
export function createRouter(options: RouterOptions = {}): Router {
  const router = createHubRouter(options);
  for (const { method, url } of NATIVE_ROUTES) router.add(method, url, nativeMarker, { native: true });
  return router;
}

/** Runs the Hub route `Router` matched on the raw request and response; errors in the Hub's shape. */
async function dispatch(hangar: Hangar, router: Router, request: FastifyRequest, reply: FastifyReply) {
  reply.hijack();
  const response = reply.raw;
  try {
    const method = request.method;
    const { rawPath } = rawPathOf(request);
    const matched = hubMatchOf(request, router);
    if ("allowed" in matched) {
      if (matched.allowed.length > 0) {
        response.setHeader("Allow", [...new Set(matched.allowed)].join(", "));
        throw new HangarError("HANGAR_ERR_METHOD_NOT_ALLOWED", `${method} is not allowed on ${rawPath}`);
      }
      throw new HangarError("HANGAR_ERR_NOT_FOUND", `No route for ${method} ${rawPath}`);
    }
    if (matched.options.native)
      throw new HangarError("HANGAR_ERR_NOT_FOUND", `No route for ${method} ${rawPath}`);
    if (matched.options.requestIdOnlyWhenSent && request.headers["x-request-id"] === undefined) {
      response.removeHeader("X-Request-Id");
    }
    await matched.handler({
      hangar,
      request: request.raw,
      response,
      method,
      rawPath,
      url: new URL(request.raw.url ?? "/", "http://placeholder"),
      params: matched.params,
      rest: matched.rest,
      caller: request.caller,
      baseUrl: clientBaseUrl(request.raw, hangar.config),
      log: request.log,
    });
  } catch (error) {
    sendError(response, error, request.log);
  }
}

const ALL_METHODS = ["DELETE", "GET", "HEAD", "PATCH", "POST", "PUT", "OPTIONS"];

/**
 * The Hub's routes, through one Fastify catch-all. Fastify's router (find-my-way) decodes the path before
 * matching and orders routes by specificity; the Hub's routes must match the raw, still-encoded path
 * (`%2F` inside a file name or revision is not a separator) in the order they are listed, so `Router` keeps
 * matching them. The handler gets the untouched raw request and response (`reply.hijack()`): upload bodies
 * (LFS PUTs of many MB, NDJSON commits) are streamed by the handlers, never parsed or size-limited by
 * Fastify, and downloads are written straight to the socket. It runs as the route's `preParsing` hook, after
 * every `onRequest` hook (the caller is known; rate limits have run) and before Fastify looks at the body at
 * all (its content-type checks would refuse types the Hub's clients send).
 */
export async function registerHubRoutes(app: FastifyInstance, hangar: Hangar, router: Router): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, _payload, done) => done(null, undefined));
  app.route({
    method: ALL_METHODS,
    url: "/*",
    exposeHeadRoute: false,
    schema: { hide: true },
    config: { hubRoutes: true },
    preParsing: async (request, reply, payload) => {
      await dispatch(hangar, router, request, reply);
      return payload;
    },
    handler: async () => undefined,
  });
}

/** For requests no route takes (methods the catch-all does not list): the Hub's 404 and 405. */
export function hubNotFoundHandler(hangar: Hangar, router: Router) {
  return (request: FastifyRequest, reply: FastifyReply) => dispatch(hangar, router, request, reply);
}
