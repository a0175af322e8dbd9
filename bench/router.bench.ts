/**
 * `npm run bench:router`: the inference router's cost and its availability under failures.
 *
 * 1. Overhead: the same chat completion sent straight to an OpenAI-compatible upstream on 127.0.0.1 and
 *    through a `hangar serve` child process whose route names that upstream, in alternating rounds of the same
 *    run, over the same keep-alive agent; p50 and p99 of both, and the difference (aim: at most 1 ms at p50).
 *    The upstream of the aim runs in a process of its own, as a real one does: a client calling it crosses
 *    processes, as Hangar does. For comparison with earlier figures the same is measured against an upstream
 *    in the benchmark's own process, where a direct call never waits for another process to be woken.
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
import { startOpenAiUpstreamProcess } from "./lib/openai-upstream-process.ts";
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
  const separate = await startOpenAiUpstreamProcess();
  onCleanup(() => separate.stop());
  const home = await makeTempDir("router-home");
  const routes = join(home, "routes.yaml");
  await writeFile(
    routes,
    `health_interval_ms: 500
routes:
  - name: direct-one
    deployments:
      - { backend: openai, url: ${separate.url}/v1, model: m }
  - name: in-process
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

  // 1. Overhead, alternating rounds so every side sees the same machine state. Each pair: the upstream
  // directly, then through the route that names it.
  const pairs = [
    {
      label: "own process",
      url: separate.url,
      route: "direct-one",
      direct: [] as number[],
      routed: [] as number[],
    },
    {
      label: "benchmark's process",
      url: upstreams[0]!.url,
      route: "in-process",
      direct: [] as number[],
      routed: [] as number[],
    },
  ];
  for (let warm = 0; warm < 20; warm++) {
    for (const pair of pairs) {
      await timedChat(pair.url, agent, "m");
      await timedChat(server.url, agent, pair.route);
    }
  }
  printLoad("before the overhead rounds");
  let serverCpuSeconds = 0;
  let routedCount = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const pair of pairs) {
      for (let index = 0; index < PER_ROUND; index++)
        pair.direct.push((await timedChat(pair.url, agent, "m")).ms);
      const cpuBefore = readProcessCpuSeconds(server.pid);
      for (let index = 0; index < PER_ROUND; index++)
        pair.routed.push((await timedChat(server.url, agent, pair.route)).ms);
      serverCpuSeconds += readProcessCpuSeconds(server.pid) - cpuBefore;
      routedCount += PER_ROUND;
    }
  }
  printLoad("after the overhead rounds");
  const serverCpuMs = (serverCpuSeconds * 1000) / Math.max(1, routedCount);
  const [own, inProcess] = pairs as [(typeof pairs)[0], (typeof pairs)[0]];
  const { direct, routed } = own;
  const overheadP50 = percentile(routed, 50) - percentile(direct, 50);
  const overheadOf = (pair: (typeof pairs)[0], p: number) =>
    percentile(pair.routed, p) - percentile(pair.direct, p);
  printTable(
    `Router overhead (${describeMachine(await machineInfo())}; ${ROUNDS} x ${PER_ROUND} requests each way)`,
    ["upstream in", "path", "p50 ms", "p99 ms"],
    pairs.flatMap((pair) => [
      [
        pair.label,
        "upstream directly",
        round(percentile(pair.direct, 50), 3),
        round(percentile(pair.direct, 99), 3),
      ],
      [
        pair.label,
        "through hangar route",
        round(percentile(pair.routed, 50), 3),
        round(percentile(pair.routed, 99), 3),
      ],
      [pair.label, "overhead", round(overheadOf(pair, 50), 3), round(overheadOf(pair, 99), 3)],
    ]),
  );
  process.stdout.write(
    `overhead (aim <= 1 ms at p50) is that of the upstream in its own process; in the benchmark's process a direct call crosses no process, which no real client's call does\n`,
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
    in_process_overhead_p50_ms: round(overheadOf(inProcess, 50), 3),
    in_process_direct_p50_ms: round(percentile(inProcess.direct, 50), 3),
    in_process_routed_p50_ms: round(percentile(inProcess.routed, 50), 3),
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
