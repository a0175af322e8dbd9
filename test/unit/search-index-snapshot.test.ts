import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "../../src/core/config.ts";
import {
  forgetSearchIndex,
  getSearchIndex,
  settleSearchIndex,
} from "../../src/discovery/get-search-index.ts";
import { SearchIndex } from "../../src/discovery/search-index.ts";
import {
  loadSnapshot,
  readSnapshotParts,
  SNAPSHOT_FORMAT_VERSION,
  SnapshotDamagedError,
  type SnapshotFile,
  saveSnapshot,
  snapshotFileOf,
} from "../../src/discovery/search-index-snapshot.ts";
import { type SearchModelsResult, searchInIndex } from "../../src/discovery/search-models.ts";
import type { SearchModelsParams } from "../../src/discovery/search-params.ts";
import { BLOCK_BYTES, PREFIX_BYTES, payloadStartOf } from "../../src/discovery/snapshot-format.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { generateCatalog } from "../../src/hub/catalog/generate-catalog.ts";
import { createRepo } from "../../src/hub/create-repo.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

const admin = localAdministrator();

/** Requests covering text (exact, prefix, typo), filters, every sort, facets and insights, as two callers. */
const REQUESTS: SearchModelsParams[] = [
  {},
  { query: "bert" },
  { query: "berd classifier" },
  { query: "sentim", sort: "downloads" },
  { query: "llama", tasks: ["text-generation"], limit: 50 },
  { licenses: ["apache-2.0"], sort: "likes", explain: true },
  { languages: ["fr"], sort: "updated", page: 2 },
  { authors: ["secret-org"] },
  { query: "secret" },
  { sort: "parameters", parametersMax: 1e9 },
  { sort: "trending", commercial: ["yes"] },
];

/** A result without its timing, which differs from run to run. */
function comparable(result: SearchModelsResult): Omit<SearchModelsResult, "tookMs"> {
  const { tookMs: _tookMs, ...rest } = result;
  return rest;
}

/** A snapshot file's bytes, its header's sections and where its payload starts. */
async function readLayout(path: string) {
  const bytes = await readFile(path);
  const headerBytes = bytes.readUInt32LE(12);
  const header = JSON.parse(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes).toString()) as {
    sections: Array<{ name: string; offset: number; bytes: number }>;
  };
  return { bytes, header, payloadStart: payloadStartOf(headerBytes) };
}

function assertSameAnswers(expected: SearchIndex, actual: SearchIndex): void {
  for (const request of REQUESTS) {
    for (const caller of [null, admin]) {
      assert.deepEqual(
        comparable(searchInIndex(actual, { ...request, caller })),
        comparable(searchInIndex(expected, { ...request, caller })),
        `${JSON.stringify(request)} as ${caller ? "admin" : "anonymous"}`,
      );
    }
  }
}

describe("search index snapshot", () => {
  let temp: { path: string; remove: () => Promise<void> };
  let hangar: Hangar;
  let file: SnapshotFile;

  before(async () => {
    temp = await makeTempDir();
    hangar = await createHangar(defaultConfig(temp.path));
    await generateCatalog(hangar.catalog, { count: 3000, seed: 7 });
    // A private repo: its visibility must survive the round trip.
    await createRepo(hangar, admin, {
      type: "model",
      namespace: "secret-org",
      name: "secret-bert",
      private: true,
    });
    file = await snapshotFileOf(hangar.catalog, hangar.config.cacheFolder!);
  });

  after(async () => {
    await hangar.close();
    await temp.remove();
  });

  it("gives the same hits, facet counts and insights as the build it was written from", async () => {
    const built = await SearchIndex.build(hangar.catalog);
    await saveSnapshot(file, built);
    const sequence = await hangar.catalog.searchFeed.currentSequence();
    const loaded = await loadSnapshot(file, sequence);
    assert.ok(loaded, "the snapshot loads");
    // Right after the load most columns are still in the file, and counting memory reads none of them.
    const resident = loaded.stats().arrayBytes;
    assert.ok(resident < built.stats().arrayBytes / 2, `${resident} of ${built.stats().arrayBytes} bytes`);
    assert.equal(loaded.stats().arrayBytes, resident);
    assert.equal(loaded.stats().loadedFromSnapshot, true);
    assert.equal(built.stats().loadedFromSnapshot, false);
    // Columns read value by value until many are read (snapshot-load.ts) hold no array yet.
    assert.deepEqual(
      { ...loaded.stats(), loadMs: null, loadedFromSnapshot: false, arrayBytes: 0 },
      { ...built.stats(), loadMs: null, loadedFromSnapshot: false, arrayBytes: 0 },
    );
    assert.ok(loaded.stats().arrayBytes <= built.stats().arrayBytes);
    // The fixtures find something: an all-empty comparison would prove nothing.
    assert.ok(searchInIndex(built, { query: "bert" }).total > 0);
    assert.equal(searchInIndex(built, { query: "secret", caller: admin }).total, 1);
    assert.equal(searchInIndex(built, { query: "secret", caller: null }).total, 0);
    assertSameAnswers(built, loaded);
  });

  it("decodes the ids and terms it reads on access, each as the build had it, and keeps what a patch writes", async () => {
    const built = await SearchIndex.build(hangar.catalog);
    await saveSnapshot(file, built);
    const loaded = await loadSnapshot(file, await hangar.catalog.searchFeed.currentSequence());
    assert.ok(loaded);
    assert.equal(loaded.ids.length, built.ids.length);
    // One at a time from the end (decoded singly), then all of them (the rest at once).
    for (const doc of [built.size - 1, 0, 17, 17]) assert.equal(loaded.ids[doc], built.ids[doc]);
    assert.deepEqual([...loaded.ids], built.ids);
    assert.equal(loaded.text.termCount, built.text.termCount);
    assert.deepEqual([...loaded.text.sortedTerms], built.text.sortedTerms);
    assert.equal(loaded.ids[built.size], undefined, "nothing past the end");
    loaded.ids[3] = "patched/id";
    assert.equal(loaded.ids[3], "patched/id");
    // Columns read value by value, then whole once many values are read.
    for (const name of ["staticScore", "trend", "idHash"] as const) {
      assert.equal(ArrayBuffer.isView(loaded[name]), false, `${name} is not read on load`);
      for (let doc = 0; doc < built.size; doc++) assert.equal(loaded[name][doc], built[name][doc], name);
      assert.equal(ArrayBuffer.isView(loaded[name]), true, `${name} is read whole after many values`);
      assert.deepEqual(loaded[name], built[name]);
    }
    // A write before the read: the column is read, then written.
    assert.equal(loaded.likes[5], built.likes[5]);
    loaded.likes[5] = 4242;
    assert.equal(loaded.likes[5], 4242);
    assert.equal(loaded.likes.length, built.likes.length);
  });

  it("keeps the sort orders of queries without words, and sorts again when asked for another key", async () => {
    const built = await SearchIndex.build(hangar.catalog);
    await saveSnapshot(file, built);
    const loaded = await loadSnapshot(file, built.sequence);
    assert.ok(loaded);
    const byLikes = (index: SearchIndex) => (doc: number) => index.likes[doc]!;
    assert.deepEqual(
      loaded.sortedDocs("likes:false", byLikes(loaded)),
      built.sortedDocs("likes:false", byLikes(built)),
    );
    // The stored name with another key (as a later version keying the sort differently would ask).
    const fewestLikes = (index: SearchIndex) => (doc: number) => -index.likes[doc]!;
    const again = await loadSnapshot(file, built.sequence);
    assert.ok(again);
    assert.deepEqual(
      again.sortedDocs("likes:false", fewestLikes(again)),
      built.sortedDocs("fewest likes", fewestLikes(built)),
    );
  });

  it("is written owner-only, holding at least the index's arrays", async () => {
    const built = await SearchIndex.build(hangar.catalog);
    await saveSnapshot(file, built);
    const stats = await stat(file.path);
    assert.equal(stats.mode & 0o077, 0, "no rights for group or others");
    assert.ok(stats.size >= built.stats().arrayBytes, `${stats.size} bytes`);
  });

  it("ignores a truncated, damaged, other-version, other-catalog or too-new file", async () => {
    const built = await SearchIndex.build(hangar.catalog);
    await saveSnapshot(file, built);
    const good = await readFile(file.path);
    const sequence = built.sequence;
    const variants: Record<string, Buffer> = {
      truncated: good.subarray(0, Math.floor(good.byteLength * 0.7)),
      "cut after the prefix": good.subarray(0, 30),
      empty: Buffer.alloc(0),
      "a flipped byte in the arrays": Buffer.from(good),
      "a flipped byte in the header": Buffer.from(good),
      "another format version": Buffer.from(good),
      "not a snapshot": Buffer.from("hello, this is not an index\n".repeat(10)),
    };
    const damaged = variants["a flipped byte in the arrays"]!;
    damaged[damaged.byteLength - 100] = damaged[damaged.byteLength - 100]! ^ 0xff;
    variants["a flipped byte in the header"]![40] = variants["a flipped byte in the header"]![40]! ^ 0x01;
    variants["another format version"]!.writeUInt32LE(SNAPSHOT_FORMAT_VERSION + 1, 8);
    for (const [what, bytes] of Object.entries(variants)) {
      await writeFile(file.path, bytes);
      assert.equal(await loadSnapshot(file, sequence), undefined, what);
    }
    await writeFile(file.path, good);
    assert.ok(await loadSnapshot(file, sequence), "the intact file loads");
    assert.equal(
      await loadSnapshot({ ...file, identity: "0".repeat(64) }, sequence),
      undefined,
      "another catalog",
    );
    assert.equal(await loadSnapshot(file, sequence - 1), undefined, "written after the catalog's sequence");

    // Through getSearchIndex: a damaged file is rebuilt (no error) and replaced by a good one.
    await writeFile(file.path, variants.truncated!);
    forgetSearchIndex(hangar.catalog);
    const index = await getSearchIndex(hangar);
    assert.equal(index.stats().loadedFromSnapshot, false);
    assert.ok(searchInIndex(index, { query: "bert" }).total > 0);
    await settleSearchIndex(hangar.catalog);
    const rewritten = await loadSnapshot(file, index.sequence);
    assert.ok(rewritten, "the rebuild wrote a new snapshot");
    assertSameAnswers(index, rewritten);
  });

  it("finds a damaged part when a query first reads it: that query fails, the next search rebuilds", async () => {
    const built = await SearchIndex.build(hangar.catalog);
    await saveSnapshot(file, built);
    const { bytes, header, payloadStart } = await readLayout(file.path);
    // The task column: read by a whole-catalog query's facet counts, not by the load.
    const column = header.sections.find((section) => section.name === "column.task")!;
    const at = payloadStart + column.offset + Math.floor(column.bytes / 2);
    bytes[at] = bytes[at]! ^ 0x10;
    await writeFile(file.path, bytes);

    forgetSearchIndex(hangar.catalog);
    const index = await getSearchIndex(hangar);
    assert.notEqual(index.loadMs, null, "the load reads the header, not the column");
    assert.throws(() => searchInIndex(index, {}), SnapshotDamagedError);
    assert.equal(existsSync(file.path), false, "the damaged file is removed");
    const rebuilt = await getSearchIndex(hangar);
    assert.notEqual(rebuilt, index);
    assert.equal(rebuilt.loadMs, null, "rebuilt from the catalog");
    assert.equal(searchInIndex(rebuilt, {}).total, searchInIndex(built, {}).total);
    await settleSearchIndex(hangar.catalog);
    const rewritten = await loadSnapshot(file, rebuilt.sequence);
    assert.ok(rewritten, "and written again");
    assertSameAnswers(rebuilt, rewritten);
  });

  it("reads ahead every part a query reads on first use when asked (a server's warm-up)", async () => {
    const built = await SearchIndex.build(hangar.catalog);
    await saveSnapshot(file, built);
    const loaded = await loadSnapshot(file, await hangar.catalog.searchFeed.currentSequence());
    assert.ok(loaded, "the snapshot loads");
    await readSnapshotParts(loaded);
    // Zeroes over every whole CRC block of the columns, multi-value lists and postings in the file the index
    // keeps open (a block shared with the ids or terms, still read on use, is left as it is): an index that
    // still had to read one of them would fail its check (or answer differently) below.
    const { bytes, header, payloadStart } = await readLayout(file.path);
    let zeroed = 0;
    for (const section of header.sections) {
      if (!/^(column|multi|text\.(offsets|docs|fields))/.test(section.name)) continue;
      const from = Math.ceil(section.offset / BLOCK_BYTES) * BLOCK_BYTES;
      const to = Math.floor((section.offset + section.bytes) / BLOCK_BYTES) * BLOCK_BYTES;
      if (to <= from) continue;
      bytes.fill(0, payloadStart + from, payloadStart + to);
      zeroed += to - from;
    }
    assert.ok(zeroed >= 10 * BLOCK_BYTES, `${zeroed} bytes zeroed`);
    await writeFile(file.path, bytes);
    try {
      assertSameAnswers(built, loaded);
    } finally {
      await rm(file.path);
    }
  });

  it("is loaded on first use and patched up to the catalog when it is older", async () => {
    forgetSearchIndex(hangar.catalog);
    const first = await getSearchIndex(hangar);
    await settleSearchIndex(hangar.catalog);
    // A new process (here: a forgotten index) after a commit the snapshot does not know of.
    await createRepo(hangar, admin, { type: "model", namespace: "late-org", name: "zebrafish-segmenter" });
    forgetSearchIndex(hangar.catalog);
    const index = await getSearchIndex(hangar);
    assert.equal(index.stats().loadedFromSnapshot, true, "read from the snapshot, not rebuilt");
    assert.ok(index.sequence > first.sequence, "patched to the catalog's sequence");
    assert.equal(index.sequence, await hangar.catalog.searchFeed.currentSequence());
    assert.equal(index.patchedCount, 1);
    const found = searchInIndex(index, { query: "zebrafish" });
    assert.deepEqual(
      found.results.map((hit) => hit.id),
      ["late-org/zebrafish-segmenter"],
    );
    const byAuthor = searchInIndex(index, { authors: ["late-org"] });
    assert.equal(byAuthor.total, 1);
  });
});
