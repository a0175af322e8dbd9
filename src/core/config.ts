import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { badRequest } from "./errors.ts";
import { parseRateLimits, parseRedisUrl, type RateLimits } from "./operations-config.ts";
import { type OutboundPolicy, parseOutboundAllow } from "./outbound-url.ts";
import { type SpendSettings, spendSettingsFromEnv } from "./spend-config.ts";

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

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function parseLogLevel(value: string | undefined, source: string, fallback: LogLevel): LogLevel {
  if (value === undefined || value.trim() === "") return fallback;
  const level = value.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw badRequest(`${source} must be one of ${LOG_LEVELS.join(", ")}, got "${value}"`);
  }
  return level as LogLevel;
}

export interface S3Access {
  /** For stores other than AWS (MinIO, R2, Ceph RGW, Garage...): `http(s)://host:port`. */
  endpoint?: string;
  /** `endpoint/bucket/key` URLs instead of `bucket.endpoint/key` (most non-AWS stores want this). */
  forcePathStyle: boolean;
  region: string;
  /** Explicit credentials; without them the AWS SDK's default chain (profiles, instance roles) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * Downloads of LFS files: `redirect` answers 302 to a presigned URL of the store, as the Hub does with its
   * CDN (bytes skip Hangar); `proxy` streams them through Hangar (clients that cannot reach the store).
   */
  downloads: "redirect" | "proxy";
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
export function authThrottleSettings(config: HangarConfig): AuthThrottleSettings {
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
export function serverTimeouts(config: HangarConfig): ServerTimeouts {
  return { ...DEFAULT_SERVER_TIMEOUTS, ...config.timeouts };
}

export interface InferenceSettings {
  /** Memory the loaded models may take together; least recently used models are unloaded past it. */
  memoryBudgetBytes: number;
  /** Most requests coalesced into one model call for encoder tasks (1 turns batching off). */
  maxBatchSize: number;
  /** How long a request may wait for others to join its batch. */
  maxQueueDelayMs: number;
  /** Requests that may wait per model before new ones get 429 with Retry-After. */
  maxQueue: number;
  /** Model calls running at once per model. */
  maxConcurrency: number;
  /** Longest a request may take, queueing included, before it fails with 504. */
  timeoutMs: number;
  /** Intra-op threads per ONNX session (0: onnxruntime's default, one per core). */
  threads: number;
  /** Whether inference needs a token even for public models. */
  requireToken: boolean;
}

export const DEFAULT_INFERENCE: InferenceSettings = {
  memoryBudgetBytes: 4 * 1024 ** 3,
  maxBatchSize: 16,
  maxQueueDelayMs: 2,
  maxQueue: 64,
  maxConcurrency: 1,
  timeoutMs: 60_000,
  threads: 0,
  requireToken: false,
};

/** The inference settings of a config, defaults filled in. */
export function inferenceSettings(config: HangarConfig): InferenceSettings {
  return { ...DEFAULT_INFERENCE, ...config.inference };
}

/** How Hangar's own inference endpoints scale (src/inference/endpoints). */
export interface EndpointSettings {
  /** How often each endpoint's autoscaler looks at its queues and latency. */
  autoscaleIntervalMs: number;
  /** A replica above an endpoint's minimum is removed once the endpoint has had no waiting request this long. */
  scaleDownAfterMs: number;
}

export const DEFAULT_ENDPOINTS: EndpointSettings = {
  autoscaleIntervalMs: 1_000,
  scaleDownAfterMs: 60_000,
};

/** The endpoint settings of a config, defaults filled in. */
export function endpointSettings(config: HangarConfig): EndpointSettings {
  return { ...DEFAULT_ENDPOINTS, ...config.endpoints };
}

/** Decimal digits only: `Number` would also take "1e6", "0x10", " 5" and "1.0" for whole numbers. */
const DECIMAL_INTEGER = /^\d+$/;

function parseCount(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const count = DECIMAL_INTEGER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw badRequest(`${name} must be a non-negative integer, got "${value}"`);
  }
  return count;
}

function inferenceFromEnv(env: Record<string, string | undefined>): Partial<InferenceSettings> {
  const settings: Partial<InferenceSettings> = {
    memoryBudgetBytes: parseCount(env.HANGAR_INFERENCE_MEMORY_BUDGET, "HANGAR_INFERENCE_MEMORY_BUDGET"),
    maxBatchSize: parseCount(env.HANGAR_INFERENCE_MAX_BATCH_SIZE, "HANGAR_INFERENCE_MAX_BATCH_SIZE"),
    maxQueueDelayMs: parseCount(
      env.HANGAR_INFERENCE_MAX_QUEUE_DELAY_MS,
      "HANGAR_INFERENCE_MAX_QUEUE_DELAY_MS",
    ),
    maxQueue: parseCount(env.HANGAR_INFERENCE_MAX_QUEUE, "HANGAR_INFERENCE_MAX_QUEUE"),
    maxConcurrency: parseCount(env.HANGAR_INFERENCE_MAX_CONCURRENCY, "HANGAR_INFERENCE_MAX_CONCURRENCY"),
    timeoutMs: parseCount(env.HANGAR_INFERENCE_TIMEOUT_MS, "HANGAR_INFERENCE_TIMEOUT_MS"),
    threads: parseCount(env.HANGAR_INFERENCE_THREADS, "HANGAR_INFERENCE_THREADS"),
    ...(env.HANGAR_INFERENCE_REQUIRE_TOKEN === undefined
      ? {}
      : { requireToken: env.HANGAR_INFERENCE_REQUIRE_TOKEN === "1" }),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

function endpointsFromEnv(env: Record<string, string | undefined>): Partial<EndpointSettings> {
  const settings: Partial<EndpointSettings> = {
    autoscaleIntervalMs: parseCount(env.HANGAR_ENDPOINT_AUTOSCALE_MS, "HANGAR_ENDPOINT_AUTOSCALE_MS"),
    scaleDownAfterMs: parseCount(env.HANGAR_ENDPOINT_SCALE_DOWN_MS, "HANGAR_ENDPOINT_SCALE_DOWN_MS"),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

export interface HangarLimits {
  /** Largest single file accepted, in bytes. */
  maxFileSize: number;
  /** Largest request body for JSON and NDJSON requests (regular files travel base64 inside commits). */
  maxRequestBodySize: number;
  /** Most operations in one commit. */
  maxFilesPerCommit: number;
  /** Files from this size on are stored as LFS objects. */
  lfsThreshold: number;
  /** Largest page a listing returns; larger `limit` values are capped, as the Hub does. */
  maxPageSize: number;
  /** LFS objects from this size on are uploaded in parts (default 64 MiB). */
  lfsMultipartThreshold?: number;
  /** Size of each part of a multipart LFS upload (default 32 MiB). */
  lfsMultipartChunkSize?: number;
}

export const DEFAULT_LIMITS: HangarLimits = {
  maxFileSize: 50 * 1024 ** 3,
  maxRequestBodySize: 256 * 1024 ** 2,
  maxFilesPerCommit: 25_000,
  lfsThreshold: 10 * 1024 ** 2,
  maxPageSize: 1000,
};

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

function s3AccessFromEnv(env: Record<string, string | undefined>): S3Access {
  const endpoint = env.HANGAR_S3_ENDPOINT?.trim();
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  const sessionToken = env.AWS_SESSION_TOKEN?.trim();
  const downloads = env.HANGAR_S3_DOWNLOADS?.trim() || "redirect";
  if (downloads !== "redirect" && downloads !== "proxy") {
    throw badRequest(`HANGAR_S3_DOWNLOADS must be "redirect" or "proxy", got "${downloads}"`);
  }
  return {
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: ["1", "true", "yes"].includes(
      (env.HANGAR_S3_FORCE_PATH_STYLE ?? "").trim().toLowerCase(),
    ),
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || "us-east-1",
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
    downloads,
  };
}

/** A catalog location: a PostgreSQL URL. (The SQLite default needs no setting.) */
function parseDatabase(value: string | undefined, source: string): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (!/^postgres(ql)?:\/\/[^/]/i.test(value.trim())) {
    throw badRequest(`${source} must be a postgres:// URL, got "${value.replace(/:[^:@/]*@/, ":***@")}"`);
  }
  return value.trim();
}

/** A blob store location: `s3://BUCKET/PREFIX`. (The filesystem default needs no setting.) */
function parseBlobStore(value: string | undefined, source: string): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(value.trim())) {
    throw badRequest(`${source} must be s3://BUCKET or s3://BUCKET/PREFIX, got "${value}"`);
  }
  return value.trim();
}

function parsePort(value: string | number, source: string): number {
  // Number("") is 0, which would silently pick a random port.
  const port = typeof value === "number" ? value : value.trim() === "" ? Number.NaN : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw badRequest(`${source} must be an integer from 0 to 65535, got "${value}"`);
  }
  return port;
}

function parseSize(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const size = DECIMAL_INTEGER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(size) || size <= 0)
    throw badRequest(`${name} must be a positive integer, got "${value}"`);
  return size;
}

/** The metrics port from `--metrics-port` or `HANGAR_METRICS_PORT`. */
export function parseMetricsPort(value: string | undefined, source: string): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  return parsePort(value, source);
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
    limits: {
      maxFileSize: parseSize(env.HANGAR_MAX_FILE_SIZE, "HANGAR_MAX_FILE_SIZE", DEFAULT_LIMITS.maxFileSize),
      maxRequestBodySize: parseSize(
        env.HANGAR_MAX_REQUEST_BODY_SIZE,
        "HANGAR_MAX_REQUEST_BODY_SIZE",
        DEFAULT_LIMITS.maxRequestBodySize,
      ),
      maxFilesPerCommit: parseSize(
        env.HANGAR_MAX_FILES_PER_COMMIT,
        "HANGAR_MAX_FILES_PER_COMMIT",
        DEFAULT_LIMITS.maxFilesPerCommit,
      ),
      lfsThreshold: parseSize(env.HANGAR_LFS_THRESHOLD, "HANGAR_LFS_THRESHOLD", DEFAULT_LIMITS.lfsThreshold),
      maxPageSize: DEFAULT_LIMITS.maxPageSize,
    },
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

/** A scan verdict an instance may refuse commits for. */
export type BlockableVerdict = "suspicious" | "invalid" | "unsafe";
const BLOCKABLE: readonly string[] = ["suspicious", "invalid", "unsafe"];

/** `unsafe`, `unsafe,invalid`...: the verdicts that refuse a commit; `off`, `flag` or empty: none. */
export function parseScanBlock(value: string | undefined, source: string): BlockableVerdict[] | undefined {
  if (value === undefined) return undefined;
  const verdicts = value
    .split(",")
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== "" && part !== "off" && part !== "flag");
  for (const verdict of verdicts) {
    if (!BLOCKABLE.includes(verdict)) {
      throw badRequest(
        `${source} must list verdicts among ${BLOCKABLE.join(", ")} (or be off); got ${JSON.stringify(value)}`,
      );
    }
  }
  return [...new Set(verdicts)] as BlockableVerdict[];
}

/** `{ [key]: value }` when the value is set, else nothing, for spreading into a config. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function shutdownTimeoutFromEnv(value: string | undefined): number | undefined {
  const seconds = parseCount(value, "HANGAR_SHUTDOWN_TIMEOUT");
  return seconds === undefined ? undefined : seconds * 1000;
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
