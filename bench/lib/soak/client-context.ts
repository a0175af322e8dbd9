import type { CommitLog } from "./commit-log.ts";
import type { Answer, SoakHttp } from "./http.ts";
import type { Outcome } from "./recorder.ts";
import type { SoakUser, SoakWorld } from "./setup.ts";

/** What one soak client acts with: its identity, its connection, and what the whole run shares. */
export interface ClientContext {
  index: number;
  user: SoakUser;
  http: SoakHttp;
  /** The `fetch` given to the `@huggingface/hub` client (it counts every answer). */
  hubFetch: typeof fetch;
  hubUrl: string;
  world: SoakWorld;
  random: () => number;
  commits: CommitLog;
  badTokens: RateGate;
  requestTimeoutMs: number;
  /** Operations this client has started, for unique file names. */
  sequence: number;
}

export interface Action {
  kind: string;
  /** Relative frequency in the mix. */
  weight: number;
  /** Whether the action may run now (an action held back by a rate is skipped, another one picked). */
  mayRun?: (context: ClientContext) => boolean;
  run(context: ClientContext): Promise<Outcome>;
}

/**
 * Lets through at most one event per interval across all clients: bad tokens are sent below the server's
 * throttle (10 failures a minute per address), so they test the 401 path rather than the 429.
 */
export class RateGate {
  private nextAt = 0;
  constructor(private readonly intervalMs: number) {}

  tryPass(): boolean {
    const now = Date.now();
    if (now < this.nextAt) return false;
    this.nextAt = now + this.intervalMs;
    return true;
  }
}

export function pick<T>(context: ClientContext, items: readonly T[]): T {
  return items[Math.floor(context.random() * items.length)]!;
}

export function auth(context: ClientContext): Record<string, string> {
  return { Authorization: `Bearer ${context.user.token}` };
}

/** Half the reads are anonymous, half carry the client's token, as a mixed team's would. */
export function maybeAuth(context: ClientContext): Record<string, string> {
  return context.random() < 0.5 ? auth(context) : {};
}

/** The outcome of an answer: expected when its status is one of `expected` and `check` finds nothing wrong. */
export function judge(
  request: string,
  answer: Answer,
  expected: readonly number[],
  check?: (answer: Answer) => string | undefined,
): Outcome {
  if (!expected.includes(answer.status)) {
    return {
      status: answer.status,
      expected: false,
      problem: `${request} answered ${answer.status} (expected ${expected.join(" or ")}): ${answer.text().slice(0, 300)}`,
    };
  }
  let problem: string | undefined;
  try {
    problem = check?.(answer);
  } catch (error) {
    problem = `unreadable answer: ${error instanceof Error ? error.message : String(error)}`;
  }
  return problem
    ? { status: answer.status, expected: false, problem: `${request}: ${problem}` }
    : { status: answer.status, expected: true };
}

export async function get(
  context: ClientContext,
  path: string,
  expected: readonly number[],
  check?: (answer: Answer) => string | undefined,
  headers: Record<string, string> = maybeAuth(context),
): Promise<Outcome> {
  return judge(`GET ${path}`, await context.http.send({ path, headers }), expected, check);
}

/** A repo id in a URL path: each segment encoded, the slash kept. */
export function encodeRepo(repo: string): string {
  return repo.split("/").map(encodeURIComponent).join("/");
}
