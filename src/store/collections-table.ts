import type { SqlExecutor } from "./sql/sql-database.ts";

export type CollectionItemType = "model" | "dataset" | "space" | "paper" | "collection";

export interface CollectionRow {
  slug: string;
  objectId: string;
  owner: string;
  title: string;
  description: string | null;
  private: boolean;
  theme: string;
  position: number;
  createdAt: string;
  lastUpdated: string;
}

export interface CollectionItemRow {
  objectId: string;
  collectionSlug: string;
  type: CollectionItemType;
  itemId: string;
  position: number;
  note: string | null;
  addedAt: string;
}

interface RawCollection {
  slug: string;
  object_id: string;
  owner: string;
  title: string;
  description: string | null;
  private: number;
  theme: string;
  position: number;
  created_at: string;
  last_updated: string;
}

interface RawItem {
  object_id: string;
  collection_slug: string;
  item_type: CollectionItemType;
  item_id: string;
  position: number;
  note: string | null;
  added_at: string;
}

function toCollection(row: RawCollection): CollectionRow {
  return {
    slug: row.slug,
    objectId: row.object_id,
    owner: row.owner,
    title: row.title,
    description: row.description,
    private: Number(row.private) === 1,
    theme: row.theme,
    position: Number(row.position),
    createdAt: row.created_at,
    lastUpdated: row.last_updated,
  };
}

function toItem(row: RawItem): CollectionItemRow {
  return {
    objectId: row.object_id,
    collectionSlug: row.collection_slug,
    type: row.item_type,
    itemId: row.item_id,
    position: Number(row.position),
    note: row.note,
    addedAt: row.added_at,
  };
}

export interface CollectionListQuery {
  owners?: string[];
  /** Collections holding this item (`model:ns/name`, `paper:2307.09288`...). */
  item?: { type: CollectionItemType; id: string };
  search?: string;
  /** Namespaces whose private collections may be listed ("all" for an admin). */
  visibleNamespaces: string[] | "all";
  sort: "lastModified" | "trending" | "upvotes";
  limit: number;
}

/** Collections and their items (src/hub/collections). */
export class CollectionsTable {
  constructor(private readonly db: SqlExecutor) {}

  async insert(collection: CollectionRow): Promise<void> {
    await this.db.run(
      `INSERT INTO collections (slug, object_id, owner, title, description, private, theme, position, created_at, last_updated)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        collection.slug,
        collection.objectId,
        collection.owner,
        collection.title,
        collection.description,
        collection.private ? 1 : 0,
        collection.theme,
        collection.position,
        collection.createdAt,
        collection.lastUpdated,
      ],
    );
  }

  async get(slug: string): Promise<CollectionRow | undefined> {
    const row = await this.db.get<RawCollection>("SELECT * FROM collections WHERE slug = ?", [slug]);
    return row ? toCollection(row) : undefined;
  }

  /** The collection whose slug ends with this object id (the Hub accepts a slug whose title part is stale). */
  async getByObjectId(objectId: string): Promise<CollectionRow | undefined> {
    const row = await this.db.get<RawCollection>("SELECT * FROM collections WHERE object_id = ?", [objectId]);
    return row ? toCollection(row) : undefined;
  }

  async nextPosition(owner: string): Promise<number> {
    const row = await this.db.get<{ n: number | null }>(
      "SELECT MAX(position) AS n FROM collections WHERE owner = ?",
      [owner],
    );
    return row?.n === null || row?.n === undefined ? 0 : Number(row.n) + 1;
  }

  async update(
    slug: string,
    change: {
      newSlug?: string;
      title?: string;
      description?: string | null;
      private?: boolean;
      theme?: string;
      position?: number;
    },
    at: string,
  ): Promise<void> {
    const sets: string[] = ["last_updated = ?"];
    const params: (string | number | null)[] = [at];
    const columns: Array<[keyof typeof change, string]> = [
      ["newSlug", "slug"],
      ["title", "title"],
      ["description", "description"],
      ["theme", "theme"],
      ["position", "position"],
    ];
    for (const [key, column] of columns) {
      if (change[key] === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(change[key] as string | number | null);
    }
    if (change.private !== undefined) {
      sets.push("private = ?");
      params.push(change.private ? 1 : 0);
    }
    await this.db.run(`UPDATE collections SET ${sets.join(", ")} WHERE slug = ?`, [...params, slug]);
  }

  async touch(slug: string, at: string): Promise<void> {
    await this.db.run("UPDATE collections SET last_updated = ? WHERE slug = ?", [at, slug]);
  }

  async delete(slug: string): Promise<boolean> {
    return (await this.db.run("DELETE FROM collections WHERE slug = ?", [slug])).changes > 0;
  }

  async list(query: CollectionListQuery): Promise<CollectionRow[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.owners && query.owners.length > 0) {
      where.push(`owner IN (${query.owners.map(() => "?").join(", ")})`);
      params.push(...query.owners);
    }
    if (query.item) {
      where.push(
        "slug IN (SELECT collection_slug FROM collection_items WHERE item_type = ? AND lower(item_id) = lower(?))",
      );
      params.push(query.item.type, query.item.id);
    }
    if (query.search) {
      where.push(`${this.db.dialect === "postgres" ? "strpos" : "instr"}(lower(title), ?) > 0`);
      params.push(query.search.toLowerCase());
    }
    if (query.visibleNamespaces !== "all") {
      const placeholders = query.visibleNamespaces.map(() => "?").join(", ");
      where.push(placeholders ? `(private = 0 OR owner IN (${placeholders}))` : "private = 0");
      params.push(...query.visibleNamespaces);
    }
    // Collections have no upvotes here, so every order but owner position is by last update.
    const order = "last_updated DESC, slug";
    const sql = `SELECT * FROM collections${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ${order} LIMIT ?`;
    return (await this.db.all<RawCollection>(sql, [...params, query.limit])).map(toCollection);
  }

  async items(slug: string): Promise<CollectionItemRow[]> {
    return (
      await this.db.all<RawItem>(
        "SELECT * FROM collection_items WHERE collection_slug = ? ORDER BY position, added_at, object_id",
        [slug],
      )
    ).map(toItem);
  }

  async getItem(slug: string, objectId: string): Promise<CollectionItemRow | undefined> {
    const row = await this.db.get<RawItem>(
      "SELECT * FROM collection_items WHERE collection_slug = ? AND object_id = ?",
      [slug, objectId],
    );
    return row ? toItem(row) : undefined;
  }

  async findItem(
    slug: string,
    type: CollectionItemType,
    itemId: string,
  ): Promise<CollectionItemRow | undefined> {
    const row = await this.db.get<RawItem>(
      "SELECT * FROM collection_items WHERE collection_slug = ? AND item_type = ? AND item_id = ?",
      [slug, type, itemId],
    );
    return row ? toItem(row) : undefined;
  }

  async insertItem(item: CollectionItemRow): Promise<void> {
    await this.db.run(
      `INSERT INTO collection_items (object_id, collection_slug, item_type, item_id, position, note, added_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [item.objectId, item.collectionSlug, item.type, item.itemId, item.position, item.note, item.addedAt],
    );
  }

  async updateItem(objectId: string, change: { note?: string | null; position?: number }): Promise<void> {
    if (change.note !== undefined)
      await this.db.run("UPDATE collection_items SET note = ? WHERE object_id = ?", [change.note, objectId]);
    if (change.position !== undefined)
      await this.db.run("UPDATE collection_items SET position = ? WHERE object_id = ?", [
        change.position,
        objectId,
      ]);
  }

  async deleteItem(objectId: string): Promise<boolean> {
    return (await this.db.run("DELETE FROM collection_items WHERE object_id = ?", [objectId])).changes > 0;
  }
}
