/** A key's count in its open window. */
export interface WindowCount {
  count: number;
  /** Unix time in milliseconds at which the window closes and the count starts again from zero. */
  resetAt: number;
}

/**
 * Counts events per key in fixed windows, for rate limits and throttles. In memory for one process now; when
 * several nodes serve one instance the counts move to a shared store (Redis: INCR with PEXPIRE, PTTL), which
 * is why every method is asynchronous.
 */
export interface WindowCounter {
  /**
   * Counts one event of `key` (or `amount`, which may be negative: tokens counted ahead and given back). A
   * window opens at a key's first event and lasts `windowMs`.
   */
  increment(key: string, windowMs: number, amount?: number): Promise<WindowCount>;
  /** The count of `key`'s open window, or undefined when it has none. */
  peek(key: string): Promise<WindowCount | undefined>;
  /**
   * Keeps `key` for `ttlMs` from now (opening it with a count of 1 if needed), as a mark that expires.
   * Returns whether the key was opened by this call (it had no open window before).
   */
  touch(key: string, ttlMs: number): Promise<boolean>;
}

/** Keys kept at most; past it, expired keys are swept, then the oldest written dropped: memory stays bounded. */
const DEFAULT_MAX_KEYS = 100_000;

/** A `WindowCounter` in this process's memory. */
export class MemoryWindowCounter implements WindowCounter {
  private readonly windows = new Map<string, WindowCount>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: { maxKeys?: number; now?: () => number } = {}) {
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    this.now = options.now ?? Date.now;
  }

  async increment(key: string, windowMs: number, amount = 1): Promise<WindowCount> {
    const open = this.open(key);
    const window = open
      ? { count: open.count + amount, resetAt: open.resetAt }
      : { count: amount, resetAt: this.now() + windowMs };
    this.set(key, window);
    return { ...window };
  }

  async peek(key: string): Promise<WindowCount | undefined> {
    const open = this.open(key);
    return open ? { ...open } : undefined;
  }

  async touch(key: string, ttlMs: number): Promise<boolean> {
    const open = this.open(key);
    this.set(key, { count: open?.count ?? 1, resetAt: this.now() + ttlMs });
    return open === undefined;
  }

  private open(key: string): WindowCount | undefined {
    const window = this.windows.get(key);
    if (window && window.resetAt <= this.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private set(key: string, window: WindowCount): void {
    // Deleting first moves the key to the end of the map's order, which is then oldest-written first.
    this.windows.delete(key);
    this.windows.set(key, window);
    if (this.windows.size <= this.maxKeys) return;
    // Sweeping makes room for a tenth of the keys at least, so it runs once per that many new keys.
    const now = this.now();
    const target = Math.floor(this.maxKeys * 0.9);
    for (const [other, { resetAt }] of this.windows) if (resetAt <= now) this.windows.delete(other);
    for (const other of this.windows.keys()) {
      if (this.windows.size <= target) break;
      this.windows.delete(other);
    }
  }
}
