import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { resolveConfig } from "../../src/core/config.ts";
import { spawnServe, stopServe } from "../helpers/serve-process.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

const BIN = join(import.meta.dirname, "..", "..", "bin", "hangar.js");

function cleanEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("HANGAR_")) delete env[name];
  return { ...env, HANGAR_NO_DEMO: "1", HANGAR_NO_CATALOG: "1", ...extra };
}

describe("hangar serve --log-level and HANGAR_LOG_LEVEL", () => {
  let home: { path: string; remove: () => Promise<void> };
  before(async () => {
    home = await makeTempDir("hangar-serve-logs-");
  });
  after(() => home.remove());

  it("writes one JSON line per request on stdout, with the request id", async () => {
    const served = await spawnServe(
      ["--home", home.path, "--port", "0", "--log-level", "info"],
      cleanEnv({ HANGAR_ADMIN_TOKEN: "hf_serve_logs_admin_token_0123456789" }),
    );
    try {
      const response = await fetch(`${served.url}/api/models?X-Amz-Signature=topsecret`, {
        headers: {
          "x-request-id": "serve-logs-1",
          authorization: "Bearer hf_serve_logs_admin_token_0123456789",
        },
      });
      assert.equal(response.status, 200);
      await response.text();
      let line: Record<string, unknown> | undefined;
      for (let attempt = 0; attempt < 100 && !line; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        line = served
          .output()
          .split("\n")
          .filter((text) => text.startsWith("{"))
          .map((text) => JSON.parse(text) as Record<string, unknown>)
          .find((entry) => entry.requestId === "serve-logs-1");
      }
      assert.ok(line, served.output());
      assert.equal(line.status, 200);
      assert.equal(line.caller, "admin");
      assert.ok(!served.output().includes("topsecret"));
      assert.ok(!served.output().includes("hf_serve_logs_admin_token"));
    } finally {
      await stopServe(served.child);
    }
  });

  it("is silent with --log-level silent, and under the test runner by default", async () => {
    const served = await spawnServe(["--home", home.path, "--port", "0"], {
      ...cleanEnv(),
      HANGAR_LOG_LEVEL: "silent",
    });
    try {
      await (await fetch(`${served.url}/api/models`)).text();
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(!served.output().includes('"requestId"'), served.output());
    } finally {
      await stopServe(served.child);
    }
    assert.equal(resolveConfig({ env: { HANGAR_TEST: "1" } }).logLevel, "silent");
    assert.equal(resolveConfig({ env: {} }).logLevel, "info");
    assert.equal(resolveConfig({ env: { HANGAR_LOG_LEVEL: "DEBUG" } }).logLevel, "debug");
  });

  it("refuses an unknown level with one line naming the variable", async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, "serve", "--home", home.path, "--port", "0"],
        { env: cleanEnv({ HANGAR_LOG_LEVEL: "loud" }), timeout: 60_000 },
        (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
      );
    });
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr.trim(),
      /HANGAR_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/,
    );
    assert.equal(result.stderr.trim().split("\n").length, 1);
  });
});
