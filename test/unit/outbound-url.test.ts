import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { resolveConfig } from "../../src/core/config.ts";
import { HangarError } from "../../src/core/errors.ts";
import {
  checkOutboundUrl,
  GLOBAL_ONLY,
  isAllowedTarget,
  isGlobalAddress,
  OutboundRefusedError,
  parseOutboundAllow,
  postOutbound,
  postToResolved,
} from "../../src/core/outbound-url.ts";

describe("outbound URL guard (src/core/outbound-url.ts)", () => {
  it("tells global addresses from loopback, private, link-local and reserved ones", () => {
    const notGlobal = [
      "127.0.0.1",
      "127.255.0.9",
      "10.0.0.1",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.0.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "255.255.255.255",
      "224.0.0.1",
      "198.18.0.1",
      "192.0.2.1",
      "::1",
      "::",
      "fc00::1",
      "fd12:3456::1",
      "fe80::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:a9fe:a9fe",
      "::ffff:10.0.0.1",
      "64:ff9b::a00:1",
      "2001:db8::1",
      "2002:7f00:1::1",
      "[::1]",
    ];
    const global = ["8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "2606:4700::1111", "::ffff:8.8.8.8"];
    for (const address of notGlobal) assert.equal(isGlobalAddress(address), false, address);
    for (const address of global) assert.equal(isGlobalAddress(address), true, address);
    assert.equal(isGlobalAddress("example.com"), false, "not an address");
  });

  it("reads HANGAR_OUTBOUND_ALLOW: private, host names, addresses and networks", () => {
    assert.equal(parseOutboundAllow(undefined, "X"), undefined);
    assert.equal(parseOutboundAllow(" ", "X"), undefined);
    assert.deepEqual(parseOutboundAllow("private", "X"), { allowPrivate: true, hosts: [], networks: [] });
    const policy = parseOutboundAllow(" Hooks.Internal. , 10.0.0.0/8,192.168.1.5, fd00::/8 ", "X")!;
    assert.deepEqual(policy, {
      allowPrivate: false,
      hosts: ["hooks.internal"],
      networks: ["10.0.0.0/8", "192.168.1.5", "fd00::/8"],
    });
    assert.ok(isAllowedTarget(policy, "10.9.9.9"));
    assert.ok(isAllowedTarget(policy, "::ffff:10.9.9.9"));
    assert.ok(isAllowedTarget(policy, "192.168.1.5"));
    assert.ok(!isAllowedTarget(policy, "192.168.1.6"));
    assert.ok(isAllowedTarget(policy, "fd00::5"));
    assert.ok(isAllowedTarget(policy, "127.0.0.1", "hooks.internal"));
    assert.ok(!isAllowedTarget(policy, "127.0.0.1", "other.internal"));
    assert.ok(isAllowedTarget(GLOBAL_ONLY, "8.8.8.8"));
    assert.deepEqual(resolveConfig({ env: { HANGAR_OUTBOUND_ALLOW: "private" } }).outbound, {
      allowPrivate: true,
      hosts: [],
      networks: [],
    });
    assert.equal(resolveConfig({ env: {} }).outbound, undefined);
    for (const bad of ["10.0.0.0/33", "fd00::/129", "10.0.0.0/8/1", "10.0.0.0/x", "http://x", "a b"])
      assert.throws(
        () => parseOutboundAllow(bad, "HANGAR_OUTBOUND_ALLOW"),
        (error: unknown) =>
          HangarError.isInstance(error) &&
          error.code === "HANGAR_ERR_BAD_REQUEST" &&
          error.message.startsWith("HANGAR_OUTBOUND_ALLOW: "),
        bad,
      );
  });

  it("checks a URL when it is saved: its form, and a literal address against the policy", () => {
    const refusal = (url: string) => {
      try {
        checkOutboundUrl(url, GLOBAL_ONLY, "callback");
      } catch (error) {
        assert.ok(HangarError.isInstance(error));
        return [error.code, error.status, error.details.field, error.message.split(":")[0]];
      }
      return undefined;
    };
    assert.deepEqual(refusal("http://10.0.0.1/"), [
      "HANGAR_ERR_URL_NOT_ALLOWED",
      400,
      "callback",
      "callback",
    ]);
    assert.deepEqual(refusal("not a url"), ["HANGAR_ERR_BAD_REQUEST", 400, "callback", "callback"]);
    assert.deepEqual(refusal("ftp://example.com/"), ["HANGAR_ERR_BAD_REQUEST", 400, "callback", "callback"]);
    assert.equal(refusal("https://hooks.example.com/x"), undefined);
    assert.equal(refusal("http://localhost:8080/"), undefined, "a host name is checked when used");
    assert.equal(refusal("http://8.8.8.8/"), undefined);
    assert.equal(
      checkOutboundUrl("http://10.0.0.1/", { ...GLOBAL_ONLY, allowPrivate: true }).hostname,
      "10.0.0.1",
    );
  });

  it("refuses to send to a private address unless permitted, and sends to the address it checked", async () => {
    const received: string[] = [];
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        received.push(`${request.method} ${request.url} ${request.headers.host} ${body}`);
        response.writeHead(202).end("accepted");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const post = { headers: { "content-type": "text/plain" }, body: "hello", timeoutMs: 10_000 };
      await assert.rejects(
        postOutbound(`http://127.0.0.1:${port}/in`, { ...post, policy: GLOBAL_ONLY }),
        (error: unknown) => error instanceof OutboundRefusedError && error.address === "127.0.0.1",
      );
      assert.deepEqual(received, []);
      const permitted = parseOutboundAllow("127.0.0.0/8", "X")!;
      assert.deepEqual(await postOutbound(`http://127.0.0.1:${port}/in`, { ...post, policy: permitted }), {
        status: 202,
      });
      assert.deepEqual(received, [`POST /in 127.0.0.1:${port} hello`]);
      // The connection goes to the address that was checked, not to whatever the name resolves to now
      // (`.invalid` never resolves): a DNS answer changed after the check cannot redirect the request.
      const pinned = { address: "127.0.0.1", family: 4 as const };
      const signal = AbortSignal.timeout(10_000);
      assert.deepEqual(
        await postToResolved(new URL(`http://hooks.invalid:${port}/pinned`), pinned, { ...post, signal }),
        { status: 202 },
      );
      assert.deepEqual(received.at(-1), `POST /pinned hooks.invalid:${port} hello`);
    } finally {
      server.close();
    }
  });
});
