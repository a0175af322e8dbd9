import { setTimeout as sleep } from "node:timers/promises";
import type OpenAI from "openai";
import { toFile } from "openai";

export const FINAL_BATCH_STATUSES = new Set(["completed", "failed", "cancelled", "expired"]);

/** Uploads JSONL lines (objects are stringified, strings sent as they are) as a batch input file. */
export async function uploadBatchInput(client: OpenAI, lines: Array<object | string>, name = "input.jsonl") {
  const text = `${lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n")}\n`;
  return client.files.create({ file: await toFile(Buffer.from(text), name), purpose: "batch" });
}

/** Polls a batch until `done` says so (by default: a final status), failing after `timeoutMs`. */
export async function waitForBatch(
  client: OpenAI,
  id: string,
  done: (batch: OpenAI.Batches.Batch) => boolean = (batch) => FINAL_BATCH_STATUSES.has(batch.status),
  timeoutMs = 120_000,
): Promise<OpenAI.Batches.Batch> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await client.batches.retrieve(id);
    if (done(batch)) return batch;
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.status} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** A JSONL file's records, in order. */
// biome-ignore lint/suspicious/noExplicitAny: records are JSON read by the assertions field by field
export async function readJsonl(client: OpenAI, fileId: string): Promise<Array<Record<string, any>>> {
  const text = await (await client.files.content(fileId)).text();
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}
