import type { SqlExecutor } from "./sql/sql-database.ts";

/** One inference endpoint as stored: its settings (JSON, no secrets) and the state it is in. */
export interface EndpointRow {
  namespace: string;
  name: string;
  /** The endpoint's settings as JSON (src/inference/endpoints/endpoint-spec.ts). */
  spec: string;
  state: string;
  message: string;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string;
}

const COLUMNS = `namespace, name, spec, state, message, created_at AS "createdAt", updated_at AS "updatedAt",
  created_by AS "createdBy", updated_by AS "updatedBy"`;

/** The `inference_endpoints` table (src/inference/endpoints). */
export class EndpointsTable {
  constructor(private readonly db: SqlExecutor) {}

  /** Adds an endpoint; false when the namespace already has one of that name. */
  async insert(row: EndpointRow): Promise<boolean> {
    const result = await this.db.run(
      `INSERT INTO inference_endpoints
         (namespace, name, spec, state, message, created_at, updated_at, created_by, updated_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (namespace, name) DO NOTHING`,
      [
        row.namespace,
        row.name,
        row.spec,
        row.state,
        row.message,
        row.createdAt,
        row.updatedAt,
        row.createdBy,
        row.updatedBy,
      ],
    );
    return result.changes > 0;
  }

  /** Replaces an endpoint's settings (an update). */
  async saveSpec(namespace: string, name: string, spec: string, updatedAt: string, updatedBy: string) {
    await this.db.run(
      "UPDATE inference_endpoints SET spec = ?, updated_at = ?, updated_by = ? WHERE namespace = ? AND name = ?",
      [spec, updatedAt, updatedBy, namespace, name],
    );
  }

  /** Records the state an endpoint is in now. */
  async saveState(namespace: string, name: string, state: string, message: string): Promise<void> {
    await this.db.run(
      "UPDATE inference_endpoints SET state = ?, message = ? WHERE namespace = ? AND name = ?",
      [state, message, namespace, name],
    );
  }

  async get(namespace: string, name: string): Promise<EndpointRow | undefined> {
    return this.db.get<EndpointRow>(
      `SELECT ${COLUMNS} FROM inference_endpoints WHERE namespace = ? AND name = ?`,
      [namespace, name],
    );
  }

  /** The endpoints of a namespace by name, or of every namespace (`undefined`). */
  async list(namespace?: string): Promise<EndpointRow[]> {
    return namespace === undefined
      ? this.db.all<EndpointRow>(`SELECT ${COLUMNS} FROM inference_endpoints ORDER BY namespace, name`)
      : this.db.all<EndpointRow>(
          `SELECT ${COLUMNS} FROM inference_endpoints WHERE namespace = ? ORDER BY name`,
          [namespace],
        );
  }

  async delete(namespace: string, name: string): Promise<boolean> {
    const result = await this.db.run("DELETE FROM inference_endpoints WHERE namespace = ? AND name = ?", [
      namespace,
      name,
    ]);
    return result.changes > 0;
  }
}
