import type { UpstreamModelEntry } from "../../core/catalog-types.ts";
import type { Catalog } from "../../store/catalog.ts";
import {
  libraryPickers,
  NAME_WORDS,
  pickLanguages,
  pickLicense,
  pickRelation,
  pickTask,
  QUANT_SUFFIXES,
  type TaskProfile,
} from "./synthetic-tables.ts";

/**
 * Synthetic model catalogs for scale tests. The shapes follow what the public Hub looks like: a few models
 * take most downloads (log-normal with a wide spread), likes grow sub-linearly with downloads, a handful of
 * tasks and libraries dominate, most models are English or unlabelled, and many models are finetunes,
 * quantisations, adapters or merges of earlier ones, popular bases attracting more children.
 *
 * Every number comes from a seeded generator: the same seed and count give the same catalog.
 */

export interface GenerateCatalogParams {
  count: number;
  seed?: number;
  /** Entries per write transaction. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateCatalogResult {
  inserted: number;
  seed: number;
  /** Entries left out because a repo with local content already has their id. */
  skipped: number;
}

export const DEFAULT_CATALOG_SEED = 42;
export const SYNTHETIC_SOURCE = "hangar-synthetic";

/** mulberry32: tiny, fast and good enough for shaping test data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  // Box-Muller; 1 - r keeps the log argument away from 0.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** How many namespaces a catalog of `count` models spreads over: most authors publish one or two models. */
function namespaceCount(count: number): number {
  return Math.max(10, Math.round(count / 8));
}

/** Earlier entries children can derive from; popular bases are kept with a higher chance. */
interface BaseCandidate {
  id: string;
  task: TaskProfile;
  parameters: number | null;
  library: string | null;
  license: string | null;
  languages: readonly string[];
  downloads: number;
}

const POOL_SIZE = 4096;

/** Yields `count` synthetic entries, deterministic for `seed`. Entries only name earlier entries as bases. */
export function* syntheticCatalogEntries(
  count: number,
  seed = DEFAULT_CATALOG_SEED,
): Generator<UpstreamModelEntry> {
  const random = seededRandom(seed);
  const namespaces = namespaceCount(count);
  const pool: BaseCandidate[] = [];
  const epoch = Date.UTC(2020, 0, 1);
  const span = Date.UTC(2026, 0, 1) - epoch;
  for (let index = 0; index < count; index++) {
    // Zipf-like author choice: a few prolific organisations, a long tail of single-model users.
    const namespaceIndex = Math.floor(namespaces ** random()) - 1;
    const namespace = namespaceIndex < 50 ? `org-${namespaceIndex}` : `user-${namespaceIndex}`;
    const derive = pool.length > 0 && random() < 0.42;
    let base: BaseCandidate | undefined;
    if (derive) {
      // Squaring the draw favours the front of the pool, where the most downloaded bases sit.
      base = pool[Math.floor(random() ** 2 * pool.length)]!;
    }
    const profile = base ? base.task : pickTask(random);
    const relation = base ? pickRelation(random) : null;
    const library =
      relation === "quantized"
        ? random() < 0.7
          ? "gguf"
          : "transformers"
        : relation === "adapter"
          ? "peft"
          : (libraryPickers.get(profile.task)!(random) ?? null);
    const parameters =
      base && (relation === "quantized" || relation === "adapter" || relation === "finetune")
        ? base.parameters
        : random() < 0.88
          ? Math.round(10 ** (profile.logParams[0] + profile.logParams[1] * normal(random)))
          : null;
    const license = base && random() < 0.75 ? base.license : pickLicense(random);
    const languages = base && random() < 0.8 ? base.languages : pickLanguages(random);
    // Log-normal downloads: median around 10, the top percent in the hundreds of thousands and more.
    const downloads = random() < 0.3 ? 0 : Math.floor(Math.exp(2.3 + 2.9 * normal(random)));
    const likes = downloads === 0 ? 0 : Math.floor(downloads ** 0.55 * Math.exp(0.8 * normal(random)) * 0.12);
    const family = profile.family[Math.floor(random() * profile.family.length)]!;
    const word = NAME_WORDS[Math.floor(random() * NAME_WORDS.length)]!;
    const suffix =
      relation === "quantized" ? `-${QUANT_SUFFIXES[Math.floor(random() * QUANT_SUFFIXES.length)]!}` : "";
    const name = `${family}-${word}-${index.toString(36)}${suffix}`;
    const created = epoch + Math.floor((index / count) * span * 0.9 + random() * span * 0.1);
    const createdAt = new Date(created).toISOString();
    const lastModified = new Date(
      Math.min(created + Math.floor(random() * span * 0.2), epoch + span),
    ).toISOString();
    const id = `${namespace}/${name}`;
    const entry: UpstreamModelEntry = {
      id,
      description: `Synthetic ${profile.task} model (${family})${base ? `, ${relation} of ${base.id}` : ""}.`,
      license,
      languages: [...languages],
      parameters,
      baseModels: base ? [base.id] : [],
      baseRelation: relation,
      library,
      pipelineTag: profile.task,
      evalResults: [],
      snapshotDate: null,
      snapshotSource: SYNTHETIC_SOURCE,
      sources: [SYNTHETIC_SOURCE],
      downloads,
      likes,
      gated: random() < 0.02 ? "auto" : false,
      createdAt,
      lastModified,
    };
    const candidate: BaseCandidate = {
      id,
      task: profile,
      parameters,
      library,
      license,
      languages,
      downloads,
    };
    if (pool.length < POOL_SIZE) {
      pool.push(candidate);
      if (pool.length === POOL_SIZE) pool.sort((a, b) => b.downloads - a.downloads);
    } else if (downloads > pool[pool.length - 1]!.downloads && random() < 0.5) {
      // Replace the least downloaded candidate and keep the pool sorted by one insertion.
      pool.pop();
      let position = pool.length;
      while (position > 0 && pool[position - 1]!.downloads < downloads) position--;
      pool.splice(position, 0, candidate);
    }
    yield entry;
  }
}

/**
 * Writes a synthetic catalog into `catalog` in batched transactions with prepared statements. Entries go in as
 * upstream-only models, exactly as snapshot entries do, so search and listings see the same shapes.
 */
export async function generateCatalog(
  catalog: Catalog,
  params: GenerateCatalogParams,
): Promise<GenerateCatalogResult> {
  const seed = params.seed ?? DEFAULT_CATALOG_SEED;
  // On PostgreSQL the change feed's row triggers update one counter row per entry, and within one
  // transaction each update walks the versions the earlier ones left: cost grows with the square of the
  // transaction's size (20,000 entries per transaction took 7x as long as 1,000 here).
  const batchSize = params.batchSize ?? (catalog.dialect === "postgres" ? 1000 : 20_000);
  const entries = syntheticCatalogEntries(params.count, seed);
  let inserted = 0;
  let skipped = 0;
  let done = 0;
  // The bulk load is rebuildable test data: skipping fsyncs while it runs is worth the speed. The normal
  // setting comes back as soon as it ends, whatever happens.
  await catalog.bulkLoad(async () => {
    while (done < params.count) {
      const batch: UpstreamModelEntry[] = [];
      for (const end = Math.min(params.count, done + batchSize); done < end; done++) {
        const next = entries.next();
        if (next.done) break;
        batch.push(next.value);
      }
      if (batch.length === 0) break;
      const counts = await catalog.transaction(async (tx) => {
        const writer = tx.facts.prepareUpstreamWriter();
        // A fresh home has none of these ids; on a home that already holds a catalog, local repos are kept.
        // One multi-row statement per table and batch: a round trip per entry would take an hour on
        // PostgreSQL at a million models.
        const outcomes = await writer.writeMany(batch);
        const kept = outcomes.filter((outcome) => outcome === "kept-local").length;
        return { kept, written: batch.length - kept };
      });
      await catalog.bulk.tidyChangeFeed();
      skipped += counts.kept;
      inserted += counts.written;
      params.onProgress?.(done, params.count);
    }
  });
  return { inserted, seed, skipped };
}
