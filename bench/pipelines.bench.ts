/**
 * `npm run bench:pipelines`: a three-step multi-modal pipeline end to end against its steps called directly.
 *
 * A `hangar serve` child process on a fresh home (the models every fresh instance has) runs the example
 * `examples/pipelines/page-sentiment.yaml`: a scanned page (PNG) -> OCR (hangar/paddleocr) -> sentiment
 * (hangar/sentiment-tiny) and entities (hangar/ner-tiny) for every line, the last two in parallel. The step
 * cache is turned off so every run calls every model. In alternating rounds of the same run, the same work
 * goes straight to `POST /v1/inference/{task}`:
 *   - sum of the steps: the OCR call, then each line's sentiment and entities calls one after another;
 *   - direct, same schedule: the OCR call, then every per-line call at once (what the engine does).
 * Aims (issue 18): the pipeline under 5 s (the seed) and under 0.5 s on the local models; the engine's
 * overhead (pipeline minus the direct calls on the same schedule) under 5 % of the sum of the steps.
 *
 * `--quick` is a smoke run of a few rounds. Knobs: HANGAR_BENCH_PIPELINES_ROUNDS (20).
 */
import { readFile } from "node:fs/promises";
import { Agent } from "node:http";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { renderTextPng } from "../test/helpers/image-fixtures.ts";
import { numberFromEnv } from "./lib/env.ts";
import { REPO_ROOT, startHangarProcess } from "./lib/hangar-process.ts";
import { request } from "./lib/http-client.ts";
import { describeMachine, machineInfo, printLoad } from "./lib/machine.ts";
import { percentile, round } from "./lib/stats.ts";
import { printJsonLine, printTable, verdict } from "./lib/table.ts";
import { makeTempDir, onCleanup, runCleanups } from "./lib/temp.ts";

const QUICK = process.argv.includes("--quick");
const ROUNDS = QUICK ? 3 : numberFromEnv("HANGAR_BENCH_PIPELINES_ROUNDS", 20);
const TOKEN = "hf_bench_pipelines_admin_token_0123456789";
const LINES = ["I love this great film", "Angela Merkel visited Paris", "The food was cold and slow"];

async function post(base: string, agent: Agent, path: string, body: unknown): Promise<unknown> {
  const response = await request(`${base}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
    agent,
  });
  if (response.status !== 200)
    throw new Error(`POST ${path}: ${response.status} ${response.body.slice(0, 300)}`);
  return JSON.parse(response.body);
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

async function main(): Promise<void> {
  const home = await makeTempDir("pipelines-home");
  process.stderr.write("starting hangar serve on a fresh home (seeding the models of a fresh instance)\n");
  const server = await startHangarProcess(
    home,
    { HANGAR_NO_DEMO: "", HANGAR_ADMIN_TOKEN: TOKEN, HANGAR_LOG_LEVEL: "silent" },
    { startTimeoutMs: 300_000 },
  );
  onCleanup(() => server.stop());
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  onCleanup(async () => agent.destroy());

  // The example as shipped, with the step cache off so that every run calls every model.
  const definition = parse(
    await readFile(join(REPO_ROOT, "examples", "pipelines", "page-sentiment.yaml"), "utf8"),
  ) as { name: string; steps: Record<string, Record<string, unknown>> };
  for (const step of Object.values(definition.steps)) step.cache = false;
  await post(server.url, agent, "/v1/pipelines", { yaml: stringify(definition) });
  const page = (await renderTextPng(LINES)).toString("base64");

  const runPipeline = async () => {
    const run = (await post(server.url, agent, `/v1/pipelines/${definition.name}/run`, {
      inputs: { page },
    })) as { status: string; outputs: { lines: string[] }; error?: unknown };
    if (run.status !== "completed")
      throw new Error(`pipeline run ${run.status}: ${JSON.stringify(run.error)}`);
    if (run.outputs.lines.length !== LINES.length)
      throw new Error(`OCR read ${run.outputs.lines.join(" | ")}`);
  };
  const ocr = async () => {
    const answer = (await post(server.url, agent, "/v1/inference/image-to-text", {
      model: "hangar/paddleocr",
      inputs: page,
    })) as { outputs: { hangar: { lines: Array<{ text: string }> } } };
    return answer.outputs.hangar.lines.map((line) => line.text);
  };
  const sentiment = (text: string) =>
    post(server.url, agent, "/v1/inference/text-classification", {
      model: "hangar/sentiment-tiny",
      inputs: text,
      parameters: { top_k: 1 },
    });
  const entities = (text: string) =>
    post(server.url, agent, "/v1/inference/token-classification", { model: "hangar/ner-tiny", inputs: text });

  /** Each step's call one after another: the sum of the steps. */
  const sumOfSteps = async () => {
    const lines = await ocr();
    for (const line of lines) {
      await sentiment(line);
      await entities(line);
    }
  };
  /** The same calls on the engine's schedule: OCR, then every per-line call at once. */
  const sameSchedule = async () => {
    const lines = await ocr();
    await Promise.all(lines.flatMap((line) => [sentiment(line), entities(line)]));
  };

  for (let warm = 0; warm < 3; warm++) {
    await runPipeline();
    await sumOfSteps();
    await sameSchedule();
  }
  printLoad("before the timed rounds");
  const pipelineMs: number[] = [];
  const sumMs: number[] = [];
  const scheduleMs: number[] = [];
  for (let index = 0; index < ROUNDS; index++) {
    pipelineMs.push((await timed(runPipeline)).ms);
    sumMs.push((await timed(sumOfSteps)).ms);
    scheduleMs.push((await timed(sameSchedule)).ms);
  }
  printLoad("after the timed rounds");

  const p50 = (samples: number[]) => percentile(samples, 50);
  const overheadMs = p50(pipelineMs) - p50(scheduleMs);
  const overheadShare = overheadMs / p50(sumMs);
  printTable(
    `Pipeline page-sentiment (OCR -> sentiment + entities per line, ${LINES.length} lines), ${ROUNDS} alternating rounds (${describeMachine(machineInfo())})`,
    ["path", "p50 ms", "p90 ms"],
    [
      [
        "pipeline end to end (POST /v1/pipelines/…/run)",
        round(p50(pipelineMs), 1),
        round(percentile(pipelineMs, 90), 1),
      ],
      ["sum of its steps called directly", round(p50(sumMs), 1), round(percentile(sumMs, 90), 1)],
      [
        "direct calls on the engine's schedule",
        round(p50(scheduleMs), 1),
        round(percentile(scheduleMs, 90), 1),
      ],
      ["engine overhead (pipeline - same schedule)", round(overheadMs, 1), ""],
    ],
  );
  printTable(
    "Targets (issue 18)",
    ["target", "figure", "met"],
    [
      ["pipeline under 5 s (seed)", `${round(p50(pipelineMs), 1)} ms`, verdict(p50(pipelineMs) < 5000)],
      ["pipeline under 0.5 s (aim)", `${round(p50(pipelineMs), 1)} ms`, verdict(p50(pipelineMs) < 500)],
      [
        "engine overhead under 5 % of the sum of the steps",
        `${round(overheadShare * 100, 1)} %`,
        verdict(overheadShare < 0.05),
      ],
    ],
  );
  printJsonLine({
    bench: "pipelines",
    quick: QUICK,
    rounds: ROUNDS,
    pipeline_p50_ms: round(p50(pipelineMs), 1),
    sum_of_steps_p50_ms: round(p50(sumMs), 1),
    same_schedule_p50_ms: round(p50(scheduleMs), 1),
    engine_overhead_ms: round(overheadMs, 1),
    engine_overhead_share: round(overheadShare, 4),
    under_5s: p50(pipelineMs) < 5000,
    under_500ms: p50(pipelineMs) < 500,
    overhead_met: overheadShare < 0.05,
    load_average: machineInfo().loadAverage,
  });
}

try {
  await main();
} finally {
  await runCleanups();
}
