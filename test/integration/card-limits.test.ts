import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRepo, uploadFiles } from "@huggingface/hub";
import { MAX_CARD_METADATA_BYTES } from "../../src/hub/metadata/parse-model-card.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/** A README whose metadata is `keys` top-level keys (`key0: value0` ...), then `extra` lines. */
function cardWithKeys(keys: number, extra = ""): string {
  const lines = Array.from({ length: keys }, (_, index) => `key${index}: value${index}`);
  return `---\n${lines.join("\n")}${extra}\n---\n# A card\n`;
}

/**
 * Runs `work` while another client asks the server for `whoami` again and again; returns the work's result
 * and the slowest answer the other client got. A server whose event loop is held by the work answers late.
 */
async function whileAnswering<T>(
  hub: TestHangar,
  token: string,
  work: () => Promise<T>,
): Promise<{ result: T; slowestMs: number; answered: number }> {
  let done = false;
  let slowestMs = 0;
  let answered = 0;
  const probing = (async () => {
    // Let the work's request reach the server first.
    await new Promise((resolve) => setTimeout(resolve, 20));
    while (!done) {
      const started = performance.now();
      const response = await fetch(`${hub.url}/api/whoami-v2`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
      slowestMs = Math.max(slowestMs, performance.now() - started);
      answered++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    return { result: await work(), slowestMs, answered };
  } finally {
    done = true;
    await probing;
  }
}

/** Generous on purpose: the test machine has two shared cores. Holding the event loop costs seconds. */
const PROMPT_MS = 1500;

describe("card metadata: checked in time linear in its size, off the event loop", () => {
  let hub: TestHangar;
  let token: string;
  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice");
    await createRepo({ repo: "alice/big-card", accessToken: token, hubUrl: hub.url });
  });
  after(() => hub.close());

  const validate = (content: string) =>
    fetch(`${hub.url}/api/validate-yaml`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ content, repoType: "model" }),
    });

  it("refuses a card of 300,000 keys (2.6 MB of metadata) at once with 413, answering others meanwhile", async () => {
    const card = cardWithKeys(300_000);
    assert.ok(card.length > 2.5e6);
    const started = performance.now();
    const { result, slowestMs } = await whileAnswering(hub, token, async () => {
      const response = await validate(card);
      return { status: response.status, body: (await response.json()) as { error: string } };
    });
    assert.equal(result.status, 413);
    assert.match(result.body.error, new RegExp(`over the limit of ${MAX_CARD_METADATA_BYTES} bytes`));
    assert.ok(performance.now() - started < 10_000, "refused within 10 s");
    assert.ok(slowestMs < PROMPT_MS, `another request waited ${Math.round(slowestMs)} ms`);
  });

  it("checks a card of 45,000 keys (0.9 MB) while answering others, and finds a duplicate key at its end", async () => {
    const card = cardWithKeys(45_000);
    assert.ok(card.length < MAX_CARD_METADATA_BYTES);
    const started = performance.now();
    const { result, slowestMs, answered } = await whileAnswering(hub, token, async () => {
      const response = await validate(card);
      return { status: response.status, body: await response.json() };
    });
    assert.deepEqual(result, { status: 200, body: { errors: [], warnings: [] } });
    // The yaml package's own duplicate check took seconds for 16,000 keys and grows with their square.
    assert.ok(performance.now() - started < 20_000, "checked within 20 s");
    assert.ok(answered > 0);
    assert.ok(slowestMs < PROMPT_MS, `another request waited ${Math.round(slowestMs)} ms`);

    // Line 45,001 of the metadata repeats key7.
    const duplicate = await validate(cardWithKeys(45_000, "\nkey7: again"));
    assert.equal(duplicate.status, 400);
    const { errors } = (await duplicate.json()) as { errors: Array<{ message: string }> };
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /not valid YAML.*Map keys must be unique at line 45001, column 1/);
  });

  it("parses a committed card of 40,000 keys while answering others, and keeps every key", async () => {
    const card = cardWithKeys(40_000);
    const { slowestMs, answered } = await whileAnswering(hub, token, () =>
      uploadFiles({
        repo: "alice/big-card",
        accessToken: token,
        hubUrl: hub.url,
        files: [{ path: "README.md", content: new Blob([card]) }],
      }),
    );
    assert.ok(answered > 0);
    assert.ok(slowestMs < PROMPT_MS, `another request waited ${Math.round(slowestMs)} ms`);
    const info = await fetch(`${hub.url}/api/models/alice/big-card?expand=cardData`);
    const { cardData } = (await info.json()) as { cardData: Record<string, string> };
    assert.equal(Object.keys(cardData).length, 40_000);
    assert.equal(cardData.key39999, "value39999");
  });

  it("keeps the text of a committed card whose metadata is over the limit, and says why its metadata is ignored", async () => {
    const card = cardWithKeys(300_000);
    await uploadFiles({
      repo: "alice/big-card",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "README.md", content: new Blob([card]) }],
    });
    const repo = await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "big-card" });
    const head = await hub.hangar.catalog.commits.getCommit(repo!.pk, repo!.sha!);
    assert.deepEqual(head?.metadata.cardData, {});
    assert.equal(head?.metadata.cardText, "# A card\n");
    assert.ok(
      head?.metadata.warnings?.includes(
        `README.md metadata is ${card.length - "---\n".length - "\n---\n# A card\n".length} bytes, over the limit of ${MAX_CARD_METADATA_BYTES} bytes; it was ignored`,
      ),
      head?.metadata.warnings?.join("\n"),
    );
  });
});
