/**
 * A signal that fires when the client goes away or the request runs out of time; `clear` stops the clock
 * once the request is over. One controller of Hangar's own, held by its timer and by the listener on the
 * caller's signal: neither `AbortSignal.timeout` nor `AbortSignal.any` is used, because Node may collect
 * such a derived signal, and its timer with it, before it fires (seen under load: a request ran for seconds
 * past its timeout while full collections ran).
 */
export function deadline(
  timeoutMs: number,
  signal: AbortSignal | undefined,
): { signal: AbortSignal; clear: () => void } {
  // A timeout of 0 means none.
  if (timeoutMs <= 0) {
    return { signal: signal ?? new AbortController().signal, clear: () => {} };
  }
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException("The operation timed out", "TimeoutError")),
    timeoutMs,
  );
  timer.unref();
  const forward = () => controller.abort(signal?.reason);
  if (signal?.aborted) forward();
  else signal?.addEventListener("abort", forward, { once: true });
  const clear = () => {
    clearTimeout(timer);
    signal?.removeEventListener("abort", forward);
  };
  return { signal: controller.signal, clear };
}

/** A request's deadline, started when its work begins (the first `signal()`), cleared once when it is over. */
export class RequestClock {
  private started: { signal: AbortSignal; clear: () => void } | undefined;
  private cleared = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly clientSignal: AbortSignal | undefined,
  ) {}

  signal(): AbortSignal {
    this.started ??= deadline(this.cleared ? 0 : this.timeoutMs, this.clientSignal);
    return this.started.signal;
  }

  clear(): void {
    this.cleared = true;
    this.started?.clear();
  }
}
