import { createServer, type Server } from "node:http";
import { HangarError } from "../../core/errors.ts";
import { sendError } from "../http.ts";
import type { HangarMetrics } from "./metrics.ts";

export interface MetricsListener {
  /** `http://host:port`, the port the listener got (useful with port 0). */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` without authentication on a port of its own (`--metrics-port`,
 * `HANGAR_METRICS_PORT`), for a Prometheus scraper on a private network; anything else gets 404 in
 * Hangar's error shape. Bind it to an address only the scraper reaches.
 */
export function startMetricsListener(
  metrics: HangarMetrics,
  params: { host: string; port: number },
): Promise<MetricsListener> {
  const server = createServer(async (request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path !== "/metrics") {
      sendError(response, new HangarError("HANGAR_ERR_NOT_FOUND", `This port serves only GET /metrics`));
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("Allow", "GET, HEAD");
      sendError(
        response,
        new HangarError("HANGAR_ERR_METHOD_NOT_ALLOWED", `${request.method} is not allowed on /metrics`),
      );
      return;
    }
    try {
      const text = await metrics.render();
      response.writeHead(200, {
        "Content-Type": metrics.contentType,
        "Content-Length": Buffer.byteLength(text),
        "Cache-Control": "no-store",
      });
      response.end(request.method === "HEAD" ? undefined : text);
    } catch (error) {
      sendError(response, error);
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", (error) =>
      reject(new Error(`Cannot listen for metrics on ${params.host} port ${params.port}: ${error.message}`)),
    );
    server.listen(params.port, params.host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : params.port;
      const host = params.host.includes(":") ? `[${params.host}]` : params.host;
      resolve({
        url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
