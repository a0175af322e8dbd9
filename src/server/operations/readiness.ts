import { HangarError } from "../../core/errors.ts";
import type { Hangar } from "../../hangar.ts";

/** One dependency `/ready` asks: resolves when it can serve, throws (one sentence) when not. */
export type ReadinessCheck = () => Promise<void>;

export interface ReadinessReport {
  ready: boolean;
  /** Per check: "ok", or why not. */
  checks: Record<string, string>;
  /** The first failure's sentence, when not ready. */
  reason?: string;
}

/** The checks of an instance: the catalog (a trivial query, migrations done) and the blob store. */
export function instanceChecks(hangar: Pick<Hangar, "catalog" | "blobs">): Record<string, ReadinessCheck> {
  return {
    catalog: () => hangar.catalog.check(),
    blobs: () => hangar.blobs.check(),
  };
}

/** Rejects after `ms` with a sentence naming what did not answer, so a hung dependency is a 503, not a hang. */
function withTimeout(name: string, check: ReadinessCheck, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new HangarError("HANGAR_ERR_UNAVAILABLE", `The ${name} check did not answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([Promise.resolve().then(check), timeout]).finally(() => clearTimeout(timer));
}

/** Runs every check at once, each within `timeoutMs`. */
export async function checkReadiness(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number,
): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const outcomes = await Promise.allSettled(names.map((name) => withTimeout(name, checks[name]!, timeoutMs)));
  const report: ReadinessReport = { ready: true, checks: {} };
  outcomes.forEach((outcome, index) => {
    const name = names[index]!;
    if (outcome.status === "fulfilled") {
      report.checks[name] = "ok";
      return;
    }
    const message = (outcome.reason as Error)?.message ?? String(outcome.reason);
    report.checks[name] = message;
    report.ready = false;
    report.reason ??= message;
  });
  return report;
}
