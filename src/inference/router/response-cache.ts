/**
 * Answers of deterministic requests by their exact request (route, task, inputs, parameters): at most
 * `maxEntries`, each for at most `maxAgeMs`; the least recently used goes first.
 */
export class ResponseCache<T> {
  private readonly entries = new Map<string, { value: T; at: number }>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry || this.now() - entry.at > this.maxAgeMs) {
      if (entry) this.entries.delete(key);
      this.misses++;
      return undefined;
    }
    // Map order is insertion order: moving the entry to the end makes it the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits++;
    return entry.value;
  }

  set(key: string, value: T): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
