import { Worker } from "node:worker_threads";

/**
 * Frees the memory of request-body chunks as soon as their bytes are used, instead of at the main thread's
 * next full garbage collection.
 *
 * Every chunk of an HTTP body is a fresh 64 KB ArrayBuffer outside V8's heap. V8 frees such memory only when
 * it collects the chunk, and it starts a full collection (marking the whole heap of the server, on every
 * core) each time about 64 MB of it has built up: for a 1 GB upload that is dozens of collections, and the
 * memory they free comes back to the allocator cold, so refilling it costs page faults. bench:upload
 * measured 0.5-1 CPU second per GB for this on a 2-core VM, a quarter of the server's whole ingest cost.
 *
 * Transferring a buffer to another thread detaches it here at once (V8 stops counting it against the
 * main heap). The thread it goes to has a tiny heap of its own and runs a young-generation collection after
 * each batch, which frees the memory within milliseconds.
 *
 * Only the owner of a body may release its chunks, after its last use of them: a released chunk is empty
 * afterwards (byteLength 0). Chunks that share their ArrayBuffer with other data (pool slices) are skipped.
 */

/** Chunks sent per message: enough to make the message cheap, few enough to free memory promptly. */
const BATCH = 32;

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const v8 = require("node:v8");
// A young-generation collection on demand: the gc function of a context made while --expose-gc is set
// collects this thread's heap. The flag is cleared again at once, so no other context gets the function.
v8.setFlagsFromString("--expose-gc");
const gc = require("node:vm").runInNewContext("gc");
v8.setFlagsFromString("--no-expose-gc");
let pending = false;
parentPort.on("message", () => {
  // After the handler, when nothing refers to the batch's buffers any more.
  if (pending) return;
  pending = true;
  setImmediate(() => {
    pending = false;
    gc({ type: "minor" });
  });
});
`;

let worker: Worker | undefined;
/** Set once the worker failed: chunks are then left to the garbage collector as before. */
let unavailable = false;

function releaseWorker(): Worker | undefined {
  if (worker || unavailable) return worker;
  try {
    const created = new Worker(WORKER_SOURCE, { eval: true });
    created.unref();
    const fail = () => {
      unavailable = true;
      if (worker === created) worker = undefined;
    };
    created.on("error", fail);
    created.on("exit", fail);
    worker = created;
  } catch {
    unavailable = true;
  }
  return worker;
}

/** Whether the chunk's ArrayBuffer holds this chunk and nothing else, so detaching it loses no other data. */
function ownsItsBuffer(chunk: Uint8Array): boolean {
  return (
    chunk.byteOffset === 0 &&
    chunk.buffer.byteLength === chunk.byteLength &&
    chunk.byteLength > 0 &&
    !(chunk.buffer instanceof SharedArrayBuffer)
  );
}

/** The chunks of one request body, released in batches. */
export class ChunkRelease {
  private batch: ArrayBuffer[] = [];

  /** Takes a chunk its owner is done with; it reads as empty from now on. */
  add(chunk: Uint8Array): void {
    if (!ownsItsBuffer(chunk)) return;
    this.batch.push(chunk.buffer as ArrayBuffer);
    if (this.batch.length >= BATCH) this.flush();
  }

  /** Sends what has been gathered (at the end of the body). */
  flush(): void {
    const buffers = this.batch;
    if (buffers.length === 0) return;
    this.batch = [];
    const target = releaseWorker();
    if (!target) return;
    try {
      target.postMessage(null, buffers);
    } catch {
      // Not transferable after all (already detached elsewhere): the garbage collector frees them.
    }
  }
}
