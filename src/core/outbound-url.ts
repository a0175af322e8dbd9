import { lookup as lookupHost } from "node:dns/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { badRequest, HangarError } from "./errors.ts";

/**
 * Guards requests the server sends to URLs its users give (webhooks, alerts) against server-side request
 * forgery: by default such a URL may only reach global addresses, not the server itself, its private
 * network, link-local addresses (169.254.169.254 is the cloud metadata service) or anything else that is
 * not routed on the internet. The operator may permit private targets (`HANGAR_OUTBOUND_ALLOW`).
 *
 * Two checks, because a host name can resolve anywhere: `checkOutboundUrl` when a URL is saved (refuses a
 * literal private address with a 400), and `postOutbound` when it is used, which resolves the name, refuses
 * a private answer, and connects to the very address it checked (so a second, different DNS answer cannot
 * slip in between the check and the connection: DNS rebinding).
 */
export interface OutboundPolicy {
  /** Every address is permitted, private ones included (`HANGAR_OUTBOUND_ALLOW=private`). */
  allowPrivate: boolean;
  /** Host names (lower case, no trailing dot) permitted whatever they resolve to. */
  hosts: readonly string[];
  /** Networks (`10.1.0.0/16`, `fd00::/8`, or one address) permitted even though they are not global. */
  networks: readonly string[];
}

/** The default: global addresses only. */
export const GLOBAL_ONLY: OutboundPolicy = { allowPrivate: false, hosts: [], networks: [] };

/** The environment variable that sets the policy, named in errors so an operator knows what to change. */
export const OUTBOUND_ALLOW_VARIABLE = "HANGAR_OUTBOUND_ALLOW";

/** Special-purpose IPv4 blocks (IANA registry) that are not reachable on the internet. */
const NON_GLOBAL_IPV4: Array<[string, number]> = [
  ["0.0.0.0", 8], // "this network", unspecified
  ["10.0.0.0", 8], // RFC 1918
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata services
  ["172.16.0.0", 12], // RFC 1918
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast (deprecated)
  ["192.168.0.0", 16], // RFC 1918
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

/**
 * IPv6 is judged the other way round: only global unicast (2000::/3) may be global, less its special blocks.
 * Everything else (::1, ::, fc00::/7, fe80::/10, multicast, NAT64, IPv4-compatible...) is not. An
 * IPv4-mapped address (::ffff:a.b.c.d) is judged as its IPv4 address.
 */
const GLOBAL_IPV6 = new BlockList();
GLOBAL_IPV6.addSubnet("2000::", 3, "ipv6");
const NON_GLOBAL_IPV6: Array<[string, number]> = [
  ["2001::", 23], // IETF protocol assignments (Teredo, benchmarking, ORCHID...)
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4: reaches the IPv4 address it embeds, whichever that is
  ["3fff::", 20], // documentation
];

const NON_GLOBAL = new BlockList();
for (const [network, prefix] of NON_GLOBAL_IPV4) NON_GLOBAL.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of NON_GLOBAL_IPV6) NON_GLOBAL.addSubnet(network, prefix, "ipv6");

const IPV4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;
const IPV4_MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

/** An IPv4-mapped IPv6 address as its IPv4 address; any other address unchanged. */
function unmapped(address: string): string {
  const dotted = IPV4_MAPPED.exec(address);
  if (dotted) return dotted[1]!;
  const hex = IPV4_MAPPED_HEX.exec(address);
  if (!hex) return address;
  const high = Number.parseInt(hex[1]!, 16);
  const low = Number.parseInt(hex[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/** Whether an IP address is routed on the internet (false for loopback, private, link-local, reserved...). */
export function isGlobalAddress(address: string): boolean {
  const plain = unmapped(bare(address));
  const family = isIP(plain);
  if (family === 4) return !NON_GLOBAL.check(plain, "ipv4");
  if (family === 6) return GLOBAL_IPV6.check(plain, "ipv6") && !NON_GLOBAL.check(plain, "ipv6");
  return false;
}

/** A URL's host without the brackets of an IPv6 literal or a trailing dot, lower case. */
function bare(host: string): string {
  return host
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "")
    .toLowerCase();
}

function networksOf(policy: OutboundPolicy): BlockList {
  const list = new BlockList();
  for (const entry of policy.networks) {
    const [address, prefix] = entry.split("/") as [string, string | undefined];
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/** Whether the policy lets a request reach this address (of this host name). */
export function isAllowedTarget(policy: OutboundPolicy, address: string, host?: string): boolean {
  if (policy.allowPrivate || isGlobalAddress(address)) return true;
  if (host !== undefined && policy.hosts.includes(bare(host))) return true;
  const plain = unmapped(bare(address));
  const family = isIP(plain);
  return family !== 0 && networksOf(policy).check(plain, family === 6 ? "ipv6" : "ipv4");
}

/**
 * `HANGAR_OUTBOUND_ALLOW`: comma-separated entries, each `private` (every address), a host name
 * (`hooks.internal`, permitted whatever it resolves to), an address (`10.0.0.5`) or a network
 * (`10.0.0.0/8`, `fd00::/8`). Unset or empty: global addresses only.
 */
export function parseOutboundAllow(value: string | undefined, source: string): OutboundPolicy | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const policy = { allowPrivate: false, hosts: [] as string[], networks: [] as string[] };
  for (const raw of value.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "private") {
      policy.allowPrivate = true;
      continue;
    }
    const [address, prefix, extra] = entry.split("/");
    const family = isIP(address ?? "");
    if (family !== 0) {
      const bits = prefix === undefined ? undefined : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
      if (extra !== undefined || (bits !== undefined && !(bits >= 0 && bits <= (family === 4 ? 32 : 128))))
        throw badRequest(`${source}: "${raw.trim()}" is not a network (a prefix length is 0-32 or 0-128)`);
      policy.networks.push(entry);
      continue;
    }
    if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/.test(entry))
      throw badRequest(
        `${source}: "${raw.trim()}" is not "private", a host name, an IP address or a network (10.0.0.0/8)`,
      );
    policy.hosts.push(bare(entry));
  }
  return policy;
}

/** The policy of a config-like object, the default (global addresses only) when it sets none. */
export function outboundPolicy(config: { outbound?: OutboundPolicy | undefined }): OutboundPolicy {
  return config.outbound ?? GLOBAL_ONLY;
}

/**
 * Checks a URL a user gives for the server to send requests to, when it is saved: absolute, http or https,
 * and not a literal address the policy refuses. Answers 400 (HANGAR_ERR_BAD_REQUEST for a malformed URL,
 * HANGAR_ERR_URL_NOT_ALLOWED for a refused address), naming the field. A host name is not resolved here:
 * what it resolves to is checked at each use (`postOutbound`).
 */
export function checkOutboundUrl(url: string, policy: OutboundPolicy, field = "url"): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest(`${field}: "${url}" is not an absolute URL`, { details: { field } });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw badRequest(`${field}: the URL must use http or https`, { details: { field } });
  const host = bare(parsed.hostname);
  if (isIP(host) !== 0 && !isAllowedTarget(policy, host)) throw notAllowed(field, host);
  return parsed;
}

function notAllowed(field: string, host: string): HangarError {
  return new HangarError(
    "HANGAR_ERR_URL_NOT_ALLOWED",
    `${field}: ${host} is a private, loopback or link-local address, which this server does not send ` +
      `requests to (its operator may permit it with ${OUTBOUND_ALLOW_VARIABLE})`,
    { details: { field } },
  );
}

/**
 * A request refused before anything was sent: the target resolved to an address the policy refuses. The
 * message does not name the address (whoever reads a delivery log would learn the server's internal DNS);
 * `address` has it for the operator's logs.
 */
export class OutboundRefusedError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      `${host === address ? address : `${host} resolves to an address that`} is private, loopback or ` +
        `link-local; nothing was sent (the operator may permit it with ${OUTBOUND_ALLOW_VARIABLE})`,
    );
    this.name = "OutboundRefusedError";
  }
}

export interface ResolvedTarget {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a URL's host and checks every address it has against the policy: one refused address refuses
 * the host (an attacker's DNS answer may mix a public and a private one). Throws OutboundRefusedError.
 */
export async function resolveOutboundTarget(url: URL, policy: OutboundPolicy): Promise<ResolvedTarget> {
  const host = bare(url.hostname);
  const literal = isIP(host);
  const addresses =
    literal !== 0
      ? [{ address: host, family: literal }]
      : await lookupHost(host, { all: true, verbatim: true });
  if (addresses.length === 0) throw new Error(`${host} has no address`);
  for (const { address } of addresses)
    if (!isAllowedTarget(policy, address, host)) throw new OutboundRefusedError(host, address);
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

export interface OutboundPost {
  headers: Record<string, string>;
  body: string | Uint8Array;
  /** Time allowed for the answer's status line, the connection included. */
  timeoutMs: number;
  policy: OutboundPolicy;
}

/**
 * POSTs to a user-given URL under the policy: resolves and checks its host, then connects to exactly that
 * address (TLS still verifies the certificate of the host name). Redirects are not followed. Resolves with
 * the answer's status (its body is discarded); rejects with OutboundRefusedError when the target is refused,
 * and with the network error when it cannot be reached or `timeoutMs` (name resolution included) ran out.
 */
export async function postOutbound(url: string | URL, post: OutboundPost): Promise<{ status: number }> {
  const target = typeof url === "string" ? new URL(url) : url;
  const signal = AbortSignal.timeout(post.timeoutMs);
  const resolved = await untilAborted(resolveOutboundTarget(target, post.policy), signal);
  return postToResolved(target, resolved, { ...post, signal });
}

/**
 * POSTs to `url` over a connection to `resolved`, whatever the host name resolves to now (so a second DNS
 * answer cannot replace the one that was checked). `resolved` must come from `resolveOutboundTarget`: this
 * checks nothing itself. Exported for tests of the pinning; features call `postOutbound`.
 */
export function postToResolved(
  url: URL,
  resolved: ResolvedTarget,
  post: Pick<OutboundPost, "headers" | "body"> & { signal: AbortSignal },
): Promise<{ status: number }> {
  const lookup: LookupFunction = (_hostname, options, callback) => {
    // Node asks for every address when it may try several families (autoSelectFamily): there is one.
    if (options.all) callback(null, [resolved]);
    else callback(null, resolved.address, resolved.family);
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      { method: "POST", headers: post.headers, lookup, signal: post.signal, agent: false },
      (response: IncomingMessage) => {
        response.resume();
        response.on("error", () => undefined);
        response.destroy();
        resolve({ status: response.statusCode ?? 0 });
      },
    );
    request.on("error", reject);
    request.end(post.body);
  });
}

/** The promise's outcome, or the signal's reason if it aborts first (a DNS lookup cannot be cancelled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
