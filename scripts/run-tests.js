#!/usr/bin/env node
// Runs every `*.test.ts` under test/ (test/unit, test/integration, or anywhere else under test/) with Node's own
// test runner, one child process per file, several files at a time.
//
//   node scripts/run-tests.js [options] [fragment ...]
//
// A fragment keeps the files whose path contains it (`hub-read`, `test/unit/`). Options:
//   --unit          only test/unit
//   --integration   everything else (test/integration and any test file elsewhere under test/)
//   --jobs N        files run at once (HANGAR_TEST_JOBS; default: the CPUs + 1, at least 2)
//   --serial        one file at a time
//
// Files run in parallel because none shares state with another: each test makes its own temp home, port 0,
// PostgreSQL database and S3 server. The few files in EXCLUSIVE measure time on a busy machine (how fast a
// server answers while it works, how soon it drops a slow client); they run one at a time with nothing beside
// them, after the rest. Each file's output is printed whole when it ends; the summary lists the failed files.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, relative, sep } from "node:path";

const ROOT = join(import.meta.dirname, "..");

/** Files whose assertions are timings that other files' CPU load would upset: they run alone. */
const EXCLUSIVE = [
  "test/integration/card-limits.test.ts",
  "test/integration/server-timeouts.test.ts",
  "test/integration/scale-out.test.ts",
];

/** A file that neither passes nor fails in this long (a hung server, a stuck child) is killed and fails. */
const FILE_TIMEOUT_MS = Number(process.env.HANGAR_TEST_FILE_TIMEOUT_MS ?? 15 * 60_000);

/** How long each file took last time, so the longest start first (kept per checkout in the temp folder). */
const DURATIONS = join(
  tmpdir(),
  `hangar-test-durations-${Buffer.from(ROOT).toString("base64url").slice(-40)}.json`,
);

function findTests(folder) {
  const found = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (entry.name.endsWith(".test.ts")) found.push(path);
  }
  return found;
}

function parseArguments(argv) {
  const options = { fragments: [], unit: false, integration: false, jobs: undefined };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === "--unit") options.unit = true;
    else if (argument === "--integration") options.integration = true;
    else if (argument === "--serial") options.jobs = 1;
    else if (argument === "--jobs" || argument.startsWith("--jobs=")) {
      const value = argument === "--jobs" ? argv[++index] : argument.slice("--jobs=".length);
      options.jobs = Number(value);
      if (!Number.isInteger(options.jobs) || options.jobs < 1)
        fail(`--jobs must be a positive integer, got "${value}"`);
    } else if (argument.startsWith("--")) fail(`Unknown option ${argument}`);
    else options.fragments.push(argument);
  }
  options.jobs ??= Number(process.env.HANGAR_TEST_JOBS) || Math.max(2, availableParallelism() + 1);
  return options;
}

function fail(message) {
  console.error(`run-tests: ${message}`);
  process.exit(2);
}

function readDurations() {
  try {
    return JSON.parse(readFileSync(DURATIONS, "utf8"));
  } catch {
    return {};
  }
}

const options = parseArguments(process.argv.slice(2));
const isUnit = (file) => file.startsWith("test/unit/");
const files = findTests(join(ROOT, "test"))
  .map((path) => relative(ROOT, path).split(sep).join("/"))
  .filter((file) => !options.unit || isUnit(file))
  .filter((file) => !options.integration || !isUnit(file))
  .filter((file) => options.fragments.length === 0 || options.fragments.some((part) => file.includes(part)))
  .sort();
if (files.length === 0)
  fail(`No test files match ${[...process.argv.slice(2)].join(" ") || "test/**/*.test.ts"}`);

const durations = readDurations();
// Longest first (unknown files count as long), so the pool does not end waiting on one slow file.
const byLength = (a, b) => (durations[b] ?? 60_000) - (durations[a] ?? 60_000) || a.localeCompare(b);
const exclusive = files.filter((file) => EXCLUSIVE.includes(file)).sort(byLength);
const shared = files.filter((file) => !EXCLUSIVE.includes(file)).sort(byLength);

const running = new Set();
function stopAll(signal) {
  for (const child of running) child.kill("SIGTERM");
  process.exit(signal === "SIGINT" ? 130 : 143);
}
process.once("SIGINT", stopAll);
process.once("SIGTERM", stopAll);

/** Runs one file in its own `node --test` process; resolves with its result once it exits. */
function runFile(file) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", file], {
      cwd: ROOT,
      env: { ...process.env, HANGAR_TEST: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    const chunks = [];
    child.stdout.on("data", (chunk) => chunks.push(chunk));
    child.stderr.on("data", (chunk) => chunks.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, FILE_TIMEOUT_MS);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      const output = Buffer.concat(chunks).toString("utf8");
      const count = (name) => Number(new RegExp(`^ℹ ${name} (\\d+)$`, "m").exec(output)?.[1] ?? 0);
      resolve({
        file,
        ok: code === 0 && !timedOut,
        why: timedOut
          ? `killed after ${FILE_TIMEOUT_MS / 1000} s`
          : signal
            ? `killed by ${signal}`
            : `exit ${code}`,
        ms: Date.now() - started,
        output,
        tests: count("tests"),
        pass: count("pass"),
        // A test cancelled because its suite's hook failed counts as failed.
        fail: count("fail") + count("cancelled"),
      });
    });
  });
}

const results = [];
function report(result) {
  results.push(result);
  const mark = result.ok ? "✔" : "✖";
  const done = `[${results.length}/${files.length}]`;
  process.stdout.write(`\n${mark} ${done} ${result.file} (${(result.ms / 1000).toFixed(1)} s)\n`);
  process.stdout.write(result.output.endsWith("\n") ? result.output : `${result.output}\n`);
}

async function runPool(queue, jobs) {
  const workers = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) report(await runFile(file));
  });
  await Promise.all(workers);
}

const startedAt = Date.now();
const jobs = Math.min(options.jobs, shared.length);
console.log(
  exclusive.length === 0
    ? `Running ${files.length} test file(s), ${jobs} at a time`
    : `Running ${files.length} test file(s): ${shared.length} side by side (${jobs} at a time), then ${exclusive.length} alone (${exclusive.join(", ")})`,
);
await runPool([...shared], options.jobs);
await runPool([...exclusive], 1);
const wallMs = Date.now() - startedAt;

writeFileSync(
  DURATIONS,
  JSON.stringify({ ...durations, ...Object.fromEntries(results.map((r) => [r.file, r.ms])) }),
);

const total = (key) => results.reduce((sum, result) => sum + result[key], 0);
const failed = results.filter((result) => !result.ok);
const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 5);
console.log("\n──────── summary ────────");
console.log(`files: ${results.length - failed.length} passed, ${failed.length} failed, of ${results.length}`);
console.log(`tests: ${total("pass")} passed, ${total("fail")} failed, of ${total("tests")}`);
console.log(`wall time: ${(wallMs / 1000).toFixed(1)} s with ${options.jobs} at a time`);
console.log(`slowest: ${slowest.map((r) => `${r.file} ${(r.ms / 1000).toFixed(1)} s`).join(", ")}`);
for (const result of failed) {
  // Node's spec reporter repeats every failed test under "failing tests:" at the end of a file's output.
  const failing = result.output.slice(result.output.lastIndexOf("failing tests:"));
  const names = [...failing.matchAll(/^✖ (.+?)(?: \([\d.]+m?s\))?$/gm)].map((match) => match[1]);
  const distinct = result.output.includes("failing tests:") ? [...new Set(names)] : [];
  console.log(`✖ ${result.file} (${result.why})${distinct.length ? `: ${distinct.join("; ")}` : ""}`);
}
process.exit(failed.length === 0 ? 0 : 1);
