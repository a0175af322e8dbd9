import { HangarError } from "../core/errors.ts";

/**
 * git's pkt-line framing: four hex digits giving the length of the line including themselves, then the
 * payload; `0000` (flush), `0001` (delimiter, protocol v2) and `0002` (response end) carry no payload.
 */
export const FLUSH = Buffer.from("0000");
export const DELIM = Buffer.from("0001");

/** The most a pkt-line may hold, header included (git's LARGE_PACKET_MAX). */
export const MAX_PKT_LENGTH = 65520;
/** Bytes of data per side-band-64k packet: the packet minus its header and band byte. */
export const MAX_SIDEBAND_DATA = MAX_PKT_LENGTH - 5;

export function pktLine(payload: string | Uint8Array): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : Buffer.from(payload);
  if (body.byteLength + 4 > MAX_PKT_LENGTH) throw new Error("pkt-line payload too long");
  return Buffer.concat([Buffer.from((body.byteLength + 4).toString(16).padStart(4, "0")), body]);
}

/** One side-band packet: band 1 carries pack data, 2 progress, 3 a fatal error. */
export function sidebandLine(band: 1 | 2 | 3, data: Uint8Array): Buffer {
  const header = Buffer.from((data.byteLength + 5).toString(16).padStart(4, "0"));
  return Buffer.concat([header, Buffer.from([band]), data]);
}

export type Packet = { kind: "data"; text: string } | { kind: "flush" } | { kind: "delim" } | { kind: "end" };

const badRequest = (message: string): HangarError =>
  new HangarError("HANGAR_ERR_BAD_REQUEST", `Malformed git request: ${message}`);

/**
 * Splits a request body into packets. Lines are text (git's requests carry no binary payloads); a trailing
 * newline is dropped. At most `maxPackets` packets are read.
 */
export function parsePackets(body: Buffer, maxPackets: number): Packet[] {
  const packets: Packet[] = [];
  let offset = 0;
  while (offset < body.byteLength) {
    if (packets.length >= maxPackets) throw badRequest(`more than ${maxPackets} lines`);
    if (offset + 4 > body.byteLength) throw badRequest("a truncated pkt-line length");
    const hex = body.toString("latin1", offset, offset + 4);
    if (!/^[0-9a-f]{4}$/i.test(hex)) throw badRequest(`a pkt-line length "${hex}" that is not hex`);
    const length = Number.parseInt(hex, 16);
    if (length === 0) packets.push({ kind: "flush" });
    else if (length === 1) packets.push({ kind: "delim" });
    else if (length === 2) packets.push({ kind: "end" });
    else if (length < 4 || length > MAX_PKT_LENGTH) throw badRequest(`a pkt-line length of ${length}`);
    else {
      if (offset + length > body.byteLength) throw badRequest("a pkt-line longer than the request");
      const text = body.toString("utf8", offset + 4, offset + length);
      packets.push({ kind: "data", text: text.endsWith("\n") ? text.slice(0, -1) : text });
      offset += length;
      continue;
    }
    offset += 4;
  }
  return packets;
}
