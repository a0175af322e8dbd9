import type { InferenceBackend } from "../backend.ts";
import { HfEndpointBackend } from "../backends/hf-endpoint-backend.ts";
import { HfProvidersBackend } from "../backends/hf-providers-backend.ts";
import { OpenAiBackend } from "../backends/openai-backend.ts";
import { CircuitBreaker, type CircuitState } from "./circuit-breaker.ts";
import type { DeploymentConfig, RouteConfig } from "./route-config.ts";

/** Outcomes kept per deployment for its error rate. */
const OUTCOME_WINDOW = 100;

export interface BackendContext {
  /** The local runtime, for `backend: local`. */
  local: InferenceBackend;
  /** An environment variable's value (API keys named by `api_key_env`); never logged or shown. */
  secret(name: string): string | undefined;
  /** The token of the upstream Hub (`HF_TOKEN`), for Inference Providers without `api_key_env`. */
  hfToken?: string;
  /** The upstream Hub, where Inference Providers' model mappings are read unless a deployment says. */
  hubUrl?: string;
}

export function createBackend(config: DeploymentConfig, context: BackendContext): InferenceBackend {
  const key = config.api_key_env ? () => context.secret(config.api_key_env!) : undefined;
  switch (config.backend) {
    case "local":
      return context.local;
    case "openai":
      return new OpenAiBackend({ url: config.url!, ...(key ? { apiKey: key } : {}) });
    case "hf-endpoint":
      return new HfEndpointBackend({ url: config.url!, ...(key ? { apiKey: key } : {}) });
    case "hf-providers": {
      const hubUrl = config.hub_url ?? context.hubUrl;
      return new HfProvidersBackend({
        model: config.model,
        provider: config.provider ?? "auto",
        ...(config.url ? { routerUrl: config.url } : {}),
        ...(hubUrl ? { hubUrl } : {}),
        token: key ?? (() => context.hfToken),
      });
    }
  }
}

/** What `/v1/health` shows of a deployment. */
export interface DeploymentHealth {
  id: string;
  backend: string;
  model: string;
  url: string | null;
  /** `healthy` (circuit closed), `unhealthy` (open), `probing` (half-open). */
  state: "healthy" | "unhealthy" | "probing";
  circuit: CircuitState;
  last_check: string | null;
  last_check_ok: boolean | null;
  last_error: string | null;
  /** Average latency of recent successful calls (or probes when there were none), ms. */
  latency_ms: number | null;
  /** Share of the last 100 calls and probes that failed. */
  error_rate: number;
  in_flight: number;
}

/** One deployment of a route, with its circuit and what the router has seen of it. */
export class Deployment {
  readonly breaker: CircuitBreaker;
  inFlight = 0;
  latencyMs: number | undefined;
  lastCheck: string | undefined;
  lastCheckOk: boolean | undefined;
  lastError: string | undefined;
  private readonly outcomes: boolean[] = [];

  constructor(
    readonly id: string,
    readonly config: DeploymentConfig,
    readonly backend: InferenceBackend,
    route: RouteConfig,
    onChange: (deployment: Deployment, from: CircuitState, to: CircuitState) => void,
  ) {
    this.breaker = new CircuitBreaker(
      { failures: route.circuit.failures, cooldownMs: route.circuit.cooldown_ms },
      (from, to) => onChange(this, from, to),
    );
  }

  get label(): string {
    return `${this.config.backend} ${this.config.url ? `${this.config.url} ` : ""}${this.config.model}`;
  }

  record(ok: boolean, latencyMs?: number, error?: string): void {
    this.outcomes.push(ok);
    if (this.outcomes.length > OUTCOME_WINDOW) this.outcomes.shift();
    if (ok && latencyMs !== undefined) {
      this.latencyMs = this.latencyMs === undefined ? latencyMs : this.latencyMs * 0.8 + latencyMs * 0.2;
    }
    if (!ok && error) this.lastError = error;
  }

  get errorRate(): number {
    if (this.outcomes.length === 0) return 0;
    return this.outcomes.filter((ok) => !ok).length / this.outcomes.length;
  }

  health(): DeploymentHealth {
    const circuit = this.breaker.state;
    return {
      id: this.id,
      backend: this.config.backend,
      model: this.config.model,
      url: this.config.url ?? null,
      state: circuit === "closed" ? "healthy" : circuit === "open" ? "unhealthy" : "probing",
      circuit,
      last_check: this.lastCheck ?? null,
      last_check_ok: this.lastCheckOk ?? null,
      last_error: this.lastError ?? null,
      latency_ms: this.latencyMs === undefined ? null : Math.round(this.latencyMs * 10) / 10,
      error_rate: Math.round(this.errorRate * 1000) / 1000,
      in_flight: this.inFlight,
    };
  }
}
