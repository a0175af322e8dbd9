import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes, randomInt } from "node:crypto";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { makeTempDir } from "../helpers/test-hangar.ts";

const ADMIN_TOKEN = "hf_crash_admin_token_0123456789abcdef";
const REPO = "team/crash";
const KILLS = 3;
const WRITERS = 3;
const LFS = { accept: "application/vnd.git-lfs+json", "content-type": "application/vnd.git-lfs+json" };

interface Server {
  process: ChildProcess;
  url: string;
}

/** Starts `hangar serve` as a child process and reads the URL it prints. */
async function startServer(home: string): Promise<Server> {
  const child = spawn(process.execPath, ["bin/hangar.js", "serve", "--home", home, "--port", "0", "--json"], {
    env: { ...process.env, HANGAR_ADMIN_TOKEN: ADMIN_TOKEN, HANGAR_NO_DEMO: "1", HANGAR_HOME: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`hangar serve exited with ${code}: ${stderr}`)));
    lines.on("line", (line) => {
      if (!line.startsWith("{")) return;
      const parsed = JSON.parse(line) as { url?: string };
      if (parsed.url) resolve(parsed.url);
    });
  });
  return { process: child, url };
}

async function kill(server: Server, signal: NodeJS.Signals): Promise<void> {
  if (server.process.exitCode !== null || server.process.signalCode !== null) return;
  const exited = new Promise((resolve) => server.process.once("exit", resolve));
  server.process.kill(signal);
  await exited;
}

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Uploads bytes through the LFS batch API and the signed URL it answers with. */
async function uploadLfs(url: string, bytes: Buffer): Promise<{ oid: string; size: number }> {
  const oid = createHash("sha256").update(bytes).digest("hex");
  const batch = await fetch(`${url}/${REPO}.git/info/lfs/objects/batch`, {
    method: "POST",
    headers: { ...LFS, ...auth },
    body: JSON.stringify({
      operation: "upload",
      transfers: ["basic"],
      hash_algo: "sha256",
      objects: [{ oid, size: bytes.byteLength }],
    }),
  });
  assert.equal(batch.status, 200);
  const answer = (await batch.json()) as { objects: Array<{ actions?: { upload: { href: string } } }> };
  const href = answer.objects[0]?.actions?.upload.href;
  if (href) {
    const put = await fetch(href, { method: "PUT", body: bytes });
    assert.equal(put.status, 200);
  }
  return { oid, size: bytes.byteLength };
}

interface Attempt {
  title: string;
  files: Map<string, Buffer>;
}

/**
 * Commits in a loop until the server dies: small files inline (base64), every third commit an LFS file too.
 * Acknowledged commits (200 with a commitOid) go to `acked`; `inFlight` holds what was sent but not answered.
 */
async function writeUntilDead(
  url: string,
  name: string,
  acked: Map<string, Attempt>,
  inFlight: Set<Attempt>,
): Promise<void> {
  for (let index = 0; ; index++) {
    const attempt: Attempt = { title: `${name}-${index}`, files: new Map() };
    inFlight.add(attempt);
    try {
      const lines: unknown[] = [{ key: "header", value: { summary: attempt.title } }];
      const text = Buffer.from(`${attempt.title} ${randomBytes(8).toString("hex")}\n`);
      attempt.files.set(`${name}/${index}.txt`, text);
      lines.push({
        key: "file",
        value: { path: `${name}/${index}.txt`, content: text.toString("base64"), encoding: "base64" },
      });
      if (index % 3 === 0) {
        const weights = randomBytes(256 * 1024);
        const { oid, size } = await uploadLfs(url, weights);
        attempt.files.set(`${name}/${index}.bin`, weights);
        lines.push({ key: "lfsFile", value: { path: `${name}/${index}.bin`, algo: "sha256", oid, size } });
      }
      const response = await fetch(`${url}/api/models/${REPO}/commit/main`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson", ...auth },
        body: lines.map((line) => JSON.stringify(line)).join("\n"),
      });
      const body = (await response.json()) as { commitOid?: string };
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.match(body.commitOid ?? "", /^[0-9a-f]{40}$/);
      acked.set(body.commitOid!, attempt);
      inFlight.delete(attempt);
    } catch (error) {
      // Only the server's death ends the loop; any answer but 200 is a real failure.
      if (error instanceof assert.AssertionError) throw error;
      return;
    }
  }
}

/** Runs the CLI without blocking the event loop, so the test's HTTP writers keep going meanwhile. */
function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["bin/hangar.js", ...args], {
    env: { ...process.env, HANGAR_HOME: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once("close", (status) => resolve({ status, stdout, stderr })));
}

interface FsckJson {
  ok: boolean;
  problems: unknown[];
  counts: { tempFiles: number };
}

function fsckCli(home: string): { status: number | null; report: FsckJson } {
  const result = spawnSync(
    process.execPath,
    ["bin/hangar.js", "fsck", "--verify", "--json", "--home", home],
    {
      encoding: "utf8",
      env: { ...process.env, HANGAR_HOME: "" },
    },
  );
  return { status: result.status, report: JSON.parse(result.stdout) as FsckJson };
}

describe("crash safety: SIGKILL in the middle of uploads and commits", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let server: Server | undefined;
  before(async () => {
    temp = await makeTempDir("hangar-crash-");
  });
  after(async () => {
    if (server) await kill(server, "SIGKILL");
    await temp.remove();
  });

  it("keeps every acknowledged commit and never leaves a half state", async (t) => {
    server = await startServer(temp.path);
    const created = await fetch(`${server.url}/api/repos/create`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify({ name: "crash", organization: "team", type: "model" }),
    });
    assert.equal(created.status, 200);
    const acked = new Map<string, Attempt>();

    for (let round = 0; round < KILLS; round++) {
      const inFlight = new Set<Attempt>();
      const ackedBefore = acked.size;
      const writers = Array.from({ length: WRITERS }, (_, writer) =>
        writeUntilDead(server!.url, `round${round}-writer${writer}`, acked, inFlight),
      );
      // gc in another process, as `hangar gc` next to a running server, while commits land.
      const collecting = runCli(["gc", "--grace", "10", "--json", "--home", temp.path]);
      let failure: unknown;
      for (const writer of writers) writer.catch((error: unknown) => (failure ??= error));
      // Let some commits land, then kill at a random moment while the writers are busy.
      while (acked.size < ackedBefore + 3) {
        if (failure) throw failure;
        assert.equal(server.process.exitCode, null, "the server is still running");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await new Promise((resolve) => setTimeout(resolve, randomInt(0, 400)));
      await kill(server, "SIGKILL");
      await Promise.all(writers);
      const unanswered = new Set([...inFlight].map((attempt) => attempt.title));
      const collected = await collecting;
      assert.equal(collected.status, 0, collected.stderr);
      const freed = JSON.parse(collected.stdout) as { removedBlobs: number; removedTempFiles: number };

      const checked = fsckCli(temp.path);
      t.diagnostic(
        `round ${round}: ${acked.size - ackedBefore} acknowledged, ${unanswered.size} unanswered at the kill, ${checked.report.counts.tempFiles} temp file(s) left; gc meanwhile removed ${freed.removedBlobs} blob(s) and ${freed.removedTempFiles} temp file(s)`,
      );
      assert.deepEqual(checked.report.problems, [], `round ${round}: fsck after the kill`);
      assert.equal(checked.report.ok, true);
      assert.equal(checked.status, 0);

      server = await startServer(temp.path);
      for (const oid of acked.keys()) {
        const response = await fetch(`${server.url}/api/models/${REPO}/revision/${oid}`, { headers: auth });
        assert.equal(response.status, 200, `round ${round}: acknowledged commit ${oid} resolves`);
        assert.equal(((await response.json()) as { sha: string }).sha, oid);
      }
      const listing = await fetch(`${server.url}/api/models/${REPO}/commits/main?limit=1000`, {
        headers: auth,
      });
      assert.equal(listing.status, 200);
      const history = (await listing.json()) as Array<{ id: string; title: string }>;
      const head = history[0]!;
      t.diagnostic(
        `round ${round}: head ${head.title} was ${acked.has(head.id) ? "acknowledged" : "unanswered"}`,
      );
      assert.ok(
        acked.has(head.id) || unanswered.has(head.title),
        `round ${round}: the head ${head.title} is an acknowledged commit or one sent just before the kill`,
      );
      const ids = new Set(history.map((entry) => entry.id));
      for (const oid of acked.keys())
        assert.ok(ids.has(oid), `round ${round}: ${oid} is in the history of main`);
      assert.equal(history.at(-1)?.title, "initial commit");

      // The files of the newest acknowledged commit come back byte for byte.
      const [newestOid, newest] = [...acked].at(-1)!;
      for (const [path, bytes] of newest.files) {
        const download = await fetch(`${server.url}/${REPO}/resolve/${newestOid}/${path}`, { headers: auth });
        assert.equal(download.status, 200);
        assert.ok(Buffer.from(await download.arrayBuffer()).equals(bytes), `${path} round-trips`);
      }
    }
  });
});
