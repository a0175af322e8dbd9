import { readFileSync } from "node:fs";
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import { HangarError } from "../../core/errors.ts";
import { BACKEND_KINDS, type BackendKind } from "../backend.ts";

/** Policies that pick one deployment per request. */
export const SELECTION_POLICIES = ["priority", "latency", "least-busy", "weighted", "cost"] as const;
/**
 * Policies that ask several deployments and combine their labelled answers (see `inference/ensemble.ts`):
 * every deployment votes (`majority`), their scores are averaged by `weight` (`weighted-average`), or they
 * are asked in order until one is confident enough (`cascade`, cheap model first, `threshold`).
 */
export const ENSEMBLE_POLICIES = {
  majority: "majority",
  "weighted-average": "weighted",
  cascade: "cascade",
} as const;
export type EnsemblePolicy = keyof typeof ENSEMBLE_POLICIES;
export const ROUTE_POLICIES = [
  ...SELECTION_POLICIES,
  ...(Object.keys(ENSEMBLE_POLICIES) as EnsemblePolicy[]),
];
export type RoutePolicy = (typeof SELECTION_POLICIES)[number] | EnsemblePolicy;

export function isEnsemblePolicy(policy: RoutePolicy): policy is EnsemblePolicy {
  return Object.hasOwn(ENSEMBLE_POLICIES, policy);
}

/** One deployment of a route: where a model runs and how to reach it. Secrets are named, never written. */
export interface DeploymentConfig {
  backend: BackendKind;
  /** The backend's model id (a Hub id, or the upstream server's model name). */
  model: string;
  /** Base URL: an OpenAI-compatible server's `/v1`, an endpoint's URL, or the Inference Providers router. */
  url?: string;
  /** hf-providers: a provider name or `auto` (default). */
  provider?: string;
  /** hf-providers: where the provider mappings are read (the Hub's `/api/models/{id}`); huggingface.co by default. */
  hub_url?: string;
  /** The environment variable that holds the API key (`HF_TOKEN` for hf-providers when absent). */
  api_key_env?: string;
  /** Share of traffic under the `weighted` policy, or of the vote under `majority` and `weighted-average` (default 1). */
  weight?: number;
  /** Price per million tokens, for the `cost` policy (default 0). */
  cost?: number;
  /** Time for one attempt on this deployment, until the answer (or a stream's first token). */
  timeout_ms?: number;
}

export interface RouteConfig {
  /** What clients send as "model". */
  name: string;
  policy: RoutePolicy;
  /** Attempts after the first one, per request, across deployments. */
  retries: number;
  /** Time for the whole request, retries and waits included. */
  timeout_ms: number;
  /** Time for one attempt unless a deployment sets its own. */
  attempt_timeout_ms: number;
  /** Consecutive failures that open a deployment's circuit, and how long it stays open before a probe. */
  circuit: { failures: number; cooldown_ms: number };
  /** Cascade: a deployment's answer stands when its best score reaches this (default 0.9); the last one always answers. */
  threshold?: number;
  /** Exact-match response cache for deterministic requests (embeddings, classification; see `cache`). */
  cache: boolean;
  /** The task of requests that name none (the Hub's serverless route): text-classification for an ensemble policy, else text-generation. */
  task?: string;
  deployments: DeploymentConfig[];
}

export interface RoutesConfig {
  routes: RouteConfig[];
  /** How often every deployment is probed (0: never). */
  health_interval_ms: number;
  cache: { max_entries: number; max_age_ms: number; generation: boolean };
}

export const ROUTE_DEFAULTS = {
  policy: "priority" as RoutePolicy,
  retries: 2,
  timeout_ms: 30_000,
  attempt_timeout_ms: 10_000,
  circuit: { failures: 3, cooldown_ms: 5_000 },
  health_interval_ms: 10_000,
  cache: { max_entries: 1000, max_age_ms: 300_000, generation: false },
};

type Path = Array<string | number>;

/** Where a route file came from, for errors: its path and a way to find the line of a field. */
interface Origin {
  file: string;
  lineOf(path: Path): number | undefined;
}

function fieldName(path: Path): string {
  return path
    .map((part, index) => (typeof part === "number" ? `[${part}]` : index === 0 ? part : `.${part}`))
    .join("");
}

function invalid(origin: Origin, path: Path, message: string): HangarError {
  const field = fieldName(path);
  const line = origin.lineOf(path);
  const where = line === undefined ? origin.file : `${origin.file}:${line}`;
  return new HangarError("HANGAR_ERR_BAD_REQUEST", `${where}: ${field ? `${field} ` : ""}${message}`, {
    details: { file: origin.file, line: line ?? null, field: field || null },
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks plain data against the route file's shape; every error names the file, line and field. */
class Checker {
  constructor(private readonly origin: Origin) {}

  fail(path: Path, message: string): never {
    throw invalid(this.origin, path, message);
  }

  known(value: Record<string, unknown>, path: Path, fields: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!fields.includes(key))
        this.fail([...path, key], `is not a known field (known: ${fields.join(", ")})`);
    }
  }

  text(value: unknown, path: Path, required: boolean): string | undefined {
    if (value === undefined || value === null) {
      if (required) this.fail(path, "is required");
      return undefined;
    }
    if (typeof value !== "string" || value.trim() === "") this.fail(path, "must be a non-empty string");
    return value;
  }

  count(value: unknown, path: Path, fallback: number, min = 0): number {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
      this.fail(path, `must be a whole number of at least ${min}`);
    }
    return value;
  }

  number(value: unknown, path: Path, fallback: number | undefined): number | undefined {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      this.fail(path, "must be a number of at least 0");
    }
    return value;
  }

  choice<T extends string>(value: unknown, path: Path, choices: readonly T[], fallback?: T): T {
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    if (typeof value !== "string" || !choices.includes(value as T)) {
      this.fail(path, `must be one of ${choices.join(", ")}`);
    }
    return value as T;
  }

  url(value: unknown, path: Path, required: boolean): string | undefined {
    const text = this.text(value, path, required);
    if (text === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      this.fail(path, "must be an http(s) URL");
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      this.fail(path, "must be an http(s) URL");
    if (parsed.search || parsed.hash) {
      this.fail(
        path,
        "must not have a query string or fragment: name the key's environment variable in api_key_env",
      );
    }
    if (parsed.username || parsed.password) {
      this.fail(path, "must not hold credentials: name an environment variable in api_key_env");
    }
    return text.replace(/\/+$/, "");
  }
}

const DEPLOYMENT_FIELDS = [
  "backend",
  "model",
  "url",
  "provider",
  "hub_url",
  "api_key_env",
  "weight",
  "cost",
  "timeout_ms",
];
const ROUTE_FIELDS = [
  "name",
  "task",
  "policy",
  "retries",
  "timeout_ms",
  "attempt_timeout_ms",
  "circuit",
  "cache",
  "threshold",
  "deployments",
];

function checkDeployment(check: Checker, value: unknown, path: Path): DeploymentConfig {
  if (!isObject(value)) check.fail(path, "must be a mapping with backend and model");
  check.known(value, path, DEPLOYMENT_FIELDS);
  const backend = check.choice(value.backend, [...path, "backend"], BACKEND_KINDS);
  const needsUrl = backend === "openai" || backend === "hf-endpoint";
  const url = check.url(value.url, [...path, "url"], needsUrl);
  if (backend === "local" && url !== undefined)
    check.fail([...path, "url"], "is not used by a local deployment");
  const deployment: DeploymentConfig = { backend, model: check.text(value.model, [...path, "model"], true)! };
  if (url !== undefined) deployment.url = url;
  const provider = check.text(value.provider, [...path, "provider"], false);
  if (provider !== undefined) {
    if (backend !== "hf-providers") check.fail([...path, "provider"], "is only for backend hf-providers");
    deployment.provider = provider;
  }
  const hubUrl = check.url(value.hub_url, [...path, "hub_url"], false);
  if (hubUrl !== undefined) deployment.hub_url = hubUrl;
  const keyEnv = check.text(value.api_key_env, [...path, "api_key_env"], false);
  if (keyEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(keyEnv)) {
      check.fail(
        [...path, "api_key_env"],
        "must be the name of an environment variable (the key itself never goes in the file)",
      );
    }
    deployment.api_key_env = keyEnv;
  }
  const weight = check.number(value.weight, [...path, "weight"], undefined);
  if (weight !== undefined) deployment.weight = weight;
  const cost = check.number(value.cost, [...path, "cost"], undefined);
  if (cost !== undefined) deployment.cost = cost;
  if (value.timeout_ms !== undefined)
    deployment.timeout_ms = check.count(value.timeout_ms, [...path, "timeout_ms"], 0, 1);
  return deployment;
}

function checkRoute(check: Checker, value: unknown, path: Path): RouteConfig {
  if (!isObject(value)) check.fail(path, "must be a mapping with name and deployments");
  check.known(value, path, ROUTE_FIELDS);
  const name = check.text(value.name, [...path, "name"], true)!;
  const deployments = value.deployments;
  if (!Array.isArray(deployments) || deployments.length === 0) {
    check.fail([...path, "deployments"], "must be a non-empty list");
  }
  const circuit = value.circuit ?? {};
  if (!isObject(circuit)) check.fail([...path, "circuit"], "must be a mapping with failures and cooldown_ms");
  check.known(circuit, [...path, "circuit"], ["failures", "cooldown_ms"]);
  if (value.cache !== undefined && typeof value.cache !== "boolean")
    check.fail([...path, "cache"], "must be true or false");
  const task = check.text(value.task, [...path, "task"], false);
  const policy = check.choice(value.policy, [...path, "policy"], ROUTE_POLICIES, ROUTE_DEFAULTS.policy);
  if (isEnsemblePolicy(policy) && deployments.length < 2) {
    check.fail([...path, "deployments"], `must list at least two deployments to combine (policy ${policy})`);
  }
  let threshold: number | undefined;
  if (value.threshold !== undefined && value.threshold !== null) {
    if (policy !== "cascade") check.fail([...path, "threshold"], "is only for policy cascade");
    threshold = check.number(value.threshold, [...path, "threshold"], undefined);
    if (threshold! > 1) check.fail([...path, "threshold"], "must be a score between 0 and 1");
  }
  return {
    name,
    ...(task !== undefined ? { task } : {}),
    policy,
    ...(threshold !== undefined ? { threshold } : {}),
    retries: check.count(value.retries, [...path, "retries"], ROUTE_DEFAULTS.retries),
    timeout_ms: check.count(value.timeout_ms, [...path, "timeout_ms"], ROUTE_DEFAULTS.timeout_ms, 1),
    attempt_timeout_ms: check.count(
      value.attempt_timeout_ms,
      [...path, "attempt_timeout_ms"],
      ROUTE_DEFAULTS.attempt_timeout_ms,
      1,
    ),
    circuit: {
      failures: check.count(
        circuit.failures,
        [...path, "circuit", "failures"],
        ROUTE_DEFAULTS.circuit.failures,
        1,
      ),
      cooldown_ms: check.count(
        circuit.cooldown_ms,
        [...path, "circuit", "cooldown_ms"],
        ROUTE_DEFAULTS.circuit.cooldown_ms,
        1,
      ),
    },
    cache: value.cache === true,
    deployments: deployments.map((deployment, index) =>
      checkDeployment(check, deployment, [...path, "deployments", index]),
    ),
  };
}

/** Checks a routes document (already parsed) and fills in defaults. */
export function checkRoutesConfig(value: unknown, origin: Origin): RoutesConfig {
  const check: Checker = new Checker(origin);
  if (!isObject(value)) check.fail([], "must be a mapping with a list of routes");
  check.known(value, [], ["routes", "health_interval_ms", "cache"]);
  if (!Array.isArray(value.routes)) check.fail(["routes"], "must be a list");
  const routes = value.routes.map((route, index) => checkRoute(check, route, ["routes", index]));
  const seen = new Set<string>();
  for (const [index, route] of routes.entries()) {
    if (seen.has(route.name))
      check.fail(["routes", index, "name"], `"${route.name}" is already a route above`);
    seen.add(route.name);
  }
  const cache = value.cache ?? {};
  if (!isObject(cache)) check.fail(["cache"], "must be a mapping with max_entries, max_age_ms, generation");
  check.known(cache, ["cache"], ["max_entries", "max_age_ms", "generation"]);
  if (cache.generation !== undefined && typeof cache.generation !== "boolean") {
    check.fail(["cache", "generation"], "must be true or false");
  }
  return {
    routes,
    health_interval_ms: check.count(
      value.health_interval_ms,
      ["health_interval_ms"],
      ROUTE_DEFAULTS.health_interval_ms,
    ),
    cache: {
      max_entries: check.count(cache.max_entries, ["cache", "max_entries"], ROUTE_DEFAULTS.cache.max_entries),
      max_age_ms: check.count(cache.max_age_ms, ["cache", "max_age_ms"], ROUTE_DEFAULTS.cache.max_age_ms),
      generation: cache.generation === true,
    },
  };
}

/** Parses and checks route file text; a YAML error or a wrong field names `file`, the line and the field. */
export function parseRoutesYaml(text: string, file: string): RoutesConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const syntax = document.errors[0];
  if (syntax) {
    const line = syntax.linePos?.[0]?.line;
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `${file}${line ? `:${line}` : ""}: not valid YAML: ${syntax.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
      { details: { file, line: line ?? null, field: null } },
    );
  }
  const origin: Origin = {
    file,
    lineOf(path) {
      // The deepest node of the path that exists: a missing field is reported at its parent's line.
      for (let depth = path.length; depth >= 0; depth--) {
        const node = path.length === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
        const range = (node as { range?: [number, number, number] } | undefined)?.range;
        if (range && (isMap(node) || isSeq(node) || depth > 0 || path.length === 0)) {
          return lineCounter.linePos(range[0]).line;
        }
        if (depth === 0) break;
      }
      return undefined;
    },
  };
  return checkRoutesConfig(document.toJS() ?? {}, origin);
}

/** Reads and checks a route file. */
export function readRoutesFile(file: string): RoutesConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `${file}: cannot read the route file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      {
        details: { file, line: null, field: null },
      },
    );
  }
  return parseRoutesYaml(text, file);
}

/** Checks routes sent as JSON (the admin API); errors name the field. */
export function checkRoutesJson(value: unknown): RoutesConfig {
  return checkRoutesConfig(value, { file: "request body", lineOf: () => undefined });
}
