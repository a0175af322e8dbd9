import { badRequest } from "../../core/errors.ts";
import { isRecord } from "../tasks/task-definition.ts";

/** An endpoint's lifecycle, with the names Hugging Face Inference Endpoints give it. */
export const ENDPOINT_STATES = [
  "pending",
  "initializing",
  "updating",
  "updateFailed",
  "running",
  "paused",
  "failed",
  "scaledToZero",
] as const;
export type EndpointState = (typeof ENDPOINT_STATES)[number];

/** Who may call an endpoint's URL: anyone, anyone with a token, or members of its namespace. */
export const ENDPOINT_TYPES = ["public", "authenticated", "protected", "private"] as const;
export type EndpointType = (typeof ENDPOINT_TYPES)[number];

/**
 * The instance sizes of Hangar's own endpoints: `xN` is N onnxruntime intra-op threads per replica (each
 * replica is its own loaded copy of the model, with its own session and thread pool).
 */
export const INSTANCE_SIZES = ["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8"] as const;
/** Most replicas one endpoint may have. */
export const MAX_REPLICAS = 8;
/** `scaleToZeroTimeout` when `minReplica` is 0 and none is given, in minutes (the Hub's default). */
export const DEFAULT_SCALE_TO_ZERO_MINUTES = 15;
/** `measure.pendingRequests` when none is given: requests waiting per ready replica before one is added. */
export const DEFAULT_PENDING_REQUESTS = 1;

/** Hangar's own endpoints: this machine. A remote endpoint (registered by URL) has vendor `remote`. */
export const HANGAR_VENDOR = "hangar";
export const REMOTE_VENDOR = "remote";

/** An endpoint's settings as stored (never a secret: a remote endpoint's key is named by an env variable). */
export interface EndpointSpec {
  type: EndpointType;
  provider: { vendor: string; region: string };
  compute: {
    accelerator: string;
    instanceType: string;
    instanceSize: string;
    /** Price of one replica-hour in USD (Hangar's own field; defaults from the instance size). */
    pricePerHour: number | null;
    scaling: {
      minReplica: number;
      maxReplica: number;
      /** Minutes without a request before an endpoint with `minReplica` 0 scales to zero (fractions allowed). */
      scaleToZeroTimeout: number | null;
      /** `pendingRequests`: waiting requests per replica that add one; `latencyMs` (Hangar's): p95 above it adds one. */
      measure: { pendingRequests?: number; latencyMs?: number };
    };
  };
  model: {
    repository: string;
    /** The commit deployed (a branch or tag given at creation is resolved to its commit). */
    revision: string | null;
    task: string | null;
    framework: string;
    image: Record<string, unknown>;
    env: Record<string, string>;
  };
  /** A remote endpoint: the URL requests go to and the environment variable holding its token. */
  remote: { url: string; apiKeyEnv: string | null } | null;
  tags: string[];
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

/** An endpoint name as the Hub takes them: 1-32 lowercase letters, digits and inner hyphens. */
export function checkEndpointName(name: unknown, field = "name"): string {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw badRequest(
      `"${field}" must be 1-32 lowercase letters, digits and hyphens, not starting or ending with a hyphen`,
      { details: { param: field } },
    );
  }
  return name;
}

function field(body: Record<string, unknown>, path: string): unknown {
  let value: unknown = body;
  for (const key of path.split(".")) value = isRecord(value) ? value[key] : undefined;
  return value;
}

function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function stringField(body: Record<string, unknown>, path: string): string | undefined {
  const value = field(body, path);
  if (!isGiven(value)) return undefined;
  if (typeof value !== "string" || value === "") throw badRequest(`"${path}" must be a non-empty string`);
  return value;
}

function oneOf(body: Record<string, unknown>, path: string, allowed: readonly string[]): string | undefined {
  const value = stringField(body, path);
  if (value !== undefined && !allowed.includes(value)) {
    throw badRequest(`"${path}" must be one of ${allowed.join(", ")} on this Hangar, got "${value}"`);
  }
  return value;
}

function integerField(body: Record<string, unknown>, path: string, min: number, max: number) {
  const value = field(body, path);
  if (!isGiven(value)) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw badRequest(`"${path}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function positiveField(body: Record<string, unknown>, path: string): number | undefined {
  const value = field(body, path);
  if (!isGiven(value)) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw badRequest(`"${path}" must be a positive number`);
  }
  return value;
}

function objectField(body: Record<string, unknown>, path: string): Record<string, unknown> | undefined {
  const value = field(body, path);
  if (!isGiven(value)) return undefined;
  if (!isRecord(value)) throw badRequest(`"${path}" must be an object`);
  return value;
}

function measureOf(body: Record<string, unknown>): EndpointSpec["compute"]["scaling"]["measure"] | undefined {
  const measure = objectField(body, "compute.scaling.measure");
  if (!measure) return undefined;
  for (const key of Object.keys(measure)) {
    if (key !== "pendingRequests" && key !== "latencyMs") {
      throw badRequest(
        `"compute.scaling.measure.${key}" is not supported here: Hangar scales on pendingRequests and latencyMs`,
      );
    }
  }
  const pendingRequests = positiveField(body, "compute.scaling.measure.pendingRequests");
  const latencyMs = positiveField(body, "compute.scaling.measure.latencyMs");
  return {
    ...(pendingRequests !== undefined ? { pendingRequests } : {}),
    ...(latencyMs !== undefined ? { latencyMs } : {}),
  };
}

function stringMap(body: Record<string, unknown>, path: string): Record<string, string> | undefined {
  const value = objectField(body, path);
  if (!value) return undefined;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") throw badRequest(`"${path}.${key}" must be a string`);
  }
  return value as Record<string, string>;
}

function refuseUnsupported(body: Record<string, unknown>): void {
  if (isGiven(field(body, "model.secrets"))) {
    throw badRequest(
      '"model.secrets" is not supported: Hangar never stores secrets; a remote endpoint names its token\'s environment variable in "remote.apiKeyEnv"',
    );
  }
  for (const path of ["model.command", "model.args", "route"]) {
    if (isGiven(field(body, path))) {
      throw badRequest(`"${path}" is not supported by Hangar's endpoints (no containers run here)`);
    }
  }
  const image = objectField(body, "model.image");
  if (image && Object.keys(image).some((key) => key !== "huggingface")) {
    throw badRequest(
      '"model.image" must be {"huggingface": {}} here: Hangar runs the model on its own ONNX runtime',
    );
  }
}

function remoteOf(body: Record<string, unknown>): EndpointSpec["remote"] {
  const remote = objectField(body, "remote");
  if (!remote) return null;
  const url = stringField(body, "remote.url");
  if (!url || !/^https?:\/\/[^\s]+$/.test(url)) {
    throw badRequest('"remote.url" must be the http:// or https:// URL of the remote endpoint');
  }
  const apiKeyEnv = stringField(body, "remote.apiKeyEnv");
  if (apiKeyEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(apiKeyEnv)) {
    throw badRequest('"remote.apiKeyEnv" must name an environment variable (letters, digits, _)');
  }
  return { url: url.replace(/\/+$/, ""), apiKeyEnv: apiKeyEnv ?? null };
}

/** Checks replica bounds and fills the scale-to-zero timeout an endpoint with `minReplica` 0 needs. */
function checkScaling(spec: EndpointSpec): void {
  const scaling = spec.compute.scaling;
  if (scaling.maxReplica < 1) throw badRequest('"compute.scaling.maxReplica" must be at least 1');
  if (scaling.minReplica > scaling.maxReplica) {
    throw badRequest(
      `"compute.scaling.minReplica" (${scaling.minReplica}) must not be above "compute.scaling.maxReplica" (${scaling.maxReplica})`,
    );
  }
  if (scaling.minReplica === 0 && scaling.scaleToZeroTimeout === null) {
    scaling.scaleToZeroTimeout = DEFAULT_SCALE_TO_ZERO_MINUTES;
  }
}

/**
 * The settings of a new endpoint from a create body in the shape of Inference Endpoints v2 (what
 * `huggingface_hub.create_inference_endpoint` sends). `null` fields count as absent, as the Hub takes them.
 */
export function specFromCreateBody(body: Record<string, unknown>): EndpointSpec {
  refuseUnsupported(body);
  const remote = remoteOf(body);
  const vendor = oneOf(body, "provider.vendor", remote ? [REMOTE_VENDOR] : [HANGAR_VENDOR]);
  const repository = stringField(body, "model.repository");
  if (!repository) {
    throw badRequest(
      remote
        ? '"model.repository" is required: the model the remote endpoint serves'
        : '"model.repository" is required: a model repo id of this Hangar, such as "hangar/sentiment-tiny"',
    );
  }
  const spec: EndpointSpec = {
    type: (oneOf(body, "type", ENDPOINT_TYPES) as EndpointType | undefined) ?? "authenticated",
    provider: {
      vendor: vendor ?? (remote ? REMOTE_VENDOR : HANGAR_VENDOR),
      region: remote
        ? (stringField(body, "provider.region") ?? "remote")
        : (oneOf(body, "provider.region", ["local"]) ?? "local"),
    },
    compute: {
      accelerator: remote
        ? (stringField(body, "compute.accelerator") ?? "unknown")
        : (oneOf(body, "compute.accelerator", ["cpu"]) ?? "cpu"),
      instanceType: remote
        ? (stringField(body, "compute.instanceType") ?? "remote")
        : (oneOf(body, "compute.instanceType", ["cpu"]) ?? "cpu"),
      instanceSize: remote
        ? (stringField(body, "compute.instanceSize") ?? "x1")
        : (oneOf(body, "compute.instanceSize", INSTANCE_SIZES) ?? "x1"),
      pricePerHour: (() => {
        const value = field(body, "compute.pricePerHour");
        if (value === 0) return 0;
        return positiveField(body, "compute.pricePerHour") ?? null;
      })(),
      scaling: {
        minReplica: integerField(body, "compute.scaling.minReplica", 0, MAX_REPLICAS) ?? 1,
        maxReplica: integerField(body, "compute.scaling.maxReplica", 1, MAX_REPLICAS) ?? 1,
        scaleToZeroTimeout: positiveField(body, "compute.scaling.scaleToZeroTimeout") ?? null,
        measure: measureOf(body) ?? {},
      },
    },
    model: {
      repository,
      revision: stringField(body, "model.revision") ?? null,
      task: stringField(body, "model.task") ?? null,
      framework: stringField(body, "model.framework") ?? "custom",
      image: { huggingface: {} },
      env: stringMap(body, "model.env") ?? {},
    },
    remote,
    tags: tagsOf(body) ?? [],
  };
  checkScaling(spec);
  return spec;
}

function tagsOf(body: Record<string, unknown>): string[] | undefined {
  const tags = field(body, "tags");
  if (!isGiven(tags)) return undefined;
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== "string")) {
    throw badRequest('"tags" must be a list of strings');
  }
  return tags as string[];
}

/**
 * The settings after an update body (what `update_inference_endpoint` sends: only the fields to change).
 * Returns the new settings and whether the model itself changed (the replicas must load it again).
 */
export function applyUpdateBody(
  current: EndpointSpec,
  body: Record<string, unknown>,
): { spec: EndpointSpec; modelChanged: boolean; sizeChanged: boolean } {
  refuseUnsupported(body);
  const spec: EndpointSpec = structuredClone(current);
  const local = spec.remote === null;
  if (isGiven(field(body, "type"))) spec.type = oneOf(body, "type", ENDPOINT_TYPES) as EndpointType;
  if (isGiven(field(body, "remote"))) {
    if (local) throw badRequest('"remote" cannot be set on an endpoint that runs on this Hangar');
    spec.remote = remoteOf(body);
  }
  const compute = spec.compute;
  if (local) {
    compute.accelerator = oneOf(body, "compute.accelerator", ["cpu"]) ?? compute.accelerator;
    compute.instanceType = oneOf(body, "compute.instanceType", ["cpu"]) ?? compute.instanceType;
    compute.instanceSize = oneOf(body, "compute.instanceSize", INSTANCE_SIZES) ?? compute.instanceSize;
  }
  if (field(body, "compute.pricePerHour") === 0) compute.pricePerHour = 0;
  else compute.pricePerHour = positiveField(body, "compute.pricePerHour") ?? compute.pricePerHour;
  const scaling = compute.scaling;
  scaling.minReplica =
    integerField(body, "compute.scaling.minReplica", 0, MAX_REPLICAS) ?? scaling.minReplica;
  scaling.maxReplica =
    integerField(body, "compute.scaling.maxReplica", 1, MAX_REPLICAS) ?? scaling.maxReplica;
  scaling.scaleToZeroTimeout =
    positiveField(body, "compute.scaling.scaleToZeroTimeout") ?? scaling.scaleToZeroTimeout;
  scaling.measure = measureOf(body) ?? scaling.measure;
  const model = spec.model;
  model.repository = stringField(body, "model.repository") ?? model.repository;
  const revision = stringField(body, "model.revision");
  if (revision !== undefined) model.revision = revision;
  else if (isGiven(field(body, "model.repository")) && model.repository !== current.model.repository) {
    model.revision = null;
  }
  model.task = stringField(body, "model.task") ?? model.task;
  model.framework = stringField(body, "model.framework") ?? model.framework;
  model.env = stringMap(body, "model.env") ?? model.env;
  spec.tags = tagsOf(body) ?? spec.tags;
  checkScaling(spec);
  const modelChanged =
    model.repository !== current.model.repository ||
    model.revision !== current.model.revision ||
    model.task !== current.model.task;
  return { spec, modelChanged, sizeChanged: compute.instanceSize !== current.compute.instanceSize };
}

/** Threads per replica of an instance size (`x4` → 4). */
export function threadsOf(instanceSize: string): number {
  const threads = Number(instanceSize.slice(1));
  return Number.isInteger(threads) && threads > 0 ? threads : 1;
}
