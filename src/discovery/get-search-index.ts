import type { HangarConfig } from "../core/config.ts";
import type { HubContext } from "../hub/hub.ts";
import type { Catalog } from "../store/catalog.ts";
import { SearchIndex } from "./search-index.ts";
import {
  isDamagedSnapshot,
  loadSnapshot,
  readSnapshotParts,
  type SnapshotFile,
  saveSnapshot,
  snapshotFileOf,
} from "./search-index-snapshot.ts";

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
  /** Where the index's snapshot is kept (null: nowhere), once known. */
  snapshot: SnapshotFile | null | undefined;
  /**
   * The snapshot being written after a rebuild. It is written from the index's own arrays, so a patch waits
   * for it; queries (which only read them) do not.
   */
  saving: Promise<void> | undefined;
}

/** What the index needs of a hub: its catalog, and the config naming the cache folder (none: no snapshot). */
export type SearchIndexSource = Pick<HubContext, "catalog"> & { config?: Pick<HangarConfig, "cacheFolder"> };

const states = new WeakMap<Catalog, IndexState>();

/**
 * The search index of a catalog, read from its snapshot or built on first use and brought up to date before
 * every query: one read of the change sequence (the catalog's triggers bump it in the same transaction as
 * every write to a repo or its facts, from any process or node), then either nothing, a patch of the changed
 * repos, or a rebuild. A query therefore never sees a repo's old visibility.
 */
export async function getSearchIndex(hub: SearchIndexSource): Promise<SearchIndex> {
  const catalog = hub.catalog;
  let state = states.get(catalog);
  if (!state) {
    state = { index: undefined, refreshing: undefined, snapshot: undefined, saving: undefined };
    states.set(catalog, state);
  }
  const current = state;
  while (current.refreshing) await current.refreshing.catch(() => undefined);
  // A part of its snapshot failed its check when a query read it: start over (the file is gone).
  if (current.index && isDamagedSnapshot(current.index)) current.index = undefined;
  const sequence = await catalog.searchFeed.currentSequence();
  if (current.index && sequence === current.index.sequence) return current.index;
  if (!current.refreshing) {
    current.refreshing = refresh(catalog, current, hub.config?.cacheFolder, sequence).finally(() => {
      current.refreshing = undefined;
    });
  }
  const index = await current.refreshing;
  current.index = index;
  return index;
}

async function refresh(
  catalog: Catalog,
  state: IndexState,
  cacheFolder: string | undefined,
  sequence: number,
): Promise<SearchIndex> {
  if (state.snapshot === undefined) {
    // Without a cache folder, or when the catalog cannot be told apart (its id unreadable), nothing is kept.
    state.snapshot = cacheFolder ? await snapshotFileOf(catalog, cacheFolder).catch(() => null) : null;
  }
  let index = state.index;
  if (!index && state.snapshot) index = await loadSnapshot(state.snapshot, sequence);
  if (!index) return rebuild(catalog, state);
  if (sequence === index.sequence) return index;
  const pending = sequence - index.sequence;
  if (
    pending < 0 ||
    pending > MAX_PATCH ||
    index.patchedCount + pending > Math.max(MAX_PATCH, index.builtCount * 0.02)
  ) {
    return rebuild(catalog, state);
  }
  await state.saving;
  const patched = index;
  const applied = await catalog.transaction(
    async (tx) => {
      const rows = await tx.searchFeed.changesBetween(patched.sequence, sequence);
      // A gap means the rows were pruned by another process: what changed is unknown, so start over.
      if (rows.length === 0 || rows[0]!.seq !== patched.sequence + 1 || rows.length !== pending) return false;
      return patched.applyChanges(tx, [...new Set(rows.map((row) => row.repoPk))], sequence);
    },
    { readOnly: true },
  );
  return applied ? index : rebuild(catalog, state);
}

async function rebuild(catalog: Catalog, state: IndexState): Promise<SearchIndex> {
  const index = await SearchIndex.build(catalog);
  if (index.sequence > KEEP_CHANGES) {
    // Housekeeping: a failure keeps the rows for the next rebuild.
    await catalog.searchFeed.pruneChanges(index.sequence - KEEP_CHANGES).catch(() => undefined);
  }
  const snapshot = state.snapshot;
  if (snapshot) {
    // Off the request path: the query that waited for the build gets it now. A snapshot that cannot be
    // written (a full disk, a read-only home) only means the next process builds too.
    const saving: Promise<void> = (async () => {
      await state.saving;
      await saveSnapshot(snapshot, index);
    })()
      .catch(() => undefined)
      .finally(() => {
        if (state.saving === saving) state.saving = undefined;
      });
    state.saving = saving;
  }
  return index;
}

/**
 * Gets the index ready before the first query (`hangar serve` at start, in the background): read from its
 * snapshot or built, then the parts of the snapshot a query would read on first use read ahead, a part per
 * turn of the event loop. A damaged part found on the way means one more getSearchIndex, which rebuilds.
 */
export async function warmSearchIndex(hub: SearchIndexSource): Promise<void> {
  const index = await getSearchIndex(hub);
  try {
    await readSnapshotParts(index);
  } catch (error) {
    if (!isDamagedSnapshot(index)) throw error;
    await getSearchIndex(hub);
  }
}

/** Waits for a snapshot being written (before the catalog closes, or a short-lived process exits). */
export async function settleSearchIndex(catalog: Catalog): Promise<void> {
  await states.get(catalog)?.saving;
}

/** Drops a catalog's index (tests, or to free memory); the next query rebuilds it. */
export function forgetSearchIndex(catalog: Catalog): void {
  states.delete(catalog);
}
