// `bench:inference`'s client of Hangar's inference API: one feature-extraction request over a keep-alive
// connection, a throughput burst with many in flight, and the mean batch size the server's usage rows record.
import http from "node:http";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { HangarProcess } from "./hangar-process.ts";
import { request } from "./http-client.ts";
import { secondsSince } from "./stats.ts";

/** The connections every request reuses; `destroy()` it when the benchmark ends. */
export const inferenceAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export interface HangarAnswer {
  ms: number;
  serverMs: number;
  inputTokens: number;
  vectorLength: number;
}

/** `POST /v1/inference/feature-extraction` of `text` with `model`, timed by the client. */
export async function embedOnce(server: HangarProcess, model: string, text: string): Promise<HangarAnswer> {
  const response = await request(`${server.url}/v1/inference/feature-extraction`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model, inputs: text }),
    agent: inferenceAgent,
  });
  if (response.status !== 200) {
    throw new Error(`feature-extraction answered ${response.status}: ${response.body.slice(0, 300)}`);
  }
  const answer = JSON.parse(response.body) as {
    outputs: number[];
    usage: { input_units: number; unit: string; latency_ms: number };
  };
  return {
    ms: response.seconds * 1000,
    serverMs: answer.usage.latency_ms,
    inputTokens: answer.usage.unit === "tokens" ? answer.usage.input_units : Number.NaN,
    vectorLength: answer.outputs.length,
  };
}

/** `total` requests with `concurrency` in flight; returns requests per second. */
export async function measureThroughput(
  server: HangarProcess,
  model: string,
  text: string,
  total: number,
  concurrency: number,
): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < total) {
      next++;
      await embedOnce(server, model, text);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return total / secondsSince(started);
}

/**
 * Requests per model call in the usage rows written since `since` (both servers share the home; only one
 * runs a throughput round at a time). The runtime flushes usage every 250 ms, so this waits a little first.
 */
export async function meanBatchSize(home: string, model: string, since: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 600));
  const db = new Database(join(home, "hangar.db"), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        "SELECT AVG(batch_size) AS mean FROM usage_events WHERE model = ? AND at >= ? AND status = 200",
      )
      .get(model, since) as { mean: number | null };
    return row.mean ?? Number.NaN;
  } finally {
    db.close();
  }
}
