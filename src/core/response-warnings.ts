import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Warnings an operation gives while it still succeeds (a licence under `review`), to whoever runs it: the
 * server turns them into an `X-Hangar-Warning` header of the request's response, other callers may collect
 * them. Operations deep in a service call `addWarning` without knowing who listens; nothing listens outside
 * `collectWarnings`.
 */
const listeners = new AsyncLocalStorage<(warning: string) => void>();

/** Runs `work` with `onWarning` receiving every warning given inside it (in its async continuations too). */
export function collectWarnings<T>(onWarning: (warning: string) => void, work: () => T): T {
  return listeners.run(onWarning, work);
}

export function addWarning(warning: string): void {
  listeners.getStore()?.(warning);
}

/** A warning as one header value: printable ASCII only (arrows as `->`; no line breaks in a header). */
export function warningHeaderValue(warning: string): string {
  return warning
    .replaceAll("→", "->")
    .replace(/[^\x20-\x7e]+/g, " ")
    .trim()
    .slice(0, 1000);
}
