import { canonicalHash } from "../core/canonical-json.ts";
import type { SqlExecutor, SqlValue } from "./sql/sql-database.ts";

/** The previous hash of the first entry of the chain. */
export const AUDIT_GENESIS_HASH = "0".repeat(64);

/** Who did something: a user and the token it used (never the secret), or nobody (a failed sign-in). */
export interface AuditActor {
  user: string | null;
  tokenId: number | null;
}

export type AuditOutcome = "success" | "denied" | "failure";

/** What an entry records, before the chain gives it a place. */
export interface NewAuditEntry {
  time: string;
  actor: AuditActor;
  /** `scope.verb`, e.g. `repo.create`, `registry.promote`, `auth.failed`. */
  action: string;
  /** What was acted on, e.g. `model:acme/classifier`, `token:12`, `registry:acme/m@production`. */
  target: string;
  outcome: AuditOutcome;
  requestId: string | null;
  clientAddress: string | null;
  /** Facts of the change (ids, revisions, reasons); never secrets. */
  details: Record<string, unknown>;
}

/** An entry in the chain: its position, the hash before it and its own. */
export interface AuditEntry extends NewAuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  actor?: string;
  /** An action, or a scope prefix ending in `.` (`repo.`). */
  action?: string;
  target?: string;
  /** ISO times, inclusive. */
  since?: string;
  until?: string;
  /** Entries after this sequence number (paging). */
  after?: number;
}

/** The hashed content of an entry: everything but its position, which the chain itself fixes. */
export function auditEntryHash(entry: NewAuditEntry & { prevHash: string }): string {
  return canonicalHash({
    time: entry.time,
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    outcome: entry.outcome,
    requestId: entry.requestId,
    clientAddress: entry.clientAddress,
    details: entry.details,
    prevHash: entry.prevHash,
  });
}

interface RawEntry {
  seq: number | string;
  time: string;
  actor_user: string | null;
  actor_token_id: number | string | null;
  action: string;
  target: string;
  outcome: AuditOutcome;
  request_id: string | null;
  client_address: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

function entryOf(row: RawEntry): AuditEntry {
  return {
    seq: Number(row.seq),
    time: row.time,
    actor: { user: row.actor_user, tokenId: row.actor_token_id === null ? null : Number(row.actor_token_id) },
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    requestId: row.request_id,
    clientAddress: row.client_address,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * The `audit_log` table, one hash chain for the instance, and `audit_head`, its last position and hash.
 * Appends take the head row's lock (PostgreSQL: `FOR UPDATE`, which holds across nodes until the
 * transaction ends; SQLite: the database's write lock every write transaction holds), so concurrent writers
 * append one after the other. Rows are never updated or deleted: triggers refuse it.
 */
export class AuditTable {
  constructor(private readonly db: SqlExecutor) {}

  /** Appends an entry after the current head. Call it inside the transaction of the change it records. */
  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const lock = this.db.dialect === "postgres" ? " FOR UPDATE" : "";
    const head = await this.db.get<{ seq: number | string; hash: string }>(
      `SELECT seq, hash FROM audit_head WHERE id = 1${lock}`,
    );
    const seq = Number(head?.seq ?? 0) + 1;
    const prevHash = head?.hash ?? AUDIT_GENESIS_HASH;
    const hash = auditEntryHash({ ...entry, prevHash });
    await this.db.run(
      `INSERT INTO audit_log (seq, time, actor_user, actor_token_id, action, target, outcome, request_id,
        client_address, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        seq,
        entry.time,
        entry.actor.user,
        entry.actor.tokenId,
        entry.action,
        entry.target,
        entry.outcome,
        entry.requestId,
        entry.clientAddress,
        JSON.stringify(entry.details),
        prevHash,
        hash,
      ],
    );
    await this.db.run("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", [seq, hash]);
    return { ...entry, seq, prevHash, hash };
  }

  /** The chain's last position and hash as the head row records them. */
  async head(): Promise<{ seq: number; hash: string }> {
    const head = await this.db.get<{ seq: number | string; hash: string }>(
      "SELECT seq, hash FROM audit_head WHERE id = 1",
    );
    return { seq: Number(head?.seq ?? 0), hash: head?.hash ?? AUDIT_GENESIS_HASH };
  }

  /** Entries in chain order matching `query`, at most `limit`. */
  async list(query: AuditQuery = {}, limit = 100): Promise<AuditEntry[]> {
    const clauses: string[] = [];
    const values: SqlValue[] = [];
    if (query.actor !== undefined) {
      clauses.push("actor_user = ?");
      values.push(query.actor);
    }
    if (query.action !== undefined) {
      if (query.action.endsWith(".")) {
        clauses.push("substr(action, 1, ?) = ?");
        values.push(query.action.length, query.action);
      } else {
        clauses.push("action = ?");
        values.push(query.action);
      }
    }
    if (query.target !== undefined) {
      clauses.push("target = ?");
      values.push(query.target);
    }
    if (query.since !== undefined) {
      clauses.push("time >= ?");
      values.push(query.since);
    }
    if (query.until !== undefined) {
      clauses.push("time <= ?");
      values.push(query.until);
    }
    if (query.after !== undefined) {
      clauses.push("seq > ?");
      values.push(query.after);
    }
    const where = clauses.length ? `WHERE ${clauses.join(" AND ")}` : "";
    const rows = await this.db.all<RawEntry>(`SELECT * FROM audit_log ${where} ORDER BY seq LIMIT ?`, [
      ...values,
      limit,
    ]);
    return rows.map(entryOf);
  }

  /** Every entry in the order the rows are stored by position, in pages (for verification and export). */
  async *pages(size = 1000): AsyncGenerator<AuditEntry[]> {
    for await (const rows of this.db.batches<RawEntry>("SELECT * FROM audit_log ORDER BY seq", [], size)) {
      yield rows.map(entryOf);
    }
  }
}
