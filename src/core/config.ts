import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { optional, parsePort } from "./config-values.ts";
import { badRequest } from "./errors.ts";
import {
  type BlockableVerdict,
  DEFAULT_LIMITS,
  type HangarLimits,
  limitsFromEnv,
  parseScanBlock,
} from "./hub-config.ts";
import {
  type EndpointSettings,
  endpointsFromEnv,
  type InferenceSettings,
  inferenceFromEnv,
} from "./inference-config.ts";
import { parseRateLimits, parseRedisUrl, type RateLimits } from "./operations-config.ts";
import { type OutboundPolicy, parseOutboundAllow } from "./outbound-url.ts";
import {
  type AuthThrottleSettings,
  type LogLevel,
  parseLogLevel,
  parseMetricsPort,
  type ServerTimeouts,
  shutdownTimeoutFromEnv,
} from "./server-config.ts";
import { type SpendSettings, spendSettingsFromEnv } from "./spend-config.ts";
import { parseBlobStore, parseDatabase, type S3Access, s3AccessFromEnv } from "./storage-config.ts";

/**
 * The configuration of an instance: what it is (`HangarConfig`) and the one place that reads it from the
 * environment and the command line (`resolveConfig`). Each concern's settings, defaults and parsing live in
 * their own file: hub-config (limits, scan), storage-config (database, blobs, S3), server-config (log,
 * timeouts, throttle), inference-config (inference, endpoints), operations-config (rate limits, Redis),
 * spend-config (prices, budgets).
 */
/** Everything one Hangar instance needs; built once by an interface and passed down. */
export interface HangarConfig {
  /** Folder holding the instance: `hangar.db` and `blobs/` by default. */
  home: string;
  /**
   * The catalog (`--database`, `HANGAR_DATABASE_URL`): a `postgres://` URL for several nodes on one
   * database; unset, the SQLite file `hangar.db` in the home.
   */
  database?: string;
  /**
   * Folder of caches that can be rebuilt from the catalog: the search index's snapshot, so a process starts
   * searching without reading the whole catalog first. `cache/` in the home; unset, nothing is kept.
   */
  cacheFolder?: string;
  /** The blob store (`--blobs`, `HANGAR_BLOB_STORE`): `s3://BUCKET/PREFIX`; unset, `blobs/` in the home. */
  blobStore?: string;
  /** How an S3-compatible blob store is reached (`HANGAR_S3_*` and the standard `AWS_*` variables). */
  s3: S3Access;
  host: string;
  port: number;
  /**
   * The base URL clients see (e.g. behind a reverse proxy). When unset, URLs are built from the request's
   * Host header, or X-Forwarded-Host / X-Forwarded-Proto when `trustProxy` is set.
   */
  publicUrl?: string;
  /**
   * Whether Hangar sits behind a reverse proxy it believes (`HANGAR_TRUST_PROXY=1`, `serve --trust-proxy`):
   * then X-Forwarded-Host and X-Forwarded-Proto name the URL clients use (unless `publicUrl` is set), and
   * the last address of X-Forwarded-For is the client's. Otherwise anyone could send those headers, so they
   * are ignored.
   */
  trustProxy: boolean;
  /** A token given admin rights on start (`HANGAR_ADMIN_TOKEN`), for bootstrapping a new instance. */
  adminToken?: string;
  /** Whether the demo repositories are created in an empty instance on first start. */
  seedDemo: boolean;
  /** Whether the bundled catalog of real public models (metadata only) is imported on start. */
  importCatalog: boolean;
  limits: HangarLimits;
  /** The upstream hub for mirroring (`HF_ENDPOINT`, `HF_TOKEN`). */
  upstream: { endpoint: string; token?: string };
  /**
   * Pull-through mirroring (`HANGAR_PULL_THROUGH=1`, `serve --pull-through`): a read of a repo this instance
   * lacks is pulled from the upstream first, then served.
   */
  pullThrough: boolean;
  /**
   * Large uploads are written with O_DIRECT where the filesystem takes it (default); `HANGAR_DIRECT_IO=0`
   * sends them through the page cache instead.
   */
  directIo?: boolean;
  /** Local inference settings (`HANGAR_INFERENCE_*`); defaults from `DEFAULT_INFERENCE` when unset. */
  inference?: Partial<InferenceSettings>;
  /** Hangar's own inference endpoints (`HANGAR_ENDPOINT_*`); defaults from `DEFAULT_ENDPOINTS` when unset. */
  endpoints?: Partial<EndpointSettings>;
  /** How long the server waits for a client's request; defaults from `DEFAULT_SERVER_TIMEOUTS` when unset. */
  timeouts?: Partial<ServerTimeouts>;
  /** How failed authentications are throttled; defaults from `DEFAULT_AUTH_THROTTLE` when unset. */
  authThrottle?: Partial<AuthThrottleSettings>;
  /**
   * Where rate-limit and authentication-throttle counters live (`HANGAR_REDIS_URL`, `redis://` or
   * `rediss://`), shared by every node; unset, in this process's memory.
   */
  redisUrl?: string;
  /**
   * A second port serving only `GET /metrics`, without authentication (`serve --metrics-port`,
   * `HANGAR_METRICS_PORT`), for a scraper on a private network; `/metrics` on the main port stays admin-only.
   */
  metricsPort?: number;
  /** Request rate limits per route group (`HANGAR_RATE_LIMITS`); defaults from `DEFAULT_RATE_LIMITS`. */
  rateLimits?: Partial<RateLimits>;
  /** How long a shutdown lets in-flight requests finish (`HANGAR_SHUTDOWN_TIMEOUT`, in seconds; default 30 s). */
  shutdownTimeoutMs?: number;
  /**
   * The server's request log level (`--log-level`, `HANGAR_LOG_LEVEL`): fatal, error, warn, info (default),
   * debug, trace or silent. Silent by default under the test runner (`HANGAR_TEST=1`) and in `defaultConfig`.
   */
  logLevel?: LogLevel;
  /**
   * Scan verdicts that refuse a commit (`HANGAR_SCAN_BLOCK=unsafe` or `unsafe,invalid`): such a file is
   * scanned before the ref moves and the commit answered 422. Unset or empty: every verdict is only flagged.
   */
  scanBlock?: readonly BlockableVerdict[];
  /**
   * The inference route file (`--routes`, `HANGAR_ROUTES`): YAML mapping model names to deployments, looked
   * at for changes while Hangar runs. Unset: no routes, every model name is a local repo.
   */
  routes?: string;
  /**
   * Which non-global addresses requests to user-given URLs (webhooks, alerts) may reach
   * (`HANGAR_OUTBOUND_ALLOW`: `private`, host names, addresses, networks). Unset: global addresses only.
   */
  outbound?: OutboundPolicy;
  /**
   * Reads an environment variable that a route names for its API key (`api_key_env`). A function, not the
   * values, so the config can be shown or logged without secrets in it.
   */
  environment?: (name: string) => string | undefined;
  /** Prices, budget alerts and token rate limits (`HANGAR_PRICES`, `HANGAR_BUDGET_*`...): src/core/spend-config.ts. */
  spend?: Partial<SpendSettings>;
}

export const DEFAULT_PORT = 7860;
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_UPSTREAM = "https://huggingface.co";

export interface ConfigSources {
  env?: Record<string, string | undefined>;
  /** Command-line values, which win over the environment. */
  flags?: {
    home?: string;
    host?: string;
    port?: string | number;
    publicUrl?: string;
    database?: string;
    blobs?: string;
    logLevel?: string;
    routes?: string;
  };
}

/**
 * The address to listen on. An empty HANGAR_HOST counts as unset, like the other variables; left as it is,
 * Node would listen on every interface instead of the loopback default.
 */
function parseHost(flag: string | undefined, env: string | undefined): string {
  if (flag !== undefined) {
    if (flag.trim() === "") throw badRequest('--host must be an address or host name, got ""');
    return flag;
  }
  return env?.trim() ? env : DEFAULT_HOST;
}

/** The one place that reads the environment: the CLI calls it and passes the result down. */
export function resolveConfig(sources: ConfigSources = {}): HangarConfig {
  const env = sources.env ?? {};
  const flags = sources.flags ?? {};
  const home = resolve(flags.home ?? env.HANGAR_HOME ?? join(homedir(), ".hangar"));
  const portValue = flags.port ?? (env.HANGAR_PORT === "" ? undefined : env.HANGAR_PORT);
  const publicUrl = flags.publicUrl ?? env.HANGAR_PUBLIC_URL;
  const database = parseDatabase(
    flags.database ?? env.HANGAR_DATABASE_URL,
    flags.database !== undefined ? "--database" : "HANGAR_DATABASE_URL",
  );
  const blobStore = parseBlobStore(
    flags.blobs ?? env.HANGAR_BLOB_STORE,
    flags.blobs !== undefined ? "--blobs" : "HANGAR_BLOB_STORE",
  );
  return {
    home,
    cacheFolder: join(home, "cache"),
    ...(database ? { database } : {}),
    ...(blobStore ? { blobStore } : {}),
    s3: s3AccessFromEnv(env),
    host: parseHost(flags.host, env.HANGAR_HOST),
    port:
      portValue === undefined
        ? DEFAULT_PORT
        : parsePort(portValue, flags.port !== undefined ? "--port" : "HANGAR_PORT"),
    ...(publicUrl ? { publicUrl: publicUrl.replace(/\/+$/, "") } : {}),
    trustProxy: env.HANGAR_TRUST_PROXY === "1",
    ...(env.HANGAR_ADMIN_TOKEN ? { adminToken: env.HANGAR_ADMIN_TOKEN } : {}),
    seedDemo: env.HANGAR_NO_DEMO !== "1",
    importCatalog: env.HANGAR_NO_CATALOG !== "1",
    limits: limitsFromEnv(env),
    upstream: {
      endpoint: (env.HF_ENDPOINT ?? DEFAULT_UPSTREAM).replace(/\/+$/, ""),
      ...(env.HF_TOKEN ? { token: env.HF_TOKEN } : {}),
    },
    pullThrough: env.HANGAR_PULL_THROUGH === "1",
    directIo: env.HANGAR_DIRECT_IO !== "0",
    inference: inferenceFromEnv(env),
    endpoints: endpointsFromEnv(env),
    ...optional("redisUrl", parseRedisUrl(env.HANGAR_REDIS_URL, "HANGAR_REDIS_URL")),
    ...optional("metricsPort", parseMetricsPort(env.HANGAR_METRICS_PORT, "HANGAR_METRICS_PORT")),
    ...optional("rateLimits", parseRateLimits(env.HANGAR_RATE_LIMITS, "HANGAR_RATE_LIMITS")),
    ...optional("shutdownTimeoutMs", shutdownTimeoutFromEnv(env.HANGAR_SHUTDOWN_TIMEOUT)),
    logLevel: parseLogLevel(
      flags.logLevel ?? env.HANGAR_LOG_LEVEL,
      flags.logLevel !== undefined ? "--log-level" : "HANGAR_LOG_LEVEL",
      env.HANGAR_TEST === "1" ? "silent" : "info",
    ),
    ...optional("scanBlock", parseScanBlock(env.HANGAR_SCAN_BLOCK, "HANGAR_SCAN_BLOCK")),
    ...optional("routes", routesFile(flags.routes ?? env.HANGAR_ROUTES, home)),
    ...optional("outbound", parseOutboundAllow(env.HANGAR_OUTBOUND_ALLOW, "HANGAR_OUTBOUND_ALLOW")),
    spend: spendSettingsFromEnv(env),
    environment: (name) => env[name],
  };
}

/** The route file, resolved against the working directory; empty means none. */
function routesFile(value: string | undefined, _home: string): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  return resolve(value.trim());
}

/** A config for tests and embedding: defaults everywhere but the home folder. */
export function defaultConfig(
  home: string,
  overrides: Partial<Omit<HangarConfig, "home">> = {},
): HangarConfig {
  return {
    ...resolveConfig({ flags: { home } }),
    seedDemo: false,
    importCatalog: false,
    logLevel: "silent",
    ...overrides,
    limits: { ...DEFAULT_LIMITS, ...overrides.limits },
  };
}
