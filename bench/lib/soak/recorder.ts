import { percentile, round } from "../stats.ts";

/** What one request (or one client operation made of several) came back with. */
export interface Outcome {
  /** The HTTP status of the answer that decides the outcome, or "error" when none came (reset, timeout). */
  status: number | "error";
  /** Whether the answer is one this request may get (a 412 for a stale parentCommit, a 400 for bad JSON). */
  expected: boolean;
  /** What was wrong, for the report: an unexpected status with its error, bytes that differ, a timeout. */
  problem?: string;
}

export interface KindFigures {
  kind: string;
  count: number;
  /** Answers by status ("error" for none), e.g. `{ "200": 310, "412": 41 }`. */
  statuses: Record<string, number>;
  unexpected: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ServerError {
  request: string;
  status: number;
  body: string;
}

interface KindState {
  latenciesMs: number[];
  statuses: Map<string, number>;
  unexpected: number;
}

/** The most examples of each kind of trouble kept for the report. */
const EXAMPLES_KEPT = 20;

/**
 * Tallies a soak run: per request kind, answers by status and latencies; every HTTP answer the clients saw
 * (the hub client's own requests included), with the 5xx ones kept as examples; and every unexpected outcome.
 */
export class SoakRecorder {
  private readonly kinds = new Map<string, KindState>();
  private readonly unexpectedExamples: string[] = [];
  private readonly serverErrorExamples: ServerError[] = [];
  private unexpectedTotal = 0;
  httpAnswers = 0;
  serverErrors = 0;

  /** Counts one HTTP answer seen on the wire; a 5xx is kept as an example with the start of its body. */
  observeHttp(request: string, status: number, body: () => string): void {
    this.httpAnswers++;
    if (status < 500) return;
    this.serverErrors++;
    if (this.serverErrorExamples.length < EXAMPLES_KEPT) {
      this.serverErrorExamples.push({ request, status, body: body().slice(0, 500) });
    }
  }

  record(kind: string, outcome: Outcome, latencyMs: number): void {
    let state = this.kinds.get(kind);
    if (!state) {
      state = { latenciesMs: [], statuses: new Map(), unexpected: 0 };
      this.kinds.set(kind, state);
    }
    state.latenciesMs.push(latencyMs);
    const status = String(outcome.status);
    state.statuses.set(status, (state.statuses.get(status) ?? 0) + 1);
    if (outcome.expected) return;
    state.unexpected++;
    this.unexpectedTotal++;
    if (this.unexpectedExamples.length < EXAMPLES_KEPT) {
      this.unexpectedExamples.push(`${kind}: ${outcome.problem ?? `answered ${status}`}`);
    }
  }

  get unexpected(): number {
    return this.unexpectedTotal;
  }

  get operations(): number {
    let total = 0;
    for (const state of this.kinds.values()) total += state.latenciesMs.length;
    return total;
  }

  figures(): KindFigures[] {
    return [...this.kinds.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, state]) => ({
        kind,
        count: state.latenciesMs.length,
        statuses: Object.fromEntries([...state.statuses.entries()].sort(([a], [b]) => a.localeCompare(b))),
        unexpected: state.unexpected,
        p50Ms: round(percentile(state.latenciesMs, 50), 1),
        p99Ms: round(percentile(state.latenciesMs, 99), 1),
        maxMs: round(Math.max(...state.latenciesMs), 1),
      }));
  }

  examples(): { unexpected: string[]; serverErrors: ServerError[] } {
    return { unexpected: [...this.unexpectedExamples], serverErrors: [...this.serverErrorExamples] };
  }
}
