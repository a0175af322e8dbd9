import type { Repo } from "../../core/types.ts";
import type { HubScope } from "../hub.ts";
import { isDownloadQueryFile } from "./download-query-files.ts";
import { dayOf, rescoreRepo } from "./trending-score.ts";

/** How long one client's requests of a repo count as one download. */
export const DOWNLOAD_SESSION_MS = 10 * 60_000;

/**
 * Counts a download of a repo as the Hub does: a request of one of its query files (see
 * isDownloadQueryFile; a repo with none of them at the commit counts any file), once per client session —
 * the HEAD, the `Range: bytes=0-0` probe and the GET a client makes of the same file, or a
 * snapshot's files, count once. `session` names the client (its token, or its address and user agent).
 * Returns whether the request was counted.
 */
export async function recordDownload(
  hub: HubScope,
  params: { repo: Repo; path: string; session: string; hasQueryFile: () => Promise<boolean> },
): Promise<boolean> {
  const { repo, path } = params;
  if (!isDownloadQueryFile(path, repo.libraryName) && (await params.hasQueryFile())) return false;
  const now = Date.now();
  const counted = await hub.catalog.social.openDownloadSession(
    repo.pk,
    params.session,
    now,
    DOWNLOAD_SESSION_MS,
  );
  if (!counted) return false;
  await hub.catalog.repos.addDownloads(repo.pk, 1);
  await hub.catalog.social.addDailyFigures(repo.pk, dayOf(now), { downloads: 1 });
  await rescoreRepo(hub.catalog, repo.pk, now);
  return true;
}
