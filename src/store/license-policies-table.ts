import type { SqlExecutor } from "./sql/sql-database.ts";

/** Whose policy a row is: the instance's, or one organisation's (by name). */
export type PolicyScope = { kind: "instance" } | { kind: "org"; org: string };

/** One stored licence policy: its rules as JSON-compatible data (src/governance/licences validates them). */
export interface StoredLicensePolicy {
  scope: PolicyScope;
  rules: Record<string, unknown>;
  updatedAt: string;
  /** The user who set it (the local administrator's name for the CLI). */
  updatedBy: string;
}

interface Row {
  kind: "instance" | "org";
  name: string;
  rules: string;
  updatedAt: string;
  updatedBy: string;
}

const COLUMNS = 'kind, name, rules, updated_at AS "updatedAt", updated_by AS "updatedBy"';

function keyOf(scope: PolicyScope): [string, string] {
  // The instance's row has an empty name: no organisation can be named so.
  return scope.kind === "instance" ? ["instance", ""] : ["org", scope.org];
}

function fromRow(row: Row): StoredLicensePolicy {
  return {
    scope: row.kind === "instance" ? { kind: "instance" } : { kind: "org", org: row.name },
    rules: JSON.parse(row.rules) as Record<string, unknown>,
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
  };
}

/** Licence policies of the instance and of organisations (issue 15). */
export class LicensePoliciesTable {
  constructor(private readonly db: SqlExecutor) {}

  async get(scope: PolicyScope): Promise<StoredLicensePolicy | undefined> {
    const row = await this.db.get<Row>(
      `SELECT ${COLUMNS} FROM license_policies WHERE kind = ? AND name = ?`,
      keyOf(scope),
    );
    return row ? fromRow(row) : undefined;
  }

  /**
   * The instance's policy and, when `org` is given, that organisation's, in one indexed read (what every
   * enforced action asks).
   */
  async getInstanceAndOrg(
    org: string | undefined,
  ): Promise<{ instance?: StoredLicensePolicy; org?: StoredLicensePolicy }> {
    const rows = await this.db.all<Row>(
      `SELECT ${COLUMNS} FROM license_policies WHERE (kind = 'instance' AND name = '') OR (kind = 'org' AND name = ?)`,
      [org ?? ""],
    );
    const found: { instance?: StoredLicensePolicy; org?: StoredLicensePolicy } = {};
    for (const row of rows) {
      if (row.kind === "instance") found.instance = fromRow(row);
      else if (org !== undefined) found.org = fromRow(row);
    }
    return found;
  }

  /** Stores a scope's policy, replacing the one it had. */
  async put(policy: StoredLicensePolicy): Promise<void> {
    const [kind, name] = keyOf(policy.scope);
    await this.db.run(
      `INSERT INTO license_policies (kind, name, rules, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (kind, name) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at,
           updated_by = excluded.updated_by`,
      [kind, name, JSON.stringify(policy.rules), policy.updatedAt, policy.updatedBy],
    );
  }

  async delete(scope: PolicyScope): Promise<boolean> {
    const result = await this.db.run(
      "DELETE FROM license_policies WHERE kind = ? AND name = ?",
      keyOf(scope),
    );
    return result.changes > 0;
  }
}
