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
