import { badRequest } from "../../core/errors.ts";
import type { Hangar } from "../../hangar.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { RouteBackend } from "../../inference/router/route-backend.ts";
import type { ModelHistory } from "../../store/usage-table.ts";
import { readFileContent } from "../../workflows/batch/batch-files.ts";
import { getBatch } from "../../workflows/batch/batch-jobs.ts";
import { costNanos, type PricedCall, usdOf } from "./price-book.ts";

/** One request of a workload: the OpenAI body it sends (a Batch API line's `body`). */
export interface WorkloadRequest {
  url: string;
  body: Record<string, unknown>;
}

/** How a model's part of an estimate was made: from its metered history here, or from rules of thumb. */
export interface ModelEstimate {
  model: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  price: {
    input_per_million: number;
    output_per_million: number;
    per_hour: number;
    source: string;
    matched: string;
  };
  /**
   * `history`: input tokens from a line fitted to this model's metered tokens against request bytes here
   * before, and its mean generated tokens per request; `bytes/4`: no history, a rough 4 bytes per token; `max_tokens`: no history, every request
   * generating its `max_tokens` (an upper bound).
   */
  method: { input: "history" | "bytes/4"; output: "history" | "max_tokens" | "none" };
  history_requests: number;
}

export interface CostEstimate {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  models: ModelEstimate[];
  /** The moment whose history the estimate used (events before it). */
  as_of: string;
}

/** Reads an OpenAI Batch API JSONL file (or a workload file of the same lines); each error names its line. */
export function parseWorkload(text: string): WorkloadRequest[] {
  const requests: WorkloadRequest[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw badRequest(`line ${index + 1}: not JSON`);
    }
    const record = value as { url?: unknown; body?: unknown };
    if (typeof record.body !== "object" || record.body === null || Array.isArray(record.body)) {
      throw badRequest(`line ${index + 1}: body must be an object (an OpenAI request)`);
    }
    const body = record.body as Record<string, unknown>;
    if (typeof body.model !== "string")
      throw badRequest(`line ${index + 1}: body.model must be a model name`);
    requests.push({ url: typeof record.url === "string" ? record.url : "/v1/chat/completions", body });
  }
  if (requests.length === 0) throw badRequest("the workload has no requests");
  return requests;
}

/**
 * Input tokens of a request of `bytes` bytes as the model's history says: a least-squares line of tokens on
 * request bytes (a request's fixed part, its keys and template, is the intercept), or tokens per byte when
 * every request had the same size; undefined without history.
 */
function tokensFromBytes(history: ModelHistory): ((bytes: number) => number) | undefined {
  const n = history.tokenRequests;
  if (n === 0 || history.inputBytes === 0) return undefined;
  const denominator = n * history.bytesSquared - history.inputBytes ** 2;
  const ratio = history.inputTokens / history.inputBytes;
  if (n < 2 || Math.abs(denominator) < 1e-9 * Math.max(1, n * history.bytesSquared)) {
    return (bytes) => bytes * ratio;
  }
  const slope = (n * history.bytesTimesTokens - history.inputBytes * history.inputTokens) / denominator;
  const intercept = (history.inputTokens - slope * history.inputBytes) / n;
  if (slope <= 0) return (bytes) => bytes * ratio;
  return (bytes) => Math.max(0, intercept + slope * bytes);
}

/** Where a model name runs first: its route's first deployment, or the local runtime. */
function firstCandidate(hangar: Hangar, model: string): PricedCall {
  const backend = hangar.inference.router.backendFor(model);
  if (backend?.kind === "route") {
    const route = backend as RouteBackend;
    const deployment = route.deployments[0]!;
    return {
      route: model,
      backend: deployment.config.backend,
      model: deployment.config.model,
      ...(deployment.config.cost === undefined ? {} : { deploymentCost: deployment.config.cost }),
    };
  }
  return { backend: "local", model };
}

/**
 * The cost of a workload before it runs, per model, from what each model metered here before `asOf`:
 * input tokens from the model's tokens per byte of request (the same bytes the meter counts), generated
 * tokens from its mean per request (at most each request's `max_tokens`), at the prices in force. A model
 * with no history falls back to 4 bytes per token and `max_tokens`, and says so in `method`.
 */
export async function estimateWorkload(
  hangar: Hangar,
  requests: readonly WorkloadRequest[],
  asOf = new Date(),
): Promise<CostEstimate> {
  await hangar.inference.flushUsage();
  const byModel = new Map<string, WorkloadRequest[]>();
  for (const request of requests) {
    const model = request.body.model as string;
    byModel.set(model, [...(byModel.get(model) ?? []), request]);
  }
  const models: ModelEstimate[] = [];
  for (const [model, list] of byModel) {
    const history = await hangar.catalog.usage.history(model, "openai", asOf.toISOString());
    const price = await hangar.spend.prices.priceOf(firstCandidate(hangar, model));
    const inputTokensOf = tokensFromBytes(history);
    const meanOutput = history.requests > 0 ? history.outputTokens / history.requests : undefined;
    const meanLatency = history.requests > 0 ? history.latencyMs / history.requests : 0;
    let inputTokens = 0;
    let outputTokens = 0;
    let nanos = 0;
    let outputMethod: ModelEstimate["method"]["output"] = "none";
    for (const request of list) {
      const bytes = Buffer.byteLength(JSON.stringify(request.body));
      const input = inputTokensOf === undefined ? Math.ceil(bytes / 4) : inputTokensOf(bytes);
      const embeddings = request.url.endsWith("/embeddings");
      const cap = request.body.max_completion_tokens ?? request.body.max_tokens;
      const limit = typeof cap === "number" ? cap : hangar.spend.settings.maxTokensBound;
      let output = 0;
      if (!embeddings) {
        output = meanOutput === undefined ? limit : Math.min(limit, meanOutput);
        outputMethod = meanOutput === undefined ? "max_tokens" : "history";
      }
      inputTokens += input;
      outputTokens += output;
      nanos += costNanos(price, { inputTokens: input, outputTokens: output, computeMs: meanLatency });
    }
    models.push({
      model,
      requests: list.length,
      input_tokens: Math.round(inputTokens),
      output_tokens: Math.round(outputTokens),
      cost_usd: usdOf(nanos),
      price: {
        input_per_million: price.inputPerMillion,
        output_per_million: price.outputPerMillion,
        per_hour: price.perHour,
        source: price.source,
        matched: price.matched,
      },
      method: { input: inputTokensOf === undefined ? "bytes/4" : "history", output: outputMethod },
      history_requests: history.requests,
    });
  }
  const sum = (pick: (model: ModelEstimate) => number) =>
    models.reduce((total, model) => total + pick(model), 0);
  return {
    requests: requests.length,
    input_tokens: sum((model) => model.input_tokens),
    output_tokens: sum((model) => model.output_tokens),
    cost_usd: Math.round(sum((model) => model.cost_usd) * 1e9) / 1e9,
    models,
    as_of: asOf.toISOString(),
  };
}

/** A batch's estimate (from the history before it was created) against what its rows metered. */
export interface BatchCostComparison {
  batch_id: string;
  status: string;
  estimate: CostEstimate;
  metered: { requests: number; input_tokens: number; output_tokens: number; cost_usd: number };
  /** (estimate − metered) / metered, percent; null while nothing is metered. */
  error_percent: number | null;
}

/** Compares a batch's estimate, made as of its creation, with the tokens its answered rows metered, priced alike. */
export async function compareBatch(
  hangar: Hangar,
  caller: Caller,
  batchId: string,
): Promise<BatchCostComparison> {
  const batch = await getBatch(hangar, caller, batchId);
  const { bytes } = await readFileContent(hangar, caller, batch.input_file_id);
  const requests = parseWorkload(bytes.toString("utf8"));
  // The API's created_at is in whole seconds; the history cut-off needs the batch's own millisecond.
  const createdMs = (await hangar.catalog.batches.get(batchId))?.createdMs ?? batch.created_at * 1000;
  const estimate = await estimateWorkload(hangar, requests, new Date(createdMs));
  const metered = { requests: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
  let nanos = 0;
  for await (const page of hangar.catalog.batches.records(batchId, true)) {
    for (const text of page) {
      const record = JSON.parse(text) as {
        response?: { body?: { model?: string; usage?: Record<string, number> } };
      };
      const body = record.response?.body;
      if (!body?.model) continue;
      const input = Number(body.usage?.prompt_tokens ?? 0);
      const output = Number(body.usage?.completion_tokens ?? 0);
      const price = await hangar.spend.prices.priceOf(firstCandidate(hangar, body.model));
      nanos += costNanos(price, { inputTokens: input, outputTokens: output, computeMs: 0 });
      metered.requests++;
      metered.input_tokens += input;
      metered.output_tokens += output;
    }
  }
  metered.cost_usd = usdOf(nanos);
  return {
    batch_id: batchId,
    status: batch.status,
    estimate,
    metered,
    error_percent:
      metered.cost_usd > 0
        ? Math.round(((estimate.cost_usd - metered.cost_usd) / metered.cost_usd) * 10_000) / 100
        : null,
  };
}
