import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { defaultConfig, resolveConfig } from "../../src/core/config.ts";
import { createHangar } from "../../src/hangar.ts";
import { generateCatalog } from "../../src/hub/catalog/generate-catalog.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { type ServeProcess, spawnServe, stopServe } from "../helpers/serve-process.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

const BIN = join(import.meta.dirname, "..", "..", "bin", "hangar.js");

/** An environment that cannot point the CLI at another instance, on an empty instance (no demo, no catalog). */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("HANGAR_")) delete env[name];
  return { ...env, HANGAR_NO_DEMO: "1", HANGAR_NO_CATALOG: "1", ...extra };
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `hangar serve` expecting it to fail at start. */
function serveFailing(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, "serve", ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function assertOneLine(result: CliResult, expected: string | RegExp, exitCode: number): void {
  assert.equal(result.code, exitCode, result.stderr);
  assert.equal(result.stdout, "");
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  if (typeof expected === "string") assert.equal(lines[0], expected);
  else assert.match(lines[0]!, expected);
}

describe("hangar serve --host and HANGAR_HOST", () => {
  let home: { path: string; remove: () => Promise<void> };
  before(async () => {
    home = await makeTempDir("hangar-serve-host-");
  });
  after(() => home.remove());

  it("listens on --host 127.0.0.1 with --port 0 and prints the URL it serves", async () => {
    const served = await spawnServe(["--home", home.path, "--host", "127.0.0.1", "--port", "0"], cleanEnv());
    try {
      assert.match(served.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.notEqual(served.url, "http://127.0.0.1:0");
      assert.ok(
        served.output().startsWith(`Hangar is serving ${home.path} at ${served.url}\n`),
        served.output(),
      );
      const response = await fetch(`${served.url}/api/models`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), []);
    } finally {
      await stopServe(served.child);
    }
  });

  it("takes the address from HANGAR_HOST, and --host wins over it", async () => {
    const fromEnv = await spawnServe(
      ["--home", home.path],
      cleanEnv({ HANGAR_HOST: "localhost", HANGAR_PORT: "0" }),
    );
    try {
      assert.match(fromEnv.url, /^http:\/\/localhost:\d+$/);
      assert.equal((await fetch(`${fromEnv.url}/api/models`)).status, 200);
    } finally {
      await stopServe(fromEnv.child);
    }
    const flagWins = await spawnServe(
      ["--home", home.path, "--host", "127.0.0.1"],
      cleanEnv({ HANGAR_HOST: "host.invalid", HANGAR_PORT: "0" }),
    );
    try {
      assert.match(flagWins.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await stopServe(flagWins.child);
    }
  });

  it("treats an empty HANGAR_HOST as unset: the loopback default, not every interface", async () => {
    assert.equal(resolveConfig({ env: { HANGAR_HOST: "" } }).host, "127.0.0.1");
    assert.equal(resolveConfig({ env: { HANGAR_PORT: "" } }).port, 7860);
    const served = await spawnServe(["--home", home.path, "--port", "0"], cleanEnv({ HANGAR_HOST: "" }));
    try {
      assert.match(served.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await stopServe(served.child);
    }
  });

  it("refuses a host it cannot listen on with one line and exit code 1", async () => {
    const unknown = await serveFailing(
      ["--home", home.path, "--host", "host.invalid", "--port", "0"],
      cleanEnv(),
    );
    assertOneLine(
      unknown,
      /^hangar serve: Cannot listen on host\.invalid port 0: getaddrinfo \S+ host\.invalid$/,
      1,
    );

    const fromEnv = await serveFailing(
      ["--home", home.path],
      cleanEnv({ HANGAR_HOST: "host.invalid", HANGAR_PORT: "0" }),
    );
    assertOneLine(fromEnv, /^hangar serve: Cannot listen on host\.invalid port 0: /, 1);

    // A usage error stops `hangar serve` before it opens anything, so the CLI's main() runs in-process.
    const empty = await runCli(["serve", "--home", home.path, "--host", "", "--port", "0"], cleanEnv());
    assertOneLine(empty, 'hangar serve: --host must be an address or host name, got ""', 2);
  });

  it("refuses an invalid port with one line naming the source and exit code 2", async () => {
    for (const [args, env, expected] of [
      [["--port", "99999"], {}, 'hangar serve: --port must be an integer from 0 to 65535, got "99999"'],
      [["--port", "abc"], {}, 'hangar serve: --port must be an integer from 0 to 65535, got "abc"'],
      [["--port", ""], {}, 'hangar serve: --port must be an integer from 0 to 65535, got ""'],
      [[], { HANGAR_PORT: "-1" }, 'hangar serve: HANGAR_PORT must be an integer from 0 to 65535, got "-1"'],
      [
        [],
        { HANGAR_PORT: "80.5" },
        'hangar serve: HANGAR_PORT must be an integer from 0 to 65535, got "80.5"',
      ],
    ] as const) {
      const result = await runCli(["serve", "--home", home.path, ...args], cleanEnv(env));
      assertOneLine(result, expected, 2);
    }
  });

  it("refuses a port already in use with one line and exit code 1", async () => {
    const first = await spawnServe(["--home", home.path, "--host", "127.0.0.1", "--port", "0"], cleanEnv());
    try {
      const port = new URL(first.url).port;
      const second = await serveFailing(
        ["--home", home.path, "--host", "127.0.0.1", "--port", port],
        cleanEnv(),
      );
      assertOneLine(
        second,
        `hangar serve: Cannot listen on 127.0.0.1 port ${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
        1,
      );
    } finally {
      await stopServe(first.child);
    }
  });
});

describe("hangar serve with the limit variables", () => {
  const ADMIN = "hf_serve_limits_admin_token_0123456789";
  let home: { path: string; remove: () => Promise<void> };
  let served: ServeProcess;
  const auth = { authorization: `Bearer ${ADMIN}` };

  before(async () => {
    home = await makeTempDir("hangar-serve-limits-");
    served = await spawnServe(
      ["--home", home.path, "--host", "127.0.0.1", "--port", "0"],
      cleanEnv({
        HANGAR_ADMIN_TOKEN: ADMIN,
        HANGAR_LFS_THRESHOLD: "1000",
        HANGAR_MAX_FILE_SIZE: "5000",
        HANGAR_MAX_FILES_PER_COMMIT: "2",
        HANGAR_MAX_REQUEST_BODY_SIZE: "20000",
      }),
    );
    const created = await fetch(`${served.url}/api/repos/create`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "limited", organization: "admin", type: "model" }),
    });
    assert.equal(created.status, 200, await created.text());
  });
  after(async () => {
    await stopServe(served.child);
    await home.remove();
  });

  it("applies HANGAR_LFS_THRESHOLD to preupload", async () => {
    const sample = Buffer.from("text").toString("base64");
    const response = await fetch(`${served.url}/api/models/admin/limited/preupload/main`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        files: [
          { path: "at.txt", size: 1000, sample },
          { path: "under.txt", size: 999, sample },
        ],
      }),
    });
    assert.deepEqual(await response.json(), {
      files: [
        { path: "at.txt", uploadMode: "lfs", shouldIgnore: false },
        { path: "under.txt", uploadMode: "regular", shouldIgnore: false },
      ],
    });
  });

  it("applies HANGAR_MAX_FILE_SIZE to the LFS batch API", async () => {
    const oid = createHash("sha256").update("any").digest("hex");
    const response = await fetch(`${served.url}/admin/limited.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/vnd.git-lfs+json" },
      body: JSON.stringify({ operation: "upload", transfers: ["basic"], objects: [{ oid, size: 5001 }] }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { objects: unknown[] };
    assert.deepEqual(body.objects, [
      {
        oid,
        size: 5001,
        error: { code: 413, message: `${oid} is 5001 bytes, over the limit of 5000 bytes` },
      },
    ]);
  });

  it("applies HANGAR_MAX_FILES_PER_COMMIT and HANGAR_MAX_REQUEST_BODY_SIZE to commits", async () => {
    const line = (value: unknown) => `${JSON.stringify(value)}\n`;
    const file = (path: string, text: string) =>
      line({
        key: "file",
        value: { path, content: Buffer.from(text).toString("base64"), encoding: "base64" },
      });
    const post = (body: string) =>
      fetch(`${served.url}/api/models/admin/limited/commit/main`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/x-ndjson" },
        body,
      });
    const header = line({ key: "header", value: { summary: "limits" } });

    const tooMany = await post(header + file("a.txt", "a") + file("b.txt", "b") + file("c.txt", "c"));
    assert.equal(tooMany.status, 413);
    assert.equal(
      tooMany.headers.get("x-error-message"),
      "A commit may hold at most 2 operations (line 4 is one more)",
    );

    const body = header + file("big.txt", "x".repeat(16_000));
    const tooLarge = await post(body);
    assert.equal(tooLarge.status, 413);
    assert.equal(
      tooLarge.headers.get("x-error-message"),
      `The commit body is ${Buffer.byteLength(body)} bytes, over the limit of 20000 bytes: upload large files through LFS`,
    );

    const fits = await post(header + file("a.txt", "a") + file("b.txt", "b"));
    assert.equal(fits.status, 200);
  });
});

describe("settings from the environment", () => {
  it("writes large uploads with direct I/O unless HANGAR_DIRECT_IO=0", () => {
    assert.equal(resolveConfig({ env: {} }).directIo, true);
    assert.equal(resolveConfig({ env: { HANGAR_DIRECT_IO: "1" } }).directIo, true);
    assert.equal(resolveConfig({ env: { HANGAR_DIRECT_IO: "0" } }).directIo, false);
  });

  it("takes inference counts in decimal digits only, naming the variable of a bad one", () => {
    assert.equal(resolveConfig({ env: { HANGAR_INFERENCE_MAX_QUEUE: "0" } }).inference?.maxQueue, 0);
    for (const value of ["-1", "1.5", "1e3", "0x10", "ten"]) {
      assert.throws(
        () => resolveConfig({ env: { HANGAR_INFERENCE_MAX_QUEUE: value } }),
        { message: `HANGAR_INFERENCE_MAX_QUEUE must be a non-negative integer, got "${value}"` },
        value,
      );
    }
  });
});

describe("hangar serve and the search index", () => {
  let home: { path: string; remove: () => Promise<void> };
  before(async () => {
    home = await makeTempDir("hangar-serve-index-");
    const hangar = await createHangar(defaultConfig(home.path));
    try {
      await generateCatalog(hangar.catalog, { count: 2000, seed: 5 });
    } finally {
      await hangar.close();
    }
  });
  after(() => home.remove());

  it("builds the search index (and writes its snapshot) at start, before anyone searches", async () => {
    const served = await spawnServe(["--home", home.path, "--port", "0"], cleanEnv());
    try {
      // Nothing asks for a search: the snapshot the build writes shows the index was built on its own.
      const cache = join(home.path, "cache");
      const snapshots = async () =>
        (await readdir(cache).catch(() => [] as string[])).filter((name) =>
          /^search-index-.*\.bin$/.test(name),
        );
      const deadline = Date.now() + 60_000;
      while ((await snapshots()).length === 0 && Date.now() < deadline) await sleep(100);
      assert.equal((await snapshots()).length, 1, "the index's snapshot is written without a search");
      const answer = await fetch(`${served.url}/v1/discover?limit=1`);
      assert.equal(answer.status, 200);
      assert.equal(((await answer.json()) as { total: number }).total, 2000);
    } finally {
      await stopServe(served.child);
    }
  });
});
