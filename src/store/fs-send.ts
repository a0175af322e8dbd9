import { open } from "node:fs/promises";
import type { Writable } from "node:stream";
import { HangarError } from "../core/errors.ts";

/** Read size of a file sent to a client: 1 MB reads cost far less CPU per GB than Node's 64 KB default. */
export const SEND_CHUNK_BYTES = 1024 * 1024;
/**
 * Buffers per send: one being read from disk while up to two wait for the socket, so the disk and the
 * network stay busy together.
 */
const SEND_BUFFERS = 3;

/** A buffer of the pool and when the socket is done with what was last written from it. */
interface Slot {
  buffer: Buffer;
  free: Promise<void>;
}

/** Resolves on the next 'drain' of `target`, or when `gone` does (the client went away). */
function drained(target: Writable, gone: Promise<void>): Promise<void> {
  let onDrain: () => void = () => {};
  const drain = new Promise<void>((resolve) => {
    onDrain = resolve;
    target.once("drain", onDrain);
  });
  return Promise.race([drain, gone]).finally(() => target.off("drain", onDrain));
}

/**
 * Writes bytes `start` to `end` (inclusive) of a file to `target` (an HTTP response), then ends it. Unlike
 * `pipeline(createReadStream(...), target)`, which allocates a fresh buffer for every read, the bytes go
 * through a few buffers reused for the whole file: a buffer is read into again only once the socket has
 * taken what was written from it (its write callback) and the response has drained. With a gigabyte sent,
 * fresh buffers were external memory that made V8 collect the server's whole heap every few dozen
 * megabytes, about a third of the server's CPU per byte (see bench/README.md). A client that hangs up ends
 * the send quietly; a file shorter than announced destroys `target`, so the client sees a truncated body.
 */
export async function sendFileRange(
  path: string,
  range: { start: number; end: number },
  target: Writable,
): Promise<void> {
  const length = range.end - range.start + 1;
  if (length <= 0) {
    target.end();
    return;
  }
  const handle = await open(path, "r");
  let closed = false;
  let onClose: () => void = () => {};
  const gone = new Promise<void>((resolve) => {
    onClose = () => {
      closed = true;
      resolve();
    };
    target.once("close", onClose);
  });
  try {
    const chunk = Math.min(SEND_CHUNK_BYTES, length);
    const slots: Slot[] = [];
    for (let index = 0; index < Math.min(SEND_BUFFERS, Math.ceil(length / chunk)); index++) {
      slots.push({ buffer: Buffer.allocUnsafeSlow(chunk), free: Promise.resolve() });
    }
    let position = range.start;
    let remaining = length;
    for (let turn = 0; remaining > 0; turn++) {
      const slot = slots[turn % slots.length]!;
      await slot.free;
      if (closed || target.destroyed) return;
      const { bytesRead } = await handle.read(slot.buffer, 0, Math.min(chunk, remaining), position);
      if (closed || target.destroyed) return;
      if (bytesRead === 0) {
        target.destroy(
          new HangarError(
            "HANGAR_ERR_BLOB_CORRUPT",
            `${path} ended ${remaining} bytes before its recorded size`,
          ),
        );
        return;
      }
      position += bytesRead;
      remaining -= bytesRead;
      const data = bytesRead === slot.buffer.byteLength ? slot.buffer : slot.buffer.subarray(0, bytesRead);
      // The write callback runs once the socket took the bytes (or failed to: the client went away).
      let taken: () => void = () => {};
      const callback = new Promise<void>((resolve) => {
        taken = resolve;
      });
      const written = Promise.race([callback, gone]);
      if (remaining === 0) {
        target.end(data, () => taken());
        slot.free = written;
      } else if (target.write(data, () => taken())) {
        slot.free = written;
      } else {
        // Backpressure: the next read may run while the socket sends, but this buffer waits for 'drain'.
        slot.free = Promise.all([written, drained(target, gone)]).then(() => {});
      }
    }
    await Promise.all(slots.map((slot) => slot.free));
  } finally {
    target.off("close", onClose);
    await handle.close();
  }
}
