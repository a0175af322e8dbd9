import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { whoAmI } from "@huggingface/hub";
import { Catalog } from "../../src/store/catalog.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

describe("whoami-v2", () => {
  let hub: TestHangar;
  before(async () => {
    hub = await startTestHangar();
  });
  after(() => hub.close());

  it("answers the real client with the user, its orgs and its token role", async () => {
    const token = await hub.addUser("alice", "read");
    const info = await whoAmI({ hubUrl: hub.url, accessToken: token });
    assert.equal(info.name, "alice");
    assert.equal(info.type, "user");
    assert.equal(info.auth.accessToken?.role, "read");
    assert.deepEqual((info as { orgs: unknown[] }).orgs, []);
  });

  it("refuses a token as soon as another process has deleted it", async () => {
    const token = await hub.addUser("bob", "read");
    const whoami = async () =>
      (await fetch(`${hub.url}/api/whoami-v2`, { headers: { authorization: `Bearer ${token}` } })).status;
    // Several uses: the server's reads of the credential may be kept while nothing changes.
    for (let use = 0; use < 3; use++) assert.equal(await whoami(), 200);
    // The CLI deletes tokens through a catalog handle of its own, another connection to the same file.
    const other = await Catalog.open(join(hub.home, "hangar.db"));
    try {
      const [row] = await other.accounts.listTokens("bob");
      assert.ok(await other.accounts.deleteToken(row!.id));
    } finally {
      await other.close();
    }
    assert.equal(await whoami(), 401);
  });

  it("refuses an unknown token with 401 and the Hub's message", async () => {
    const response = await fetch(`${hub.url}/api/whoami-v2`, {
      headers: { authorization: "Bearer hf_nope" },
    });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("x-error-message"), "Invalid credentials in Authorization header");
    assert.deepEqual(await response.json(), {
      error: "Invalid credentials in Authorization header",
      code: "HANGAR_ERR_UNAUTHORIZED",
    });
  });
});
