import { Worker } from "node:worker_threads";

/**
 * sha256 of file ranges computed on a worker thread. A multipart upload's parts are hashed from the page
 * cache while later parts are still arriving; on the main thread that hashing would compete with receiving
 * them, on a worker it runs on another core. One worker serves every upload of the process, each hash
 * under its own id; the worker is created on first use and never keeps the process alive by itself.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { openSync, readSync, closeSync } = require("node:fs");
const hashes = new Map();
const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
parentPort.on("message", (message) => {
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
    const fd = openSync(message.path, "r");
    try {
      for (let at = message.start; at < message.end; ) {
        const read = readSync(fd, buffer, 0, Math.min(buffer.length, message.end - at), at);
        if (read === 0) throw new Error("The file ends at " + at + " bytes, before " + message.end);
        hash.update(buffer.subarray(0, read));
        at += read;
      }
    } finally {
      closeSync(fd);
    }
    parentPort.postMessage({ seq });
  } catch (error) {
    hashes.delete(id);
    parentPort.postMessage({ seq, error: String((error && error.message) || error) });
  }
});
`;

interface Reply {
  seq: number;
  digest?: string;
  error?: string;
}

let worker: Worker | undefined;
/** Off: no worker is started and every hash call fails, as when worker threads cannot be used. */
let workerEnabled = true;
const waiting = new Map<number, { resolve: (digest?: string) => void; reject: (error: Error) => void }>();
let lastSeq = 0;
let lastId = 0;

function hashWorker(): Worker {
  if (worker) return worker;
  if (!workerEnabled) throw new Error("The hashing worker is turned off");
  const created = new Worker(WORKER_SOURCE, { eval: true });
  created.unref();
  created.on("message", (reply: Reply) => {
    const waiter = waiting.get(reply.seq);
    waiting.delete(reply.seq);
    if (waiting.size === 0) created.unref();
    if (!waiter) return;
    if (reply.error !== undefined) waiter.reject(new Error(reply.error));
    else waiter.resolve(reply.digest);
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
  message: { op: "update" | "digest"; id: number; path?: string; start?: number; end?: number },
) {
  const seq = ++lastSeq;
  return new Promise<string | undefined>((resolve, reject) => {
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

  /** Adds bytes `start` (inclusive) to `end` (exclusive) of the file at `path`. */
  async update(path: string, range: { start: number; end: number }): Promise<void> {
    if (range.end > range.start) await call(this.worker(), { op: "update", id: this.id, path, ...range });
  }

  async digest(): Promise<string> {
    this.finished = true;
    return (await call(this.worker(), { op: "digest", id: this.id }))!;
  }

  /** Forgets the hash (the bytes it covered changed, or the upload was abandoned). */
  dispose(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.home !== undefined && this.home === worker) this.home.postMessage({ op: "drop", id: this.id });
  }
}
