// The catalog contract, part: namespaces found whatever the case, organisation members, tokens and the
// credentials found by a token's hash. Through the table methods only, on every catalog engine (SQLite and
// PostgreSQL); the other parts are the other catalog-*-contract.test.ts files.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";
import { AT, insertNamespace } from "../helpers/catalog-rows.ts";

for (const engine of CATALOG_ENGINES) {
  describe(`catalog contract, accounts: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    const user = (name: string, kind?: "user" | "org") => insertNamespace(catalog, name, kind);

    it("accounts: namespaces are found whatever the case, and a name is taken whatever the case", async () => {
      await catalog.accounts.insertNamespace({
        ...{ name: "Alice", kind: "user", fullname: "Alice A.", email: "a@example.com" },
        ...{ isAdmin: true, createdAt: AT },
      });
      const alice = await catalog.accounts.getNamespace("alice");
      assert.deepEqual(alice, {
        ...{ name: "Alice", kind: "user", fullname: "Alice A.", email: "a@example.com" },
        ...{ isAdmin: true, createdAt: AT },
      });
      await assert.rejects(user("ALICE"));
      await user("Acme", "org");
      assert.deepEqual(
        (await catalog.accounts.listNamespaces("org")).map((n) => n.name),
        ["Acme"],
      );
      assert.equal(await catalog.accounts.getNamespace("nobody"), undefined);
    });

    it("accounts: org members are set, updated, listed and removed", async () => {
      await user("bob");
      await user("Carol");
      await catalog.accounts.setMember("acme", "Carol", "read");
      await catalog.accounts.setMember("Acme", "alice", "write");
      await catalog.accounts.setMember("ACME", "bob", "read");
      await catalog.accounts.setMember("acme", "ALICE", "admin");
      assert.deepEqual(await catalog.accounts.membersOf("Acme"), [
        { user: "alice", role: "admin" },
        { user: "bob", role: "read" },
        { user: "Carol", role: "read" },
      ]);
      const orgs = await catalog.accounts.orgsOf("Alice");
      assert.deepEqual(
        orgs.map((org) => [org.name, org.kind, org.role]),
        [["Acme", "org", "admin"]],
      );
      assert.equal(await catalog.accounts.removeMember("acme", "BOB"), true);
      assert.equal(await catalog.accounts.removeMember("acme", "bob"), false);
      assert.deepEqual(await catalog.accounts.orgsOf("bob"), []);
    });

    it("accounts: tokens are inserted, found by hash, listed, touched and deleted", async () => {
      const token = { user: "alice", displayName: "laptop", role: "write" as const, createdAt: AT };
      const first = await catalog.accounts.insertToken({ ...token, tokenHash: "hash-1" });
      const second = await catalog.accounts.insertToken({ ...token, displayName: "ci", tokenHash: "hash-2" });
      assert.equal(typeof first, "number");
      assert.ok(second > first);
      assert.deepEqual(await catalog.accounts.findTokenByHash("hash-1"), {
        ...{
          id: first,
          user: "alice",
          displayName: "laptop",
          role: "write",
          createdAt: AT,
          lastUsedAt: null,
        },
      });
      await assert.rejects(catalog.accounts.insertToken({ ...token, tokenHash: "hash-1" }));
      assert.deepEqual(
        (await catalog.accounts.listTokens("ALICE")).map((t) => t.id),
        [first, second],
      );
      await catalog.accounts.touchToken(first, "2026-02-01T00:00:00.000Z");
      assert.equal((await catalog.accounts.getToken(first))?.lastUsedAt, "2026-02-01T00:00:00.000Z");
      assert.equal(await catalog.accounts.deleteToken(first), true);
      assert.equal(await catalog.accounts.deleteToken(first), false);
      assert.equal(await catalog.accounts.findTokenByHash("hash-1"), undefined);
    });

    it("accounts: a credential is a token with its user and the user's orgs; revoked tokens and removed memberships show at once", async () => {
      await user("Zeta", "org");
      await catalog.accounts.setMember("zeta", "ALICE", "read");
      const token = { user: "alice", displayName: "cred", role: "admin" as const, createdAt: AT };
      const id = await catalog.accounts.insertToken({ ...token, tokenHash: "hash-cred" });
      assert.deepEqual(await catalog.accounts.findCredential("hash-cred"), {
        token: { id, user: "alice", displayName: "cred", role: "admin", createdAt: AT, lastUsedAt: null },
        user: {
          ...{ name: "Alice", kind: "user", fullname: "Alice A.", email: "a@example.com" },
          ...{ isAdmin: true, createdAt: AT },
        },
        orgs: [
          { name: "Acme", fullname: "Acme", role: "admin" },
          { name: "Zeta", fullname: "Zeta", role: "read" },
        ],
      });
      const bobs = await catalog.accounts.insertToken({ ...token, user: "bob", tokenHash: "hash-bob" });
      assert.deepEqual((await catalog.accounts.findCredential("hash-bob"))?.orgs, []);
      assert.equal((await catalog.accounts.findCredential("hash-bob"))?.token.id, bobs);
      assert.equal(await catalog.accounts.removeMember("Zeta", "alice"), true);
      assert.deepEqual(
        (await catalog.accounts.findCredential("hash-cred"))?.orgs.map((org) => org.name),
        ["Acme"],
      );
      assert.equal(await catalog.accounts.deleteToken(id), true);
      assert.equal(await catalog.accounts.findCredential("hash-cred"), undefined);
      assert.equal(await catalog.accounts.findCredential("hash-unknown"), undefined);
    });
  });
}
