import { FLUSH, pktLine } from "./pkt-line.ts";
import type { GitRefs } from "./refs.ts";

export const AGENT = "agent=hangar";
const ZERO_OID = "0".repeat(40);

/** What Hangar's upload-pack offers to protocol v0 clients. */
function v0Capabilities(refs: GitRefs): string {
  return [
    "multi_ack_detailed",
    "side-band-64k",
    "shallow",
    "deepen-since",
    "no-progress",
    "allow-tip-sha1-in-want",
    "allow-reachable-sha1-in-want",
    "filter",
    `symref=HEAD:${refs.head.target}`,
    "object-format=sha1",
    AGENT,
  ].join(" ");
}

/** The body of `GET info/refs?service=git-upload-pack` for protocol v0: the service line, then every ref. */
export function v0Advertisement(refs: GitRefs): Buffer {
  const lines: Array<{ oid: string; name: string }> = [];
  if (refs.head.oid) lines.push({ oid: refs.head.oid, name: "HEAD" });
  lines.push(...refs.refs);
  const capabilities = v0Capabilities(refs);
  const packets = [pktLine("# service=git-upload-pack\n"), FLUSH];
  if (lines.length === 0) packets.push(pktLine(`${ZERO_OID} capabilities^{}\0${capabilities}\n`));
  lines.forEach((line, index) => {
    packets.push(pktLine(`${line.oid} ${line.name}${index === 0 ? `\0${capabilities}` : ""}\n`));
  });
  packets.push(FLUSH);
  return Buffer.concat(packets);
}

/** The body of `GET info/refs?service=git-upload-pack` for protocol v2: the capabilities. */
export function v2Advertisement(): Buffer {
  return Buffer.concat([
    pktLine("version 2\n"),
    pktLine(`${AGENT}\n`),
    pktLine("ls-refs=unborn\n"),
    pktLine("fetch=shallow filter\n"),
    pktLine("object-format=sha1\n"),
    FLUSH,
  ]);
}

/** The answer to a v2 `ls-refs`: refs under the prefixes asked for, HEAD with its target when asked. */
export function lsRefs(refs: GitRefs, args: readonly string[]): Buffer {
  const prefixes = args.filter((arg) => arg.startsWith("ref-prefix ")).map((arg) => arg.slice(11));
  const symrefs = args.includes("symrefs");
  const unborn = args.includes("unborn");
  const wanted = (name: string): boolean =>
    prefixes.length === 0 || prefixes.some((prefix) => name.startsWith(prefix));
  const packets: Buffer[] = [];
  if (wanted("HEAD")) {
    const target = symrefs ? ` symref-target:${refs.head.target}` : "";
    if (refs.head.oid) packets.push(pktLine(`${refs.head.oid} HEAD${target}\n`));
    else if (unborn) packets.push(pktLine(`unborn HEAD${target}\n`));
  }
  for (const ref of refs.refs) if (wanted(ref.name)) packets.push(pktLine(`${ref.oid} ${ref.name}\n`));
  packets.push(FLUSH);
  return Buffer.concat(packets);
}
