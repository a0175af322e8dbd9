import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { HangarError } from "../../core/errors.ts";
import type { HubScope } from "../hub.ts";

export interface UpstreamFileSpec {
  url: string;
  path: string;
  size: number;
  /** git blob id of the bytes (regular files): checked when no sha256 is known. */
  gitOid: string;
  /** sha256 of the bytes (LFS files). */
  sha256?: string;
}

export interface DownloadedFile {
  sha256: string;
  /** Bytes fetched over the network by this call (a resumed file counts only the rest). */
  fetchedBytes: number;
}

/**
 * Partial downloads live outside the blob store's temp folder, which gc empties; same filesystem, so adopting
 * one into the filesystem store is a rename (another engine receives the verified file with `put`).
 */
export function partialDownloadsFolder(hub: HubScope): string {
  return join(hub.config.home, "mirror", "partial");
}

/** One download per partial file at a time in this process: two pulls sharing a file share its download. */
const inFlight = new Map<string, Promise<DownloadedFile>>();

/**
 * Downloads one upstream file into the blob store, verified against the upstream's sha256 (LFS) or git blob
 * id. The bytes go to a partial file named by that id first; an interrupted download is resumed from the
 * partial file's size with a Range request (a 200 answer restarts it), and only verified bytes are adopted.
 */
export function downloadUpstreamFile(
  hub: HubScope,
  fetchImpl: typeof fetch,
  spec: UpstreamFileSpec,
  onBytes?: (bytes: number) => void,
): Promise<DownloadedFile> {
  const partial = join(partialDownloadsFolder(hub), `${spec.sha256 ?? spec.gitOid}.part`);
  const running = inFlight.get(partial);
  // The other download may fail for reasons of its own (another token, a cancelled pull): then try ours.
  if (running) return running.catch(() => downloadUpstreamFile(hub, fetchImpl, spec, onBytes));
  const work = download(hub, fetchImpl, spec, partial, onBytes).finally(() => inFlight.delete(partial));
  inFlight.set(partial, work);
  return work;
}

async function download(
  hub: HubScope,
  fetchImpl: typeof fetch,
  spec: UpstreamFileSpec,
  partial: string,
  onBytes?: (bytes: number) => void,
): Promise<DownloadedFile> {
  await mkdir(partialDownloadsFolder(hub), { recursive: true });
  let have = (await stat(partial).catch(() => null))?.size ?? 0;
  if (have > spec.size) {
    await rm(partial, { force: true });
    have = 0;
  }
  let sha256 = createHash("sha256");
  let gitHash = createHash("sha1").update(`blob ${spec.size}\0`);
  if (have > 0) {
    for await (const chunk of createReadStream(partial)) {
      sha256.update(chunk as Buffer);
      gitHash.update(chunk as Buffer);
    }
  }
  let fetchedBytes = 0;
  if (have < spec.size || spec.size === 0) {
    const response = await fetchImpl(spec.url, have > 0 ? { headers: { range: `bytes=${have}-` } } : {});
    const resumed = have > 0 && response.status === 206 && contentRangeStart(response) === have;
    if (have > 0 && !resumed) {
      // The upstream ignored the Range (or answered another one): start over.
      have = 0;
      sha256 = createHash("sha256");
      gitHash = createHash("sha1").update(`blob ${spec.size}\0`);
    }
    const handle = await open(partial, resumed ? "a" : "w");
    try {
      if (response.body) {
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
          if (have + chunk.byteLength > spec.size) {
            throw new HangarError(
              "HANGAR_ERR_UPSTREAM",
              `The upstream sent more than the ${spec.size} bytes it lists for ${spec.path}`,
            );
          }
          await handle.write(chunk);
          sha256.update(chunk);
          gitHash.update(chunk);
          have += chunk.byteLength;
          fetchedBytes += chunk.byteLength;
          onBytes?.(chunk.byteLength);
        }
      }
      await handle.sync();
    } catch (error) {
      if (HangarError.isInstance(error)) {
        await rm(partial, { force: true });
        throw error;
      }
      // The connection broke: the partial file stays for the next run to resume.
      throw new HangarError(
        "HANGAR_ERR_UPSTREAM",
        `The download of ${spec.path} broke off after ${have} of ${spec.size} bytes (${(error as Error).message}); run the pull again to resume`,
        { details: { upstreamFailure: "unreachable" } },
      );
    } finally {
      await handle.close();
    }
  }
  if (have !== spec.size) {
    throw new HangarError(
      "HANGAR_ERR_UPSTREAM",
      `The upstream sent ${have} of the ${spec.size} bytes of ${spec.path}; run the pull again to resume`,
    );
  }
  const digest = sha256.digest("hex");
  const gitOid = gitHash.digest("hex");
  const verified = spec.sha256 !== undefined ? digest === spec.sha256 : gitOid === spec.gitOid;
  if (!verified) {
    await rm(partial, { force: true });
    throw new HangarError(
      "HANGAR_ERR_UPSTREAM",
      `The bytes of ${spec.path} from the upstream do not match its ${spec.sha256 !== undefined ? `sha256 ${spec.sha256}` : `git oid ${spec.gitOid}`}; nothing was stored`,
    );
  }
  await hub.blobs.adoptFile(partial, digest, spec.size);
  return { sha256: digest, fetchedBytes };
}

function contentRangeStart(response: Response): number | undefined {
  const match = /^bytes\s+(\d+)-/.exec(response.headers.get("content-range") ?? "");
  return match ? Number(match[1]) : undefined;
}
