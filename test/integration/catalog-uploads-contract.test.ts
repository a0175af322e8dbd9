// The catalog contract, part: blob leases, the LFS uploads a repo holds and multipart upload sessions.
// Through the table methods only, on every catalog engine (SQLite and PostgreSQL); the other parts are the
// other catalog-*-contract.test.ts files.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";
import { AT, commit, file, insertRepo, sha } from "../helpers/catalog-rows.ts";

for (const engine of CATALOG_ENGINES) {
  describe(`catalog contract, uploads: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    const repo = (namespace: string, name: string, more?: Parameters<typeof insertRepo>[3]) =>
      insertRepo(catalog, namespace, name, more);

    it("leases, LFS uploads and multipart sessions", async () => {
      const now = 1_700_000_000_000;
      await catalog.leases.insert("lease-1", [sha(1), sha(2), sha(1)], now + 1000);
      await catalog.leases.insert("lease-2", [sha(3)], now - 1);
      assert.equal(await catalog.leases.isLeased(sha(1), now), true);
      assert.equal(await catalog.leases.isLeased(sha(1), now + 1000), false);
      assert.equal(await catalog.leases.isLeased(sha(3), now), false);
      assert.equal(await catalog.leases.purgeExpired(now), 1);
      await catalog.leases.release("lease-1");
      assert.equal(await catalog.leases.isLeased(sha(2), now), false);
      assert.equal(await catalog.leases.purgeExpired(now + 10_000), 0);

      const r = await repo("Lfs", "repo");
      assert.equal(
        await catalog.lfsUploads.record({ repoPk: r.pk, sha256: sha(10), size: 42, at: AT }),
        true,
      );
      assert.equal(
        await catalog.lfsUploads.record({ repoPk: r.pk, sha256: sha(10), size: 42, at: AT }),
        true,
      );
      assert.equal(
        await catalog.lfsUploads.record({ repoPk: 987_654, sha256: sha(10), size: 42, at: AT }),
        false,
      );
      assert.equal(await catalog.lfsUploads.heldSize(r.pk, sha(10)), 42);
      assert.equal(await catalog.lfsUploads.heldSize(r.pk, sha(11)), undefined);
      const pk = await catalog.commits.insertCommit(r.pk, commit(1));
      await catalog.commits.insertTree(pk, [{ ...file("big.bin", 2, 4096), sha256: sha(11) }]);
      assert.equal(await catalog.lfsUploads.heldSize(r.pk, sha(11)), 4096);
      assert.equal(await catalog.lfsUploads.forgetBlob(sha(10)), 1);
      assert.equal(await catalog.lfsUploads.heldSize(r.pk, sha(10)), undefined);

      await catalog.multipartSessions.open("upload-a", now + 10);
      await catalog.multipartSessions.open("upload-b", now - 10);
      await catalog.multipartSessions.open("upload-c", now - 20);
      assert.deepEqual(await catalog.multipartSessions.expiredBefore(now), ["upload-c", "upload-b"]);
      assert.deepEqual(await catalog.multipartSessions.expiredBefore(now, 1), ["upload-c"]);
      await catalog.multipartSessions.close("upload-c");
      await catalog.multipartSessions.close("upload-c");
      await catalog.multipartSessions.open("upload-b", now + 20);
      assert.deepEqual(await catalog.multipartSessions.expiredBefore(now + 15), ["upload-a"]);
    });
  });
}
