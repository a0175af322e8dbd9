import { commercialUseOf } from "../hub/metadata/licenses.ts";
import { Dictionary, MultiValueColumn } from "./index-columns.ts";
import { hashLower, type IndexedModel } from "./indexed-model.ts";
import {
  popularityComponent,
  qualityComponent,
  recencyComponent,
  staticScore,
  trendComponent,
} from "./ranking.ts";
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

/**
 * The per-document columns of the search index (search-index.ts extends this): one typed array per
 * dimension, indexed by document, the dictionaries their value ids point into, the multi-valued columns, and
 * how one model is written into them. Building, patching, the query caches and snapshots are the index's.
 */
export class ModelColumns {
  readonly capacity: number;
  /** "Now" for recency and trend estimates: the build time, so scores do not drift between queries. */
  readonly referenceTime: number;

  readonly ids: string[] = [];
  readonly pk: Int32Array;
  protected docOfPk: Int32Array;
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

  /** Private documents (few): added to the cached whole-catalog counts for callers who may see them. */
  readonly privateDocs = new Set<number>();

  /** Modality (index into MODALITIES, 255 for none) and commercial use (index into COMMERCIAL_VALUES), by id. */
  modalityOfTaskId = new Uint8Array(0);
  commercialOfLicenseId = new Uint8Array(0);

  protected constructor(capacity: number, maxPk: number, referenceTime: number) {
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

  protected writeColumns(doc: number, model: IndexedModel): void {
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
  protected refreshDerivedTables(): void {
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

  docOf(pk: number): number {
    return pk < this.docOfPk.length ? this.docOfPk[pk]! : -1;
  }
}
