import { scanKerasConfig } from "./config-scan.ts";
import { looksLikePickle, sniff } from "./sniff.ts";
import type { ByteSource } from "./source.ts";
import { addFinding, type ScanContext } from "./types.ts";
import { openZipEntry, readZipDirectory, ZipBomb, ZipError, ZipLimit } from "./zip.ts";

export interface MemberOptions {
  /** A magic-sniffed pickle that fails before any import is data, not a malformed pickle. */
  lenient?: boolean;
}
export type Dispatch = (source: ByteSource, ctx: ScanContext, options?: MemberOptions) => Promise<string>;

/**
 * A zip and every member in it: PyTorch checkpoints (the data record's folder is whatever the first entry
 * uses), `.npz`, `.keras`, and zips inside zips up to the depth limit. Members are sniffed by content, not
 * trusted by name, and read as leniently as PyTorch reads them.
 */
export async function scanZip(source: ByteSource, ctx: ScanContext, dispatch: Dispatch): Promise<string> {
  let entries: Awaited<ReturnType<typeof readZipDirectory>>;
  try {
    entries = await readZipDirectory(source, ctx.limits.maxMembers);
  } catch (error) {
    if (!(error instanceof ZipError)) throw error;
    if (error instanceof ZipLimit) {
      addFinding(ctx, {
        rule: "zip.limit",
        severity: "suspicious",
        message: `stopped at a resource limit (${error.message}); the members were not inspected`,
      });
    } else addFinding(ctx, { rule: "zip.structure", severity: "invalid", message: error.message });
    return "zip";
  }
  const names = entries.map((entry) => entry.name);
  const prefix = names[0]?.includes("/") ? names[0].slice(0, names[0].indexOf("/") + 1) : "";
  const torch = names.includes(`${prefix}data.pkl`);
  const lower = ctx.name.toLowerCase();
  const format = torch
    ? "pytorch-zip"
    : lower.endsWith(".keras") ||
        (names.includes("config.json") &&
          names.some((n) => n.endsWith(".weights.h5") || n === "metadata.json"))
      ? "keras"
      : lower.endsWith(".npz") || (names.length > 0 && names.every((n) => n.endsWith(".npy")))
        ? "npz"
        : "zip";
  if (format === "pytorch-zip" && names.some((n) => n.startsWith(`${prefix}code/`) && n.endsWith(".py"))) {
    addFinding(ctx, {
      rule: "torch.torchscript",
      severity: "suspicious",
      message: "a TorchScript archive: its code/ folder is a program torch.jit.load runs",
      member: `${prefix}code/`,
    });
  }
  for (const entry of entries) {
    if (entry.name.endsWith("/") && entry.size === 0) continue;
    const member = ctx.member ? `${ctx.member}!${entry.name}` : entry.name;
    const at = (finding: Parameters<typeof addFinding>[1]) => addFinding(ctx, { ...finding, member });
    if (entry.flags & 0x1)
      at({
        rule: "zip.encrypted-flag",
        severity: "suspicious",
        message: "the member is marked encrypted (PyTorch reads it anyway)",
      });
    let memberSource: ByteSource;
    try {
      memberSource = await openZipEntry(source, entry, ctx.budget);
    } catch (error) {
      if (error instanceof ZipBomb)
        at({
          rule: "archive.bomb",
          severity: "suspicious",
          message: `${error.message} (a compression bomb, or too large to inspect); not inspected`,
        });
      else if (error instanceof ZipError)
        at({ rule: "zip.member", severity: "invalid", message: error.message });
      else throw error;
      continue;
    }
    if (entry.localName !== undefined) {
      at({
        rule: "zip.name-mismatch",
        severity: "suspicious",
        message: `the local header names this member ${JSON.stringify(entry.localName)}`,
      });
    }
    const child: ScanContext = {
      ...ctx,
      name: entry.name,
      member,
      depth: ctx.depth + 1,
      torch: torch || ctx.torch,
    };
    if (format === "keras" && entry.name === "config.json") {
      await scanKerasConfig(memberSource, child);
      continue;
    }
    const head = await memberSource.read(0, 16);
    const kind = sniff(head, entry.name, memberSource.size);
    if (kind === "zip" && ctx.depth + 1 >= ctx.limits.maxDepth) {
      at({
        rule: "archive.too-deep",
        severity: "suspicious",
        message: `an archive nested deeper than ${ctx.limits.maxDepth} levels is not inspected`,
      });
      continue;
    }
    // Tensor storages of a checkpoint are raw numbers: a pickle-looking one is walked, but a failed walk
    // without imports is just data.
    const storage = torch && entry.name.startsWith(`${prefix}data/`);
    if (storage && !looksLikePickle(head)) continue;
    await dispatch(memberSource, child, { lenient: storage });
  }
  return format;
}
