import { HangarError } from "../core/errors.ts";
import type { Packet } from "./pkt-line.ts";

/** Which objects a partial clone leaves out: blobs always (`blob:none`), or blobs over a size. */
export type ObjectFilter = { kind: "blob:none" } | { kind: "blob:limit"; bytes: number };

/** A fetch as git asks for it, in either protocol version. */
export interface FetchRequest {
  wants: string[];
  haves: string[];
  /** Commits the client's repository is shallow at. */
  shallows: string[];
  /** `deepen N`: history up to N commits deep from the wants. */
  depth?: number;
  /** `deepen-since T`: history back to this time (unix seconds). */
  deepenSince?: number;
  filter?: ObjectFilter;
  /** The client sent `done`: no more negotiation, send the pack. */
  done: boolean;
  sideband: boolean;
  noProgress: boolean;
  /**
   * Protocol v0: the request goes on past its wants (haves, a flush or `done`). A stateless request of wants
   * alone (how git opens a shallow fetch) is answered with the shallow list only.
   */
  negotiates: boolean;
}

/** Bounds on what one request may name. */
export const MAX_WANTS = 100_000;
export const MAX_HAVES = 100_000;
export const MAX_SHALLOWS = 10_000;

const OID = /^[0-9a-f]{40}$/;

const malformed = (message: string): HangarError =>
  new HangarError("HANGAR_ERR_BAD_REQUEST", `Malformed git request: ${message}`);

const unsupported = (message: string): HangarError =>
  new HangarError("HANGAR_ERR_BAD_REQUEST", `Hangar cannot serve this fetch: ${message}`);

function oidArgument(line: string, prefix: string): string {
  const oid = line.slice(prefix.length).split(" ")[0]!;
  if (!OID.test(oid)) throw malformed(`"${line.slice(0, 60)}" does not name an object id`);
  return oid;
}

export function parseFilter(spec: string): ObjectFilter {
  if (spec === "blob:none") return { kind: "blob:none" };
  const limit = /^blob:limit=(\d+)([kmg]?)$/i.exec(spec);
  if (limit) {
    const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[
      limit[2]!.toLowerCase() as "" | "k" | "m" | "g"
    ];
    return { kind: "blob:limit", bytes: Number(limit[1]) * unit };
  }
  throw unsupported(`the filter "${spec.slice(0, 60)}" is not supported (blob:none and blob:limit=<n> are)`);
}

class FetchBuilder {
  readonly request: FetchRequest = {
    wants: [],
    haves: [],
    shallows: [],
    done: false,
    sideband: false,
    noProgress: false,
    negotiates: false,
  };

  /** Reads one argument line shared by both versions; false when the line is not one of them. */
  argument(line: string): boolean {
    const request = this.request;
    if (line.startsWith("want ")) {
      if (request.wants.length >= MAX_WANTS) throw malformed(`more than ${MAX_WANTS} wants`);
      request.wants.push(oidArgument(line, "want "));
    } else if (line.startsWith("have ")) {
      if (request.haves.length >= MAX_HAVES) throw malformed(`more than ${MAX_HAVES} haves`);
      request.haves.push(oidArgument(line, "have "));
    } else if (line.startsWith("shallow ")) {
      if (request.shallows.length >= MAX_SHALLOWS) throw malformed(`more than ${MAX_SHALLOWS} shallows`);
      request.shallows.push(oidArgument(line, "shallow "));
    } else if (line.startsWith("deepen ")) {
      const depth = Number(line.slice("deepen ".length));
      if (!Number.isSafeInteger(depth) || depth < 1) throw malformed(`"${line.slice(0, 60)}"`);
      request.depth = depth;
    } else if (line.startsWith("deepen-since ")) {
      const since = Number(line.slice("deepen-since ".length));
      if (!Number.isSafeInteger(since)) throw malformed(`"${line.slice(0, 60)}"`);
      request.deepenSince = since;
    } else if (line.startsWith("deepen-not ") || line === "deepen-relative") {
      throw unsupported(`"${line.split(" ")[0]}" is not supported; use --depth or --shallow-since`);
    } else if (line.startsWith("filter ")) {
      request.filter = parseFilter(line.slice("filter ".length));
    } else if (line === "done") {
      request.done = true;
    } else if (line === "no-progress") {
      request.noProgress = true;
    } else {
      return false;
    }
    return true;
  }
}

/**
 * Protocol v0 (stateless, as git speaks it over HTTP): wants (the first with the client's capabilities),
 * shallows and deepen lines, a flush, then haves, ended by `done` or a flush.
 */
export function parseV0Fetch(packets: readonly Packet[]): FetchRequest {
  const builder = new FetchBuilder();
  let first = true;
  let wantsEnded = false;
  for (const packet of packets) {
    if (wantsEnded) builder.request.negotiates = true;
    if (packet.kind === "flush") wantsEnded = true;
    if (packet.kind !== "data") continue;
    let line = packet.text;
    if (first && line.startsWith("want ")) {
      first = false;
      const capabilities = line.slice("want ".length + 41).split(" ");
      builder.request.sideband = capabilities.includes("side-band-64k");
      builder.request.noProgress = capabilities.includes("no-progress");
      line = line.slice(0, "want ".length + 40);
    }
    if (!builder.argument(line)) throw malformed(`unexpected line "${line.slice(0, 60)}"`);
  }
  return builder.request;
}

/** Arguments of a v2 `fetch` that change nothing here: Hangar's packs have no deltas and no tags to add. */
const IGNORED_V2 = new Set(["thin-pack", "ofs-delta", "include-tag", "wait-for-done"]);

/** The arguments of a protocol v2 `command=fetch` (after its delimiter). */
export function parseV2Fetch(args: readonly string[]): FetchRequest {
  const builder = new FetchBuilder();
  builder.request.sideband = true;
  for (const line of args) {
    if (builder.argument(line) || IGNORED_V2.has(line)) continue;
    if (line.startsWith("want-ref ") || line === "sideband-all" || line.startsWith("packfile-uris ")) {
      throw unsupported(`"${line.split(" ")[0]}" was not advertised`);
    }
    throw malformed(`unexpected fetch argument "${line.slice(0, 60)}"`);
  }
  return builder.request;
}

/** A v2 request: its command, capability lines and arguments. */
export interface V2Command {
  command: string;
  capabilities: string[];
  args: string[];
}

export function parseV2Command(packets: readonly Packet[]): V2Command {
  let command: string | undefined;
  const capabilities: string[] = [];
  const args: string[] = [];
  let inArgs = false;
  for (const packet of packets) {
    if (packet.kind === "delim") inArgs = true;
    else if (packet.kind === "flush") break;
    else if (packet.kind === "data") {
      if (inArgs) args.push(packet.text);
      else if (packet.text.startsWith("command=")) command = packet.text.slice("command=".length);
      else capabilities.push(packet.text);
    }
  }
  if (!command) throw malformed("no command");
  return { command, capabilities, args };
}
