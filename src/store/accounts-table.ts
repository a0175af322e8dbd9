import type { TokenRole } from "../core/types.ts";
import type { SqliteDatabase } from "./catalog.ts";

export interface NamespaceRow {
  name: string;
  kind: "user" | "org";
  fullname: string;
  email: string | null;
  isAdmin: boolean;
  createdAt: string;
}

export interface TokenRow {
  id: number;
  user: string;
  displayName: string;
  role: TokenRole;
  createdAt: string;
  lastUsedAt: string | null;
}

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
  constructor(private readonly db: SqliteDatabase) {}

  insertNamespace(row: NamespaceRow): void {
    this.db
      .prepare(
        "INSERT INTO namespaces (name, kind, fullname, email, is_admin, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(row.name, row.kind, row.fullname, row.email, row.isAdmin ? 1 : 0, row.createdAt);
  }

  getNamespace(name: string): NamespaceRow | undefined {
    const row = this.db.prepare("SELECT * FROM namespaces WHERE name = ?").get(name) as
      | RawNamespace
      | undefined;
    return row ? toNamespace(row) : undefined;
  }

  listNamespaces(kind?: "user" | "org"): NamespaceRow[] {
    const rows = kind
      ? this.db.prepare("SELECT * FROM namespaces WHERE kind = ? ORDER BY name").all(kind)
      : this.db.prepare("SELECT * FROM namespaces ORDER BY name").all();
    return (rows as RawNamespace[]).map(toNamespace);
  }

  setMember(org: string, user: string, role: TokenRole): void {
    this.db
      .prepare(
        "INSERT INTO org_members (org, user, role) VALUES (?, ?, ?) ON CONFLICT (org, user) DO UPDATE SET role = excluded.role",
      )
      .run(org, user, role);
  }

  removeMember(org: string, user: string): boolean {
    return this.db.prepare("DELETE FROM org_members WHERE org = ? AND user = ?").run(org, user).changes > 0;
  }

  /** The organisations a user belongs to, with the user's role in each. */
  orgsOf(user: string): Array<NamespaceRow & { role: TokenRole }> {
    const rows = this.db
      .prepare(
        "SELECT n.*, m.role AS member_role FROM org_members m JOIN namespaces n ON n.name = m.org WHERE m.user = ? ORDER BY n.name",
      )
      .all(user) as Array<RawNamespace & { member_role: TokenRole }>;
    return rows.map((row) => ({ ...toNamespace(row), role: row.member_role }));
  }

  membersOf(org: string): Array<{ user: string; role: TokenRole }> {
    return this.db
      .prepare("SELECT user, role FROM org_members WHERE org = ? ORDER BY user")
      .all(org) as Array<{
      user: string;
      role: TokenRole;
    }>;
  }

  insertToken(token: {
    user: string;
    displayName: string;
    role: TokenRole;
    tokenHash: string;
    createdAt: string;
  }): number {
    const result = this.db
      .prepare("INSERT INTO tokens (user, display_name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(token.user, token.displayName, token.role, token.tokenHash, token.createdAt);
    return Number(result.lastInsertRowid);
  }

  findTokenByHash(tokenHash: string): TokenRow | undefined {
    const row = this.db.prepare("SELECT * FROM tokens WHERE token_hash = ?").get(tokenHash) as
      | RawToken
      | undefined;
    return row ? toToken(row) : undefined;
  }

  getToken(id: number): TokenRow | undefined {
    const row = this.db.prepare("SELECT * FROM tokens WHERE id = ?").get(id) as RawToken | undefined;
    return row ? toToken(row) : undefined;
  }

  listTokens(user: string): TokenRow[] {
    return (this.db.prepare("SELECT * FROM tokens WHERE user = ? ORDER BY id").all(user) as RawToken[]).map(
      toToken,
    );
  }

  deleteToken(id: number): boolean {
    return this.db.prepare("DELETE FROM tokens WHERE id = ?").run(id).changes > 0;
  }

  touchToken(id: number, at: string): void {
    this.db.prepare("UPDATE tokens SET last_used_at = ? WHERE id = ?").run(at, id);
  }
}
