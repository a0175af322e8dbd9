import { setTimeout as sleep } from "node:timers/promises";
import Fastify, { type FastifyInstance } from "fastify";
import { defaultConfig, type HangarConfig } from "../../src/core/config.ts";
import { HangarError } from "../../src/core/errors.ts";
import { authThrottleSettings } from "../../src/core/server-config.ts";
import type { TokenRole } from "../../src/core/types.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { authenticate } from "../../src/hub/accounts/authenticate.ts";
import { createToken, createUser } from "../../src/hub/accounts/manage-accounts.ts";
import type { Caller } from "../../src/hub/accounts/principal.ts";
import { AuthThrottle } from "../../src/server/auth-throttle.ts";
import { clientAddress, sendError } from "../../src/server/http.ts";
import {
  type Operations,
  type OperationsOptions,
  registerOperations,
} from "../../src/server/operations/register-operations.ts";
import { type ClosableWindowCounter, createWindowCounter } from "../../src/store/redis-window-counter.ts";
import { makeTempDir } from "./test-hangar.ts";

export const ADMIN_TOKEN = "hf_test_admin_token_0123456789abcdef";

export interface OperationsApp {
  app: FastifyInstance;
  hangar: Hangar;
  operations: Operations;
  counter: ClosableWindowCounter;
  /** Set once `listen` ran. */
  url: string;
  listen(): Promise<string>;
  addUser(name: string, role?: TokenRole): Promise<string>;
  close(): Promise<void>;
}

export interface OperationsAppOptions {
  config?: Partial<Omit<HangarConfig, "home">>;
  operations?: OperationsOptions;
  /** Key prefix in Redis when `config.redisUrl` is set. */
  redisPrefix?: string;
  /** Share an instance (a second node on the same catalog and Redis). */
  hangar?: Hangar;
}

/**
 * A bare Fastify app over a real Hangar, with what the Hangar server's own hooks do per the contract with
 * the operations plugin (`request.hangarRoute`, `request.caller` through the authentication throttle, errors
 * in Hangar's shape), a few routes like the Hub's (one that takes the raw response, one that reads an upload
 * raw, a slow one), then `registerOperations`.
 */
export async function startOperationsApp(options: OperationsAppOptions = {}): Promise<OperationsApp> {
  const temp = options.hangar ? undefined : await makeTempDir("hangar-ops-");
  const hangar =
    options.hangar ??
    (await createHangar(defaultConfig(temp!.path, { adminToken: ADMIN_TOKEN, ...options.config })));
  const counter = await createWindowCounter(hangar.config, { prefix: options.redisPrefix ?? "hangar:" });
  const throttle = new AuthThrottle({ counter, settings: authThrottleSettings(hangar.config) });
  const app = Fastify({ logger: false });
  app.decorateRequest("hangarRoute", "");
  app.decorateRequest("caller", null);
  app.setErrorHandler((error, _request, reply) => {
    reply.hijack();
    sendError(reply.raw, error);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.hijack();
    sendError(
      reply.raw,
      new HangarError("HANGAR_ERR_NOT_FOUND", `No route for ${request.method} ${request.url}`),
    );
  });
  app.addHook("onRequest", async (request) => {
    const mutable = request as unknown as { hangarRoute: string; caller: Caller };
    mutable.hangarRoute = request.routeOptions.url ?? "unmatched";
    const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "");
    const token = match?.[1]?.trim();
    mutable.caller = token
      ? (
          await throttle.authenticate({
            address: clientAddress(request.raw, hangar.config),
            token,
            authenticate: () => authenticate(hangar, token),
          })
        ).principal
      : null;
  });
  const operations = registerOperations(app, hangar, { counter, ...options.operations });

  app.get("/api/whoami-v2", async (request) => ({
    name: (request as unknown as { caller: Caller })?.caller?.user,
  }));
  app.get("/api/models", async () => []);
  app.post("/api/repos/create", async () => ({ url: "created" }));
  app.post("/v1/compare", async () => ({ compared: true }));
  // Like the Hub's download route: the raw response, written by hand.
  app.get("/:namespace/:name/resolve/*", (request, reply) => {
    reply.hijack();
    const size = Number((request.query as { size?: string }).size ?? 1024);
    reply.raw.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": size });
    reply.raw.end(Buffer.alloc(size, 7));
  });
  // Like the LFS upload route: the raw request body, counted, answered on the raw response.
  app.addContentTypeParser("application/octet-stream", (_request, _payload, done) => done(null));
  app.put("/api/lfs-upload/:oid", (request, reply) => {
    reply.hijack();
    let received = 0;
    request.raw.on("data", (chunk: Buffer) => {
      received += chunk.byteLength;
    });
    request.raw.on("end", () => {
      reply.raw.writeHead(200, { "Content-Type": "application/json" });
      reply.raw.end(JSON.stringify({ received }));
    });
  });
  app.get("/slow", async (request, reply) => {
    // Stops waiting when the connection goes (a shutdown cutting it off), so no timer outlives the test.
    const gone = new AbortController();
    reply.raw.once("close", () => gone.abort());
    await sleep(Number((request.query as { ms?: string }).ms ?? 500), undefined, {
      signal: gone.signal,
    }).catch(() => undefined);
    return { slow: true };
  });
  await app.ready();

  const handle: OperationsApp = {
    app,
    hangar,
    operations,
    counter,
    url: "",
    async listen() {
      handle.url = await app.listen({ host: "127.0.0.1", port: 0 });
      return handle.url;
    },
    async addUser(name, role = "write") {
      if (!(await hangar.catalog.accounts.getNamespace(name))) await createUser(hangar, { name });
      return (await createToken(hangar, { user: name, role })).token;
    },
    async close() {
      await app.close();
      await counter.close();
      if (!options.hangar) await hangar.close().catch(() => undefined);
      await temp?.remove();
    },
  };
  return handle;
}
