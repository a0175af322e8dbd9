import { nowIso } from "../../core/time.ts";
import type { Catalog } from "../../store/catalog.ts";
import type { SocialTable, UpstreamPopularity } from "../../store/social-table.ts";

/** A repo's popularity as Hangar shows it: the sum, and its two parts. */
export interface PopularityParts {
  /** Hangar's own counts plus the upstream's last reported figures: the `downloads` and `likes` clients see. */
  downloads: number;
  likes: number;
  /** What Hangar counted itself: downloads as the Hub counts them, likes of its users. */
  own: { downloads: number; likes: number };
  /** What the upstream reported at the last `hangar sync` or pull (or the catalog snapshot stated), dated. */
  upstream: { downloads: number; likes: number; date: string; source: string | null } | null;
}

/**
 * Records the downloads and likes an upstream hub reports for a repo (`hangar sync`, a pull), dated and
 * labelled with the upstream's endpoint, apart from Hangar's own counts. The repo's `downloads` and `likes`
 * (what listings show and sorts, ranking and insights use) become Hangar's own figures plus the upstream's;
 * a figure the upstream does not report (a space has no downloads) is left as it was. One transaction.
 */
export async function recordUpstreamPopularity(
  catalog: Catalog,
  repoPk: number,
  reported: { downloads?: number; likes?: number },
  source: string,
  takenAt: string = nowIso(),
): Promise<{ downloads: number; likes: number }> {
  const clean = (value: number | undefined) =>
    value !== undefined && Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
  const figures: UpstreamPopularity = {
    downloads: clean(reported.downloads),
    likes: clean(reported.likes),
    takenAt,
    source,
  };
  return catalog.transaction(async (tx) => {
    const own = await tx.social.ownFigures(repoPk);
    await tx.social.setUpstreamFigures(repoPk, figures);
    await tx.social.setPopularity(repoPk, {
      ...(figures.downloads !== null ? { downloads: own.downloads + figures.downloads } : {}),
      ...(figures.likes !== null ? { likes: own.likes + figures.likes } : {}),
    });
    const repo = await tx.repos.getByPk(repoPk);
    return { downloads: repo?.downloads ?? 0, likes: repo?.likes ?? 0 };
  });
}

/**
 * Splits a repo's `downloads` and `likes` into Hangar's own counts and the upstream's. Without figures from
 * a sync or pull, whatever exceeds Hangar's own counts came with the catalog snapshot (`snapshot` names its
 * date and source); none of it is upstream's when there is no snapshot either.
 */
export async function popularityParts(
  catalog: { social: SocialTable },
  repo: { pk: number; downloads: number; likes: number },
  snapshot: { date: string; source: string | null } | null,
): Promise<PopularityParts> {
  const own = await catalog.social.ownFigures(repo.pk);
  const stored = await catalog.social.upstreamFigures(repo.pk);
  const upstream = stored
    ? {
        downloads: stored.downloads ?? Math.max(0, repo.downloads - own.downloads),
        likes: stored.likes ?? Math.max(0, repo.likes - own.likes),
        date: stored.takenAt,
        source: stored.source,
      }
    : snapshot
      ? {
          downloads: Math.max(0, repo.downloads - own.downloads),
          likes: Math.max(0, repo.likes - own.likes),
          date: snapshot.date,
          source: snapshot.source,
        }
      : null;
  return { downloads: repo.downloads, likes: repo.likes, own, upstream };
}
