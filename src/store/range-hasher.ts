import { Worker } from "node:worker_threads";
import { DIRECT_ALIGN, pageAlignedMemory } from "./direct-io.ts";

/** Bytes per read of the worker. */
const HASH_READ_BYTES = 4 * 1024 * 1024;

/**
 * sha256 of file ranges computed on a worker thread. A multipart upload's parts are hashed while later parts
 * are still arriving; on the main thread that hashing would compete with receiving them, on a worker it runs
 * on another core. One worker serves every upload of the process, each hash under its own id, one message
 * at a time; the worker is created on first use and never keeps the process alive by itself.
 *
 * Files written with direct I/O are not in the page cache, so they are read back the same way (O_DIRECT,
 * into page-aligned buffers that the main thread allocates and shares), two reads ahead of the hash so the
 * disk and the hash overlap. A range that does not suit direct reads (an unaligned start, a range shorter
 * than a block), or a filesystem that refuses them, is read normally.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { constants, openSync, read, closeSync } = require("node:fs");
const BLOCK = ${HASH_READ_BYTES};
const ALIGN = ${DIRECT_ALIGN};
const hashes = new Map();
const plain = [Buffer.allocUnsafe(BLOCK), Buffer.allocUnsafe(BLOCK)];
// Page-aligned buffers for direct reads (see store/direct-io.ts), shared by the thread that started this
// one; null when none could be had.
const aligned = workerData.aligned &&
  [Buffer.from(workerData.aligned, 0, BLOCK), Buffer.from(workerData.aligned, BLOCK, BLOCK)];
function openForHash(message) {
  const direct = message.direct && aligned && constants.O_DIRECT !== undefined && message.start % ALIGN === 0 &&
    message.end >= ALIGN;
  if (direct) {
    try {
      return { fd: openSync(message.path, constants.O_RDONLY | constants.O_DIRECT), buffers: aligned, direct: true };
    } catch {}
  }
  return { fd: openSync(message.path, "r"), buffers: plain, direct: false };
}
function readAt(fd, buffer, length, position) {
  return new Promise((resolve, reject) =>
    read(fd, buffer, 0, length, position, (error, bytes) => (error ? reject(error) : resolve(bytes))),
  );
}
async function hashRange(hash, message) {
  const { fd, buffers, direct } = openForHash(message);
  try {
    const { start, end } = message;
    let next = 0;
    let issuedTo = start;
    const issue = () => {
      const wanted = Math.min(BLOCK, end - issuedTo);
      // Direct reads ask for whole blocks: at the end of the file the kernel returns what there is.
      const length = direct ? Math.ceil(wanted / ALIGN) * ALIGN : wanted;
      const buffer = buffers[next];
      next = 1 - next;
      const at = issuedTo;
      issuedTo += wanted;
      return readAt(fd, buffer, length, at).then((bytes) => ({ buffer, bytes: Math.min(bytes, wanted), at, wanted }));
    };
    const queue = [];
    while (queue.length < 2 && issuedTo < end) queue.push(issue());
    while (queue.length > 0) {
      const { buffer, bytes, at, wanted } = await queue.shift();
      if (bytes < wanted) throw new Error("The file ends at " + (at + bytes) + " bytes, before " + end);
      hash.update(buffer.subarray(0, bytes));
      if (issuedTo < end) queue.push(issue());
    }
    return direct;
  } finally {
    closeSync(fd);
  }
}
async function handle(message) {
  const { op, id, seq } = message;
  if (op === "drop") {
    hashes.delete(id);
    return;
  }
  try {
    let hash = hashes.get(id);
    if (!hash) {
      hash = createHash("sha256");
      hashes.set(id, hash);
    }
    if (op === "digest") {
      hashes.delete(id);
      parentPort.postMessage({ seq, digest: hash.digest("hex") });
      return;
    }
    const direct = await hashRange(hash, message);
    parentPort.postMessage({ seq, direct });
  } catch (error) {
    hashes.delete(id);
    parentPort.postMessage({ seq, error: String((error && error.message) || error) });
  }
}
// One message at a time, in the order sent: a hash's ranges must be fed in order.
let queue = Promise.resolve();
parentPort.on("message", (message) => {
  queue = queue.then(() => handle(message));
});
`;

interface Reply {
  seq: number;
  digest?: string;
  /** For an update: whether the range was read with O_DIRECT. */
  direct?: boolean;
  error?: string;
}

let worker: Worker | undefined;
/** Off: no worker is started and every hash call fails, as when worker threads cannot be used. */
let workerEnabled = true;
const waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
let lastSeq = 0;
let lastId = 0;

function hashWorker(): Worker {
  if (worker) return worker;
  if (!workerEnabled) throw new Error("The hashing worker is turned off");
  const aligned = pageAlignedMemory(2 * HASH_READ_BYTES, true)?.buffer ?? null;
  const created = new Worker(WORKER_SOURCE, { eval: true, workerData: { aligned } });
  created.unref();
  created.on("message", (reply: Reply) => {
    const waiter = waiting.get(reply.seq);
    waiting.delete(reply.seq);
    if (waiting.size === 0) created.unref();
    if (!waiter) return;
    if (reply.error !== undefined) waiter.reject(new Error(reply.error));
    else waiter.resolve(reply);
  });
  const fail = (error: Error) => {
    if (worker === created) worker = undefined;
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
  };
  created.on("error", fail);
  created.on("exit", (code) => fail(new Error(`The hashing worker stopped (exit code ${code})`)));
  worker = created;
  return created;
}

function call(
  target: Worker,
  message: {
    op: "update" | "digest";
    id: number;
    path?: string;
    start?: number;
    end?: number;
    direct?: boolean;
  },
) {
  const seq = ++lastSeq;
  return new Promise<Reply>((resolve, reject) => {
    waiting.set(seq, { resolve, reject });
    // While a reply is awaited the worker must keep the process alive, or the caller would never resume.
    target.ref();
    target.postMessage({ ...message, seq });
  });
}

/**
 * Turns the hashing worker off (stopping a running one, which loses the hashes it holds) or back on. With
 * it off, uploads are hashed on the main thread at completion: the path taken when the worker fails. Tests
 * use this to run that path; nothing else needs it.
 */
export async function setHashWorkerEnabled(enabled: boolean): Promise<void> {
  workerEnabled = enabled;
  const running = worker;
  if (enabled || !running) return;
  worker = undefined;
  await running.terminate();
}

/** One sha256 on the worker, fed with file ranges in order. */
export class RangeHasher {
  private readonly id = ++lastId;
  private finished = false;
  /** The worker holding this hash's state. */
  private home: Worker | undefined;

  /**
   * The worker to send the next call to. A worker that stopped took this hash's state with it; a new
   * worker would silently start the hash over from nothing, so the hash fails instead.
   */
  private worker(): Worker {
    const target = hashWorker();
    if (this.home !== undefined && this.home !== target) {
      throw new Error("The hashing worker was restarted: the bytes hashed so far are lost");
    }
    this.home = target;
    return target;
  }

  /**
   * Adds bytes `start` (inclusive) to `end` (exclusive) of the file at `path`; `direct` reads them with
   * O_DIRECT (for a file written that way, which the page cache does not hold). Resolves to whether the
   * range was in fact read with O_DIRECT (a range or filesystem that does not suit it is read normally).
   */
  async update(path: string, range: { start: number; end: number }, direct = false): Promise<boolean> {
    if (range.end <= range.start) return false;
    const reply = await call(this.worker(), { op: "update", id: this.id, path, ...range, direct });
    return reply.direct === true;
  }

  async digest(): Promise<string> {
    this.finished = true;
    return (await call(this.worker(), { op: "digest", id: this.id })).digest!;
  }

  /** Forgets the hash (the bytes it covered changed, or the upload was abandoned). */
  dispose(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.home !== undefined && this.home === worker) this.home.postMessage({ op: "drop", id: this.id });
  }
}
