import type { SqlExecutor, SqlValue } from "./sql/sql-database.ts";

export type DiscussionStatus = "open" | "closed" | "merged" | "draft";
export type DiscussionEventType = "comment" | "status-change" | "commit" | "title-change";

/** A discussion or pull request of a repo, as stored. */
export interface DiscussionRow {
  pk: number;
  repoPk: number;
  num: number;
  title: string;
  author: string;
  isPullRequest: boolean;
  status: DiscussionStatus;
  /** The branch a pull request merges into (none for a discussion). */
  targetBranch: string | null;
  mergeCommitOid: string | null;
  createdAt: string;
}

/** One entry of a discussion's timeline; `data` is the event's own fields (see src/hub/discussions). */
export interface DiscussionEventRow {
  pk: number;
  discussionPk: number;
  eventId: string;
  type: DiscussionEventType;
  author: string;
  createdAt: string;
  data: Record<string, unknown>;
}

export interface DiscussionFilter {
  isPullRequest?: boolean;
  /** Statuses to keep (all when absent). */
  statuses?: readonly DiscussionStatus[];
  author?: string;
}

interface RawDiscussion {
  pk: number;
  repo_pk: number;
  num: number;
  title: string;
  author: string;
  is_pull_request: number;
  status: DiscussionStatus;
  target_branch: string | null;
  merge_commit_oid: string | null;
  created_at: string;
}

interface RawEvent {
  pk: number;
  discussion_pk: number;
  event_id: string;
  type: DiscussionEventType;
  author: string;
  created_at: string;
  data: string;
}

const DISCUSSION_COLUMNS =
  "pk, repo_pk, num, title, author, is_pull_request, status, target_branch, merge_commit_oid, created_at";
const EVENT_COLUMNS = "pk, discussion_pk, event_id, type, author, created_at, data";

const toDiscussion = (row: RawDiscussion): DiscussionRow => ({
  pk: Number(row.pk),
  repoPk: Number(row.repo_pk),
  num: Number(row.num),
  title: row.title,
  author: row.author,
  isPullRequest: Number(row.is_pull_request) === 1,
  status: row.status,
  targetBranch: row.target_branch,
  mergeCommitOid: row.merge_commit_oid,
  createdAt: row.created_at,
});

const toEvent = (row: RawEvent): DiscussionEventRow => ({
  pk: Number(row.pk),
  discussionPk: Number(row.discussion_pk),
  eventId: row.event_id,
  type: row.type,
  author: row.author,
  createdAt: row.created_at,
  data: JSON.parse(row.data) as Record<string, unknown>,
});

/** Discussions and pull requests of repos, and their timelines. */
export class DiscussionsTable {
  constructor(private readonly db: SqlExecutor) {}

  /**
   * The next free number of a repo: discussions and pull requests share one numbering, and a `refs/pr/N`
   * may exist without a row (written by a git push), so both are looked at.
   */
  async nextNumber(repoPk: number): Promise<number> {
    const row = await this.db.get<{ n: number | null }>(
      `SELECT MAX(n) AS n FROM (
         SELECT MAX(CAST(name AS INTEGER)) AS n FROM refs WHERE repo_pk = ? AND kind = 'pr'
         UNION ALL SELECT MAX(num) AS n FROM discussions WHERE repo_pk = ?
       ) numbers`,
      [repoPk, repoPk],
    );
    return Number(row?.n ?? 0) + 1;
  }

  /** Inserts a discussion with a number that must be free; undefined when another writer took it first. */
  async insert(row: Omit<DiscussionRow, "pk" | "mergeCommitOid">): Promise<DiscussionRow | undefined> {
    const inserted = await this.db.get<RawDiscussion>(
      `INSERT INTO discussions (repo_pk, num, title, author, is_pull_request, status, target_branch, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING ${DISCUSSION_COLUMNS}`,
      [
        row.repoPk,
        row.num,
        row.title,
        row.author,
        row.isPullRequest ? 1 : 0,
        row.status,
        row.targetBranch,
        row.createdAt,
      ],
    );
    return inserted ? toDiscussion(inserted) : undefined;
  }

  async get(
    repoPk: number,
    num: number,
    options: { forUpdate?: boolean } = {},
  ): Promise<DiscussionRow | undefined> {
    const lock = options.forUpdate && this.db.dialect === "postgres" ? " FOR UPDATE" : "";
    const row = await this.db.get<RawDiscussion>(
      `SELECT ${DISCUSSION_COLUMNS} FROM discussions WHERE repo_pk = ? AND num = ?${lock}`,
      [repoPk, num],
    );
    return row ? toDiscussion(row) : undefined;
  }

  /** One page of a repo's discussions, newest first, and how many match in all. */
  async list(
    repoPk: number,
    filter: DiscussionFilter,
    page: { offset: number; limit: number },
  ): Promise<{ rows: DiscussionRow[]; count: number }> {
    const where = ["repo_pk = ?"];
    const params: SqlValue[] = [repoPk];
    if (filter.isPullRequest !== undefined) {
      where.push("is_pull_request = ?");
      params.push(filter.isPullRequest ? 1 : 0);
    }
    if (filter.statuses) {
      where.push(`status IN (${filter.statuses.map(() => "?").join(", ")})`);
      params.push(...filter.statuses);
    }
    if (filter.author !== undefined) {
      where.push("LOWER(author) = LOWER(?)");
      params.push(filter.author);
    }
    const clause = where.join(" AND ");
    const total = await this.db.get<{ count: number }>(
      `SELECT COUNT(*) AS count FROM discussions WHERE ${clause}`,
      params,
    );
    const rows = await this.db.all<RawDiscussion>(
      `SELECT ${DISCUSSION_COLUMNS} FROM discussions WHERE ${clause} ORDER BY num DESC LIMIT ? OFFSET ?`,
      [...params, page.limit, page.offset],
    );
    return { rows: rows.map(toDiscussion), count: Number(total?.count ?? 0) };
  }

  /** Comments per discussion, for list entries. */
  async countComments(discussionPks: readonly number[]): Promise<Map<number, number>> {
    if (discussionPks.length === 0) return new Map();
    const rows = await this.db.all<{ discussion_pk: number; count: number }>(
      `SELECT discussion_pk, COUNT(*) AS count FROM discussion_events
       WHERE type = 'comment' AND discussion_pk IN (${discussionPks.map(() => "?").join(", ")})
       GROUP BY discussion_pk`,
      discussionPks,
    );
    return new Map(rows.map((row) => [Number(row.discussion_pk), Number(row.count)]));
  }

  async setTitle(pk: number, title: string): Promise<void> {
    await this.db.run("UPDATE discussions SET title = ? WHERE pk = ?", [title, pk]);
  }

  async setStatus(pk: number, status: DiscussionStatus, mergeCommitOid?: string): Promise<void> {
    await this.db.run(
      "UPDATE discussions SET status = ?, merge_commit_oid = COALESCE(?, merge_commit_oid) WHERE pk = ?",
      [status, mergeCommitOid ?? null, pk],
    );
  }

  async addEvent(event: Omit<DiscussionEventRow, "pk">): Promise<DiscussionEventRow> {
    const row = await this.db.get<RawEvent>(
      `INSERT INTO discussion_events (discussion_pk, event_id, type, author, created_at, data)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING ${EVENT_COLUMNS}`,
      [
        event.discussionPk,
        event.eventId,
        event.type,
        event.author,
        event.createdAt,
        JSON.stringify(event.data),
      ],
    );
    return toEvent(row!);
  }

  async listEvents(discussionPk: number): Promise<DiscussionEventRow[]> {
    const rows = await this.db.all<RawEvent>(
      `SELECT ${EVENT_COLUMNS} FROM discussion_events WHERE discussion_pk = ? ORDER BY pk`,
      [discussionPk],
    );
    return rows.map(toEvent);
  }

  async getEvent(discussionPk: number, eventId: string): Promise<DiscussionEventRow | undefined> {
    const row = await this.db.get<RawEvent>(
      `SELECT ${EVENT_COLUMNS} FROM discussion_events WHERE discussion_pk = ? AND event_id = ?`,
      [discussionPk, eventId],
    );
    return row ? toEvent(row) : undefined;
  }

  async setEventData(pk: number, data: Record<string, unknown>): Promise<void> {
    await this.db.run("UPDATE discussion_events SET data = ? WHERE pk = ?", [JSON.stringify(data), pk]);
  }
}
