// `npm run bench:soak`: a mixed load on a real `hangar serve` on 127.0.0.1 (a fresh home with the demo
// models and the bundled catalog) from 32 concurrent clients for 60 s: Hub listings, repo info, trees and
// histories, Hangar search, downloads with and without ranges (bytes checked), commits through the real
// `@huggingface/hub` client (to each user's repo, and to one shared branch with `parentCommit`, where 412 is
// an expected answer), LFS uploads, inference on the factory models, malformed requests and unknown tokens.
// After the load: every acknowledged commit must be in its branch's history with its files at the head, and
// `hangar fsck --verify` must find the home intact, while the server runs and once it stopped.
// Prints tables, then one JSON line. Unlike the other benchmarks it gates: it exits 1 on any 5xx, any
// unexpected answer (a wrong status, wrong bytes, a timeout), a lost commit, an fsck problem or a crash.
// Knobs: SOAK_SECONDS (60), SOAK_CLIENTS (32), SOAK_USERS (4), SOAK_FILE_MB (8, the LFS file downloaded),
// SOAK_SEED (1), SOAK_REQUEST_TIMEOUT_SECONDS (60: an answer slower than this counts as a stall).
import http from "node:http";
import { seededRandom } from "../src/hub/catalog/generate-catalog.ts";
import { numberFromEnv } from "./lib/env.ts";
import { runHangarCli } from "./lib/hangar-cli.ts";
import { startHangarProcess } from "./lib/hangar-process.ts";
import { describeMachine, machineInfo } from "./lib/machine.ts";
import { RssSampler, readProcessCpuSeconds, readProcessMemory } from "./lib/rss.ts";
import { ACTIONS, pickAction, runAction } from "./lib/soak/actions.ts";
import { type ClientContext, RateGate } from "./lib/soak/client-context.ts";
import { type BranchCheck, CommitLog, checkBranch, historyLength } from "./lib/soak/commit-log.ts";
import { countingFetch, SoakHttp } from "./lib/soak/http.ts";
import { type KindFigures, SoakRecorder } from "./lib/soak/recorder.ts";
import { createAccounts, createRepos, type SoakWorld } from "./lib/soak/setup.ts";
import { MB, megabytes, round, secondsSince } from "./lib/stats.ts";
import { printJsonLine, printTable, verdict } from "./lib/table.ts";
import { makeTempDir, onCleanup, runCleanups } from "./lib/temp.ts";

const SECONDS = numberFromEnv("SOAK_SECONDS", 60);
const CLIENTS = numberFromEnv("SOAK_CLIENTS", 32);
const USERS = numberFromEnv("SOAK_USERS", 4);
const FILE_BYTES = numberFromEnv("SOAK_FILE_MB", 8) * MB;
const SEED = numberFromEnv("SOAK_SEED", 1);
const REQUEST_TIMEOUT_MS = numberFromEnv("SOAK_REQUEST_TIMEOUT_SECONDS", 60) * 1000;
/** The server answers 429 to an address after 10 unknown tokens in a minute: send 8 a minute at most. */
const BAD_TOKEN_INTERVAL_MS = 7_500;
/** A first start trains the factory models and imports the bundled catalog before it listens. */
const START_TIMEOUT_MS = 300_000;

function formatStatuses(statuses: Record<string, number>): string {
  return Object.entries(statuses)
    .map(([status, count]) => `${status} x${count}`)
    .join(", ");
}

/** Repo ids for info calls: the instance's own repos and a page of the bundled catalog. */
async function infoRepos(setupHttp: SoakHttp, world: Omit<SoakWorld, "infoRepos">): Promise<string[]> {
  const ids = new Set(world.realRepos);
  for (const path of ["/api/models?author=hangar", "/api/models?limit=100&sort=createdAt"]) {
    const answer = await setupHttp.send({ path });
    if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}: ${answer.text()}`);
    for (const model of answer.json<Array<{ id: string }>>()) ids.add(model.id);
  }
  return [...ids];
}

/**
 * One request of each inference kind before the clock starts, so the load measures serving rather than the
 * first load of each model (which the factory models' first start already paid for their training).
 */
async function warmUp(context: ClientContext): Promise<void> {
  for (const action of ACTIONS.filter((candidate) => candidate.kind.startsWith("inference"))) {
    const outcome = await runAction(action, context);
    if (!outcome.expected) throw new Error(`Warm-up ${action.kind} failed: ${outcome.problem}`);
  }
}

interface FsckOutcome {
  ok: boolean;
  exitCode: number;
  problems: Array<{ kind: string; message: string }>;
  counts?: Record<string, number>;
  /** What it printed on stderr when it printed no report. */
  error?: string;
}

/** `hangar fsck --verify` on the home (every LFS file re-hashed), as a user runs it. */
async function runFsck(home: string): Promise<FsckOutcome> {
  const result = await runHangarCli({ home, args: ["fsck", "--verify"] });
  const report = result.json as
    | { ok: boolean; problems: Array<{ kind: string; message: string }>; counts: Record<string, number> }
    | undefined;
  if (!report) return { ok: false, exitCode: result.code, problems: [], error: result.stderr.trim() };
  return {
    ok: result.code === 0 && report.ok,
    exitCode: result.code,
    problems: report.problems,
    counts: report.counts,
  };
}

function describeFsck(outcome: FsckOutcome): string {
  if (outcome.ok) return "clean";
  if (outcome.error !== undefined) return `no report (exit ${outcome.exitCode}): ${outcome.error}`;
  return `${outcome.problems.length} problem(s), exit ${outcome.exitCode}`;
}

async function runClient(params: {
  context: ClientContext;
  recorder: SoakRecorder;
  deadline: number;
  /** True once the server has exited: every further request would only fail to connect. */
  serverGone: () => boolean;
}): Promise<void> {
  const { context, recorder } = params;
  while (Date.now() < params.deadline && !params.serverGone()) {
    const action = pickAction(context);
    context.sequence++;
    const start = process.hrtime.bigint();
    const outcome = await runAction(action, context);
    recorder.record(action.kind, outcome, secondsSince(start) * 1000);
  }
}

async function run(): Promise<number> {
  const machineAtStart = machineInfo();
  process.stdout.write(`${describeMachine(machineAtStart)}\n`);
  process.stdout.write(
    `Soak: ${CLIENTS} clients for ${SECONDS} s, ${USERS} users, seed ${SEED}; preparing a fresh home ...\n`,
  );
  const setupStart = process.hrtime.bigint();
  const home = await makeTempDir("soak-home");
  const accounts = await createAccounts(home, USERS);
  const server = await startHangarProcess(
    home,
    // Empty values unset the benchmark defaults: the first start seeds the factory models and the catalog.
    { HANGAR_NO_DEMO: "", HANGAR_NO_CATALOG: "" },
    { startTimeoutMs: START_TIMEOUT_MS },
  );
  onCleanup(server.stop);
  const recorder = new SoakRecorder();
  const setupAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const setupHttp = new SoakHttp(server.url, setupAgent, new SoakRecorder(), REQUEST_TIMEOUT_MS);
  const repos = await createRepos({ hubUrl: server.url, accounts, lfsBytes: FILE_BYTES });
  const world: SoakWorld = { ...repos, infoRepos: await infoRepos(setupHttp, repos) };
  const commits = new CommitLog();
  const badTokens = new RateGate(BAD_TOKEN_INTERVAL_MS);
  const hubFetch = countingFetch(recorder, server.url);
  const agents: http.Agent[] = [];
  const contexts: ClientContext[] = Array.from({ length: CLIENTS }, (_, index) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    return {
      index,
      user: world.users[index % world.users.length]!,
      http: new SoakHttp(server.url, agent, recorder, REQUEST_TIMEOUT_MS),
      hubFetch,
      hubUrl: server.url,
      world,
      random: seededRandom(SEED * 1000 + index),
      commits,
      badTokens,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      sequence: 0,
    };
  });
  await warmUp({ ...contexts[0]!, http: setupHttp, random: seededRandom(SEED) });
  const branches = [
    ...world.users.map((user) => ({ repo: user.repo, branch: "main" })),
    { repo: world.shared.repo, branch: world.shared.branch },
  ];
  const historyBefore = new Map<string, number>();
  for (const { repo, branch } of branches) {
    historyBefore.set(
      `${repo}@${branch}`,
      await historyLength({ http: setupHttp, token: world.users[0]!.token, repo, branch }),
    );
  }
  process.stdout.write(
    `Ready in ${round(secondsSince(setupStart), 1)} s: ${world.infoRepos.length} repos to read, server ${server.url}\n`,
  );

  const idle = readProcessMemory(server.pid);
  const sampler = new RssSampler(server.pid, 100);
  sampler.start();
  const cpuBefore = readProcessCpuSeconds(server.pid);
  const clientCpuBefore = process.cpuUsage();
  const loadStart = process.hrtime.bigint();
  const deadline = Date.now() + SECONDS * 1000;
  const serverGone = () => server.exit() !== undefined;
  await Promise.all(contexts.map((context) => runClient({ context, recorder, deadline, serverGone })));
  const loadSeconds = secondsSince(loadStart);
  const rss = sampler.stop();
  const serverCpuSeconds = readProcessCpuSeconds(server.pid) - cpuBefore;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const clientCpuSeconds = (clientCpu.user + clientCpu.system) / 1e6;
  const highWaterMark = readProcessMemory(server.pid).highWaterMark;
  const machineAfterLoad = machineInfo();

  const crashed = server.exit();
  const verifyHttp = new SoakHttp(server.url, setupAgent, new SoakRecorder(), REQUEST_TIMEOUT_MS);
  const branchChecks: BranchCheck[] = [];
  let verificationError: string | undefined;
  try {
    if (crashed) throw new Error("the server exited during the load");
    for (const branchCommits of commits.branches()) {
      const { repo, branch } = branchCommits[0]!;
      branchChecks.push(
        await checkBranch({
          http: verifyHttp,
          token: world.users[0]!.token,
          commits: branchCommits,
          before: historyBefore.get(`${repo}@${branch}`) ?? 0,
        }),
      );
    }
  } catch (error) {
    verificationError = error instanceof Error ? error.message : String(error);
  }
  // fsck works on a home a server has open (WAL mode), and again once the server stopped and checkpointed.
  const fsckAlongside = crashed ? undefined : await runFsck(home);
  for (const agent of [setupAgent, ...agents]) agent.destroy();
  await server.stop();
  const fsckAfterStop = await runFsck(home);

  const figures = recorder.figures();
  printTable(
    `Requests by kind (${CLIENTS} clients, ${round(loadSeconds, 1)} s; commits are timed as the client's whole operation: preupload, LFS, commit)`,
    ["kind", "count", "answers", "unexpected", "p50 ms", "p99 ms", "max ms"],
    figures.map((row: KindFigures) => [
      row.kind,
      row.count,
      formatStatuses(row.statuses),
      row.unexpected,
      row.p50Ms,
      row.p99Ms,
      row.maxMs,
    ]),
  );
  const lost = branchChecks.flatMap((check) => check.lost);
  printTable(
    "Acknowledged commits, checked after the load (history via /commits/{branch}, files at the head via /tree)",
    ["repo@branch", "acknowledged", "commits in history", "landed unacknowledged", "lost"],
    branchChecks.map((check) => [
      `${check.repo}@${check.branch}`,
      check.acknowledged,
      check.inHistory,
      check.unaccounted,
      check.lost.length,
    ]),
  );
  const sharedConflicts =
    figures.find((row) => row.kind.startsWith("commit to shared branch"))?.statuses["412"] ?? 0;
  const examples = recorder.examples();
  printTable(
    "Summary",
    ["measure", "value"],
    [
      ["client operations", recorder.operations],
      ["operations per second", round(recorder.operations / loadSeconds, 1)],
      ["HTTP answers seen (the hub client's own requests included)", recorder.httpAnswers],
      ["5xx answers", recorder.serverErrors],
      ["unexpected outcomes (wrong status or bytes, no answer)", recorder.unexpected],
      ["commits acknowledged", commits.size],
      ["412 answers to a stale parentCommit on the shared branch (expected)", sharedConflicts],
      ["lost commits", verificationError ? `not checked: ${verificationError}` : lost.length],
      [
        "hangar fsck --verify while the server runs (after the load)",
        fsckAlongside ? describeFsck(fsckAlongside) : "not run: the server exited",
      ],
      ["hangar fsck --verify after the server stopped", describeFsck(fsckAfterStop)],
      ["server RSS before the load, MB", megabytes(idle.rss)],
      ["server peak RSS during the load (sampled every 100 ms), MB", megabytes(rss.peak)],
      ["server VmHWM since start (first start trains the factory models), MB", megabytes(highWaterMark)],
      ["server CPU seconds during the load", round(serverCpuSeconds, 1)],
      ["clients' CPU seconds during the load (this process, on the same cores)", round(clientCpuSeconds, 1)],
      [
        "load average at start / after the load",
        `${machineAtStart.loadAverage} / ${machineAfterLoad.loadAverage}`,
      ],
      ["server crashed", crashed ? `yes: code ${crashed.code}, signal ${crashed.signal}` : "no"],
    ],
  );
  if (examples.serverErrors.length > 0) {
    process.stdout.write("\n5xx answers (first 20):\n");
    for (const error of examples.serverErrors) {
      process.stdout.write(`  ${error.status} ${error.request}: ${error.body}\n`);
    }
  }
  if (examples.unexpected.length > 0) {
    process.stdout.write("\nUnexpected outcomes (first 20):\n");
    for (const line of examples.unexpected) process.stdout.write(`  ${line}\n`);
  }
  for (const entry of lost.slice(0, 20)) {
    process.stdout.write(`Lost: ${entry.repo}@${entry.branch} ${entry.oid}: ${entry.reason}\n`);
  }
  for (const [when, outcome] of [
    ["while the server runs", fsckAlongside],
    ["after the server stopped", fsckAfterStop],
  ] as const) {
    for (const problem of outcome?.problems.slice(0, 20) ?? []) {
      process.stdout.write(`fsck ${when}: ${problem.kind}: ${problem.message}\n`);
    }
  }
  const serverLog = server.stderr().trim();
  if (serverLog) {
    process.stdout.write(`\nServer stderr (newest part):\n${serverLog.slice(-20_000)}\n`);
  }

  const gates: Array<[string, boolean]> = [
    ["no 5xx answer", recorder.serverErrors === 0],
    ["no unexpected outcome", recorder.unexpected === 0],
    ["every acknowledged commit in its branch", verificationError === undefined && lost.length === 0],
    ["fsck clean while the server runs and after it stopped", fsckAlongside?.ok === true && fsckAfterStop.ok],
    ["server alive through the load", crashed === undefined],
  ];
  printTable(
    "Gates",
    ["gate", "status"],
    gates.map(([name, met]) => [name, verdict(met)]),
  );
  const machineAtEnd = machineInfo();
  process.stdout.write(`Load average at the end: ${machineAtEnd.loadAverage}\n`);
  printJsonLine({
    benchmark: "soak",
    machine: {
      ...machineAtStart,
      loadAverageAfterLoad: machineAfterLoad.loadAverage,
      loadAverageAtEnd: machineAtEnd.loadAverage,
    },
    clients: CLIENTS,
    seconds: round(loadSeconds, 1),
    users: USERS,
    seed: SEED,
    operations: recorder.operations,
    httpAnswers: recorder.httpAnswers,
    serverErrors: recorder.serverErrors,
    unexpected: recorder.unexpected,
    kinds: figures,
    commits: {
      acknowledged: commits.size,
      sharedConflicts,
      lost: lost.length,
      ...(verificationError ? { verificationError } : {}),
      branches: branchChecks.map(({ lost: lostHere, ...check }) => ({ ...check, lost: lostHere.length })),
    },
    fsck: {
      alongside: fsckAlongside ? { ...fsckAlongside, problems: fsckAlongside.problems.length } : null,
      afterStop: { ...fsckAfterStop, problems: fsckAfterStop.problems.length },
    },
    rss: {
      idleMB: megabytes(idle.rss),
      peakMB: megabytes(rss.peak),
      highWaterMarkMB: megabytes(highWaterMark),
      samples: rss.samples,
    },
    serverCpuSeconds: round(serverCpuSeconds, 1),
    clientCpuSeconds: round(clientCpuSeconds, 1),
    crashed: crashed ?? null,
    passed: gates.every(([, met]) => met),
  });
  return gates.every(([, met]) => met) ? 0 : 1;
}

async function main(): Promise<number> {
  try {
    return await run();
  } finally {
    await runCleanups();
  }
}

process.exitCode = await main();
