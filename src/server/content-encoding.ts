import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";

export type Encoding = "br" | "gzip";

/**
 * The encoding to send, from `Accept-Encoding`: brotli when accepted (smaller), else gzip, else none.
 * `q=0` refuses one; `*` accepts any not named.
 */
export function chooseEncoding(header: string | string[] | undefined): Encoding | undefined {
  const accepted = new Map<string, number>();
  for (const part of (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find(Boolean);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const quality = (name: Encoding) => accepted.get(name) ?? accepted.get("*") ?? 0;
  if (quality("br") > 0) return "br";
  if (quality("gzip") > 0) return "gzip";
  return undefined;
}

/** Below this a compressed body saves less than its headers cost. */
export const MIN_COMPRESS_BYTES = 1024;

/** What a compressor trades: brotli's quality (0-11) and whether the body is text, gzip's level (1-9). */
interface CompressionLevels {
  brotli: number;
  text?: boolean;
  gzip: number;
}

/** Brotli and gzip compressors at `levels`, each run on libuv's threads, off the event loop. */
export function compressorsAt(
  levels: CompressionLevels,
): Record<Encoding, (body: Buffer) => Promise<Buffer>> {
  const brotli = promisify(brotliCompress);
  const gzipAsync = promisify(gzip);
  return {
    br: (body) =>
      brotli(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: levels.brotli,
          ...(levels.text ? { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } : {}),
          [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
        },
      }),
    gzip: (body) => gzipAsync(body, { level: levels.gzip }),
  };
}

/**
 * Compressors for answers made per request: levels that cost well under a millisecond for a page of search
 * results (brotli 4 still beats gzip's best on JSON).
 */
const fastCompressors = compressorsAt({ brotli: 4, text: true, gzip: 6 });

/**
 * An `onSend` hook compressing a route's serialized answer (JSON) with brotli or gzip as the client's
 * `Accept-Encoding` allows, for answers of 1 KiB or more; `Vary: Accept-Encoding` either way, joined to the
 * `Vary: Origin` every answer has.
 */
export async function compressReply(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  if (typeof payload !== "string" && !Buffer.isBuffer(payload)) return payload;
  const vary = String(reply.getHeader("vary") ?? reply.raw.getHeader("vary") ?? "");
  if (!/\baccept-encoding\b/i.test(vary))
    reply.header("vary", vary ? `${vary}, Accept-Encoding` : "Accept-Encoding");
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  if (body.byteLength < MIN_COMPRESS_BYTES || reply.getHeader("content-encoding")) return payload;
  const encoding = chooseEncoding(request.headers["accept-encoding"]);
  if (!encoding) return payload;
  const compressed = await fastCompressors[encoding](body);
  reply.header("content-encoding", encoding);
  reply.removeHeader("content-length");
  return compressed;
}
