import { commercialUseOf } from "../hub/metadata/licenses.ts";
import type { Catalog, CatalogTables } from "../store/catalog.ts";
import { DocBitsets } from "./doc-bitsets.ts";
import { emptyFacetArrays, type FacetArrays } from "./facet-counts.ts";
import { Dictionary, invertColumn, MultiValueColumn, residentArrayBytes } from "./index-columns.ts";
import {
  documentTerms,
  hashLower,
  type IndexedModel,
  localFacts,
  modelFromRow,
  type RawRow,
} from "./indexed-model.ts";
import { openPlan } from "./plan.ts";
import {
  popularityComponent,
  qualityComponent,
  recencyComponent,
  staticScore,
  trendComponent,
} from "./ranking.ts";
import { scan } from "./scan.ts";
import { sortOrder } from "./sort-order.ts";
import { TextIndex, TextIndexBuilder } from "./text-index.ts";
import { ValueCombos } from "./value-combos.ts";
import {
  bucketOf,
  COMMERCIAL_VALUES,
  commercialValue,
  MODALITIES,
  modalityOfTask,
  PARAMETER_BUCKETS,
  SCAN_STATUSES,
  STORAGE_BUCKETS,
} from "./vocabulary.ts";

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
 */
export class SearchIndex {
  /** Documents, including ones appended since the build (their slots up to `capacity`). */
  size = 0;
  readonly capacity: number;
  builtCount = 0;
  /** The catalog change sequence the index reflects. */
  sequence = 0;
  buildMs = 0;
  /** How long reading it from a snapshot took, when it was (see search-index-snapshot.ts). */
  loadMs: number | null = null;
  /** "Now" for recency and trend estimates: the build time, so scores do not drift between queries. */
  readonly referenceTime: number;

  readonly ids: string[] = [];
  readonly pk: Int32Array;
  private docOfPk: Int32Array;
  readonly idHash: Int32Array;
  readonly nameHash: Int32Array;

  readonly authors = new Dictionary(true);
  readonly tasks = new Dictionary();
  readonly libraries = new Dictionary();
  readonly licenses = new Dictionary();
  readonly author: Uint32Array;
  readonly task: Uint16Array;
  readonly library: Uint16Array;
  readonly license: Uint16Array;

  readonly isPrivate: Uint8Array;
  readonly gated: Uint8Array;
  readonly runsLocally: Uint8Array;
  /** Index into SCAN_STATUSES: the repo's `scan_status` (0, unscanned, until every head file has a verdict). */
  readonly scanStatus: Uint8Array;
  readonly removed: Uint8Array;
  /** Changed since the build: multi-valued dimensions and text come from the overrides. */
  readonly patched: Uint8Array;

  readonly parameters: Float64Array;
  readonly storageBytes: Float64Array;
  readonly parameterBucket: Uint8Array;
  readonly storageBucket: Uint8Array;
  readonly downloads: Float64Array;
  readonly likes: Float64Array;
  readonly trendingScore: Float64Array;
  readonly createdAt: Float64Array;
  readonly lastModified: Float64Array;
  readonly evalCount: Uint16Array;
  readonly evalMean: Float64Array;

  readonly popularity: Float64Array;
  readonly trend: Float64Array;
  readonly trendEstimated: Uint8Array;
  readonly recency: Float64Array;
  readonly quality: Float64Array;
  readonly staticScore: Float64Array;

  readonly languages = new MultiValueColumn(new Dictionary());
  readonly datasets = new MultiValueColumn(new Dictionary(true));
  readonly baseModels = new MultiValueColumn(new Dictionary(true));
  readonly tags = new MultiValueColumn(new Dictionary());
  text!: TextIndex;

  /** Private documents (few): added to the cached whole-catalog counts for callers who may see them. */
  readonly privateDocs = new Set<number>();
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

  /** Modality (index into MODALITIES, 255 for none) and commercial use (index into COMMERCIAL_VALUES), by id. */
  modalityOfTaskId = new Uint8Array(0);
  commercialOfLicenseId = new Uint8Array(0);

  private constructor(capacity: number, maxPk: number, referenceTime: number) {
    this.capacity = capacity;
    this.referenceTime = referenceTime;
    this.pk = new Int32Array(capacity);
    this.docOfPk = new Int32Array(maxPk + 1).fill(-1);
    this.idHash = new Int32Array(capacity);
    this.nameHash = new Int32Array(capacity);
    this.author = new Uint32Array(capacity);
    this.task = new Uint16Array(capacity);
    this.library = new Uint16Array(capacity);
    this.license = new Uint16Array(capacity);
    this.isPrivate = new Uint8Array(capacity);
    this.gated = new Uint8Array(capacity);
    this.runsLocally = new Uint8Array(capacity);
    this.scanStatus = new Uint8Array(capacity);
    this.removed = new Uint8Array(capacity);
    this.patched = new Uint8Array(capacity);
    this.parameters = new Float64Array(capacity);
    this.storageBytes = new Float64Array(capacity);
    this.parameterBucket = new Uint8Array(capacity);
    this.storageBucket = new Uint8Array(capacity);
    this.downloads = new Float64Array(capacity);
    this.likes = new Float64Array(capacity);
    this.trendingScore = new Float64Array(capacity);
    this.createdAt = new Float64Array(capacity);
    this.lastModified = new Float64Array(capacity);
    this.evalCount = new Uint16Array(capacity);
    this.evalMean = new Float64Array(capacity);
    this.popularity = new Float64Array(capacity);
    this.trend = new Float64Array(capacity);
    this.trendEstimated = new Uint8Array(capacity);
    this.recency = new Float64Array(capacity);
    this.quality = new Float64Array(capacity);
    this.staticScore = new Float64Array(capacity);
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
        for await (const page of tx.searchFeed.allModels()) {
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
          await new Promise((resume) => setImmediate(resume));
        }
        index.languages.freeze();
        index.datasets.freeze();
        index.baseModels.freeze();
        index.tags.freeze();
        index.builtCount = index.size;
        index.text = text.finish();
        index.refreshDerivedTables();
        index.sequence = sequence;
        index.buildMs = performance.now() - started;
        return index;
      },
      { readOnly: true },
    );
  }

  private writeColumns(doc: number, model: IndexedModel): void {
    this.ids[doc] = `${model.namespace}/${model.name}`;
    this.pk[doc] = model.pk;
    if (model.pk >= this.docOfPk.length) {
      const grown = new Int32Array(Math.max(model.pk + 1, this.docOfPk.length * 2)).fill(-1);
      grown.set(this.docOfPk);
      this.docOfPk = grown;
    }
    this.docOfPk[model.pk] = doc;
    this.idHash[doc] = hashLower(this.ids[doc]!);
    this.nameHash[doc] = hashLower(model.name);
    this.author[doc] = this.authors.intern(model.namespace);
    this.task[doc] = this.tasks.intern(model.task);
    this.library[doc] = this.libraries.intern(model.library);
    this.license[doc] = this.licenses.intern(model.license);
    this.isPrivate[doc] = model.private ? 1 : 0;
    if (model.private) this.privateDocs.add(doc);
    else this.privateDocs.delete(doc);
    this.gated[doc] = model.gated;
    this.runsLocally[doc] = model.runsLocally ? 1 : 0;
    this.scanStatus[doc] = Math.max(0, SCAN_STATUSES.indexOf((model.scanStatus ?? "unscanned") as never));
    this.removed[doc] = 0;
    const parameters = model.parameters ?? Number.NaN;
    const storage = model.storageBytes ?? Number.NaN;
    this.parameters[doc] = parameters;
    this.storageBytes[doc] = storage;
    this.parameterBucket[doc] = bucketOf(PARAMETER_BUCKETS, parameters);
    this.storageBucket[doc] = bucketOf(STORAGE_BUCKETS, storage);
    this.downloads[doc] = model.downloads;
    this.likes[doc] = model.likes;
    this.trendingScore[doc] = model.trendingScore;
    this.createdAt[doc] = model.createdAt;
    this.lastModified[doc] = model.lastModified;
    this.evalCount[doc] = Math.min(65535, model.evalCount);
    this.evalMean[doc] = model.evalMean;
    const popularity = popularityComponent(model.downloads, model.likes);
    const trend = trendComponent(model.trendingScore, popularity, model.lastModified, this.referenceTime);
    const recency = recencyComponent(model.lastModified, this.referenceTime);
    const quality = qualityComponent(model.evalCount, model.evalMean);
    this.popularity[doc] = popularity;
    this.trend[doc] = trend.value;
    this.trendEstimated[doc] = trend.estimated ? 1 : 0;
    this.recency[doc] = recency;
    this.quality[doc] = quality;
    this.staticScore[doc] = staticScore(popularity, trend.value, recency, quality);
  }

  /** Modality by task id and commercial use by licence id, for values interned since the last call. */
  private refreshDerivedTables(): void {
    const modalities = new Uint8Array(this.tasks.size).fill(255);
    for (let id = 1; id < this.tasks.size; id++) {
      const modality = modalityOfTask(this.tasks.values[id]!);
      if (modality !== null) modalities[id] = MODALITIES.indexOf(modality);
    }
    this.modalityOfTaskId = modalities;
    const commercial = new Uint8Array(this.licenses.size);
    for (let id = 0; id < this.licenses.size; id++) {
      const license = this.licenses.values[id] || null;
      commercial[id] = COMMERCIAL_VALUES.indexOf(commercialValue(commercialUseOf(license)));
    }
    this.commercialOfLicenseId = commercial;
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

  docOf(pk: number): number {
    return pk < this.docOfPk.length ? this.docOfPk[pk]! : -1;
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
    const columns = this.typedColumns();
    const multi = (column: MultiValueColumn) => ({
      dictionary: column.dictionary.values,
      offsets: column.offsets,
      values: column.values,
    });
    return {
      size: this.size,
      capacity: this.capacity,
      builtCount: this.builtCount,
      sequence: this.sequence,
      buildMs: this.buildMs,
      referenceTime: this.referenceTime,
      ids: this.ids,
      columns,
      dictionaries: {
        authors: this.authors.values,
        tasks: this.tasks.values,
        libraries: this.libraries.values,
        licenses: this.licenses.values,
      },
      multiValues: {
        languages: multi(this.languages),
        datasets: multi(this.datasets),
        baseModels: multi(this.baseModels),
        tags: multi(this.tags),
      },
      text: {
        sortedTerms: this.text.sortedTerms,
        offsets: this.text.offsets,
        docs: this.text.docs,
        fields: this.text.fields,
      },
    };
  }

  private typedColumns(): Map<string, ArrayBufferView> {
    const columns = new Map<string, ArrayBufferView>();
    for (const [name, value] of Object.entries(this)) {
      if (ArrayBuffer.isView(value) && !NOT_SNAPSHOTTED.has(name)) columns.set(name, value);
    }
    return columns;
  }

  /** The typed columns a snapshot must hold, with their array types (a file that differs is stale). */
  static snapshotColumnKinds(): Map<string, string> {
    const columns = new SearchIndex(0, 0, 0).typedColumns();
    return new Map([...columns].map(([name, view]) => [name, view.constructor.name]));
  }

  /** An index from a snapshot's state; the caller checked its columns against `snapshotColumnKinds`. */
  static restore(state: SearchIndexState, loadMs: number): SearchIndex {
    const index = new SearchIndex(0, 0, state.referenceTime);
    Object.assign(index, Object.fromEntries(state.columns), { capacity: state.capacity });
    index.size = state.size;
    index.builtCount = state.builtCount;
    index.sequence = state.sequence;
    index.buildMs = state.buildMs;
    index.loadMs = loadMs;
    (index as { ids: string[] }).ids = state.ids;
    const caseInsensitive = {
      authors: index.authors.isCaseInsensitive,
      tasks: index.tasks.isCaseInsensitive,
      libraries: index.libraries.isCaseInsensitive,
      licenses: index.licenses.isCaseInsensitive,
    };
    for (const name of ["authors", "tasks", "libraries", "licenses"] as const) {
      (index as Record<typeof name, Dictionary>)[name] = Dictionary.of(
        state.dictionaries[name],
        caseInsensitive[name],
      );
    }
    for (const name of ["languages", "datasets", "baseModels", "tags"] as const) {
      const saved = state.multiValues[name];
      const column = new MultiValueColumn(
        Dictionary.of(saved.dictionary, index[name].dictionary.isCaseInsensitive),
      );
      column.offsets = saved.offsets;
      column.values = saved.values;
      (index as Record<typeof name, MultiValueColumn>)[name] = column;
    }
    index.text = new TextIndex(
      state.text.sortedTerms,
      state.text.offsets,
      state.text.docs,
      state.text.fields,
    );
    for (let doc = 0; doc < index.size; doc++) if (index.isPrivate[doc] === 1) index.privateDocs.add(doc);
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

/** Typed arrays of an index that are scratch space or derived on load, not part of a snapshot. */
const NOT_SNAPSHOTTED = new Set(["results", "scratch", "modalityOfTaskId", "commercialOfLicenseId"]);

/** What a snapshot holds of an index (see `SearchIndex.snapshotState`). */
export interface SearchIndexState {
  size: number;
  capacity: number;
  builtCount: number;
  sequence: number;
  buildMs: number;
  referenceTime: number;
  ids: string[];
  /** Every typed column by field name. */
  columns: Map<string, ArrayBufferView>;
  dictionaries: Record<"authors" | "tasks" | "libraries" | "licenses", string[]>;
  multiValues: Record<
    "languages" | "datasets" | "baseModels" | "tags",
    { dictionary: string[]; offsets: Uint32Array; values: Uint32Array }
  >;
  text: { sortedTerms: string[]; offsets: Uint32Array; docs: Uint32Array; fields: Uint8Array };
}
