import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { resolveConfig } from "../../src/core/config.ts";
import { type ServeProcess, spawnServe, stopServe } from "../helpers/serve-process.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const FORWARDED = { "x-forwarded-host": "hub.example.test", "x-forwarded-proto": "https" };

/** The upload URL an LFS batch call hands out for a new object, as `huggingface_hub` would use it. */
async function uploadHref(hub: TestHangar, token: string, headers: Record<string, string>): Promise<string> {
  const oid = createHash("sha256").update(`object ${Math.random()}`).digest("hex");
  const response = await fetch(`${hub.url}/alice/proxied.git/info/lfs/objects/batch`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      accept: "application/vnd.git-lfs+json",
      "content-type": "application/vnd.git-lfs+json",
      ...headers,
    },
    body: JSON.stringify({ operation: "upload", transfers: ["basic"], objects: [{ oid, size: 5 }] }),
  });
  assert.equal(response.status, 200);
  const body = (await response.json()) as { objects: Array<{ actions: { upload: { href: string } } }> };
  return body.objects[0]!.actions.upload.href;
}

async function startWithRepo(
  overrides: Parameters<typeof startTestHangar>[0],
): Promise<{ hub: TestHangar; token: string }> {
  const hub = await startTestHangar(overrides);
  const token = await hub.addUser("alice", "write");
  const created = await fetch(`${hub.url}/api/repos/create`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "proxied" }),
  });
  assert.equal(created.status, 200);
  return { hub, token };
}

describe("X-Forwarded-Host and -Proto are believed only from a trusted proxy", () => {
  const hubs: TestHangar[] = [];
  after(async () => {
    for (const hub of hubs) await hub.close();
  });

  it("ignores them by default: upload URLs keep the host the request reached", async () => {
    const { hub, token } = await startWithRepo({});
    hubs.push(hub);
    const href = await uploadHref(hub, token, FORWARDED);
    assert.ok(href.startsWith(`${hub.url}/api/lfs-upload/`), href);
    const spoofed = await uploadHref(hub, token, { "x-forwarded-host": "attacker.example" });
    assert.ok(!spoofed.includes("attacker.example"), spoofed);
  });

  it("uses them with trustProxy", async () => {
    const { hub, token } = await startWithRepo({ trustProxy: true });
    hubs.push(hub);
    assert.ok(
      (await uploadHref(hub, token, FORWARDED)).startsWith("https://hub.example.test/api/lfs-upload/"),
    );
    // Without the headers, the request's own host.
    assert.ok((await uploadHref(hub, token, {})).startsWith(`${hub.url}/api/lfs-upload/`));
  });

  it("lets HANGAR_PUBLIC_URL win over them, trusted or not", async () => {
    for (const trustProxy of [false, true]) {
      const { hub, token } = await startWithRepo({ trustProxy, publicUrl: "https://models.example.org" });
      hubs.push(hub);
      const href = await uploadHref(hub, token, FORWARDED);
      assert.ok(href.startsWith("https://models.example.org/api/lfs-upload/"), href);
    }
  });

  it("reads HANGAR_TRUST_PROXY=1 as on and anything else as off", () => {
    assert.equal(resolveConfig({ env: {} }).trustProxy, false);
    assert.equal(resolveConfig({ env: { HANGAR_TRUST_PROXY: "1" } }).trustProxy, true);
    assert.equal(resolveConfig({ env: { HANGAR_TRUST_PROXY: "" } }).trustProxy, false);
  });
});

describe("hangar serve --trust-proxy and HANGAR_TRUST_PROXY", () => {
  let home: { path: string; remove: () => Promise<void> };
  const admin = "hf_trust_proxy_admin_token_0123456789";
  before(async () => {
    home = await makeTempDir("hangar-trust-proxy-");
  });
  after(() => home.remove());

  function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const clean: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(clean)) if (name.startsWith("HANGAR_")) delete clean[name];
    return { ...clean, HANGAR_NO_DEMO: "1", HANGAR_NO_CATALOG: "1", HANGAR_ADMIN_TOKEN: admin, ...extra };
  }

  async function avatarHost(served: ServeProcess): Promise<string> {
    const response = await fetch(`${served.url}/api/whoami-v2`, {
      headers: { authorization: `Bearer ${admin}`, ...FORWARDED },
    });
    assert.equal(response.status, 200);
    return new URL(((await response.json()) as { avatarUrl: string }).avatarUrl).origin;
  }

  it("believes the forwarding headers with the flag or the variable, not without", async () => {
    const runs: Array<[string[], Record<string, string>, boolean]> = [
      [["--trust-proxy"], {}, true],
      [[], { HANGAR_TRUST_PROXY: "1" }, true],
      [[], {}, false],
    ];
    for (const [args, extra, trusted] of runs) {
      const served = await spawnServe(["--home", home.path, "--port", "0", ...args], env(extra));
      try {
        assert.equal(await avatarHost(served), trusted ? "https://hub.example.test" : served.url);
      } finally {
        await stopServe(served.child);
      }
    }
  });
});
