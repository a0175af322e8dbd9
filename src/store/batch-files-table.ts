import type { SqlExecutor } from "./sql/sql-database.ts";

/** A file of the OpenAI-compatible Files API (its bytes are the blob `sha256`). Times in ms since the epoch. */
export interface BatchFileRow {
  id: string;
  owner: string;
  filename: string;
  purpose: string;
  bytes: number;
  sha256: string;
  createdMs: number;
  expiresMs: number | null;
}

const COLUMNS = `id, owner, filename, purpose, bytes, sha256, created_ms AS "createdMs", expires_ms AS "expiresMs"`;

/** The `batch_files` table: uploaded batch inputs and the output and error files jobs write. */
export class BatchFilesTable {
  constructor(private readonly db: SqlExecutor) {}

  async insert(row: BatchFileRow): Promise<void> {
    await this.db.run(
      `INSERT INTO batch_files (id, owner, filename, purpose, bytes, sha256, created_ms, expires_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [row.id, row.owner, row.filename, row.purpose, row.bytes, row.sha256, row.createdMs, row.expiresMs],
    );
  }

  async get(id: string): Promise<BatchFileRow | undefined> {
    return this.db.get<BatchFileRow>(`SELECT ${COLUMNS} FROM batch_files WHERE id = ?`, [id]);
  }

  /**
   * An owner's files in `order` of creation, those after the file `after` (a cursor) first; `purpose`
   * filters. One more than `limit` is asked for, so the caller knows whether more remain.
   */
  async list(params: {
    owner: string;
    limit: number;
    order: "asc" | "desc";
    after?: BatchFileRow;
    purpose?: string;
  }): Promise<BatchFileRow[]> {
    const values: Array<string | number> = [params.owner];
    let where = "owner = ?";
    if (params.purpose) {
      where += " AND purpose = ?";
      values.push(params.purpose);
    }
    if (params.after) {
      const sign = params.order === "desc" ? "<" : ">";
      where += ` AND (created_ms ${sign} ? OR (created_ms = ? AND id ${sign} ?))`;
      values.push(params.after.createdMs, params.after.createdMs, params.after.id);
    }
    const direction = params.order === "desc" ? "DESC" : "ASC";
    return this.db.all<BatchFileRow>(
      `SELECT ${COLUMNS} FROM batch_files WHERE ${where} ORDER BY created_ms ${direction}, id ${direction} LIMIT ?`,
      [...values, params.limit],
    );
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.run("DELETE FROM batch_files WHERE id = ?", [id])).changes > 0;
  }
}
