import type { HubContext } from "../hub/hub.ts";
import type { Catalog } from "../store/catalog.ts";
import { currentChangeSequence, SearchIndex } from "./search-index.ts";

/**
 * Patching re-reads each changed repo; past this many changes (or 2% of the catalog) one full rebuild is
 * cheaper and folds the overrides back into the compact arrays.
 */
const MAX_PATCH = 5000;

/** Change-log rows kept after a rebuild; older ones are pruned (another process behind them rebuilds). */
const KEEP_CHANGES = 10_000;

const indexes = new WeakMap<Catalog, SearchIndex>();

/**
 * The search index of a catalog, built on first use and brought up to date before every query: one read of
 * the change sequence (the catalog's triggers bump it in the same transaction as every write to a repo or
 * its facts, from any process), then either nothing, a patch of the changed repos, or a rebuild. A query
 * therefore never sees a repo's old visibility.
 */
export function getSearchIndex(hub: Pick<HubContext, "catalog">): SearchIndex {
  const catalog = hub.catalog;
  const index = indexes.get(catalog);
  if (!index) return rebuild(catalog);
  const sequence = currentChangeSequence(catalog);
  if (sequence === index.sequence) return index;
  const pending = sequence - index.sequence;
  if (
    pending < 0 ||
    pending > MAX_PATCH ||
    index.patchedCount + pending > Math.max(MAX_PATCH, index.builtCount * 0.02)
  ) {
    return rebuild(catalog);
  }
  const rows = catalog.db
    .prepare("SELECT seq, repo_pk FROM catalog_changes WHERE seq > ? AND seq <= ? ORDER BY seq")
    .all(index.sequence, sequence) as Array<{ seq: number; repo_pk: number }>;
  // A gap means the rows were pruned by another process: what changed is unknown, so start over.
  if (rows.length === 0 || rows[0]!.seq !== index.sequence + 1 || rows.length !== pending)
    return rebuild(catalog);
  const pks = [...new Set(rows.map((row) => row.repo_pk))];
  const applied = catalog.db.transaction(() => index!.applyChanges(catalog, pks, sequence))();
  if (!applied) return rebuild(catalog);
  return index;
}

function rebuild(catalog: Catalog): SearchIndex {
  const index = SearchIndex.build(catalog);
  indexes.set(catalog, index);
  pruneChanges(catalog, index.sequence);
  return index;
}

function pruneChanges(catalog: Catalog, sequence: number): void {
  if (sequence <= KEEP_CHANGES) return;
  // Pruning is housekeeping: it must not wait behind another writer, and a busy or read-only database
  // keeps the rows for the next rebuild.
  const timeout = catalog.db.pragma("busy_timeout", { simple: true }) as number;
  catalog.db.pragma("busy_timeout = 0");
  try {
    catalog.db.prepare("DELETE FROM catalog_changes WHERE seq <= ?").run(sequence - KEEP_CHANGES);
  } catch {
    // Kept for later.
  } finally {
    catalog.db.pragma(`busy_timeout = ${timeout}`);
  }
}

/** Drops a catalog's index (tests, or to free memory); the next query rebuilds it. */
export function forgetSearchIndex(catalog: Catalog): void {
  indexes.delete(catalog);
}
