import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { resolveConfig } from "../../src/core/config.ts";
import { HangarError } from "../../src/core/errors.ts";
import {
  type ClosableWindowCounter,
  createWindowCounter,
  RedisWindowCounter,
} from "../../src/store/redis-window-counter.ts";

const REDIS_URL = process.env.HANGAR_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
/** One prefix per run: runs in parallel (and other engineers' tests) never see each other's keys. */
const PREFIX = `hangar-test:${randomBytes(6).toString("hex")}:`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const opened: ClosableWindowCounter[] = [];
after(async () => {
  for (const counter of opened) await counter.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const engines: Array<[string, () => Promise<ClosableWindowCounter>]> = [
  ["memory", () => createWindowCounter({})],
  ["redis", () => createWindowCounter({ redisUrl: REDIS_URL }, { prefix: PREFIX })],
];

for (const [engine, open] of engines) {
  describe(`WindowCounter contract: ${engine}`, () => {
    async function counter(): Promise<ClosableWindowCounter> {
      const made = await open();
      opened.push(made);
      return made;
    }
    const key = (name: string) => `${engine}:${name}:${randomBytes(4).toString("hex")}`;

    it("counts events of a key in a window that opens at its first event", async () => {
      const windows = await counter();
      const name = key("count");
      const before = Date.now();
      const first = await windows.increment(name, 60_000);
      assert.equal(first.count, 1);
      assert.ok(Math.abs(first.resetAt - (before + 60_000)) < 1000, `resetAt ${first.resetAt - before}`);
      const second = await windows.increment(name, 60_000);
      assert.equal(second.count, 2);
      assert.ok(Math.abs(second.resetAt - first.resetAt) < 100, "the window does not move");
      const seen = await windows.peek(name);
      assert.equal(seen?.count, 2);
      assert.ok(Math.abs(seen!.resetAt - first.resetAt) < 100);
    });

    it("counts amounts, and takes them back with negative ones (tokens per minute)", async () => {
      const windows = await counter();
      const name = key("amount");
      assert.equal((await windows.increment(name, 60_000, 120)).count, 120);
      assert.equal((await windows.increment(name, 60_000, 30)).count, 150);
      assert.equal((await windows.increment(name, 60_000, -100)).count, 50);
      assert.equal((await windows.peek(name))?.count, 50);
    });

    it("keeps keys apart and knows nothing of a key never counted", async () => {
      const windows = await counter();
      const [a, b] = [key("a"), key("b")];
      await windows.increment(a, 60_000);
      await windows.increment(a, 60_000);
      assert.equal((await windows.increment(b, 60_000)).count, 1);
      assert.equal(await windows.peek(key("never")), undefined);
    });

    it("starts again from zero once the window has ended", async () => {
      const windows = await counter();
      const name = key("expiry");
      await windows.increment(name, 150);
      await windows.increment(name, 150);
      await sleep(250);
      assert.equal(await windows.peek(name), undefined);
      assert.equal((await windows.increment(name, 150)).count, 1);
    });

    it("touch keeps a key as an expiring mark: count 1 when new, the count kept when not; says whether it was new", async () => {
      const windows = await counter();
      const mark = key("mark");
      const before = Date.now();
      assert.equal(await windows.touch(mark, 60_000), true, "a new mark");
      assert.equal(await windows.touch(mark, 60_000), false, "a mark already there");
      const touched = await windows.peek(mark);
      assert.equal(touched?.count, 1);
      assert.ok(Math.abs(touched!.resetAt - (before + 60_000)) < 1000);
      const counted = key("counted");
      await windows.increment(counted, 100);
      await windows.increment(counted, 100);
      assert.equal(await windows.touch(counted, 60_000), false, "a counted key");
      await sleep(200);
      assert.equal((await windows.peek(counted))?.count, 2, "the touch extended the window");
      const short = key("short");
      await windows.touch(short, 100);
      await sleep(200);
      assert.equal(await windows.peek(short), undefined);
      assert.equal(await windows.touch(short, 100), true, "an expired mark is new again");
    });

    it("counts concurrent increments exactly", async () => {
      const windows = await counter();
      const name = key("concurrent");
      const counts = await Promise.all(Array.from({ length: 50 }, () => windows.increment(name, 60_000)));
      assert.deepEqual(
        counts.map((count) => count.count).sort((x, y) => x - y),
        Array.from({ length: 50 }, (_, index) => index + 1),
      );
    });

    it("answers its readiness check", async () => {
      await (await counter()).check();
    });
  });
}

describe("RedisWindowCounter", () => {
  it("shares counts between counters on one Redis, as nodes of one instance do", async () => {
    const [one, two] = await Promise.all([
      RedisWindowCounter.connect({ url: REDIS_URL, prefix: PREFIX }),
      RedisWindowCounter.connect({ url: REDIS_URL, prefix: PREFIX }),
    ]);
    opened.push(one, two);
    await one.increment("shared", 60_000);
    assert.equal((await two.increment("shared", 60_000)).count, 2);
    assert.equal((await one.peek("shared"))?.count, 2);
  });

  it("fails to start with one clear error when Redis cannot be reached", async () => {
    const error = await createWindowCounter(
      { redisUrl: "redis://user:secret@127.0.0.1:1" },
      { prefix: PREFIX },
    ).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    assert.ok(HangarError.isInstance(error), String(error));
    assert.equal(error.code, "HANGAR_ERR_UNAVAILABLE");
    assert.match(
      error.message,
      /^Cannot reach Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:1 \(HANGAR_REDIS_URL\): /,
    );
    assert.doesNotMatch(error.message, /secret/);
  });

  it("refuses a HANGAR_REDIS_URL that is not a redis:// URL, naming the variable", () => {
    assert.throws(
      () => resolveConfig({ env: { HANGAR_REDIS_URL: "127.0.0.1:6379" } }),
      /HANGAR_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL, got "127.0.0.1:6379"/,
    );
    assert.equal(resolveConfig({ env: { HANGAR_REDIS_URL: REDIS_URL } }).redisUrl, REDIS_URL);
  });

  it("fails calls at once, with HANGAR_ERR_UNAVAILABLE, once Redis is gone", async () => {
    const windows = await RedisWindowCounter.connect({ url: REDIS_URL, prefix: PREFIX });
    await windows.close();
    await assert.rejects(windows.increment("gone", 1000), (error: unknown) => {
      assert.ok(HangarError.isInstance(error));
      assert.equal(error.code, "HANGAR_ERR_UNAVAILABLE");
      return true;
    });
  });
});
