import { Redis } from "ioredis";
import type { HangarConfig } from "../core/config.ts";
import { HangarError } from "../core/errors.ts";
import { MemoryWindowCounter, type WindowCount, type WindowCounter } from "./window-counter.ts";

/** A window counter that holds a connection (or nothing) to let go of when the instance stops. */
export interface ClosableWindowCounter extends WindowCounter {
  /** Throws HANGAR_ERR_UNAVAILABLE with one sentence when the counters cannot be reached (for `/ready`). */
  check(): Promise<void>;
  close(): Promise<void>;
}

// Each script runs atomically in Redis: no other client sees the count without its expiry.
/** INCRBY, and PEXPIRE when the key is new (or lost its expiry); returns the count and the ms left. */
const INCREMENT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2] or 1)
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

/** The count and the ms left, or nil when the key has no open window. */
const PEEK = `
local count = redis.call('GET', KEYS[1])
if not count then return nil end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return nil end
return {tonumber(count), ttl}`;

/** Keeps the key (count 1 when new) for ARGV[1] ms from now; 1 when it was new, else 0. */
const TOUCH = `
if redis.call('SET', KEYS[1], 1, 'PX', ARGV[1], 'NX') then return 1 end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 0`;

interface CounterCommands {
  hangarIncrement(key: string, windowMs: number, amount: number): Promise<[number, number]>;
  hangarPeek(key: string): Promise<[number, number] | null>;
  hangarTouch(key: string, ttlMs: number): Promise<number>;
}

export interface RedisWindowCounterOptions {
  url: string;
  /** Prepended to every key, so several instances (or test runs) can share one Redis. */
  prefix?: string;
  /** How long connecting may take before the start fails. */
  connectTimeoutMs?: number;
}

/** The URL without its password, for messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

/**
 * A `WindowCounter` in Redis, shared by every node of an instance: a window is a key whose value is the
 * count and whose expiry is the window's end (INCR with PEXPIRE in one Lua script). While Redis cannot be
 * reached, calls fail at once with HANGAR_ERR_UNAVAILABLE rather than queueing behind a reconnect.
 */
export class RedisWindowCounter implements ClosableWindowCounter {
  private readonly prefix: string;

  private constructor(
    private readonly redis: Redis & CounterCommands,
    private readonly name: string,
    prefix: string,
  ) {
    this.prefix = prefix;
  }

  /** Connects and checks the server answers; one clear error when it does not. */
  static async connect(options: RedisWindowCounterOptions): Promise<RedisWindowCounter> {
    const name = redactRedisUrl(options.url);
    const redis = new Redis(options.url, {
      lazyConnect: true,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      // Commands fail while disconnected instead of waiting for a reconnect that may never come.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // Reconnect in the background after a drop, backing off to at most 2 s between tries.
      retryStrategy: (times) => Math.min(times * 100, 2_000),
    }) as Redis & CounterCommands;
    // Without a listener ioredis prints every failed reconnect; the failing calls say what is wrong.
    redis.on("error", () => undefined);
    redis.defineCommand("hangarIncrement", { numberOfKeys: 1, lua: INCREMENT });
    redis.defineCommand("hangarPeek", { numberOfKeys: 1, lua: PEEK });
    redis.defineCommand("hangarTouch", { numberOfKeys: 1, lua: TOUCH });
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      redis.disconnect();
      throw new HangarError(
        "HANGAR_ERR_UNAVAILABLE",
        `Cannot reach Redis at ${name} (HANGAR_REDIS_URL): ${(error as Error).message}`,
        { cause: error },
      );
    }
    return new RedisWindowCounter(redis, name, options.prefix ?? "hangar:");
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new HangarError(
        "HANGAR_ERR_UNAVAILABLE",
        `The rate-limit counters in Redis (${this.name}) cannot be reached: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  async increment(key: string, windowMs: number, amount = 1): Promise<WindowCount> {
    const [count, ttl] = await this.call(() =>
      this.redis.hangarIncrement(this.prefix + key, windowMs, Math.round(amount)),
    );
    return { count, resetAt: Date.now() + ttl };
  }

  async peek(key: string): Promise<WindowCount | undefined> {
    const open = await this.call(() => this.redis.hangarPeek(this.prefix + key));
    return open ? { count: open[0], resetAt: Date.now() + open[1] } : undefined;
  }

  async touch(key: string, ttlMs: number): Promise<boolean> {
    return (await this.call(() => this.redis.hangarTouch(this.prefix + key, ttlMs))) === 1;
  }

  async check(): Promise<void> {
    await this.call(() => this.redis.ping());
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** A `MemoryWindowCounter` with the closable interface (nothing to check or close). */
class LocalWindowCounter extends MemoryWindowCounter implements ClosableWindowCounter {
  async check(): Promise<void> {}
  async close(): Promise<void> {}
}

/**
 * The one place that picks where counters live: Redis when `config.redisUrl` (HANGAR_REDIS_URL) is set,
 * connected and checked now, else this process's memory. Give the same counter to the authentication
 * throttle and the rate limits; close it after the server.
 */
export async function createWindowCounter(
  config: Pick<HangarConfig, "redisUrl">,
  options: { prefix?: string } = {},
): Promise<ClosableWindowCounter> {
  if (!config.redisUrl) return new LocalWindowCounter();
  return RedisWindowCounter.connect({ url: config.redisUrl, ...options });
}
