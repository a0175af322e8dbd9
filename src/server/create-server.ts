import { createServer as createHttpServer, type Server } from "node:http";
import { authThrottleSettings, serverTimeouts } from "../core/config.ts";
import { HangarError } from "../core/errors.ts";
import type { Hangar } from "../hangar.ts";
import { authenticate } from "../hub/accounts/authenticate.ts";
import type { Caller } from "../hub/accounts/principal.ts";
import { isTokenShaped } from "../hub/accounts/tokens.ts";
import { MemoryWindowCounter } from "../store/window-counter.ts";
import { AuthThrottle } from "./auth-throttle.ts";
import { clientAddress, clientBaseUrl, sendError, setCorsHeaders } from "./http.ts";
import { Router } from "./router.ts";
import { registerAccountRoutes } from "./routes/accounts.ts";
import { registerCompareRecommendRoutes } from "./routes/compare-recommend.ts";
import { registerDiscoverRoutes } from "./routes/discover.ts";
import { registerEvaluationRoutes } from "./routes/evaluations.ts";
import { registerFileRoutes } from "./routes/files.ts";
import { registerGitRoutes } from "./routes/git.ts";
import { registerHomePageRoutes } from "./routes/home-page.ts";
import { registerHubReadRoutes } from "./routes/hub-read.ts";
import { registerHubWriteRoutes } from "./routes/hub-write.ts";
import { registerInferenceRoutes } from "./routes/inference.ts";
import { registerLfsRoutes } from "./routes/lfs.ts";
import { registerOpenAiRoutes } from "./routes/openai.ts";
import { watchRequestBody } from "./watch-request-body.ts";

function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim() || undefined;
}

/** Every route of the server, in one table. */
export function createRouter(): Router {
  const router = new Router();
  registerAccountRoutes(router);
  registerHubWriteRoutes(router);
  registerLfsRoutes(router);
  registerGitRoutes(router);
  registerHubReadRoutes(router);
  registerFileRoutes(router);
  registerHomePageRoutes(router);
  registerInferenceRoutes(router);
  registerOpenAiRoutes(router);
  registerDiscoverRoutes(router);
  registerCompareRecommendRoutes(router);
  registerEvaluationRoutes(router);
  return router;
}

/** Builds the HTTP server for an instance; listening is up to the caller (see `listen`). */
export function createServer(hangar: Hangar): Server {
  const router = createRouter();
  const timeouts = serverTimeouts(hangar.config);
  const authThrottle = new AuthThrottle({
    counter: new MemoryWindowCounter(),
    settings: authThrottleSettings(hangar.config),
  });
  const options = {
    headersTimeout: timeouts.headersMs,
    // Node's whole-request limit would cut off a large upload on a slow link; `watchRequestBody` closes the
    // connections whose bodies stall or trickle instead.
    requestTimeout: 0,
    // How often Node looks for connections past `headersTimeout` (its default, 30 s, would let one run 50 % over).
    connectionsCheckingInterval: Math.min(30_000, Math.max(10, Math.round(timeouts.headersMs / 4))),
  };
  const server = createHttpServer(options, async (request, response) => {
    watchRequestBody({ request, response, timeouts });
    try {
      setCorsHeaders(response, request.headers.origin);
      const method = request.method ?? "GET";
      if (method === "OPTIONS") {
        response.writeHead(204, {
          "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
          "Access-Control-Allow-Headers": "authorization, range, content-type, x-request-id",
          "Access-Control-Max-Age": "86400",
        });
        response.end();
        return;
      }
      const target = request.url ?? "/";
      const url = new URL(target, "http://placeholder");
      const rawPath = target.split("?")[0] ?? "/";
      const segments = rawPath.split("/").filter(Boolean);
      const matched = router.match(method, segments);
      const bearer = bearerToken(request.headers.authorization);
      // On OpenAI's routes, a placeholder API key (not shaped like a Hangar token) is no key: see RouteOptions.
      const takesPlaceholders = "options" in matched && matched.options.acceptsPlaceholderKeys === true;
      const token = bearer && takesPlaceholders && !isTokenShaped(bearer) ? undefined : bearer;
      const caller: Caller = token
        ? await authThrottle.authenticate({
            address: clientAddress(request, hangar.config),
            token,
            authenticate: () => authenticate(hangar, token),
          })
        : null;
      if ("allowed" in matched) {
        if (matched.allowed.length > 0) {
          response.setHeader("Allow", [...new Set(matched.allowed)].join(", "));
          throw new HangarError("HANGAR_ERR_METHOD_NOT_ALLOWED", `${method} is not allowed on ${rawPath}`);
        }
        throw new HangarError("HANGAR_ERR_NOT_FOUND", `No route for ${method} ${rawPath}`);
      }
      await matched.handler({
        hangar,
        request,
        response,
        method,
        rawPath,
        url,
        params: matched.params,
        rest: matched.rest,
        caller,
        baseUrl: clientBaseUrl(request, hangar.config),
      });
    } catch (error) {
      sendError(response, error);
    }
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

/** Starts listening; resolves with the URL the server answers on. */
export function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      const actualPort = typeof address === "object" && address ? address.port : port;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      resolve(`http://${shownHost === "0.0.0.0" ? "127.0.0.1" : shownHost}:${actualPort}`);
    });
  });
}
