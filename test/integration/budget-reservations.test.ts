import assert from "node:assert/strict";
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { defaultConfig } from "../../src/core/config.ts";
import { createHangar } from "../../src/hangar.ts";
import { createToken, createUser } from "../../src/hub/accounts/manage-accounts.ts";
import { OpenAiUpstream, oneRouteFile } from "../helpers/openai-upstream.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { type ServeProcess, spawnServe, stopServe } from "../helpers/serve-process.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

const ADMIN_TOKEN = "hf_test_admin_token_0123456789abcdef";
/** The bound of the node that outlives the killed one: long enough to see the reservation block first. */
const TTL_MS = 30_000;

interface ApiBudget {
  id: string;
  current: { spent: number; reserved: number; remaining: number };
}

async function budgetOf(url: string, id: string): Promise<ApiBudget["current"]> {
  const response = await fetch(`${url}/v1/budgets`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(response.status, 200);
  const { budgets } = (await response.json()) as { budgets: ApiBudget[] };
  const { spent, reserved, remaining } = budgets.find((budget) => budget.id === id)!.current;
  return { spent, reserved, remaining };
}

function ask(url: string, token: string) {
  return new OpenAI({ baseURL: `${url}/v1`, apiKey: token, maxRetries: 0 }).chat.completions.create({
    model: "priced-chat",
    messages: [{ role: "user", content: "hi" }],
    max_tokens: 3,
  });
}

/** The same crash on SQLite (one home, a process after another) and PostgreSQL (one database). */
function reservationSuite(engine: "SQLite" | "PostgreSQL") {
  describe(`budget reservations of a killed process on ${engine}`, () => {
    const upstream = new OpenAiUpstream(["one", " two", " three"]);
    let home: Awaited<ReturnType<typeof makeTempDir>>;
    let database: TestDatabase | undefined;
    let aliceToken: string;
    let env: NodeJS.ProcessEnv;
    const children: ServeProcess[] = [];

    before(async () => {
      await upstream.start();
      home = await makeTempDir("hangar-reservations-");
      if (engine === "PostgreSQL") database = await createTestDatabase();
      const routes = join(home.path, "routes.yaml");
      await writeFile(routes, oneRouteFile(upstream, "priced-chat", "priced-model"));
      const hangar = await createHangar(defaultConfig(home.path, database ? { database: database.url } : {}));
      try {
        await createUser(hangar, { name: "alice" });
        aliceToken = (await createToken(hangar, { user: "alice", role: "write" })).token;
      } finally {
        await hangar.close();
      }
      env = { ...process.env };
      for (const name of Object.keys(env)) if (name.startsWith("HANGAR_")) delete env[name];
      Object.assign(env, {
        HANGAR_NO_DEMO: "1",
        HANGAR_NO_CATALOG: "1",
        HANGAR_LOG_LEVEL: "silent",
        HANGAR_ADMIN_TOKEN: ADMIN_TOKEN,
        HANGAR_ROUTES: routes,
        ...(database ? { HANGAR_DATABASE_URL: database.url } : {}),
      });
    });

    after(async () => {
      // The killed one has exited already: only the others are stopped.
      for (const { child } of children)
        if (child.exitCode === null && child.signalCode === null) await stopServe(child);
      await database?.drop();
      await upstream.kill();
      await home?.remove();
    });

    const serve = async (extra: NodeJS.ProcessEnv = {}) => {
      const child = await spawnServe(["--home", home.path, "--port", "0"], { ...env, ...extra });
      children.push(child);
      return child;
    };

    it("blocks its budget until it is older than the bound, then a running node releases it", async () => {
      // A budget of one request a day, and a call that holds it when its server is killed.
      const first = await serve();
      const created = await fetch(`${first.url}/v1/budgets`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ scope: "user", name: "alice", limit: 1, unit: "requests", period: "day" }),
      });
      assert.equal(created.status, 201);
      const budgetId = ((await created.json()) as ApiBudget).id;
      // Long enough to kill the server while the call waits; its timer keeps this process alive that long.
      upstream.mode = { kind: "stall", ms: 10_000 };
      const calls = () => upstream.requests("/v1/chat/completions").length;
      const before = calls();
      const reservedAfter = Date.now();
      const held = ask(first.url, aliceToken).catch((error: Error) => error);
      while (calls() === before) await new Promise((resolve) => setTimeout(resolve, 20));
      const exited = once(first.child, "exit");
      first.child.kill("SIGKILL");
      await exited;
      assert.ok((await held) instanceof Error, "the killed server answered nothing");
      upstream.mode = { kind: "ok" };

      // Another server on the same catalog: the killed call's reservation still counts, so alice is refused.
      const second = await serve({ HANGAR_BUDGET_RESERVATION_TTL_MS: String(TTL_MS) });
      assert.deepEqual(await budgetOf(second.url, budgetId), { spent: 0, reserved: 1, remaining: 0 });
      await assert.rejects(ask(second.url, aliceToken), (error: InstanceType<typeof OpenAI.APIError>) => {
        assert.equal(error.status, 402);
        assert.match(error.message, /has 0 requests left/);
        return true;
      });
      assert.ok(
        Date.now() < reservedAfter + TTL_MS,
        "the refusal came before the reservation was older than the bound",
      );

      // Past the bound, the second server's sweep releases it (it was not stale when that server started).
      let current = await budgetOf(second.url, budgetId);
      while (current.reserved !== 0) {
        assert.ok(Date.now() < reservedAfter + TTL_MS + 30_000, "the stale reservation was released");
        await new Promise((resolve) => setTimeout(resolve, 250));
        current = await budgetOf(second.url, budgetId);
      }
      assert.ok(
        Date.now() >= reservedAfter + TTL_MS,
        "the reservation was released only once older than the bound",
      );
      assert.deepEqual(current, { spent: 0, reserved: 0, remaining: 1 });
      const answer = await ask(second.url, aliceToken);
      assert.equal(answer.choices[0]!.message.content, "one two three");
      assert.deepEqual(await budgetOf(second.url, budgetId), { spent: 1, reserved: 0, remaining: 0 });
    });
  });
}

reservationSuite("SQLite");
reservationSuite("PostgreSQL");
