/**
 * `npm run bench:router`: the inference router's cost and its availability under failures.
 *
 * 1. Overhead: the same chat completion sent straight to an OpenAI-compatible upstream on 127.0.0.1 and
 *    through a `hangar serve` child process whose route names that upstream, in alternating rounds of the same
 *    run, over keep-alive connections; p50 and p99 of both, and the difference (aim: at most 1 ms at p50).
 * 2. Availability: a route over three upstreams (circuit opens after one failure, probes every 500 ms) under
 *    steady load while one upstream after another is killed and restarted every few seconds; the share of
 *    requests answered 200 (aim: at least 99.9 %).
 *
 * `--quick` is a smoke run of a few seconds. Knobs: HANGAR_BENCH_ROUTER_ROUNDS (10), HANGAR_BENCH_ROUTER_PER_ROUND
 * (200), HANGAR_BENCH_ROUTER_SECONDS (60), HANGAR_BENCH_ROUTER_CONCURRENCY (8), HANGAR_BENCH_ROUTER_KILL_EVERY_MS
 * (3000), HANGAR_BENCH_ROUTER_DOWN_MS (1500).
 */
import { writeFile } from "node:fs/promises";
import { Agent } from "node:http";
import { join } from "node:path";
import { OpenAiUpstream } from "../test/helpers/openai-upstream.ts";
import { numberFromEnv } from "./lib/env.ts";
import { startHangarProcess } from "./lib/hangar-process.ts";
import { request } from "./lib/http-client.ts";
import { describeMachine, machineInfo, printLoad } from "./lib/machine.ts";
import { readProcessCpuSeconds } from "./lib/rss.ts";
import { percentile, round } from "./lib/stats.ts";
import { printJsonLine, printTable, verdict } from "./lib/table.ts";
import { makeTempDir, onCleanup, runCleanups } from "./lib/temp.ts";

const QUICK = process.argv.includes("--quick");
const ROUNDS = QUICK ? 1 : numberFromEnv("HANGAR_BENCH_ROUTER_ROUNDS", 10);
const PER_ROUND = QUICK ? 20 : numberFromEnv("HANGAR_BENCH_ROUTER_PER_ROUND", 200);
const SECONDS = QUICK ? 3 : numberFromEnv("HANGAR_BENCH_ROUTER_SECONDS", 60);
const CONCURRENCY = numberFromEnv("HANGAR_BENCH_ROUTER_CONCURRENCY", 8);
const KILL_EVERY_MS = QUICK ? 1000 : numberFromEnv("HANGAR_BENCH_ROUTER_KILL_EVERY_MS", 3000);
const DOWN_MS = QUICK ? 500 : numberFromEnv("HANGAR_BENCH_ROUTER_DOWN_MS", 1500);
const TOKEN = "hf_bench_router_admin_token_0123456789";

const BODY = JSON.stringify({ model: "bench", messages: [{ role: "user", content: "hi" }], max_tokens: 4 });

async function timedChat(url: string, agent: Agent, model: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const response = await request(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` },
    body: BODY.replace('"bench"', JSON.stringify(model)),
    agent,
  });
  return { ms: performance.now() - started, status: response.status };
}

async function main(): Promise<void> {
  const upstreams = [new OpenAiUpstream(), new OpenAiUpstream(), new OpenAiUpstream()];
  await Promise.all(upstreams.map((upstream) => upstream.start()));
  onCleanup(async () => {
    await Promise.all(upstreams.map((upstream) => upstream.kill()));
  });
  const home = await makeTempDir("router-home");
  const routes = join(home, "routes.yaml");
  await writeFile(
    routes,
    `health_interval_ms: 500
routes:
  - name: direct-one
    deployments:
      - { backend: openai, url: ${upstreams[0]!.url}/v1, model: m }
  - name: three-way
    policy: least-busy
    retries: 4
    attempt_timeout_ms: 2000
    circuit: { failures: 1, cooldown_ms: 1000 }
    deployments:
${upstreams.map((upstream) => `      - { backend: openai, url: ${upstream.url}/v1, model: m }`).join("\n")}
`,
  );
  const server = await startHangarProcess(home, {
    HANGAR_ROUTES: routes,
    HANGAR_ADMIN_TOKEN: TOKEN,
    HANGAR_LOG_LEVEL: "silent",
    // One token sends about 4,000 requests a second here: the per-token limit on inference (6,000 a minute
    // by default) would answer most of them 429, and the benchmark measures the router, not the limiter.
    HANGAR_RATE_LIMITS: "inference=off",
  });
  onCleanup(() => server.stop());
  process.stderr.write(`hangar serve at ${server.url}; measuring overhead\n`);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });
  onCleanup(async () => agent.destroy());

  // 1. Overhead, alternating rounds so both sides see the same machine state.
  const direct: number[] = [];
  const routed: number[] = [];
  for (let warm = 0; warm < 20; warm++) {
    await timedChat(upstreams[0]!.url, agent, "m");
    await timedChat(server.url, agent, "direct-one");
  }
  printLoad("before the overhead rounds");
  let serverCpuSeconds = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (let index = 0; index < PER_ROUND; index++)
      direct.push((await timedChat(upstreams[0]!.url, agent, "m")).ms);
    const cpuBefore = readProcessCpuSeconds(server.pid);
    for (let index = 0; index < PER_ROUND; index++)
      routed.push((await timedChat(server.url, agent, "direct-one")).ms);
    serverCpuSeconds += readProcessCpuSeconds(server.pid) - cpuBefore;
  }
  printLoad("after the overhead rounds");
  const serverCpuMs = (serverCpuSeconds * 1000) / Math.max(1, routed.length);
  const overheadP50 = percentile(routed, 50) - percentile(direct, 50);
  printTable(
    `Router overhead (${describeMachine(await machineInfo())}; ${ROUNDS} x ${PER_ROUND} requests each way)`,
    ["path", "p50 ms", "p99 ms"],
    [
      ["upstream directly", round(percentile(direct, 50), 3), round(percentile(direct, 99), 3)],
      ["through hangar route", round(percentile(routed, 50), 3), round(percentile(routed, 99), 3)],
      ["overhead", round(overheadP50, 3), round(percentile(routed, 99) - percentile(direct, 99), 3)],
    ],
  );
  process.stdout.write(
    `hangar serve CPU per routed request: ${round(serverCpuMs, 3)} ms (user + system, /proc, all of the server's work for it)\n`,
  );

  // 2. Availability while upstreams die and come back.
  process.stderr.write("measuring availability while upstreams are killed and restarted\n");
  printLoad("before the availability run");
  let ok = 0;
  let failed = 0;
  const statuses = new Map<number, number>();
  const end = Date.now() + SECONDS * 1000;
  let kills = 0;
  const chaos = (async () => {
    let victim = 0;
    while (Date.now() + KILL_EVERY_MS < end) {
      await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS - DOWN_MS));
      const upstream = upstreams[victim++ % upstreams.length]!;
      await upstream.kill();
      kills++;
      await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
      await upstream.restart();
    }
  })();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        try {
          const { status } = await timedChat(server.url, agent, "three-way");
          if (status === 200) ok++;
          else {
            failed++;
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
          }
        } catch {
          failed++;
          statuses.set(0, (statuses.get(0) ?? 0) + 1);
        }
      }
    }),
  );
  await chaos;
  printLoad("after the availability run");
  const share = ok / Math.max(1, ok + failed);
  printTable(
    `Availability over ${SECONDS} s, concurrency ${CONCURRENCY}, ${kills} upstream kills (${DOWN_MS} ms down each)`,
    ["requests", "answered 200", "failed", "share", "aim >= 99.9 %"],
    [[ok + failed, ok, failed, `${round(share * 100, 3)} %`, verdict(share >= 0.999)]],
  );
  if (statuses.size > 0)
    process.stdout.write(
      `failures by status (0: no answer): ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
  printJsonLine({
    bench: "router",
    quick: QUICK,
    overhead_p50_ms: round(overheadP50, 3),
    direct_p50_ms: round(percentile(direct, 50), 3),
    routed_p50_ms: round(percentile(routed, 50), 3),
    routed_p99_ms: round(percentile(routed, 99), 3),
    direct_p99_ms: round(percentile(direct, 99), 3),
    server_cpu_ms_per_request: round(serverCpuMs, 3),
    load_average: machineInfo().loadAverage,
    overhead_met: overheadP50 <= 1,
    availability: round(share, 5),
    availability_met: share >= 0.999,
    requests: ok + failed,
    kills,
  });
}

try {
  await main();
} finally {
  await runCleanups();
}
