import { type StatsListener, unwatchFile, watchFile, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { stringify } from "yaml";
import { nowIso } from "../../core/time.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubContext } from "../../hub/hub.ts";
import type { BackendResult, InferenceBackend } from "../backend.ts";
import type { InferenceRegistry } from "../registry.ts";
import type { CircuitState } from "./circuit-breaker.ts";
import { type BackendContext, createBackend, Deployment, type DeploymentHealth } from "./deployment.ts";
import { ResponseCache } from "./response-cache.ts";
import { auditRefusedReload, auditRoutesChange } from "./route-audit.ts";
import { RouteBackend } from "./route-backend.ts";
import { checkRoutesJson, parseRoutesYaml, type RoutesConfig, readRoutesFile } from "./route-config.ts";

/** How often a route file is looked at for changes. */
const WATCH_INTERVAL_MS = 500;
/** A changed route file is read again after this long, until two reads agree (a write may be under way). */
const SETTLE_MS = 100;

/**
 * Reads a route file that was just seen changing once it has stopped changing: a file being written (not
 * replaced by a rename) can be seen empty or half-written, which would be refused for what it is not.
 */
async function readSettledRoutesFile(file: string): Promise<RoutesConfig> {
  const read = () => readFile(file, "utf8").catch(() => undefined);
  let text = await read();
  for (let tries = 0; tries < 20; tries++) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const again = await read();
    if (again === text) break;
    text = again;
  }
  return text === undefined ? readRoutesFile(file) : parseRoutesYaml(text, file);
}
/** How long one health probe may take. */
const PROBE_TIMEOUT_MS = 5_000;

export interface RouteHealth {
  name: string;
  policy: string;
  /** `healthy` when every deployment is, `degraded` when some are, `unhealthy` when none is. */
  state: "healthy" | "degraded" | "unhealthy";
  deployments: DeploymentHealth[];
}

export interface RouterHealth {
  /** The route file and whether its last version was taken (`error` says why not; the previous routes stay). */
  source: { file: string | null; loaded_at: string | null; error: string | null };
  routes: RouteHealth[];
  cache: { entries: number; hits: number; misses: number } | null;
}

interface RouterOptions {
  hub: HubContext;
  local: InferenceBackend;
  registry: InferenceRegistry;
}

const EMPTY: RoutesConfig = {
  routes: [],
  health_interval_ms: 0,
  cache: { max_entries: 0, max_age_ms: 0, generation: false },
};

/**
 * Routes from the model names clients send to deployments elsewhere (or here), from the route file
 * (`HANGAR_ROUTES`, looked at for changes) or the admin API. A file with an error is refused as a whole and
 * the routes in force stay. Each deployment keeps its circuit and numbers across reloads while its
 * configuration is unchanged, and is probed every `health_interval_ms`.
 */
export class InferenceRouter {
  private config: RoutesConfig = EMPTY;
  private routes = new Map<string, RouteBackend>();
  private deployments = new Map<string, Deployment>();
  private cache: ResponseCache<BackendResult> | undefined;
  private readonly context: BackendContext;
  private readonly file: string | undefined;
  private loadedAt: string | undefined;
  private loadError: string | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private watching = false;
  private listener: StatsListener | undefined;
  private closed = false;
  private changing: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RouterOptions) {
    const config = options.hub.config;
    this.context = {
      local: options.local,
      secret: (name) => config.environment?.(name),
      ...(config.upstream.token ? { hfToken: config.upstream.token } : {}),
      hubUrl: config.upstream.endpoint,
    };
    this.file = config.routes;
    // A route file that cannot be read or is wrong stops the start: `hangar serve` says which line.
    if (this.file) {
      this.apply(readRoutesFile(this.file));
      this.watch();
    }
  }

  /** The route named `model`, as a backend; undefined when no route has that name (a local model then). */
  backendFor(model: string): InferenceBackend | undefined {
    return this.routes.get(model);
  }

  routeNames(): string[] {
    return [...this.routes.keys()];
  }

  /** The routes in force, as they were given (defaults filled in). */
  current(): RoutesConfig {
    return structuredClone(this.config);
  }

  /**
   * Replaces the routes (the admin API); with a route file, the file is rewritten so a reload agrees. Each
   * route created, changed or removed is in the audit log, written in the transaction that applies it.
   */
  replace(value: unknown, caller: Caller): Promise<RoutesConfig> {
    const checked = checkRoutesJson(value);
    return this.serially(async () => {
      await this.options.hub.catalog.transaction(async (tx) => {
        await auditRoutesChange(tx, caller, { kind: "api" }, this.config, checked);
        if (this.file) {
          writeFileSync(this.file, stringify(checked));
          this.loadError = undefined;
        }
        this.apply(checked);
      });
      return this.current();
    });
  }

  /** Changes of routes one at a time (API calls and reloads), so each entry's "before" is what was in force. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const done = this.changing.then(work);
    this.changing = done.catch(() => {});
    return done;
  }

  /** A reload of the route file: taken as a whole and audited, or refused (audited too) with the routes kept. */
  private async reload(file: string): Promise<void> {
    let config: RoutesConfig;
    try {
      config = await readSettledRoutesFile(file);
    } catch (error) {
      this.loadError = (error as Error).message;
      this.options.hub.telemetry?.routerEvent?.({ kind: "routes-refused", message: this.loadError });
      await this.options.hub.catalog.transaction((tx) => auditRefusedReload(tx, file, this.loadError!));
      return;
    }
    // The file as the admin API just wrote it (or touched without a change): nothing to reload.
    if (JSON.stringify(config) === JSON.stringify(this.config)) {
      this.loadError = undefined;
      return;
    }
    await this.options.hub.catalog.transaction(async (tx) => {
      await auditRoutesChange(tx, null, { kind: "file", file }, this.config, config);
      this.apply(config);
    });
    this.loadError = undefined;
    this.options.hub.telemetry?.routerEvent?.({
      kind: "routes-loaded",
      message: `${file}: ${this.routes.size} routes`,
    });
  }

  private watch(): void {
    if (!this.file || this.watching) return;
    this.watching = true;
    const file = this.file;
    this.listener = (now, before) => {
      if (this.closed || now.mtimeMs === before.mtimeMs) return;
      void this.serially(() => this.reload(file)).catch((error) => {
        this.loadError = `${file}: the reload could not be recorded: ${(error as Error).message}`;
        this.options.hub.telemetry?.routerEvent?.({ kind: "routes-refused", message: this.loadError });
      });
    };
    watchFile(file, { interval: WATCH_INTERVAL_MS, persistent: false }, this.listener);
  }

  private apply(config: RoutesConfig): void {
    const kept = new Map<string, Deployment>();
    const routes = new Map<string, RouteBackend>();
    if (
      !this.cache ||
      config.cache.max_entries !== this.config.cache.max_entries ||
      config.cache.max_age_ms !== this.config.cache.max_age_ms
    ) {
      this.cache = new ResponseCache(config.cache.max_entries, config.cache.max_age_ms);
    } else {
      this.cache.clear();
    }
    for (const route of config.routes) {
      const deployments = route.deployments.map((deployment, index) => {
        const key = JSON.stringify([route.name, index, deployment, route.circuit]);
        const existing = this.deployments.get(key);
        const made =
          existing ??
          new Deployment(
            `${route.name}/${index}`,
            deployment,
            createBackend(deployment, this.context),
            route,
            (changed, from, to) => this.stateChanged(route.name, changed, from, to),
          );
        kept.set(key, made);
        return made;
      });
      routes.set(
        route.name,
        new RouteBackend(route, deployments, this.cache, config.cache.generation, {
          retried: (name) => this.options.hub.telemetry?.routerEvent?.({ kind: "retry", route: name }),
          fellBack: (name) => this.options.hub.telemetry?.routerEvent?.({ kind: "fallback", route: name }),
        }),
      );
    }
    this.config = config;
    this.routes = routes;
    this.deployments = kept;
    this.loadedAt = nowIso();
    this.scheduleProbes();
  }

  private stateChanged(route: string, deployment: Deployment, from: CircuitState, to: CircuitState): void {
    this.options.hub.telemetry?.routerEvent?.({
      kind: "deployment-state",
      route,
      deployment: deployment.id,
      from,
      to,
      message: `route ${route} deployment ${deployment.id} (${deployment.label}): circuit ${from} -> ${to}${deployment.lastError ? ` (${deployment.lastError})` : ""}`,
    });
  }

  private scheduleProbes(): void {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    if (this.closed || this.config.health_interval_ms <= 0 || this.deployments.size === 0) return;
    this.probeTimer = setInterval(() => void this.probeAll(), this.config.health_interval_ms);
    this.probeTimer.unref();
  }

  /**
   * Probes every deployment once: a failed probe counts as a failure of its circuit, and a probe that
   * succeeds on an open circuit past its cooldown closes it, so a deployment back up is used again
   * without a request having to find out.
   */
  async probeAll(): Promise<void> {
    await Promise.all(
      [...this.deployments.values()].map(async (deployment) => {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), PROBE_TIMEOUT_MS);
        timer.unref();
        try {
          const health = await deployment.backend.health(controller.signal);
          deployment.lastCheck = nowIso();
          deployment.lastCheckOk = health.ok;
          deployment.record(
            health.ok,
            deployment.latencyMs === undefined ? health.latencyMs : undefined,
            health.message,
          );
          if (health.ok) {
            if (deployment.breaker.state !== "closed" && deployment.breaker.tryAcquire())
              deployment.breaker.success();
          } else if (deployment.breaker.state !== "open" || deployment.breaker.tryAcquire()) {
            deployment.breaker.failure();
          }
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }

  health(): RouterHealth {
    const routes: RouteHealth[] = [...this.routes.values()].map((route) => {
      const deployments = route.deployments.map((deployment) => deployment.health());
      const healthy = deployments.filter((deployment) => deployment.state === "healthy").length;
      return {
        name: route.config.name,
        policy: route.config.policy,
        state: healthy === deployments.length ? "healthy" : healthy === 0 ? "unhealthy" : "degraded",
        deployments,
      };
    });
    return {
      source: { file: this.file ?? null, loaded_at: this.loadedAt ?? null, error: this.loadError ?? null },
      routes,
      cache:
        this.cache && this.config.routes.some((route) => route.cache)
          ? { entries: this.cache.size, hits: this.cache.hits, misses: this.cache.misses }
          : null,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
    if (this.file && this.listener) unwatchFile(this.file, this.listener);
  }
}
