import type { RepoListQuery, RepoSortKey } from "../core/catalog-types.ts";
import type { GatedMode, Repo, RepoRef, RepoType } from "../core/types.ts";
import type { SqlExecutor, SqlValue } from "./sql/sql-database.ts";

interface RawRepo {
  pk: number;
  type: RepoType;
  namespace: string;
  name: string;
  private: number;
  gated: "false" | "auto" | "manual";
  disabled: number;
  origin: "local" | "upstream";
  created_at: string;
  last_modified: string;
  sha: string | null;
  downloads: number;
  likes: number;
  trending_score: number;
  pipeline_tag: string | null;
  library_name: string | null;
  tags: string;
  used_storage: number;
}

function toRepo(row: RawRepo): Repo {
  return {
    pk: row.pk,
    type: row.type,
    namespace: row.namespace,
    name: row.name,
    id: `${row.namespace}/${row.name}`,
    private: row.private === 1,
    gated: row.gated === "false" ? false : row.gated,
    disabled: row.disabled === 1,
    origin: row.origin,
    createdAt: row.created_at,
    lastModified: row.last_modified,
    sha: row.sha,
    downloads: row.downloads,
    likes: row.likes,
    trendingScore: row.trending_score,
    pipelineTag: row.pipeline_tag,
    libraryName: row.library_name,
    tags: JSON.parse(row.tags) as string[],
    usedStorage: row.used_storage,
  };
}

/** The column each sort key of repo listings orders by. */
const REPO_SORT_COLUMNS: Record<RepoSortKey, string> = {
  downloads: "downloads",
  likes: "likes",
  lastModified: "last_modified",
  createdAt: "created_at",
  trendingScore: "trending_score",
  id: "namespace || '/' || name",
};

export interface RepoHeadUpdate {
  sha: string | null;
  lastModified: string;
  pipelineTag: string | null;
  libraryName: string | null;
  tags: string[];
  usedStorage: number;
}

/** Repositories and their listing fields. Names compare case-insensitively, as on the Hub. */
export class ReposTable {
  constructor(private readonly db: SqlExecutor) {}

  async insert(
    repo: RepoRef & { private: boolean; gated?: GatedMode; origin?: "local" | "upstream"; createdAt: string },
  ): Promise<Repo> {
    const row = await this.db.get<RawRepo>(
      "INSERT INTO repos (type, namespace, name, private, gated, origin, created_at, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
      [
        repo.type,
        repo.namespace,
        repo.name,
        repo.private ? 1 : 0,
        String(repo.gated ?? false),
        repo.origin ?? "local",
        repo.createdAt,
        repo.createdAt,
      ],
    );
    return toRepo(row!);
  }

  async get(ref: RepoRef): Promise<Repo | undefined> {
    const row = (await this.db.get("SELECT * FROM repos WHERE type = ? AND namespace = ? AND name = ?", [
      ref.type,
      ref.namespace,
      ref.name,
    ])) as RawRepo | undefined;
    return row ? toRepo(row) : undefined;
  }

  async getByPk(pk: number): Promise<Repo | undefined> {
    const row = (await this.db.get("SELECT * FROM repos WHERE pk = ?", [pk])) as RawRepo | undefined;
    return row ? toRepo(row) : undefined;
  }

  /** How many repos there are, of one type and one origin when given. */
  async count(type?: RepoType, origin?: "local" | "upstream"): Promise<number> {
    const where: string[] = [];
    const params: string[] = [];
    if (type) {
      where.push("type = ?");
      params.push(type);
    }
    if (origin) {
      where.push("origin = ?");
      params.push(origin);
    }
    const sql = `SELECT COUNT(*) AS n FROM repos${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""}`;
    return ((await this.db.get(sql, params)) as { n: number }).n;
  }

  async updateSettings(pk: number, settings: { private?: boolean; gated?: GatedMode }): Promise<void> {
    if (settings.private !== undefined) {
      await this.db.run("UPDATE repos SET private = ? WHERE pk = ?", [settings.private ? 1 : 0, pk]);
    }
    if (settings.gated !== undefined) {
      await this.db.run("UPDATE repos SET gated = ? WHERE pk = ?", [String(settings.gated), pk]);
    }
  }

  async rename(pk: number, namespace: string, name: string): Promise<void> {
    await this.db.run("UPDATE repos SET namespace = ?, name = ? WHERE pk = ?", [namespace, name, pk]);
  }

  async delete(pk: number): Promise<void> {
    await this.db.run("DELETE FROM repos WHERE pk = ?", [pk]);
  }

  /** Records the new head of the default branch and the listing fields derived from it. */
  async updateHead(pk: number, head: RepoHeadUpdate): Promise<void> {
    await this.db.run(
      "UPDATE repos SET sha = ?, last_modified = ?, pipeline_tag = ?, library_name = ?, tags = ?, used_storage = ?, origin = 'local' WHERE pk = ?",
      [
        head.sha,
        head.lastModified,
        head.pipelineTag,
        head.libraryName,
        JSON.stringify(head.tags),
        head.usedStorage,
        pk,
      ],
    );
    await this.db.run("DELETE FROM repo_tags WHERE repo_pk = ?", [pk]);
    await this.db.runMany(
      "INSERT INTO repo_tags (repo_pk, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
      [...new Set(head.tags)].map((tag) => [pk, tag]),
    );
  }

  /**
   * Sets listing figures as given. `hangar sync` and pulls set only the last change and gating here; their
   * downloads and likes go through src/hub/mirror/upstream-popularity.ts, added to Hangar's own counts.
   */
  async setUpstreamFigures(
    pk: number,
    figures: { downloads?: number; likes?: number; lastModified?: string; gated?: GatedMode },
  ): Promise<void> {
    if (figures.downloads !== undefined)
      await this.db.run("UPDATE repos SET downloads = ? WHERE pk = ?", [figures.downloads, pk]);
    if (figures.likes !== undefined)
      await this.db.run("UPDATE repos SET likes = ? WHERE pk = ?", [figures.likes, pk]);
    if (figures.lastModified !== undefined)
      await this.db.run("UPDATE repos SET last_modified = ? WHERE pk = ?", [figures.lastModified, pk]);
    if (figures.gated !== undefined)
      await this.db.run("UPDATE repos SET gated = ? WHERE pk = ?", [String(figures.gated), pk]);
  }

  async addDownloads(pk: number, count: number): Promise<void> {
    await this.db.run("UPDATE repos SET downloads = downloads + ? WHERE pk = ?", [count, pk]);
  }

  async list(query: RepoListQuery): Promise<Repo[]> {
    const where: string[] = ["type = ?"];
    const params: SqlValue[] = [query.type];
    // Substring test without LIKE (no escaping of % and _); instr is SQLite's name for strpos.
    const position = this.db.dialect === "postgres" ? "strpos" : "instr";
    for (const term of query.search ?? []) {
      where.push(`${position}(lower(namespace || '/' || name), ?) > 0`);
      params.push(term.toLowerCase());
    }
    if (query.author) {
      where.push("namespace = ?");
      params.push(query.author);
    }
    if (query.pipelineTag) {
      where.push("pipeline_tag = ?");
      params.push(query.pipelineTag);
    }
    if (query.gated !== undefined) where.push(query.gated ? "gated != 'false'" : "gated = 'false'");
    for (const tag of query.tags ?? []) {
      where.push("pk IN (SELECT repo_pk FROM repo_tags WHERE tag = ?)");
      params.push(tag);
    }
    if (query.visibleNamespaces !== "all") {
      const placeholders = query.visibleNamespaces.map(() => "?").join(", ");
      where.push(placeholders ? `(private = 0 OR namespace IN (${placeholders}))` : "private = 0");
      params.push(...query.visibleNamespaces);
    }
    const column = REPO_SORT_COLUMNS[query.sort];
    const direction = query.descending ? "DESC" : "ASC";
    const comparison = query.descending ? "<" : ">";
    if (query.after) {
      where.push(`(${column} ${comparison} ? OR (${column} = ? AND pk ${comparison} ?))`);
      params.push(query.after.value, query.after.value, query.after.pk);
    }
    const sql = `SELECT * FROM repos WHERE ${where.join(" AND ")} ORDER BY ${column} ${direction}, pk ${direction} LIMIT ?`;
    params.push(query.limit);
    return ((await this.db.all(sql, params)) as RawRepo[]).map(toRepo);
  }

  /** The value a repo sorts by, for keyset cursors. */
  sortValue(repo: Repo, sort: RepoSortKey): string | number {
    switch (sort) {
      case "downloads":
        return repo.downloads;
      case "likes":
        return repo.likes;
      case "lastModified":
        return repo.lastModified;
      case "createdAt":
        return repo.createdAt;
      case "trendingScore":
        return repo.trendingScore;
      case "id":
        return repo.id;
    }
  }
}
