import { createHash } from "node:crypto";
import { inflateSync } from "node:zlib";
import { HangarError } from "../core/errors.ts";

/** Object types a pack may carry; `tag` (annotated tags) is read so it can be refused by name. */
export type PackObjectType = "commit" | "tree" | "blob" | "tag";

export interface PackObject {
  oid: string;
  type: PackObjectType;
  body: Buffer;
}

export interface PackLimits {
  /** Most objects one pack may hold. */
  maxObjects: number;
  /** Largest object once inflated (and delta-resolved), in bytes. */
  maxObjectSize: number;
  /** Most inflated bytes all objects of the pack may add up to. */
  maxTotalSize: number;
}

/** An object of a thin pack's base that the pack does not carry: the receiver's own objects. */
export type BaseLookup = (oid: string) => Promise<PackObject | undefined>;

const TYPES: Record<number, PackObjectType> = { 1: "commit", 2: "tree", 3: "blob", 4: "tag" };
const OFS_DELTA = 6;
const OBJECTS_PER_TURN = 256;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const REF_DELTA = 7;

type DeltaEntry =
  | { offset: number; kind: "ofs"; baseOffset: number; delta: Buffer }
  | { offset: number; kind: "ref"; baseOid: string; delta: Buffer };
type Entry = { offset: number; kind: "whole"; type: PackObjectType; body: Buffer } | DeltaEntry;

/** An object's id: the sha1 of `<type> <size>\0<body>`. */
export function objectOid(type: PackObjectType, body: Uint8Array): string {
  return createHash("sha1").update(`${type} ${body.byteLength}\0`).update(body).digest("hex");
}

export const badPack = (message: string): HangarError =>
  new HangarError("HANGAR_ERR_BAD_REQUEST", `The pack is malformed: ${message}`);

/**
 * Reads a whole pack (version 2 or 3) held in memory: checks its trailing sha1, inflates each object within
 * the limits, resolves deltas (`OFS_DELTA`, `REF_DELTA`, and a thin pack's bases through `lookup`) and
 * hashes every object to its id.
 */
export async function readPack(pack: Buffer, limits: PackLimits, lookup: BaseLookup): Promise<PackObject[]> {
  if (pack.byteLength < 32) throw badPack("it is shorter than a pack header and checksum");
  if (pack.toString("latin1", 0, 4) !== "PACK") throw badPack('it does not start with "PACK"');
  const version = pack.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw badPack(`version ${version} is not 2 or 3`);
  const count = pack.readUInt32BE(8);
  if (count > limits.maxObjects) {
    throw new HangarError(
      "HANGAR_ERR_PAYLOAD_TOO_LARGE",
      `The pack holds ${count} objects; a push may send at most ${limits.maxObjects}`,
    );
  }
  const end = pack.byteLength - 20;
  const checksum = createHash("sha1").update(pack.subarray(0, end)).digest();
  if (!checksum.equals(pack.subarray(end))) throw badPack("its trailing checksum does not match its bytes");

  const entries: Entry[] = [];
  let total = 0;
  let offset = 12;
  for (let index = 0; index < count; index++) {
    // Objects are inflated on the event loop: let other requests in between batches.
    if (index % OBJECTS_PER_TURN === OBJECTS_PER_TURN - 1) await nextTurn();
    const start = offset;
    if (offset >= end) throw badPack(`it ends after ${index} of its ${count} objects`);
    let byte = pack[offset++]!;
    const typeCode = (byte >> 4) & 7;
    let size = byte & 15;
    let shift = 4;
    while (byte & 0x80) {
      if (offset >= end || shift > 49) throw badPack(`object ${index} has a malformed header`);
      byte = pack[offset++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    }
    if (size > limits.maxObjectSize) {
      throw new HangarError(
        "HANGAR_ERR_PAYLOAD_TOO_LARGE",
        `An object of the pack is ${size} bytes; a push may send objects of at most ${limits.maxObjectSize} bytes (send large files through Git LFS)`,
      );
    }
    let baseOffset = 0;
    let baseOid = "";
    if (typeCode === OFS_DELTA) {
      byte = pack[offset++]!;
      let distance = byte & 0x7f;
      while (byte & 0x80) {
        if (offset >= end || distance > 2 ** 45)
          throw badPack(`object ${index} has a malformed delta offset`);
        byte = pack[offset++]!;
        distance = (distance + 1) * 128 + (byte & 0x7f);
      }
      baseOffset = start - distance;
      if (baseOffset < 12) throw badPack(`object ${index} names a delta base before the pack's start`);
    } else if (typeCode === REF_DELTA) {
      if (offset + 20 > end) throw badPack(`object ${index} is truncated`);
      baseOid = pack.toString("hex", offset, offset + 20);
      offset += 20;
    } else if (!TYPES[typeCode]) {
      throw badPack(`object ${index} has the unknown type ${typeCode}`);
    }
    const { data, consumed } = inflateAt(pack, offset, end, size, index);
    offset += consumed;
    total += size;
    if (total > limits.maxTotalSize) {
      throw new HangarError(
        "HANGAR_ERR_PAYLOAD_TOO_LARGE",
        `The pack's objects add up to more than ${limits.maxTotalSize} bytes; push fewer commits at once, or send large files through Git LFS`,
      );
    }
    if (typeCode === OFS_DELTA) entries.push({ offset: start, kind: "ofs", baseOffset, delta: data });
    else if (typeCode === REF_DELTA) entries.push({ offset: start, kind: "ref", baseOid, delta: data });
    else entries.push({ offset: start, kind: "whole", type: TYPES[typeCode]!, body: data });
  }
  if (offset !== end) throw badPack("it has bytes after its last object");
  return resolveEntries(entries, limits, lookup);
}

function inflateAt(
  pack: Buffer,
  offset: number,
  end: number,
  size: number,
  index: number,
): { data: Buffer; consumed: number } {
  try {
    // With `info`, zlib also hands back its engine, whose bytesWritten is the input the stream took.
    const result = inflateSync(pack.subarray(offset, end), {
      info: true,
      maxOutputLength: Math.max(size, 1),
    }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    const data = result.buffer;
    if (data.byteLength !== size) throw new Error(`it inflates to ${data.byteLength} bytes, not ${size}`);
    return { data, consumed: result.engine.bytesWritten };
  } catch (error) {
    throw badPack(`object ${index} cannot be inflated: ${(error as Error).message}`);
  }
}

async function resolveEntries(
  entries: Entry[],
  limits: PackLimits,
  lookup: BaseLookup,
): Promise<PackObject[]> {
  const byOffset = new Map<number, PackObject>();
  const byOid = new Map<string, PackObject>();
  const record = (offset: number, object: PackObject) => {
    byOffset.set(offset, object);
    byOid.set(object.oid, object);
  };
  for (const entry of entries) {
    if (entry.kind === "whole") {
      record(entry.offset, { oid: objectOid(entry.type, entry.body), type: entry.type, body: entry.body });
    }
  }
  let pending = entries.filter((entry): entry is DeltaEntry => entry.kind !== "whole");
  // Each round resolves the deltas whose base is known; bases outside the pack are asked for once no
  // delta of the pack can go further.
  let external = false;
  while (pending.length > 0) {
    const left: DeltaEntry[] = [];
    for (const [index, entry] of pending.entries()) {
      if (index % OBJECTS_PER_TURN === OBJECTS_PER_TURN - 1) await nextTurn();
      let base: PackObject | undefined;
      if (entry.kind === "ofs") base = byOffset.get(entry.baseOffset);
      else if (entry.kind === "ref") {
        base = byOid.get(entry.baseOid);
        if (!base && external) {
          base = await lookup(entry.baseOid);
          if (!base) {
            throw badPack(`a delta's base ${entry.baseOid} is neither in the pack nor in the repository`);
          }
          byOid.set(base.oid, base);
        }
      }
      if (!base) {
        left.push(entry);
        continue;
      }
      const body = applyDelta(base.body, entry.delta, limits.maxObjectSize);
      record(entry.offset, { oid: objectOid(base.type, body), type: base.type, body });
    }
    if (left.length === pending.length) {
      if (external || left.every((entry) => entry.kind === "ofs")) {
        throw badPack("a delta's base is not among the pack's objects");
      }
      external = true;
    } else external = false;
    pending = left;
  }
  return entries.map((entry) => byOffset.get(entry.offset)!);
}

function readVarint(delta: Buffer, state: { at: number }): number {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    if (state.at >= delta.byteLength) throw badPack("a delta is truncated");
    byte = delta[state.at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return value;
}

/** git's delta format: the base's size, the result's size, then copy (from the base) and insert runs. */
export function applyDelta(base: Buffer, delta: Buffer, maxSize: number): Buffer {
  const state = { at: 0 };
  if (readVarint(delta, state) !== base.byteLength) throw badPack("a delta does not fit its base's size");
  const size = readVarint(delta, state);
  if (size > maxSize) {
    throw new HangarError(
      "HANGAR_ERR_PAYLOAD_TOO_LARGE",
      `An object of the pack is ${size} bytes; a push may send objects of at most ${maxSize} bytes`,
    );
  }
  const out = Buffer.allocUnsafe(size);
  let written = 0;
  while (state.at < delta.byteLength) {
    const op = delta[state.at++]!;
    if (op & 0x80) {
      let copyOffset = 0;
      let copySize = 0;
      for (let bit = 0; bit < 4; bit++) {
        if (op & (1 << bit)) copyOffset += delta[state.at++]! * 2 ** (8 * bit);
      }
      for (let bit = 0; bit < 3; bit++) {
        if (op & (0x10 << bit)) copySize += delta[state.at++]! * 2 ** (8 * bit);
      }
      if (copySize === 0) copySize = 0x10000;
      if (
        state.at > delta.byteLength ||
        copyOffset + copySize > base.byteLength ||
        written + copySize > size
      ) {
        throw badPack("a delta copies from outside its base");
      }
      base.copy(out, written, copyOffset, copyOffset + copySize);
      written += copySize;
    } else if (op > 0) {
      if (state.at + op > delta.byteLength || written + op > size) throw badPack("a delta is truncated");
      delta.copy(out, written, state.at, state.at + op);
      written += op;
      state.at += op;
    } else {
      throw badPack("a delta has a reserved instruction");
    }
  }
  if (written !== size) throw badPack("a delta makes fewer bytes than it announces");
  return out;
}
