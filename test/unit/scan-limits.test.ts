import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { scanFile } from "../../src/governance/scan/index.ts";
import { LEGACY_MAGIC, op, type Part, pickle } from "../helpers/pickle-asm.ts";
import { zip } from "../helpers/scan-builders-containers.ts";

/** `pickle(...parts)` for more parts than a call's arguments may be. */
const join = (parts: Part[]): Uint8Array =>
  Buffer.concat(
    parts.map((part) => (typeof part === "string" ? Buffer.from(part, "latin1") : Buffer.from(part))),
  );

/** `BINPUT`/`LONG_BINPUT` as CPython's protocol-2 pickler writes them. */
const put = (n: number) => (n < 256 ? op.binput(n) : op.longBinput(n));

/** Items between MARK and APPENDS in batches of 1,000, as CPython's pickler writes a long list. */
function batched(items: Part[][]): Part[] {
  const parts: Part[] = [];
  for (let i = 0; i < items.length; i += 1000) {
    parts.push(op.mark);
    for (const item of items.slice(i, i + 1000)) for (const part of item) parts.push(part);
    parts.push(op.appends);
  }
  return parts;
}

/**
 * A legacy (pre-1.6) `torch.save` of a dict of `count` one-element float tensors, each with its own storage,
 * laid out as `torch.save(..., _use_new_zipfile_serialization=False)` writes it; `keys` overrides the storage
 * key list's order or contents, `after` adds bytes after the last storage.
 */
function legacyCheckpoint(count: number, options: { keys?: string[]; after?: Uint8Array } = {}): Uint8Array {
  let memo = 0;
  const entries: Part[][] = [];
  const tensor = (key: string): Part[] => [
    op.bu(`t${key}`),
    put(memo++),
    op.global("torch._utils", "_rebuild_tensor_v2"),
    put(memo++),
    op.mark,
    op.mark,
    op.bu("storage"),
    put(memo++),
    op.global("torch", "FloatStorage"),
    put(memo++),
    op.bu(key),
    put(memo++),
    op.bu("cpu"),
    put(memo++),
    op.binint1(1),
    op.none,
    op.tuple,
    put(memo++),
    op.binpersid,
    op.binint1(0),
    op.binint1(1),
    op.tuple1,
    put(memo++),
    op.binint1(1),
    op.tuple1,
    put(memo++),
    op.newFalse,
    op.global("collections", "OrderedDict"),
    put(memo++),
    op.emptyTuple,
    op.reduce,
    put(memo++),
    op.tuple,
    put(memo++),
    op.reduce,
    put(memo++),
  ];
  const names = Array.from({ length: count }, (_, i) => String(94_000_000 + i));
  for (const name of names) entries.push(tensor(name));
  const object: Part[] = [op.proto(2), op.emptyDict, put(memo++)];
  for (let i = 0; i < entries.length; i += 1000) {
    object.push(op.mark);
    for (const entry of entries.slice(i, i + 1000)) for (const part of entry) object.push(part);
    object.push(op.setitems);
  }
  object.push(op.stop);
  const keys = options.keys ?? names;
  const keyList = join([
    op.proto(2),
    op.emptyList,
    op.binput(0),
    ...batched(keys.map((key, i) => [op.bu(key), put(i + 1)])),
    op.stop,
  ]);
  const storages: Buffer[] = [];
  for (let i = 0; i < keys.length; i++) {
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(1n);
    storages.push(length, Buffer.from(new Float32Array([i]).buffer));
  }
  return Buffer.concat([
    LEGACY_MAGIC,
    pickle(op.proto(2), op.binint(1001), op.stop),
    pickle(op.proto(2), op.emptyDict, op.bu("protocol_version"), op.binint(1001), op.setitem, op.stop),
    join(object),
    keyList,
    ...storages,
    options.after ?? new Uint8Array(0),
  ]);
}

const rules = (result: { findings: Array<{ rule: string }> }) =>
  result.findings.map((finding) => finding.rule);

describe("scanner limits on large, harmless files", () => {
  test("a legacy checkpoint with more storages than containers keep (5,000) is safe, every storage skipped", async () => {
    const result = await scanFile(legacyCheckpoint(5000), { name: "pytorch_model.bin" });
    assert.deepEqual(rules(result), []);
    assert.equal(result.verdict, "safe");
    assert.equal(result.format, "pytorch-legacy");
  });

  test("the whole storage key list is read: an undeclared key or bytes after the 5,000th storage are still caught", async () => {
    const names = Array.from({ length: 5000 }, (_, i) => String(94_000_000 + i));
    const undeclared = [...names.slice(0, 4999), "666"];
    const bad = await scanFile(legacyCheckpoint(5000, { keys: undeclared }), { name: "pytorch_model.bin" });
    assert.equal(bad.verdict, "unsafe");
    assert.match(bad.findings[0]!.message, /storage key 666 was never declared/);
    const extra = await scanFile(legacyCheckpoint(5000, { after: Buffer.from("extra") }), {
      name: "pytorch_model.bin",
    });
    assert.equal(extra.verdict, "unsafe");
    assert.deepEqual(rules(extra), ["pickle.trailing-data"]);
    assert.match(extra.findings[0]!.message, /after the storages/);
    const longer = await scanFile(legacyCheckpoint(5000, { keys: [...names, names[0]!] }), {
      name: "pytorch_model.bin",
    });
    assert.equal(longer.verdict, "unsafe");
    assert.match(longer.findings[0]!.message, /names more storages than the 5000 declared/);
  });

  test("the opcode budget grows with the file: a long list of small ints past maxOpcodes is walked to the end", async () => {
    const ints = Array.from({ length: 60_000 }, (_, i) => [op.binint1(i & 0xff)]);
    const bytes = join([op.proto(2), op.emptyList, ...batched(ints), op.stop]);
    const result = await scanFile(bytes, { name: "ints.pkl", limits: { maxOpcodes: 10_000 } });
    assert.deepEqual(rules(result), []);
    assert.equal(result.verdict, "safe");
  });

  test("a vocabulary of 1.1 M memoized strings (protocol 4) is safe under the default limits", async () => {
    const bytes = vocabulary(1_100_000);
    const result = await scanFile(bytes, { name: "vocab.pkl" });
    assert.deepEqual(rules(result), []);
    assert.equal(result.verdict, "safe");
  });

  test("a memoized string too long to be a name is remembered as unknown text: an import built from it is unresolved", async () => {
    const module = `os${" ".repeat(2000)}`;
    const bytes = pickle(
      op.proto(4),
      op.bu(module),
      op.memoize,
      op.pop,
      op.binget(0),
      op.su("system"),
      op.stackGlobal,
      op.stop,
    );
    const result = await scanFile(bytes, { name: "long.pkl" });
    assert.equal(result.verdict, "unsafe");
    assert.deepEqual(rules(result), ["pickle.import.unresolved"]);
  });

  test("findings of one rule are listed up to 100 and the rest counted in one more finding, so they stay bounded", async () => {
    const calls: Part[] = [];
    for (let i = 0; i < 300; i++) calls.push(op.none, op.none, op.reduce, op.pop);
    const bytes = join([op.proto(4), ...calls, op.none, op.stop]);
    const result = await scanFile(bytes, { name: "calls.pkl" });
    assert.equal(result.verdict, "unsafe");
    assert.equal(result.findings.length, 101);
    const last = result.findings[100]!;
    assert.equal(last.rule, "pickle.call.non-callable");
    assert.equal(last.severity, "unsafe");
    assert.equal(last.count, 200);
    assert.match(last.message, /more findings of this rule/);
  });

  test("a zip with more members than the scan's limit is suspicious and says so, not invalid", async () => {
    const members = Array.from({ length: 20 }, (_, i) => ({ name: `images/${i}.txt`, data: `image ${i}\n` }));
    const result = await scanFile(zip(members), { name: "images.zip", limits: { maxMembers: 10 } });
    assert.equal(result.verdict, "suspicious");
    assert.deepEqual(rules(result), ["zip.limit"]);
    assert.match(result.findings[0]!.message, /20 entries, more than the scan's limit of 10.*not inspected/);
  });

  test("a deflated member larger than the inflation budget is suspicious and not inspected, not invalid", async () => {
    const bytes = zip([{ name: "arrays/x.npy", data: randomBytes(3 * 1024 * 1024), deflate: true }]);
    const result = await scanFile(bytes, { name: "arrays.npz", limits: { maxInflatedBytes: 1024 * 1024 } });
    assert.equal(result.verdict, "suspicious");
    assert.deepEqual(rules(result), ["archive.bomb"]);
    assert.match(
      result.findings[0]!.message,
      /compressed size .* more than the scan's inflation limit.*not inspected/,
    );
  });

  test("a memo past its memory budget stops the walk with a suspicious finding that names the limit", async () => {
    const lists: Part[] = [];
    for (let i = 0; i < 100_000; i++) lists.push(op.emptyList, op.memoize, op.pop);
    const bytes = join([op.proto(4), ...lists, op.none, op.stop]);
    const result = await scanFile(bytes, { name: "memo-bomb.pkl", limits: { maxMemoBytes: 1024 * 1024 } });
    assert.equal(result.verdict, "suspicious");
    assert.deepEqual(rules(result), ["pickle.limit"]);
    assert.match(result.findings[0]!.message, /resource limit \(memo larger than 1 MiB\)/);
    assert.match(result.findings[0]!.message, /not inspected/);
  });
});

/**
 * `pickle.dumps({word: index, ...}, protocol=4)` of `count` distinct words, written straight into one buffer:
 * SHORT_BINUNICODE and MEMOIZE for each word, BININT for its index, SETITEMS every 1,000 pairs.
 */
function vocabulary(count: number): Uint8Array {
  const out = Buffer.alloc(4 + count * 20 + Math.ceil(count / 1000) * 2);
  let at = 0;
  out[at++] = 0x80;
  out[at++] = 4;
  out[at++] = 0x7d; // EMPTY_DICT
  out[at++] = 0x94; // MEMOIZE
  for (let i = 0; i < count; i++) {
    if (i % 1000 === 0) out[at++] = 0x28; // MARK
    const word = `w${i.toString(36)}`;
    out[at++] = 0x8c;
    out[at++] = word.length;
    at += out.write(word, at, "latin1");
    out[at++] = 0x94;
    out[at++] = 0x4a;
    out.writeInt32LE(i, at);
    at += 4;
    if (i % 1000 === 999 || i === count - 1) out[at++] = 0x75; // SETITEMS
  }
  out[at++] = 0x2e;
  return out.subarray(0, at);
}
