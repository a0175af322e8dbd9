export type CircuitState = "closed" | "open" | "half-open";

/**
 * A deployment's circuit: closed while it answers; open after `failures` consecutive failures, when no
 * request is sent to it; after `cooldownMs` one probe request goes through (half-open), whose success
 * closes the circuit and whose failure opens it again for another cooldown.
 */
export class CircuitBreaker {
  private current: CircuitState = "closed";
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    private readonly settings: { failures: number; cooldownMs: number },
    private readonly onChange: (from: CircuitState, to: CircuitState) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    return this.current;
  }

  /** Milliseconds until an open circuit lets a probe through (0 when it would now). */
  get retryInMs(): number {
    return this.current === "open" ? Math.max(0, this.openedAt + this.settings.cooldownMs - this.now()) : 0;
  }

  private move(to: CircuitState): void {
    if (to === this.current) return;
    const from = this.current;
    this.current = to;
    this.onChange(from, to);
  }

  /** Whether a request may go to the deployment now; in half-open, only one at a time (the probe). */
  tryAcquire(): boolean {
    if (this.current === "open") {
      if (this.retryInMs > 0) return false;
      this.move("half-open");
    }
    if (this.current === "half-open") {
      if (this.probing) return false;
      this.probing = true;
    }
    return true;
  }

  success(): void {
    this.probing = false;
    this.consecutiveFailures = 0;
    this.move("closed");
  }

  failure(): void {
    this.probing = false;
    this.consecutiveFailures++;
    if (this.current === "half-open" || this.consecutiveFailures >= this.settings.failures) {
      this.openedAt = this.now();
      this.move("open");
    }
  }

  /** A request that went to the deployment and ended without saying anything about its health. */
  neutral(): void {
    this.probing = false;
  }
}
