import { HangarError } from "../core/errors.ts";
import { AGENT } from "./advertise.ts";
import { FLUSH, MAX_SIDEBAND_DATA, pktLine, sidebandLine } from "./pkt-line.ts";
import type { GitRefs } from "./refs.ts";

export const ZERO_OID = "0".repeat(40);

/** What Hangar's receive-pack offers (protocol v0: receive-pack has no v2). */
const CAPABILITIES = [
  "report-status",
  "delete-refs",
  "side-band-64k",
  "quiet",
  "atomic",
  "ofs-delta",
  "object-format=sha1",
  AGENT,
].join(" ");

/** The body of `GET info/refs?service=git-receive-pack`: the service line, then every ref (no HEAD). */
export function receiveAdvertisement(refs: GitRefs): Buffer {
  const packets = [pktLine("# service=git-receive-pack\n"), FLUSH];
  if (refs.refs.length === 0) packets.push(pktLine(`${ZERO_OID} capabilities^{}\0${CAPABILITIES}\n`));
  refs.refs.forEach((ref, index) => {
    packets.push(pktLine(`${ref.oid} ${ref.name}${index === 0 ? `\0${CAPABILITIES}` : ""}\n`));
  });
  packets.push(FLUSH);
  return Buffer.concat(packets);
}

/** One ref update a push asks for; a zero id on either side creates or deletes the ref. */
export interface RefCommand {
  oldOid: string;
  newOid: string;
  ref: string;
}

export interface ReceiveRequest {
  commands: RefCommand[];
  capabilities: Set<string>;
  /** The pack that follows the commands (empty when the push only deletes refs). */
  pack: Buffer;
}

const malformed = (message: string): HangarError =>
  new HangarError("HANGAR_ERR_BAD_REQUEST", `Malformed push: ${message}`);

/** Splits a `git-receive-pack` request into its commands (pkt-lines up to a flush) and the pack after them. */
export function parseReceiveRequest(body: Buffer, maxCommands: number): ReceiveRequest {
  const commands: RefCommand[] = [];
  const capabilities = new Set<string>();
  let offset = 0;
  while (true) {
    if (offset >= body.byteLength) {
      // git probes with a bare flush before a large push; an empty body asks for nothing either.
      if (commands.length === 0) return { commands, capabilities, pack: Buffer.alloc(0) };
      throw malformed("the command list does not end with a flush");
    }
    if (offset + 4 > body.byteLength) throw malformed("a truncated pkt-line length");
    const hex = body.toString("latin1", offset, offset + 4);
    if (!/^[0-9a-f]{4}$/i.test(hex)) throw malformed(`a pkt-line length "${hex}" that is not hex`);
    const length = Number.parseInt(hex, 16);
    if (length === 0) {
      offset += 4;
      break;
    }
    if (length < 4 || offset + length > body.byteLength) throw malformed(`a pkt-line length of ${length}`);
    let line = body.toString("utf8", offset + 4, offset + length);
    offset += length;
    if (line.endsWith("\n")) line = line.slice(0, -1);
    if (line.startsWith("shallow ")) {
      throw malformed("pushing from a shallow clone is not supported: fetch the full history first");
    }
    const nul = line.indexOf("\0");
    if (nul !== -1) {
      for (const capability of line.slice(nul + 1).split(" ")) if (capability) capabilities.add(capability);
      line = line.slice(0, nul);
    }
    const match = /^([0-9a-f]{40}) ([0-9a-f]{40}) (\S+)$/.exec(line);
    if (!match) throw malformed(`the command "${line.slice(0, 100)}" is not "<old-id> <new-id> <ref>"`);
    if (commands.length >= maxCommands) throw malformed(`more than ${maxCommands} ref updates in one push`);
    commands.push({ oldOid: match[1]!, newOid: match[2]!, ref: match[3]! });
  }
  const pack = body.subarray(offset);
  if (pack.byteLength > 0 && pack.toString("latin1", 0, 4) !== "PACK") {
    throw malformed("the data after the commands is not a pack");
  }
  return { commands, capabilities, pack };
}

/** The outcome of one ref update: `ok`, or the reason git shows as `! [remote rejected] ... (reason)`. */
export interface RefResult {
  ref: string;
  error?: string;
}

/**
 * The `report-status` answer: `unpack ok` (or the unpack error), then `ok <ref>` / `ng <ref> <reason>`,
 * wrapped in side-band packets on band 1 when the client asked for side-band-64k.
 */
export function reportStatus(
  unpackError: string | undefined,
  results: RefResult[],
  sideband: boolean,
): Buffer {
  const oneLine = (text: string) => text.replace(/[\r\n]+/g, " ").slice(0, 2000);
  const lines = [pktLine(`unpack ${unpackError ? oneLine(unpackError) : "ok"}\n`)];
  for (const result of results) {
    lines.push(pktLine(result.error ? `ng ${result.ref} ${oneLine(result.error)}\n` : `ok ${result.ref}\n`));
  }
  lines.push(FLUSH);
  const report = Buffer.concat(lines);
  if (!sideband) return report;
  const packets: Buffer[] = [];
  for (let start = 0; start < report.byteLength; start += MAX_SIDEBAND_DATA) {
    packets.push(sidebandLine(1, report.subarray(start, start + MAX_SIDEBAND_DATA)));
  }
  packets.push(FLUSH);
  return Buffer.concat(packets);
}

/** A progress message on band 2 (git prints it as `remote: ...`). */
export function progressLine(text: string): Buffer {
  return sidebandLine(2, Buffer.from(text));
}
