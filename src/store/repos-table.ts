import type { GatedMode, Repo, RepoRef, RepoType } from "../core/types.ts";
import type { SqliteDatabase } from "./catalog.ts";

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

/** Sort keys of repo listings, mapped to their columns. */
export const REPO_SORT_COLUMNS = {
  downloads: "downloads",
  likes: "likes",
  lastModified: "last_modified",
  createdAt: "created_at",
  trendingScore: "trending_score",
  id: "namespace || '/' || name",
} as const;
export type RepoSortKey = keyof typeof REPO_SORT_COLUMNS;

export interface RepoListQuery {
  type: RepoType;
  /** Substrings of the id, all of which must match (case-insensitive). */
  search?: string[];
  author?: string;
  /** Tags that must all be present. */
  tags?: string[];
  pipelineTag?: string;
  gated?: boolean;
  /** Namespaces whose private repos the caller may see; "all" for an admin. */
  visibleNamespaces: string[] | "all";
  sort: RepoSortKey;
  descending: boolean;
  limit: number;
  /** Keyset position after which to continue: the last row's sort value and pk. */
  after?: { value: string | number; pk: number };
}

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
  constructor(private readonly db: SqliteDatabase) {}

  insert(
    repo: RepoRef & { private: boolean; gated?: GatedMode; origin?: "local" | "upstream"; createdAt: string },
  ): Repo {
    const result = this.db
      .prepare(
        "INSERT INTO repos (type, namespace, name, private, gated, origin, created_at, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        repo.type,
        repo.namespace,
        repo.name,
        repo.private ? 1 : 0,
        String(repo.gated ?? false),
        repo.origin ?? "local",
        repo.createdAt,
        repo.createdAt,
      );
    return this.getByPk(Number(result.lastInsertRowid))!;
  }

  get(ref: RepoRef): Repo | undefined {
    const row = this.db
      .prepare("SELECT * FROM repos WHERE type = ? AND namespace = ? AND name = ?")
      .get(ref.type, ref.namespace, ref.name) as RawRepo | undefined;
    return row ? toRepo(row) : undefined;
  }

  getByPk(pk: number): Repo | undefined {
    const row = this.db.prepare("SELECT * FROM repos WHERE pk = ?").get(pk) as RawRepo | undefined;
    return row ? toRepo(row) : undefined;
  }

  /** How many repos there are, of one type and one origin when given. */
  count(type?: RepoType, origin?: "local" | "upstream"): number {
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
    return (this.db.prepare(sql).get(...params) as { n: number }).n;
  }

  updateSettings(pk: number, settings: { private?: boolean; gated?: GatedMode }): void {
    if (settings.private !== undefined) {
      this.db.prepare("UPDATE repos SET private = ? WHERE pk = ?").run(settings.private ? 1 : 0, pk);
    }
    if (settings.gated !== undefined) {
      this.db.prepare("UPDATE repos SET gated = ? WHERE pk = ?").run(String(settings.gated), pk);
    }
  }

  rename(pk: number, namespace: string, name: string): void {
    this.db.prepare("UPDATE repos SET namespace = ?, name = ? WHERE pk = ?").run(namespace, name, pk);
  }

  delete(pk: number): void {
    this.db.prepare("DELETE FROM repos WHERE pk = ?").run(pk);
  }

  /** Records the new head of the default branch and the listing fields derived from it. */
  updateHead(pk: number, head: RepoHeadUpdate): void {
    this.db
      .prepare(
        "UPDATE repos SET sha = ?, last_modified = ?, pipeline_tag = ?, library_name = ?, tags = ?, used_storage = ?, origin = 'local' WHERE pk = ?",
      )
      .run(
        head.sha,
        head.lastModified,
        head.pipelineTag,
        head.libraryName,
        JSON.stringify(head.tags),
        head.usedStorage,
        pk,
      );
    this.db.prepare("DELETE FROM repo_tags WHERE repo_pk = ?").run(pk);
    const insertTag = this.db.prepare("INSERT OR IGNORE INTO repo_tags (repo_pk, tag) VALUES (?, ?)");
    for (const tag of head.tags) insertTag.run(pk, tag);
  }

  /** Figures an upstream hub reports for a mirrored repo or an upstream-only entry (`hangar sync`). */
  setUpstreamFigures(
    pk: number,
    figures: { downloads?: number; likes?: number; lastModified?: string; gated?: GatedMode },
  ): void {
    if (figures.downloads !== undefined)
      this.db.prepare("UPDATE repos SET downloads = ? WHERE pk = ?").run(figures.downloads, pk);
    if (figures.likes !== undefined)
      this.db.prepare("UPDATE repos SET likes = ? WHERE pk = ?").run(figures.likes, pk);
    if (figures.lastModified !== undefined)
      this.db.prepare("UPDATE repos SET last_modified = ? WHERE pk = ?").run(figures.lastModified, pk);
    if (figures.gated !== undefined)
      this.db.prepare("UPDATE repos SET gated = ? WHERE pk = ?").run(String(figures.gated), pk);
  }

  addDownloads(pk: number, count: number): void {
    this.db.prepare("UPDATE repos SET downloads = downloads + ? WHERE pk = ?").run(count, pk);
  }

  list(query: RepoListQuery): Repo[] {
    const where: string[] = ["type = ?"];
    const params: unknown[] = [query.type];
    for (const term of query.search ?? []) {
      where.push("instr(lower(namespace || '/' || name), ?) > 0");
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
    return (this.db.prepare(sql).all(...params) as RawRepo[]).map(toRepo);
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
