import { HangarError } from "../../core/errors.ts";
import type { BackendCall } from "../backend.ts";
import { attemptTimedOut, isRetryable, requestedWait } from "../backends/backend-errors.ts";
import type { Deployment } from "./deployment.ts";
import type { RouteConfig } from "./route-config.ts";

/**
 * How a route tries its deployments: the order its policy prefers now, per-attempt and total time limits,
 * retries with backoff, fallback past open circuits. `RouteBackend` (route-backend.ts) wraps this as a backend.
 */

/** First wait before trying a deployment again; doubled each time, with full jitter, up to the cap. */
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 5_000;

/** What a route reports as it works: attempts, retries, fallbacks (for metrics). */
export interface RouteEvents {
  retried(route: string): void;
  fellBack(route: string): void;
}

/**
 * A child signal of `parent` that also fires after `ms`; `stopTimer` ends the time limit but keeps the
 * link (a stream past its first token), `clear` ends both. The controller is held by its timer and by the
 * listener on the parent, as the request deadline's is (a derived `AbortSignal.any` may be collected).
 */
export function limitedSignal(parent: AbortSignal, ms: number) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException("The operation timed out", "TimeoutError"));
  }, ms);
  timer.unref();
  const forward = () => controller.abort(parent.reason);
  if (parent.aborted) forward();
  else parent.addEventListener("abort", forward, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    stopTimer: () => clearTimeout(timer),
    clear: () => {
      clearTimeout(timer);
      parent.removeEventListener("abort", forward);
    },
  };
}

/** A time limit linked to a parent signal (see `limitedSignal`). */
export type AttemptLimit = ReturnType<typeof limitedSignal>;

/**
 * A route's time for one request (`timeout_ms`), within the request's own deadline (`parent`). Its signal
 * is made only when something needs it (a stream past its first token): an attempt takes the route's
 * remaining time into its own limit instead, which spares a controller, a timer and a listener on every
 * call (about 25 µs of a routed request).
 */
export class RouteDeadline {
  readonly endsAt: number;
  private own: AttemptLimit | undefined;

  constructor(
    readonly parent: AbortSignal,
    ms: number,
  ) {
    this.endsAt = Date.now() + ms;
  }

  get remainingMs(): number {
    return Math.max(0, this.endsAt - Date.now());
  }

  /** A signal that fires when the route's time is over or the parent fires. */
  get signal(): AbortSignal {
    this.own ??= limitedSignal(this.parent, this.remainingMs);
    return this.own.signal;
  }

  /** What an attempt's limit links to: the route's signal once made, else the parent. */
  get link(): AbortSignal {
    return this.own?.signal ?? this.parent;
  }

  /** Whether the parent fired, or the route's signal (once made) did. */
  get aborted(): boolean {
    return this.link.aborted;
  }

  get reason(): unknown {
    return this.link.reason;
  }

  clear(): void {
    this.own?.clear();
  }
}

/** The route's time ran out: what its own timer would have aborted with. */
function routeTimedOut(): DOMException {
  return new DOMException("The operation timed out", "TimeoutError");
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The deployments in the order the route's policy prefers them now. */
export function orderDeployments(route: RouteConfig, deployments: readonly Deployment[]): Deployment[] {
  const list = [...deployments];
  switch (route.policy) {
    case "priority":
    case "majority":
    case "weighted-average":
    case "cascade":
      return list;
    case "latency":
      // A deployment not measured yet counts as fastest, so every one gets measured.
      return list.sort((a, b) => (a.latencyMs ?? 0) - (b.latencyMs ?? 0));
    case "least-busy":
      return list.sort((a, b) => a.inFlight - b.inFlight);
    case "cost":
      return list.sort((a, b) => (a.config.cost ?? 0) - (b.config.cost ?? 0));
    case "weighted": {
      const ordered: Deployment[] = [];
      while (list.length > 0) {
        const total = list.reduce((sum, deployment) => sum + (deployment.config.weight ?? 1), 0);
        let ticket = Math.random() * total;
        let index = 0;
        while (index < list.length - 1) {
          ticket -= list[index]!.config.weight ?? 1;
          if (ticket < 0) break;
          index++;
        }
        ordered.push(list.splice(index, 1)[0]!);
      }
      return ordered;
    }
  }
}

export interface Attempt<T> {
  deployment: Deployment;
  value: T;
  /** The attempt's signal and its clock, still linked for a stream under way. */
  limit: AttemptLimit;
}

/**
 * Runs `work` on the route's deployments (`candidates`) until one succeeds, as the route's retries, circuits
 * and time (`total`) allow: a failure worth retrying moves on to the next deployment at once, or waits
 * (exponential backoff with full jitter, or the upstream's `Retry-After`) before the same one is tried again.
 * A stream's attempt succeeds at its first token: its outcome is recorded by whoever reads it on.
 */
export async function attemptDeployments<T>(
  route: RouteConfig,
  events: RouteEvents,
  candidates: readonly Deployment[],
  call: BackendCall,
  total: RouteDeadline,
  work: (deployment: Deployment, call: BackendCall) => Promise<T>,
  streaming = false,
): Promise<Attempt<T>> {
  const task = call.task ?? "text-generation";
  const able = candidates.filter((deployment) => deployment.backend.supports(task));
  if (able.length === 0) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `Route ${route.name} has no deployment that can do ${task}`,
    );
  }
  const tried = new Map<Deployment, number>();
  const endsAt = total.endsAt;
  let lastError: unknown;
  for (let attempt = 0; attempt <= route.retries; attempt++) {
    const order = orderDeployments(route, able);
    const acquire = (list: Deployment[]) => list.find((deployment) => deployment.breaker.tryAcquire());
    const deployment = acquire(order.filter((candidate) => !tried.has(candidate))) ?? acquire(order);
    if (!deployment) {
      const waitMs = Math.min(...able.map((candidate) => candidate.breaker.retryInMs));
      throw (
        lastError ??
        new HangarError(
          "HANGAR_ERR_UNAVAILABLE",
          `No deployment of route ${route.name} is available now: every circuit is open. Retry in ${Math.ceil(waitMs / 1000)} s`,
          { headers: { "Retry-After": String(Math.max(1, Math.ceil(waitMs / 1000))) } },
        )
      );
    }
    const times = tried.get(deployment) ?? 0;
    if (attempt > 0) {
      if (tried.size > 0 && times === 0) events.fellBack(route.name);
      else events.retried(route.name);
    }
    if (times > 0) {
      const jittered = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (times - 1));
      const wait = Math.max(requestedWait(lastError) ?? 0, jittered);
      // A wait past the route's time would only end in a timeout: the upstream's answer is more useful.
      if (Date.now() + wait >= endsAt) {
        deployment.breaker.neutral();
        break;
      }
      try {
        // The wait ends before the route's time does: only the parent can cut it short.
        await sleep(wait, total.link);
      } catch {
        deployment.breaker.neutral();
        break;
      }
    }
    tried.set(deployment, times + 1);
    const attemptMs = deployment.config.timeout_ms ?? route.attempt_timeout_ms;
    const remainingMs = total.remainingMs;
    if (remainingMs <= 0 || total.aborted) {
      deployment.breaker.neutral();
      lastError = total.aborted ? total.reason : routeTimedOut();
      break;
    }
    // The attempt's limit is also the route's when less of the route's time is left than an attempt takes.
    const byRoute = remainingMs < attemptMs;
    const limit = limitedSignal(total.link, byRoute ? remainingMs : attemptMs);
    const attemptCall: BackendCall = {
      ...call,
      model: deployment.config.model,
      ...(deployment.config.backend === "local" ? {} : { revision: undefined }),
      deadline: () => limit.signal,
    };
    const started = performance.now();
    call.meter.deployment = deployment.label;
    deployment.inFlight++;
    try {
      const value = await work(deployment, attemptCall);
      deployment.inFlight--;
      if (!streaming) {
        deployment.breaker.success();
        deployment.record(true, performance.now() - started);
      } else {
        // A stream's outcome is known at its end; its first token is enough to close a half-open circuit.
        deployment.breaker.success();
      }
      call.meter.model = route.name;
      return { deployment, value, limit };
    } catch (error) {
      deployment.inFlight--;
      limit.clear();
      call.meter.model = route.name;
      if (call.signal?.aborted) {
        deployment.breaker.neutral();
        throw error;
      }
      // The route's time is over (its own limit, or the attempt's when it carried the route's) or the request's.
      if (limit.timedOut ? byRoute : total.aborted) {
        deployment.breaker.neutral();
        lastError = limit.timedOut ? limit.signal.reason : total.reason;
        break;
      }
      const failure = limit.timedOut ? attemptTimedOut(deployment.label, attemptMs) : error;
      if (!isRetryable(failure)) {
        deployment.breaker.neutral();
        throw failure;
      }
      deployment.breaker.failure();
      deployment.record(false, undefined, (failure as Error).message);
      lastError = failure;
    }
  }
  throw lastError;
}
