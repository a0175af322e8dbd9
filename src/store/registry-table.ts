import type { SqlExecutor } from "./sql/sql-database.ts";

/** A registered model: a name like a repo's, a description and the gates a promotion must pass. */
export interface RegisteredModelRow {
  id: number;
  namespace: string;
  name: string;
  description: string;
  /** The promotion gates as JSON (src/governance/registry/gates.ts reads them). */
  gates: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
}

/** One version of a registered model: a repo pinned at a commit, with the evidence that admitted it. */
export interface ModelVersionRow {
  modelId: number;
  version: number;
  repoPk: number;
  /** The repo's id when the version was registered (a moved repo keeps its pk). */
  repoId: string;
  commitOid: string;
  /** What the registration named (a branch, a tag or the commit itself). */
  revision: string;
  description: string;
  tags: Record<string, string>;
  evidence: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
}

export interface ApprovalRow {
  modelId: number;
  version: number;
  user: string;
  /** The approver's role in the model's namespace when approving: read, write or admin. */
  role: string;
  comment: string;
  createdAt: string;
}

export interface AliasRow {
  modelId: number;
  alias: string;
  version: number;
  updatedAt: string;
}

/** One move of an alias: from which version to which, by whom, when and why. */
export interface AliasEventRow {
  id: number;
  modelId: number;
  alias: string;
  action: "promote" | "rollback";
  fromVersion: number | null;
  toVersion: number;
  actor: string;
  reason: string;
  createdAt: string;
}

const MODEL_COLUMNS = `id, namespace, name, description, gates, created_at AS "createdAt", created_by AS "createdBy"`;
const VERSION_COLUMNS = `model_id AS "modelId", version, repo_pk AS "repoPk", repo_id AS "repoId",
  commit_oid AS "commitOid", revision, description, tags, evidence, created_at AS "createdAt", created_by AS "createdBy"`;
const EVENT_COLUMNS = `id, model_id AS "modelId", alias, action, from_version AS "fromVersion",
  to_version AS "toVersion", actor, reason, created_at AS "createdAt"`;

type Json<T, K extends keyof T> = Omit<T, K> & { [P in K]: string };

function modelOf(row: Json<RegisteredModelRow, "gates">): RegisteredModelRow {
  return { ...row, id: Number(row.id), gates: JSON.parse(row.gates) as Record<string, unknown> };
}

function versionOf(row: Json<ModelVersionRow, "tags" | "evidence">): ModelVersionRow {
  return {
    ...row,
    modelId: Number(row.modelId),
    version: Number(row.version),
    repoPk: Number(row.repoPk),
    tags: JSON.parse(row.tags) as Record<string, string>,
    evidence: JSON.parse(row.evidence) as Record<string, unknown>,
  };
}

function eventOf(row: AliasEventRow): AliasEventRow {
  return {
    ...row,
    id: Number(row.id),
    modelId: Number(row.modelId),
    fromVersion: row.fromVersion === null ? null : Number(row.fromVersion),
    toVersion: Number(row.toVersion),
  };
}

/**
 * The model registry's tables: `registered_models`, `model_versions` (numbered per model, never changed
 * once written), `model_version_approvals`, `model_aliases` (where each alias points now) and
 * `model_alias_events` (every move, append-only).
 */
export class RegistryTable {
  constructor(private readonly db: SqlExecutor) {}

  async getModel(namespace: string, name: string): Promise<RegisteredModelRow | undefined> {
    const row = await this.db.get(
      `SELECT ${MODEL_COLUMNS} FROM registered_models WHERE lower(namespace) = lower(?) AND lower(name) = lower(?)`,
      [namespace, name],
    );
    return row ? modelOf(row as Json<RegisteredModelRow, "gates">) : undefined;
  }

  /**
   * The model, locked for the rest of the transaction on PostgreSQL (SQLite's write transactions hold the
   * database's lock already): version numbers and alias moves of one model then never race.
   */
  async lockModel(id: number): Promise<void> {
    if (this.db.dialect === "postgres")
      await this.db.get("SELECT id FROM registered_models WHERE id = ? FOR UPDATE", [id]);
  }

  async insertModel(row: Omit<RegisteredModelRow, "id">): Promise<RegisteredModelRow> {
    const inserted = await this.db.get<{ id: number }>(
      `INSERT INTO registered_models (namespace, name, description, gates, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
      [row.namespace, row.name, row.description, JSON.stringify(row.gates), row.createdAt, row.createdBy],
    );
    return inserted ? { ...row, id: Number(inserted.id) } : (await this.getModel(row.namespace, row.name))!;
  }

  async updateModel(
    id: number,
    changes: { description?: string; gates?: Record<string, unknown> },
  ): Promise<void> {
    if (changes.description !== undefined)
      await this.db.run("UPDATE registered_models SET description = ? WHERE id = ?", [
        changes.description,
        id,
      ]);
    if (changes.gates !== undefined)
      await this.db.run("UPDATE registered_models SET gates = ? WHERE id = ?", [
        JSON.stringify(changes.gates),
        id,
      ]);
  }

  async insertVersion(row: Omit<ModelVersionRow, "version">): Promise<ModelVersionRow> {
    const next = await this.db.get<{ next: number }>(
      "SELECT COALESCE(MAX(version), 0) + 1 AS next FROM model_versions WHERE model_id = ?",
      [row.modelId],
    );
    const version = Number(next!.next);
    await this.db.run(
      `INSERT INTO model_versions (model_id, version, repo_pk, repo_id, commit_oid, revision, description, tags,
        evidence, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        row.modelId,
        version,
        row.repoPk,
        row.repoId,
        row.commitOid,
        row.revision,
        row.description,
        JSON.stringify(row.tags),
        JSON.stringify(row.evidence),
        row.createdAt,
        row.createdBy,
      ],
    );
    return { ...row, version };
  }

  async getVersion(modelId: number, version: number): Promise<ModelVersionRow | undefined> {
    const row = await this.db.get(
      `SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model_id = ? AND version = ?`,
      [modelId, version],
    );
    return row ? versionOf(row as Json<ModelVersionRow, "tags" | "evidence">) : undefined;
  }

  async listVersions(modelId: number): Promise<ModelVersionRow[]> {
    const rows = await this.db.all(
      `SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model_id = ? ORDER BY version`,
      [modelId],
    );
    return rows.map((row) => versionOf(row as Json<ModelVersionRow, "tags" | "evidence">));
  }

  /** Every version (of any registered model) that pins the repo, with its model's name; by model, then version. */
  async listVersionsOfRepo(
    repoPk: number,
  ): Promise<Array<ModelVersionRow & { modelNamespace: string; modelName: string }>> {
    const rows = await this.db.all<
      Json<ModelVersionRow, "tags" | "evidence"> & { modelNamespace: string; modelName: string }
    >(
      `SELECT ${VERSION_COLUMNS},
              (SELECT namespace FROM registered_models m WHERE m.id = model_versions.model_id) AS "modelNamespace",
              (SELECT name FROM registered_models m WHERE m.id = model_versions.model_id) AS "modelName"
         FROM model_versions WHERE repo_pk = ? ORDER BY model_id, version`,
      [repoPk],
    );
    return rows.map((row) => ({
      ...versionOf(row),
      modelNamespace: row.modelNamespace,
      modelName: row.modelName,
    }));
  }

  /** Records an approval; a second one by the same user replaces the first. */
  async putApproval(row: ApprovalRow): Promise<void> {
    await this.db.run(
      `INSERT INTO model_version_approvals (model_id, version, approver, role, comment, created_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (model_id, version, approver) DO UPDATE SET role = excluded.role, comment = excluded.comment,
         created_at = excluded.created_at`,
      [row.modelId, row.version, row.user, row.role, row.comment, row.createdAt],
    );
  }

  async listApprovals(modelId: number, version?: number): Promise<ApprovalRow[]> {
    const rows = await this.db.all<ApprovalRow>(
      `SELECT model_id AS "modelId", version, approver AS "user", role, comment, created_at AS "createdAt"
         FROM model_version_approvals WHERE model_id = ?${version === undefined ? "" : " AND version = ?"}
        ORDER BY version, created_at, approver`,
      version === undefined ? [modelId] : [modelId, version],
    );
    return rows.map((row) => ({ ...row, modelId: Number(row.modelId), version: Number(row.version) }));
  }

  async getAlias(modelId: number, alias: string): Promise<AliasRow | undefined> {
    const row = await this.db.get<AliasRow>(
      `SELECT model_id AS "modelId", alias, version, updated_at AS "updatedAt" FROM model_aliases
        WHERE model_id = ? AND alias = ?`,
      [modelId, alias],
    );
    return row ? { ...row, modelId: Number(row.modelId), version: Number(row.version) } : undefined;
  }

  async listAliases(modelId: number): Promise<AliasRow[]> {
    const rows = await this.db.all<AliasRow>(
      `SELECT model_id AS "modelId", alias, version, updated_at AS "updatedAt" FROM model_aliases
        WHERE model_id = ? ORDER BY alias`,
      [modelId],
    );
    return rows.map((row) => ({ ...row, modelId: Number(row.modelId), version: Number(row.version) }));
  }

  /** Points an alias at a version and records the move in its history. */
  async moveAlias(event: Omit<AliasEventRow, "id">): Promise<AliasEventRow> {
    await this.db.run(
      `INSERT INTO model_aliases (model_id, alias, version, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at`,
      [event.modelId, event.alias, event.toVersion, event.createdAt],
    );
    const row = await this.db.get<{ id: number }>(
      `INSERT INTO model_alias_events (model_id, alias, action, from_version, to_version, actor, reason, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        event.modelId,
        event.alias,
        event.action,
        event.fromVersion,
        event.toVersion,
        event.actor,
        event.reason,
        event.createdAt,
      ],
    );
    return { ...event, id: Number(row!.id) };
  }

  /** Alias moves, oldest first; of one alias when given. */
  async history(modelId: number, alias?: string): Promise<AliasEventRow[]> {
    const rows = await this.db.all<AliasEventRow>(
      `SELECT ${EVENT_COLUMNS} FROM model_alias_events WHERE model_id = ?${alias === undefined ? "" : " AND alias = ?"}
        ORDER BY id`,
      alias === undefined ? [modelId] : [modelId, alias],
    );
    return rows.map(eventOf);
  }
}
