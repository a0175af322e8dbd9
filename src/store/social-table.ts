import type { RepoType } from "../core/types.ts";
import type { SqlExecutor } from "./sql/sql-database.ts";

/** What an upstream hub reported of a repo's popularity, when and where (`hangar sync`, a pull). */
export interface UpstreamPopularity {
  /** null when the upstream reports none (a space has no downloads). */
  downloads: number | null;
  likes: number | null;
  /** When the figures were taken (ISO 8601). */
  takenAt: string;
  /** The upstream's endpoint. */
  source: string;
}

export interface LikedRepo {
  type: RepoType;
  id: string;
  private: boolean;
  namespace: string;
  likedAt: string;
}

/**
 * Likes, follows and the dated popularity figures (downloads and likes per repo and day) that trending
 * scores are computed from, plus the short-lived client sessions a download is counted once per.
 */
export class SocialTable {
  constructor(private readonly db: SqlExecutor) {}

  /** Records a like; false when the user already liked the repo. */
  async addLike(repoPk: number, user: string, at: string): Promise<boolean> {
    const result = await this.db.run(
      `INSERT INTO repo_likes (repo_pk, "user", created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
      [repoPk, user, at],
    );
    return result.changes > 0;
  }

  async removeLike(repoPk: number, user: string): Promise<boolean> {
    return (
      (await this.db.run(`DELETE FROM repo_likes WHERE repo_pk = ? AND "user" = ?`, [repoPk, user])).changes >
      0
    );
  }

  async countLikes(repoPk: number): Promise<number> {
    const row = await this.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM repo_likes WHERE repo_pk = ?", [
      repoPk,
    ]);
    return Number(row?.n ?? 0);
  }

  /** Users who like a repo, oldest like first, after `afterUser` (keyset page). */
  async likers(
    repoPk: number,
    limit: number,
    afterUser?: string,
  ): Promise<Array<{ username: string; fullname: string }>> {
    return this.db.all<{ username: string; fullname: string }>(
      `SELECT l."user" AS username, n.fullname AS fullname FROM repo_likes l JOIN namespaces n ON n.name = l."user"
       WHERE l.repo_pk = ?${afterUser === undefined ? "" : ` AND l."user" > ?`} ORDER BY l."user" LIMIT ?`,
      afterUser === undefined ? [repoPk, limit] : [repoPk, afterUser, limit],
    );
  }

  /** The repos a user likes, newest like first. */
  async likedBy(user: string): Promise<LikedRepo[]> {
    const rows = await this.db.all<{
      type: RepoType;
      namespace: string;
      name: string;
      private: number;
      created_at: string;
    }>(
      `SELECT r.type, r.namespace, r.name, r.private, l.created_at FROM repo_likes l JOIN repos r ON r.pk = l.repo_pk
       WHERE l."user" = ? ORDER BY l.created_at DESC, r.pk`,
      [user],
    );
    return rows.map((row) => ({
      type: row.type,
      id: `${row.namespace}/${row.name}`,
      namespace: row.namespace,
      private: Number(row.private) === 1,
      likedAt: row.created_at,
    }));
  }

  async countLikesBy(user: string): Promise<number> {
    const row = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM repo_likes WHERE "user" = ?`, [
      user,
    ]);
    return Number(row?.n ?? 0);
  }

  /**
   * Opens a download session of a client for a repo unless one is open at `now`: true when this request
   * starts a new session (and so counts as a download).
   */
  async openDownloadSession(
    repoPk: number,
    session: string,
    now: number,
    windowMs: number,
  ): Promise<boolean> {
    const result = await this.db.run(
      `INSERT INTO download_sessions (repo_pk, session, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (repo_pk, session) DO UPDATE SET expires_at = excluded.expires_at
       WHERE download_sessions.expires_at <= ?`,
      [repoPk, session, now + windowMs, now],
    );
    return result.changes > 0;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return (await this.db.run("DELETE FROM download_sessions WHERE expires_at <= ?", [now])).changes;
  }

  /** Adds to a repo's figures of one day (`YYYY-MM-DD`). */
  async addDailyFigures(
    repoPk: number,
    day: string,
    figures: { downloads?: number; likes?: number },
  ): Promise<void> {
    await this.db.run(
      `INSERT INTO repo_daily_stats (repo_pk, day, downloads, likes) VALUES (?, ?, ?, ?)
       ON CONFLICT (repo_pk, day) DO UPDATE SET downloads = repo_daily_stats.downloads + excluded.downloads,
       likes = repo_daily_stats.likes + excluded.likes`,
      [repoPk, day, figures.downloads ?? 0, figures.likes ?? 0],
    );
  }

  /** A repo's figures per day from `sinceDay` on. */
  async dailyFigures(
    repoPk: number,
    sinceDay: string,
  ): Promise<Array<{ day: string; downloads: number; likes: number }>> {
    const rows = await this.db.all<{ day: string; downloads: number; likes: number }>(
      "SELECT day, downloads, likes FROM repo_daily_stats WHERE repo_pk = ? AND day >= ? ORDER BY day",
      [repoPk, sinceDay],
    );
    return rows.map((row) => ({ day: row.day, downloads: Number(row.downloads), likes: Number(row.likes) }));
  }

  /** Repos with figures from `sinceDay` on, or a trending score to decay: those whose score may change. */
  async reposToRescore(sinceDay: string): Promise<number[]> {
    const rows = await this.db.all<{ pk: number }>(
      `SELECT DISTINCT repo_pk AS pk FROM repo_daily_stats WHERE day >= ?
       UNION SELECT pk FROM repos WHERE trending_score > 0`,
      [sinceDay],
    );
    return rows.map((row) => Number(row.pk));
  }

  /** Hangar's own figures of a repo: the downloads it counted (per day) and its users' likes. */
  async ownFigures(repoPk: number): Promise<{ downloads: number; likes: number }> {
    const row = await this.db.get<{ downloads: number | null; likes: number }>(
      `SELECT (SELECT SUM(downloads) FROM repo_daily_stats WHERE repo_pk = ?) AS downloads,
       (SELECT COUNT(*) FROM repo_likes WHERE repo_pk = ?) AS likes`,
      [repoPk, repoPk],
    );
    return { downloads: Number(row?.downloads ?? 0), likes: Number(row?.likes ?? 0) };
  }

  async upstreamFigures(repoPk: number): Promise<UpstreamPopularity | undefined> {
    const row = await this.db.get<{
      downloads: number | null;
      likes: number | null;
      taken_at: string;
      source: string;
    }>("SELECT downloads, likes, taken_at, source FROM repo_upstream_popularity WHERE repo_pk = ?", [repoPk]);
    if (!row) return undefined;
    return {
      downloads: row.downloads === null ? null : Number(row.downloads),
      likes: row.likes === null ? null : Number(row.likes),
      takenAt: row.taken_at,
      source: row.source,
    };
  }

  async setUpstreamFigures(repoPk: number, figures: UpstreamPopularity): Promise<void> {
    await this.db.run(
      `INSERT INTO repo_upstream_popularity (repo_pk, downloads, likes, taken_at, source) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (repo_pk) DO UPDATE SET downloads = excluded.downloads, likes = excluded.likes,
       taken_at = excluded.taken_at, source = excluded.source`,
      [repoPk, figures.downloads, figures.likes, figures.takenAt, figures.source],
    );
  }

  /** Sets the figures repos list and sort by (`downloads` and `likes`: Hangar's own plus the upstream's). */
  async setPopularity(
    repoPk: number,
    figures: { downloads?: number; likes?: number; trendingScore?: number },
  ): Promise<void> {
    if (figures.downloads !== undefined)
      await this.db.run("UPDATE repos SET downloads = ? WHERE pk = ?", [figures.downloads, repoPk]);
    if (figures.likes !== undefined)
      await this.db.run("UPDATE repos SET likes = ? WHERE pk = ?", [figures.likes, repoPk]);
    if (figures.trendingScore !== undefined)
      await this.db.run("UPDATE repos SET trending_score = ? WHERE pk = ?", [figures.trendingScore, repoPk]);
  }

  async follow(follower: string, followee: string, at: string): Promise<boolean> {
    return (
      (
        await this.db.run(
          "INSERT INTO follows (follower, followee, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
          [follower, followee, at],
        )
      ).changes > 0
    );
  }

  async unfollow(follower: string, followee: string): Promise<boolean> {
    return (
      (await this.db.run("DELETE FROM follows WHERE follower = ? AND followee = ?", [follower, followee]))
        .changes > 0
    );
  }

  /** Who follows `name` (direction "followers") or whom `name` follows ("following"), by name. */
  async listFollows(
    name: string,
    direction: "followers" | "following",
  ): Promise<Array<{ name: string; fullname: string; kind: "user" | "org" }>> {
    const [match, other] = direction === "followers" ? ["followee", "follower"] : ["follower", "followee"];
    return this.db.all(
      `SELECT n.name AS name, n.fullname AS fullname, n.kind AS kind FROM follows f JOIN namespaces n ON n.name = f.${other}
       WHERE f.${match} = ? ORDER BY f.created_at, n.name`,
      [name],
    );
  }

  async countFollows(name: string, direction: "followers" | "following"): Promise<number> {
    const column = direction === "followers" ? "followee" : "follower";
    const row = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM follows WHERE ${column} = ?`, [
      name,
    ]);
    return Number(row?.n ?? 0);
  }

  async isFollowing(follower: string, followee: string): Promise<boolean> {
    return (
      (await this.db.get("SELECT 1 AS one FROM follows WHERE follower = ? AND followee = ?", [
        follower,
        followee,
      ])) !== undefined
    );
  }

  /** Public repos (and, when given, private ones in `visibleNamespaces`) per type in a namespace. */
  async countRepos(namespace: string): Promise<Record<RepoType, number>> {
    const rows = await this.db.all<{ type: RepoType; n: number }>(
      "SELECT type, COUNT(*) AS n FROM repos WHERE namespace = ? AND origin = 'local' AND private = 0 GROUP BY type",
      [namespace],
    );
    const counts: Record<RepoType, number> = { model: 0, dataset: 0, space: 0 };
    for (const row of rows) counts[row.type] = Number(row.n);
    return counts;
  }
}
