import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { whoAmI } from "@huggingface/hub";
import { DEFAULT_AUTH_THROTTLE } from "../../src/core/server-config.ts";
import { addressKey } from "../../src/server/auth-throttle.ts";
import { MemoryWindowCounter } from "../../src/store/window-counter.ts";
import { apiError } from "../helpers/hub-errors.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const WRONG = "hf_WrongWrongWrongWrongWrongWrongWrong";

function whoami(hub: TestHangar, token: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${hub.url}/api/whoami-v2`, { headers: { authorization: `Bearer ${token}`, ...headers } });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("failed authentication is throttled per client address", () => {
  it("by default: 10 failures in a minute, then 429 RateLimited with Retry-After (the probe's 300 at 40/s)", async () => {
    assert.deepEqual(DEFAULT_AUTH_THROTTLE, {
      maxFailures: 10,
      windowMs: 60_000,
      trustedForMs: 24 * 60 * 60_000,
    });
    const hub = await startTestHangar();
    try {
      const statuses: number[] = [];
      let limited: Response | undefined;
      for (let attempt = 0; attempt < 40; attempt++) {
        const response = await whoami(hub, `${WRONG}${attempt}`);
        statuses.push(response.status);
        if (response.status === 429) limited ??= response;
        else await response.arrayBuffer();
      }
      assert.deepEqual(statuses, [...Array(10).fill(401), ...Array(30).fill(429)]);
      assert.equal(limited!.headers.get("x-error-code"), "RateLimited");
      const retryAfter = Number(limited!.headers.get("retry-after"));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
      const body = (await limited!.json()) as { code: string; error: string };
      assert.equal(body.code, "HANGAR_ERR_RATE_LIMITED");
      assert.match(body.error, /^Too many failed authentications from your address: try again in \d+ s$/);
      // The Hub's client sees the 429 as such.
      const error = await apiError(whoAmI({ hubUrl: hub.url, accessToken: WRONG }));
      assert.equal(error.statusCode, 429);
      // Requests without a token are not affected.
      assert.equal((await fetch(`${hub.url}/api/models`)).status, 200);
    } finally {
      await hub.close();
    }
  });

  describe("while an address is refused", () => {
    let hub: TestHangar;
    let known: string;
    let fresh: string;
    const settings = { maxFailures: 3, windowMs: 3000 };
    before(async () => {
      hub = await startTestHangar({ authThrottle: settings });
      known = await hub.addUser("alice", "write");
      fresh = await hub.addUser("bob", "write");
    });
    after(() => hub.close());

    it("keeps serving a token that worked from it before, refuses other valid ones like wrong ones, and ends with the window", async () => {
      assert.equal((await whoami(hub, known)).status, 200);
      for (let attempt = 0; attempt < settings.maxFailures; attempt++) {
        assert.equal((await whoami(hub, WRONG)).status, 401);
      }
      assert.equal((await whoami(hub, WRONG)).status, 429);
      // Someone else's failures behind the same address do not lock out a known user...
      const stillWorks = await whoami(hub, known);
      assert.equal(stillWorks.status, 200);
      assert.equal(((await stillWorks.json()) as { name: string }).name, "alice");
      // ...but a valid token new to this address is answered like a wrong one: nothing to learn by guessing.
      assert.equal((await whoami(hub, fresh)).status, 429);

      await sleep(settings.windowMs + 100);
      assert.equal((await whoami(hub, fresh)).status, 200);
      assert.equal((await whoami(hub, WRONG)).status, 401);
    });
  });

  describe("the client's address", () => {
    const settings = { maxFailures: 2, windowMs: 60_000 };

    it("comes from X-Forwarded-For only behind a trusted proxy", async () => {
      const trusting = await startTestHangar({ trustProxy: true, authThrottle: settings });
      try {
        const from = (address: string) => ({ "x-forwarded-for": `203.0.113.9, ${address}` });
        for (let attempt = 0; attempt < 2; attempt++) {
          assert.equal((await whoami(trusting, WRONG, from("198.51.100.1"))).status, 401);
        }
        assert.equal((await whoami(trusting, WRONG, from("198.51.100.1"))).status, 429);
        // Another client behind the same proxy is counted apart; the first entries, which the client
        // wrote itself, do not matter.
        assert.equal((await whoami(trusting, WRONG, from("198.51.100.2"))).status, 401);
        assert.equal(
          (await whoami(trusting, WRONG, { "x-forwarded-for": "198.51.100.2, 198.51.100.1" })).status,
          429,
        );
      } finally {
        await trusting.close();
      }
    });

    it("is the connection's peer otherwise: a made-up X-Forwarded-For does not escape the count", async () => {
      const direct = await startTestHangar({ authThrottle: settings });
      try {
        for (let attempt = 0; attempt < 5; attempt++) {
          const response = await whoami(direct, WRONG, { "x-forwarded-for": `198.51.100.${attempt}` });
          assert.equal(response.status, attempt < 2 ? 401 : 429, `attempt ${attempt}`);
        }
      } finally {
        await direct.close();
      }
    });

    it("is an IPv4 address (also IPv4-mapped) or the /64 network of an IPv6 address", () => {
      assert.equal(addressKey("127.0.0.1"), "127.0.0.1");
      assert.equal(addressKey("::ffff:192.0.2.7"), "192.0.2.7");
      assert.equal(addressKey("2001:db8:0:12:aaaa::1"), "2001:db8:0:12::/64");
      assert.equal(addressKey("2001:0db8:0000:0012:ffff:1:2:3"), "2001:db8:0:12::/64");
      assert.equal(addressKey("2001:db8::1"), "2001:db8:0:0::/64");
      assert.equal(addressKey("::1"), "0:0:0:0::/64");
      assert.equal(addressKey("fe80::1%eth0"), "fe80:0:0:0::/64");
    });
  });
});

describe("MemoryWindowCounter", () => {
  it("counts in fixed windows that open at the first event, and forgets closed ones", async () => {
    let now = 1_000;
    const counter = new MemoryWindowCounter({ now: () => now });
    assert.deepEqual(await counter.increment("a", 100), { count: 1, resetAt: 1_100 });
    now = 1_050;
    assert.deepEqual(await counter.increment("a", 100), { count: 2, resetAt: 1_100 });
    assert.deepEqual(await counter.peek("a"), { count: 2, resetAt: 1_100 });
    assert.equal(await counter.peek("b"), undefined);
    now = 1_100;
    assert.equal(await counter.peek("a"), undefined);
    assert.deepEqual(await counter.increment("a", 100), { count: 1, resetAt: 1_200 });
    await counter.touch("mark", 500);
    now = 1_500;
    await counter.touch("mark", 500);
    now = 1_900;
    assert.deepEqual(await counter.peek("mark"), { count: 1, resetAt: 2_000 });
  });

  it("keeps at most maxKeys keys, dropping expired and then the oldest written", async () => {
    let now = 0;
    const counter = new MemoryWindowCounter({ maxKeys: 10, now: () => now });
    for (let key = 0; key < 10; key++) await counter.increment(`old-${key}`, 1_000);
    await counter.increment("old-0", 1_000);
    now = 10;
    for (let key = 0; key < 5; key++) await counter.increment(`new-${key}`, 1_000);
    const kept: string[] = [];
    for (const key of [...Array(10).keys()].map((index) => `old-${index}`)) {
      if (await counter.peek(key)) kept.push(key);
    }
    // The most recently written old keys survive, old-0 among them (written again).
    assert.ok(kept.includes("old-0"), kept.join());
    assert.ok(kept.length <= 5, kept.join());
    for (let key = 0; key < 5; key++) assert.ok(await counter.peek(`new-${key}`));
  });
});
