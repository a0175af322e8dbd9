import type { Server } from "node:http";
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from "../../core/operations-config.ts";
import type { Hangar } from "../../hangar.ts";

export interface ShutdownOptions {
  /** How long in-flight requests may take to finish; default `config.shutdownTimeoutMs`, else 30 s. */
  timeoutMs?: number;
  /** Called first (e.g. `operations.drain`, so `/ready` turns 503 while requests finish). */
  onDrain?: () => void;
  /** Closed after the server and before the Hangar (the rate-limit counters' Redis connection, say). */
  closeAlso?: Array<() => Promise<void>>;
}

export interface ShutdownResult {
  /** Whether every request finished within the timeout (false: the rest were cut off). */
  finished: boolean;
  /** Connections still open at the deadline, closed then. */
  cutOff: number;
}

/**
 * Stops an instance gently (SIGTERM): the server stops accepting connections at once, idle keep-alive
 * connections are closed, requests in flight (long uploads and downloads included) may finish until the
 * timeout, after which the connections still open are closed; then the Hangar closes (catalog, blob store,
 * inference). Resolves when all is closed; calling it twice returns the same shutdown.
 */
export function gracefulShutdown(
  server: Server,
  hangar: Hangar,
  options: ShutdownOptions = {},
): Promise<ShutdownResult> {
  const running = shutdowns.get(server);
  if (running) return running;
  const shutdown = runShutdown(server, hangar, options);
  shutdowns.set(server, shutdown);
  return shutdown;
}

const shutdowns = new WeakMap<Server, Promise<ShutdownResult>>();

async function runShutdown(
  server: Server,
  hangar: Hangar,
  options: ShutdownOptions,
): Promise<ShutdownResult> {
  options.onDrain?.();
  const timeoutMs = options.timeoutMs ?? hangar.config.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  // Responses sent from now on ask their clients to close; those waiting for a next request go now.
  server.on("request", (_request, response) => {
    if (!response.headersSent) response.setHeader("Connection", "close");
  });
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // A connection that finishes its request goes idle; close it then rather than at the keep-alive timeout.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const outcome = await Promise.race([closed.then(() => "closed" as const), deadline]);
  clearInterval(sweep);
  clearTimeout(timer);
  let cutOff = 0;
  if (outcome === "timeout") {
    cutOff = await openConnections(server);
    server.closeAllConnections();
    await closed;
  }
  for (const close of options.closeAlso ?? []) await close().catch(() => undefined);
  await hangar.close();
  return { finished: outcome === "closed", cutOff };
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
}
