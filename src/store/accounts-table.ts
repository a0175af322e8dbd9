import type { NamespaceRow, TokenRow } from "../core/catalog-types.ts";
import type { TokenRole } from "../core/types.ts";
import type { SqlExecutor } from "./sql/sql-database.ts";

interface RawNamespace {
  name: string;
  kind: "user" | "org";
  fullname: string;
  email: string | null;
  is_admin: number;
  created_at: string;
}

interface RawToken {
  id: number;
  user: string;
  display_name: string;
  role: TokenRole;
  created_at: string;
  last_used_at: string | null;
}

interface RawCredential extends RawToken {
  user_name: string;
  user_kind: "user" | "org";
  user_fullname: string;
  user_email: string | null;
  user_is_admin: number;
  user_created_at: string;
  org_name: string | null;
  org_fullname: string | null;
  org_role: TokenRole | null;
}

/** A token, its user, and the organisations the user belongs to with the user's role in each. */
export interface Credential {
  token: TokenRow;
  user: NamespaceRow;
  orgs: Array<{ name: string; fullname: string; role: TokenRole }>;
}

const toNamespace = (row: RawNamespace): NamespaceRow => ({
  name: row.name,
  kind: row.kind,
  fullname: row.fullname,
  email: row.email,
  isAdmin: row.is_admin === 1,
  createdAt: row.created_at,
});

const toToken = (row: RawToken): TokenRow => ({
  id: row.id,
  user: row.user,
  displayName: row.display_name,
  role: row.role,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

/** Users, organisations, memberships and (hashed) tokens. */
export class AccountsTable {
  constructor(private readonly db: SqlExecutor) {}

  async insertNamespace(row: NamespaceRow): Promise<void> {
    await this.db.run(
      "INSERT INTO namespaces (name, kind, fullname, email, is_admin, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      [row.name, row.kind, row.fullname, row.email, row.isAdmin ? 1 : 0, row.createdAt],
    );
  }

  async getNamespace(name: string): Promise<NamespaceRow | undefined> {
    const row = (await this.db.get("SELECT * FROM namespaces WHERE name = ?", [name])) as
      | RawNamespace
      | undefined;
    return row ? toNamespace(row) : undefined;
  }

  async listNamespaces(kind?: "user" | "org"): Promise<NamespaceRow[]> {
    const rows = kind
      ? await this.db.all("SELECT * FROM namespaces WHERE kind = ? ORDER BY name", [kind])
      : await this.db.all("SELECT * FROM namespaces ORDER BY name");
    return (rows as RawNamespace[]).map(toNamespace);
  }

  async setMember(org: string, user: string, role: TokenRole): Promise<void> {
    await this.db.run(
      'INSERT INTO org_members (org, "user", role) VALUES (?, ?, ?) ON CONFLICT (org, "user") DO UPDATE SET role = excluded.role',
      [org, user, role],
    );
  }

  async removeMember(org: string, user: string): Promise<boolean> {
    return (
      (await this.db.run('DELETE FROM org_members WHERE org = ? AND "user" = ?', [org, user])).changes > 0
    );
  }

  /** The organisations a user belongs to, with the user's role in each. */
  async orgsOf(user: string): Promise<Array<NamespaceRow & { role: TokenRole }>> {
    const rows = (await this.db.all(
      'SELECT n.*, m.role AS member_role FROM org_members m JOIN namespaces n ON n.name = m.org WHERE m."user" = ? ORDER BY n.name',
      [user],
    )) as Array<RawNamespace & { member_role: TokenRole }>;
    return rows.map((row) => ({ ...toNamespace(row), role: row.member_role }));
  }

  async membersOf(org: string): Promise<Array<{ user: string; role: TokenRole }>> {
    return (await this.db.all('SELECT "user", role FROM org_members WHERE org = ? ORDER BY "user"', [
      org,
    ])) as Array<{
      user: string;
      role: TokenRole;
    }>;
  }

  async insertToken(token: {
    user: string;
    displayName: string;
    role: TokenRole;
    tokenHash: string;
    createdAt: string;
  }): Promise<number> {
    const row = await this.db.get<{ id: number }>(
      'INSERT INTO tokens ("user", display_name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id',
      [token.user, token.displayName, token.role, token.tokenHash, token.createdAt],
    );
    return row!.id;
  }

  async findTokenByHash(tokenHash: string): Promise<TokenRow | undefined> {
    const row = (await this.db.get("SELECT * FROM tokens WHERE token_hash = ?", [tokenHash])) as
      | RawToken
      | undefined;
    return row ? toToken(row) : undefined;
  }

  /**
   * A token with its user and the user's organisations, in one statement (a row per organisation, or one
   * row with no organisation): what every authenticated request needs, read at once so a revoked token or
   * a removed membership shows on the next request. Undefined when no token has this hash.
   */
  async findCredential(tokenHash: string): Promise<Credential | undefined> {
    // Read on every authenticated request: kept until the catalog changes (a token revoked, a user changed).
    const rows = (await this.db.allCached(
      `SELECT t.id, t."user", t.display_name, t.role, t.created_at, t.last_used_at,
        u.name AS user_name, u.kind AS user_kind, u.fullname AS user_fullname, u.email AS user_email,
        u.is_admin AS user_is_admin, u.created_at AS user_created_at,
        o.name AS org_name, o.fullname AS org_fullname, m.role AS org_role
       FROM tokens t
       JOIN namespaces u ON u.name = t."user"
       LEFT JOIN org_members m ON m."user" = u.name
       LEFT JOIN namespaces o ON o.name = m.org
       WHERE t.token_hash = ?
       ORDER BY o.name`,
      [tokenHash],
    )) as readonly RawCredential[];
    const first = rows[0];
    if (first === undefined) return undefined;
    return {
      token: toToken(first),
      user: toNamespace({
        name: first.user_name,
        kind: first.user_kind,
        fullname: first.user_fullname,
        email: first.user_email,
        is_admin: first.user_is_admin,
        created_at: first.user_created_at,
      }),
      orgs: rows.flatMap((row) =>
        row.org_name === null
          ? []
          : [{ name: row.org_name, fullname: row.org_fullname!, role: row.org_role! }],
      ),
    };
  }

  async getToken(id: number): Promise<TokenRow | undefined> {
    const row = (await this.db.get("SELECT * FROM tokens WHERE id = ?", [id])) as RawToken | undefined;
    return row ? toToken(row) : undefined;
  }

  async listTokens(user: string): Promise<TokenRow[]> {
    return (
      (await this.db.all('SELECT * FROM tokens WHERE "user" = ? ORDER BY id', [user])) as RawToken[]
    ).map(toToken);
  }

  async deleteToken(id: number): Promise<boolean> {
    return (await this.db.run("DELETE FROM tokens WHERE id = ?", [id])).changes > 0;
  }

  async touchToken(id: number, at: string): Promise<void> {
    await this.db.run("UPDATE tokens SET last_used_at = ? WHERE id = ?", [at, id]);
  }
}
