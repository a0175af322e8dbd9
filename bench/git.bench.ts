// `npm run bench:git`: time of `git clone` from Hangar against `git clone` from `git http-backend` serving the
// same content as a bare repository, in the same run: a repo of 1,000 small files, and the same files with a
// 1 GB weights file (through Git LFS from Hangar, the way the Hub serves it; inside the pack from the bare
// repository, which is what plain git does with it). A third row clones Hangar's repo with
// GIT_LFS_SKIP_SMUDGE=1 (pointers only). Prints a table, then one JSON line; exits 0 when it ran.
// Knobs: HANGAR_BENCH_GIT_FILES (default 1000), HANGAR_BENCH_FILE_MB (default 1024), HANGAR_BENCH_ROUNDS
// (default 3).
import { execFile } from "node:child_process";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { defaultConfig } from "../src/core/config.ts";
import { createHangar } from "../src/hangar.ts";
import { localAdministrator } from "../src/hub/accounts/principal.ts";
import { importFolder } from "../src/hub/import-folder.ts";
import { makeDataFile } from "./lib/data-file.ts";
import { numberFromEnv } from "./lib/env.ts";
import { startGitHttpBackend } from "./lib/git-http-backend.ts";
import { startHangarProcess } from "./lib/hangar-process.ts";
import { describeMachine, machineInfo, printLoad } from "./lib/machine.ts";
import { MB, median, round, secondsSince } from "./lib/stats.ts";
import { printJsonLine, printTable } from "./lib/table.ts";
import { makeTempDir, onCleanup, runCleanups } from "./lib/temp.ts";

const run = promisify(execFile);

const FILES = numberFromEnv("HANGAR_BENCH_GIT_FILES", 1000);
const LARGE_SIZE = numberFromEnv("HANGAR_BENCH_FILE_MB", 1024) * MB;
const ROUNDS = numberFromEnv("HANGAR_BENCH_ROUNDS", 3);
const WEIGHTS = "weights.bin";

/** git with no system or user configuration but a HOME of its own (where `git lfs install` writes). */
function gitEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    LC_ALL: "C",
    GIT_AUTHOR_NAME: "bench",
    GIT_AUTHOR_EMAIL: "bench@example.com",
    GIT_COMMITTER_NAME: "bench",
    GIT_COMMITTER_EMAIL: "bench@example.com",
    GIT_TERMINAL_PROMPT: "0",
    ...extra,
  };
}

async function git(args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<string> {
  const { stdout } = await run("git", args, { ...options, maxBuffer: 64 * MB });
  return stdout.trim();
}

/** Text files of 1 to 8 KB in nested folders, the same bytes on every run. */
async function writeSmallFiles(folder: string): Promise<number> {
  let bytes = 0;
  let state = 7;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state;
  };
  for (let index = 0; index < FILES; index++) {
    const dir = join(folder, `part-${index % 20}`, `group-${Math.floor(index / 20) % 10}`);
    await mkdir(dir, { recursive: true });
    const lines: string[] = [];
    const size = 1024 + (next() % 7168);
    let length = 0;
    while (length < size) {
      const line = `${index} ${next().toString(36)} ${next().toString(36)} ${next().toString(16)}`;
      lines.push(line);
      length += line.length + 1;
    }
    const text = `${lines.join("\n")}\n`;
    await writeFile(join(dir, `file-${index}.txt`), text);
    bytes += Buffer.byteLength(text);
  }
  return bytes;
}

/** A bare repository holding the folder as one commit, fully packed (what a served repository looks like). */
async function bareRepository(folder: string, bare: string, home: string): Promise<void> {
  const env = gitEnv(home);
  await git(["init", "-q", "-b", "main", "."], { cwd: folder, env });
  await git(["add", "-A"], { cwd: folder, env });
  await git(["commit", "-q", "-m", "bench content"], { cwd: folder, env });
  await git(["clone", "-q", "--bare", folder, bare], { env });
  await git(["repack", "-a", "-d", "-q"], { cwd: bare, env });
  await rm(join(folder, ".git"), { recursive: true, force: true });
}

interface CloneTiming {
  seconds: number;
  bytes: number;
}

/** Bytes of the checked-out files (the .git folder aside), to check that every clone got the content. */
async function checkedOutBytes(folder: string): Promise<number> {
  const { stdout } = await run("du", ["-sb", "--exclude=.git", folder]);
  return Number(stdout.split(/\s/)[0]);
}

async function timeClone(url: string, into: string, env: NodeJS.ProcessEnv): Promise<CloneTiming> {
  await rm(into, { recursive: true, force: true });
  const start = process.hrtime.bigint();
  await git(["clone", "-q", url, into], { env });
  const seconds = secondsSince(start);
  const bytes = await checkedOutBytes(into);
  await rm(into, { recursive: true, force: true });
  return { seconds, bytes };
}

async function main(): Promise<number> {
  process.stdout.write(`${describeMachine(machineInfo())}\n`);
  process.stdout.write(`Preparing: ${FILES} small files, a ${LARGE_SIZE / MB} MB weights file ...\n`);
  const work = await makeTempDir("git");
  const clientHome = join(work, "client-home");
  await mkdir(clientHome);
  // git-lfs's filters in the client's own global config, as `git lfs install` sets them for a user.
  await git(["lfs", "install", "--skip-repo"], { env: gitEnv(clientHome) });

  const small = join(work, "small");
  const smallBytes = await writeSmallFiles(small);
  const large = join(work, "large");
  await writeSmallFiles(large);
  await makeDataFile(join(large, WEIGHTS), LARGE_SIZE);

  // Hangar: both folders imported through the hub (the weights become an LFS file, as on the Hub).
  const home = join(work, "hangar");
  const hangar = await createHangar(defaultConfig(home));
  try {
    for (const [name, folder] of [
      ["small-files", small],
      ["with-weights", large],
    ] as const) {
      await importFolder(hangar, localAdministrator(), {
        folder,
        repo: { type: "model", namespace: "bench", name },
        message: "bench content",
      });
    }
  } finally {
    await hangar.close();
  }
  const server = await startHangarProcess(home);
  onCleanup(server.stop);

  // The baseline: the same files as bare repositories (the weights as an ordinary blob).
  const bareRoot = join(work, "bare");
  await bareRepository(small, join(bareRoot, "small-files.git"), clientHome);
  await bareRepository(large, join(bareRoot, "with-weights.git"), clientHome);
  const backend = await startGitHttpBackend(bareRoot);
  onCleanup(backend.stop);

  const into = join(work, "clone");
  const env = gitEnv(clientHome);
  const pointersOnly = gitEnv(clientHome, { GIT_LFS_SKIP_SMUDGE: "1" });
  const cases = [
    {
      name: `${FILES} small files`,
      hangar: () => timeClone(`${server.url}/bench/small-files`, into, env),
      baseline: () => timeClone(`${backend.url}/small-files.git`, into, env),
      expectedBytes: smallBytes,
    },
    {
      name: `${FILES} files + ${LARGE_SIZE / MB} MB weights`,
      hangar: () => timeClone(`${server.url}/bench/with-weights`, into, env),
      baseline: () => timeClone(`${backend.url}/with-weights.git`, into, env),
      expectedBytes: smallBytes + LARGE_SIZE,
    },
  ];
  // Warm-up: one clone of each, so both servers start from the page cache.
  for (const entry of cases) {
    for (const [side, clone] of [
      ["Hangar", entry.hangar],
      ["git http-backend", entry.baseline],
    ] as const) {
      const { bytes } = await clone();
      // Hangar's repos also hold .gitattributes (LFS rules), so they may be a little larger.
      if (bytes < entry.expectedBytes) {
        throw new Error(
          `${side}'s clone of "${entry.name}" has ${bytes} bytes, expected ${entry.expectedBytes}`,
        );
      }
    }
  }
  printLoad("before the timed clones");
  const rows: Array<Array<string | number>> = [];
  const json: Array<Record<string, unknown>> = [];
  for (const entry of cases) {
    const hangarTimes: number[] = [];
    const baselineTimes: number[] = [];
    // Alternating, so both sides see the same load.
    for (let round = 0; round < ROUNDS; round++) {
      hangarTimes.push((await entry.hangar()).seconds);
      baselineTimes.push((await entry.baseline()).seconds);
    }
    const hangarMedian = median(hangarTimes);
    const baselineMedian = median(baselineTimes);
    const ratio = round(baselineMedian / hangarMedian, 2);
    rows.push([entry.name, round(hangarMedian, 2), round(baselineMedian, 2), ratio]);
    json.push({
      case: entry.name,
      hangarSeconds: hangarMedian,
      httpBackendSeconds: baselineMedian,
      speedup: ratio,
    });
  }
  const skipTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    skipTimes.push((await timeClone(`${server.url}/bench/with-weights`, into, pointersOnly)).seconds);
  }
  rows.push([`${FILES} files + weights, GIT_LFS_SKIP_SMUDGE=1`, round(median(skipTimes), 2), "-", "-"]);
  printLoad("after the timed clones");
  printTable(
    `git clone, median of ${ROUNDS} (seconds; speed-up = http-backend time / Hangar time, > 1 means Hangar is faster)`,
    ["case", "Hangar s", "git http-backend s", "speed-up"],
    rows,
  );
  printJsonLine({
    bench: "git",
    files: FILES,
    largeMB: LARGE_SIZE / MB,
    rounds: ROUNDS,
    cases: json,
    skipSmudgeSeconds: median(skipTimes),
    load: machineInfo().loadAverage,
  });
  const weights = await stat(join(large, WEIGHTS));
  if (weights.size !== LARGE_SIZE) throw new Error("the weights file changed during the run");
  return 0;
}

main()
  .then(async (code) => {
    await runCleanups();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    process.stderr.write(
      `bench:git failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    await runCleanups();
    process.exit(1);
  });
