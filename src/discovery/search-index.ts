import { nextTurn } from "../core/next-turn.ts";
import type { Catalog, CatalogTables } from "../store/catalog.ts";
import { DocBitsets } from "./doc-bitsets.ts";
import { emptyFacetArrays, type FacetArrays } from "./facet-counts.ts";
import { invertColumn, residentArrayBytes } from "./index-columns.ts";
import { documentTerms, localFacts, modelFromRow, type RawRow } from "./indexed-model.ts";
import { ModelColumns } from "./model-columns.ts";
import { openPlan } from "./plan.ts";
import { scan } from "./scan.ts";
import { restoreState, type SearchIndexState, stateOf, typedColumns } from "./search-index-state.ts";
import { sortOrder, sortOrderInTurns } from "./sort-order.ts";
import type { TextIndex } from "./text-index.ts";
import { TextIndexBuilder } from "./text-index-builder.ts";
import { ValueCombos } from "./value-combos.ts";

export type { SearchIndexState } from "./search-index-state.ts";

/** Dimensions with per-value document lists, so a selective filter can drive a query. */
export type PostingDimension = "task" | "library" | "license" | "author" | "language";

export interface SearchIndexStats {
  models: number;
  terms: number;
  postings: number;
  /** How long the build took (for an index read from a snapshot: the build that wrote the snapshot). */
  buildMs: number;
  /** Whether this process read the index from a snapshot instead of building it, and how long that took. */
  loadedFromSnapshot: boolean;
  loadMs: number | null;
  /** Bytes held in typed arrays (strings and maps come on top: see `heapUsed` in the benchmark). */
  arrayBytes: number;
}

/**
 * An in-memory, column-per-dimension index over every model of the catalog (repos rows, their facts and
 * tags). Documents are numbered densely; each dimension is a typed array indexed by document, so a query is
 * a pass over candidate documents with array reads, and facet counts are increments into small arrays.
 * The columns themselves, and how a model is written into them, are in model-columns.ts; the conversion to
 * and from a snapshot's state in search-index-state.ts.
 */
export class SearchIndex extends ModelColumns {
  /** Documents, including ones appended since the build (their slots up to `capacity`). */
  size = 0;
  builtCount = 0;
  /** The catalog change sequence the index reflects. */
  sequence = 0;
  buildMs = 0;
  /** How long reading it from a snapshot took, when it was (see search-index-snapshot.ts). */
  loadMs: number | null = null;

  text!: TextIndex;

  /** Documents changed since the build, in change order. */
  patchedList: number[] = [];
  private results: Uint32Array | null = null;
  private scratch: Uint32Array | null = null;
  private readonly valuePostings = new Map<PostingDimension, { offsets: Uint32Array; docs: Uint32Array }>();
  private readonly orders = new Map<string, Uint32Array>();
  /**
   * Orders an index read from a snapshot holds (see snapshot-load.ts), read on first use; undefined
   * when the stored one does not hold under `keyOf` (the caller sorts).
   */
  readonly storedOrders = new Map<string, (keyOf: (doc: number) => number) => Uint32Array | undefined>();
  private base: { total: number; counts: FacetArrays } | null = null;
  private bitsets: DocBitsets | null = null;
  private combos: ValueCombos | null | undefined;
  private comboRequests = 0;

  private constructor(capacity: number, maxPk: number, referenceTime: number) {
    super(capacity, maxPk, referenceTime);
  }

  /** Reads every model of the catalog in one read transaction (a consistent snapshot) and indexes it. */
  static async build(
    catalog: Catalog,
    options: { referenceTime?: number; slack?: number } = {},
  ): Promise<SearchIndex> {
    const started = performance.now();
    return catalog.transaction(
      async (tx) => {
        const sequence = await tx.searchFeed.currentSequence();
        const stats = await tx.searchFeed.modelStats();
        const slack = options.slack ?? Math.max(1024, Math.ceil(stats.count * 0.02));
        const index = new SearchIndex(
          stats.count + slack,
          stats.maxPk + slack,
          options.referenceTime ?? Date.now(),
        );
        const local = localFacts(await tx.searchFeed.headMetadata());
        const text = new TextIndexBuilder();
        for await (const page of tx.searchFeed.allModels(2000)) {
          for (const row of page as unknown as RawRow[]) {
            const model = modelFromRow(row, local.get(row[0]));
            const doc = index.size++;
            index.writeColumns(doc, model);
            index.languages.push(model.languages);
            index.datasets.push(model.datasets);
            index.baseModels.push(model.baseModels);
            index.tags.push(model.tags);
            text.add(doc, documentTerms(model));
          }
          // Let requests in between pages: a large catalog takes seconds to read.
          await nextTurn();
        }
        index.languages.freeze();
        index.datasets.freeze();
        index.baseModels.freeze();
        index.tags.freeze();
        index.builtCount = index.size;
        index.text = await text.finish();
        index.refreshDerivedTables();
        index.sequence = sequence;
        index.buildMs = performance.now() - started;
        return index;
      },
      { readOnly: true },
    );
  }

  /** A reusable buffer for a query's matching documents (queries run one at a time on a thread). */
  resultBuffer(): Uint32Array {
    if (!this.results || this.results.length < this.size) this.results = new Uint32Array(this.capacity);
    return this.results;
  }

  /** A second buffer, for the facet passes that only count. */
  scratchBuffer(): Uint32Array {
    if (!this.scratch || this.scratch.length < this.size) this.scratch = new Uint32Array(this.capacity);
    return this.scratch;
  }

  /**
   * Built documents by value of one dimension (compressed rows: the documents of value id v are
   * `docs[offsets[v]..offsets[v+1])`), computed once per dimension. Documents changed since the build may
   * have moved: callers add them separately.
   */
  postings(dimension: PostingDimension): { offsets: Uint32Array; docs: Uint32Array } {
    let postings = this.valuePostings.get(dimension);
    if (postings) return postings;
    const count = this.builtCount;
    if (dimension === "language") {
      const column = this.languages;
      postings = invertColumn(count, column.dictionary.size, (doc, visit) => {
        for (let at = column.offsets[doc]!; at < column.offsets[doc + 1]!; at++) visit(column.values[at]!);
      });
    } else {
      const values = this[dimension];
      const { size } = {
        task: this.tasks,
        library: this.libraries,
        license: this.licenses,
        author: this.authors,
      }[dimension];
      postings = invertColumn(count, size, (doc, visit) => visit(values[doc]!));
    }
    this.valuePostings.set(dimension, postings);
    return postings;
  }

  /** The documents of the build as bitsets (filter-only queries), derived from the columns on first use. */
  docBitsets(): DocBitsets {
    if (this.bitsets === null) this.bitsets = new DocBitsets(this);
    return this.bitsets;
  }

  /**
   * The built documents grouped by their small-dimension values (facet counting over many documents). It
   * takes 0.2-0.8 s to make at a million models, so it is made on the fourth count that asks for it: a
   * one-shot process (a CLI search) counts document by document instead of paying for it.
   */
  valueCombos(): ValueCombos | null {
    if (this.combos === undefined) {
      if (++this.comboRequests < 4) return null;
      this.combos = ValueCombos.build(this);
    }
    return this.combos;
  }

  /** Facet counts and total over every public model, computed once per index version. */
  baseCounts(): { total: number; counts: FacetArrays } {
    if (!this.base) {
      const plan = openPlan(new Uint8Array(0));
      // Its own buffer: this can run in the middle of a query whose results sit in the result buffer.
      const scanned = scan(this, plan, null, this.size, true, new Uint32Array(this.size));
      this.base = { total: scanned.total, counts: scanned.counts ?? emptyFacetArrays(this) };
    }
    return this.base;
  }

  /**
   * The built documents ordered best first by `keyOf` (ties: more downloads, then older row), computed once
   * per sort and direction. Documents changed since the build keep their old place: callers skip them and
   * rank them separately.
   */
  sortedDocs(name: string, keyOf: (doc: number) => number): Uint32Array {
    let order = this.orders.get(name);
    if (!order) {
      order =
        this.storedOrders.get(name)?.(keyOf) ?? sortOrder(this.builtCount, keyOf, this.downloads, this.pk);
      this.orders.set(name, order);
    }
    return order;
  }

  /** `sortedDocs`, with a missing order worked out a slice a turn (for a snapshot written while serving). */
  async sortedDocsInTurns(name: string, keyOf: (doc: number) => number): Promise<Uint32Array> {
    const known = this.orders.get(name) ?? this.storedOrders.get(name)?.(keyOf);
    const order =
      known ?? (await sortOrderInTurns(this.builtCount, keyOf, this.downloads, this.pk, nextTurn));
    // A query may have sorted it meanwhile: the same order either way.
    if (!this.orders.has(name)) this.orders.set(name, order);
    return this.orders.get(name)!;
  }

  /**
   * Re-reads the given repos and applies them: changed models in place, new ones appended, deleted or
   * no-longer-model ones removed. Returns false when the index has no room left (the caller rebuilds).
   */
  async applyChanges(catalog: CatalogTables, pks: readonly number[], sequence: number): Promise<boolean> {
    const rows = (await catalog.searchFeed.rowsOf(pks)) as unknown as Map<number, RawRow>;
    const appended = pks.filter((pk) => {
      const row = rows.get(pk);
      return row !== undefined && row[23] === "model" && this.docOf(pk) < 0;
    }).length;
    if (this.size + appended > this.capacity) return false;
    const localPks = [...rows.values()]
      .filter((row) => row[7] !== null && row[23] === "model")
      .map((row) => row[0]);
    const local = localFacts(await catalog.searchFeed.headMetadata(localPks));
    for (const pk of pks) {
      const row = rows.get(pk);
      let doc = this.docOf(pk);
      if (row?.[23] !== "model") {
        if (doc >= 0) {
          this.removed[doc] = 1;
          this.privateDocs.delete(doc);
          if (this.patched[doc] !== 1) this.patchedList.push(doc);
          this.patched[doc] = 1;
          this.text.setPatched(doc, null);
          this.docOfPk[pk] = -1;
        }
        continue;
      }
      if (doc < 0) doc = this.size++;
      const model = modelFromRow(row, local.get(pk));
      this.writeColumns(doc, model);
      if (this.patched[doc] !== 1) this.patchedList.push(doc);
      this.patched[doc] = 1;
      this.languages.override(doc, model.languages);
      this.datasets.override(doc, model.datasets);
      this.baseModels.override(doc, model.baseModels);
      this.tags.override(doc, model.tags);
      this.text.setPatched(doc, documentTerms(model));
    }
    this.refreshDerivedTables();
    this.sequence = sequence;
    this.base = null;
    this.bitsets?.forgetPlain();
    return true;
  }

  /** How many documents changed since the build (a full rebuild folds them back in). */
  get patchedCount(): number {
    return this.patchedList.length;
  }

  /**
   * Everything a build computed, for a snapshot: views of the index's own arrays (not copies), so the index
   * must not be patched until the snapshot is written. Only a freshly built index (nothing patched) has one.
   */
  snapshotState(): SearchIndexState {
    if (this.patchedList.length > 0) throw new Error("Only a freshly built search index is snapshotted");
    return stateOf(this);
  }

  /** The typed columns a snapshot must hold, with their array types (a file that differs is stale). */
  static snapshotColumnKinds(): Map<string, string> {
    const columns = typedColumns(new SearchIndex(0, 0, 0));
    return new Map([...columns].map(([name, view]) => [name, view.constructor.name]));
  }

  /** An index from a snapshot's state; the caller checked its columns against `snapshotColumnKinds`. */
  static restore(state: SearchIndexState, loadMs: number): SearchIndex {
    const index = new SearchIndex(0, 0, state.referenceTime);
    restoreState(index, state, loadMs);
    index.refreshDerivedTables();
    return index;
  }

  stats(): SearchIndexStats {
    // Columns of a snapshot not read yet count nothing (and stay unread).
    let arrayBytes = this.text.arrayBytes + residentArrayBytes(this);
    for (const column of [this.languages, this.datasets, this.baseModels, this.tags])
      arrayBytes += column.byteLength;
    arrayBytes += (this.bitsets?.byteLength ?? 0) + (this.combos?.byteLength ?? 0);
    return {
      models: this.size,
      terms: this.text.termCount,
      postings: this.text.postingCount,
      buildMs: this.buildMs,
      loadedFromSnapshot: this.loadMs !== null,
      loadMs: this.loadMs,
      arrayBytes,
    };
  }
}
