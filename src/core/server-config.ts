import { parseCount, parsePort } from "./config-values.ts";
import { badRequest } from "./errors.ts";

/** Settings of the HTTP server itself: its log, how slow a client may be, throttling, shutdown. */

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function parseLogLevel(value: string | undefined, source: string, fallback: LogLevel): LogLevel {
  if (value === undefined || value.trim() === "") return fallback;
  const level = value.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw badRequest(`${source} must be one of ${LOG_LEVELS.join(", ")}, got "${value}"`);
  }
  return level as LogLevel;
}

/** Failed authentications are counted per client address; past a limit, the address gets 429 for a while. */
export interface AuthThrottleSettings {
  /** Failures from one address within a window after which it is refused until the window ends. */
  maxFailures: number;
  /** The window, from an address's first failure. */
  windowMs: number;
  /**
   * How long after its last use from an address a token still works there while the address is refused, so
   * that someone else's failures behind a shared address do not lock out its known users.
   */
  trustedForMs: number;
}

export const DEFAULT_AUTH_THROTTLE: AuthThrottleSettings = {
  maxFailures: 10,
  windowMs: 60_000,
  trustedForMs: 24 * 60 * 60_000,
};

/** The authentication throttle of a config, defaults filled in. */
export function authThrottleSettings(config: {
  authThrottle?: Partial<AuthThrottleSettings>;
}): AuthThrottleSettings {
  return { ...DEFAULT_AUTH_THROTTLE, ...config.authThrottle };
}

/**
 * Limits on how slowly a client may send a request, so that connections held open by sending nothing or a
 * byte at a time (slowloris) are closed. A body has no total time limit: a multi-GB upload on a slow link
 * takes as long as it takes, as long as its bytes keep coming.
 */
export interface ServerTimeouts {
  /** Longest time from a connection's (or a request's) first byte to the end of the request's headers. */
  headersMs: number;
  /** The span over which a body's rate is measured: a client sending nothing is cut off after one to two. */
  bodyWindowMs: number;
  /**
   * Fewest bytes per second a request body must bring over each window. Time in which the server itself is
   * not reading (a full buffer while it writes to disk) does not count against the client.
   */
  minBodyBytesPerSecond: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = {
  headersMs: 60_000,
  bodyWindowMs: 60_000,
  minBodyBytesPerSecond: 1024,
};

/** The server timeouts of a config, defaults filled in. */
export function serverTimeouts(config: { timeouts?: Partial<ServerTimeouts> }): ServerTimeouts {
  return { ...DEFAULT_SERVER_TIMEOUTS, ...config.timeouts };
}

/** The metrics port from `--metrics-port` or `HANGAR_METRICS_PORT`. */
export function parseMetricsPort(value: string | undefined, source: string): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  return parsePort(value, source);
}

/** `HANGAR_SHUTDOWN_TIMEOUT`, in seconds, as milliseconds. */
export function shutdownTimeoutFromEnv(value: string | undefined): number | undefined {
  const seconds = parseCount(value, "HANGAR_SHUTDOWN_TIMEOUT");
  return seconds === undefined ? undefined : seconds * 1000;
}
