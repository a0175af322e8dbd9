import type { HubContext } from "../hub/hub.ts";
import type { Catalog } from "../store/catalog.ts";
import { SearchIndex } from "./search-index.ts";

/**
 * Patching re-reads each changed repo; past this many changes (or 2% of the catalog) one full rebuild is
 * cheaper and folds the overrides back into the compact arrays.
 */
const MAX_PATCH = 5000;

/** Change-log rows kept after a rebuild; older ones are pruned (another node behind them rebuilds). */
const KEEP_CHANGES = 10_000;

interface IndexState {
  index: SearchIndex | undefined;
  /** The refresh in flight: concurrent queries wait for it instead of starting their own. */
  refreshing: Promise<SearchIndex> | undefined;
}

const states = new WeakMap<Catalog, IndexState>();

/**
 * The search index of a catalog, built on first use and brought up to date before every query: one read of
 * the change sequence (the catalog's triggers bump it in the same transaction as every write to a repo or
 * its facts, from any process or node), then either nothing, a patch of the changed repos, or a rebuild. A
 * query therefore never sees a repo's old visibility.
 */
export async function getSearchIndex(hub: Pick<HubContext, "catalog">): Promise<SearchIndex> {
  const catalog = hub.catalog;
  let state = states.get(catalog);
  if (!state) {
    state = { index: undefined, refreshing: undefined };
    states.set(catalog, state);
  }
  const current = state;
  while (current.refreshing) await current.refreshing.catch(() => undefined);
  const sequence = await catalog.searchFeed.currentSequence();
  if (current.index && sequence === current.index.sequence) return current.index;
  if (!current.refreshing) {
    current.refreshing = refresh(catalog, current.index, sequence).finally(() => {
      current.refreshing = undefined;
    });
  }
  const index = await current.refreshing;
  current.index = index;
  return index;
}

async function refresh(
  catalog: Catalog,
  index: SearchIndex | undefined,
  sequence: number,
): Promise<SearchIndex> {
  if (!index) return rebuild(catalog);
  const pending = sequence - index.sequence;
  if (
    pending < 0 ||
    pending > MAX_PATCH ||
    index.patchedCount + pending > Math.max(MAX_PATCH, index.builtCount * 0.02)
  ) {
    return rebuild(catalog);
  }
  const applied = await catalog.transaction(
    async (tx) => {
      const rows = await tx.searchFeed.changesBetween(index.sequence, sequence);
      // A gap means the rows were pruned by another process: what changed is unknown, so start over.
      if (rows.length === 0 || rows[0]!.seq !== index.sequence + 1 || rows.length !== pending) return false;
      return index.applyChanges(tx, [...new Set(rows.map((row) => row.repoPk))], sequence);
    },
    { readOnly: true },
  );
  return applied ? index : rebuild(catalog);
}

async function rebuild(catalog: Catalog): Promise<SearchIndex> {
  const index = await SearchIndex.build(catalog);
  if (index.sequence > KEEP_CHANGES) {
    // Housekeeping: a failure keeps the rows for the next rebuild.
    await catalog.searchFeed.pruneChanges(index.sequence - KEEP_CHANGES).catch(() => undefined);
  }
  return index;
}

/** Drops a catalog's index (tests, or to free memory); the next query rebuilds it. */
export function forgetSearchIndex(catalog: Catalog): void {
  states.delete(catalog);
}
