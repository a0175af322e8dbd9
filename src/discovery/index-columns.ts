/**
 * The storage of the search index's dictionary dimensions: values numbered per dimension, and multi-valued
 * columns (a document's languages, datasets, base models, tags) in compressed-row form with per-document
 * overrides for documents changed since the build.
 */
/** Values of one dimension, numbered from 1 (0 stands for "none"). */
export class Dictionary {
  readonly values: string[] = [""];
  /** Value to id, built on first need: an index read from a snapshot may never look a value up. */
  private idsByKey: Map<string, number> | undefined;

  constructor(private readonly caseInsensitive = false) {}

  /** A dictionary holding `values` (from a snapshot; `values[0]` is ""). */
  static of(values: string[], caseInsensitive: boolean): Dictionary {
    const dictionary = new Dictionary(caseInsensitive);
    dictionary.values.length = 0;
    for (const value of values) dictionary.values.push(value);
    return dictionary;
  }

  private key(value: string): string {
    return this.caseInsensitive ? value.toLowerCase() : value;
  }

  private get ids(): Map<string, number> {
    if (!this.idsByKey) {
      this.idsByKey = new Map();
      for (let id = 1; id < this.values.length; id++) this.idsByKey.set(this.key(this.values[id]!), id);
    }
    return this.idsByKey;
  }

  intern(value: string | null | undefined): number {
    if (value === null || value === undefined || value === "") return 0;
    const key = this.key(value);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(key, id);
    }
    return id;
  }

  find(value: string): number | undefined {
    return this.ids.get(this.key(value));
  }

  get size(): number {
    return this.values.length;
  }

  get isCaseInsensitive(): boolean {
    return this.caseInsensitive;
  }
}

/**
 * A multi-valued dimension (languages, datasets, base models, tags): compressed rows for the documents of the
 * build, and an override per document changed since.
 */
export class MultiValueColumn {
  offsets: Uint32Array = new Uint32Array(1);
  values: Uint32Array = new Uint32Array(0);
  readonly overrides = new Map<number, Uint32Array>();
  private building: number[] = [];
  private buildingOffsets: number[] = [0];

  constructor(readonly dictionary: Dictionary) {}

  /** Appends the next build document's values. */
  push(values: readonly string[]): void {
    for (const value of values) this.building.push(this.dictionary.intern(value));
    this.buildingOffsets.push(this.building.length);
  }

  freeze(): void {
    this.offsets = Uint32Array.from(this.buildingOffsets);
    this.values = Uint32Array.from(this.building);
    this.building = [];
    this.buildingOffsets = [0];
  }

  override(doc: number, values: readonly string[]): void {
    this.overrides.set(doc, Uint32Array.from(values.map((value) => this.dictionary.intern(value))));
  }

  /** The value ids of a document (allocation-free for build documents: a view). */
  of(doc: number, patched: boolean): Uint32Array {
    if (patched) return this.overrides.get(doc) ?? new Uint32Array(0);
    return this.values.subarray(this.offsets[doc]!, this.offsets[doc + 1]!);
  }

  /** The values of a document, as strings. */
  names(doc: number, patched: boolean): string[] {
    return Array.from(this.of(doc, patched), (id) => this.dictionary.values[id]!);
  }

  /** Bytes of its arrays in memory (a column still lazy in a snapshot counts nothing). */
  get byteLength(): number {
    return residentArrayBytes(this);
  }
}

/**
 * Postings of a column (compressed rows: the documents of value id v are `docs[offsets[v]..offsets[v+1])`,
 * ascending), for documents `0..count)`; `valuesOf` visits a document's value ids.
 */
export function invertColumn(
  count: number,
  valueCount: number,
  valuesOf: (doc: number, visit: (value: number) => void) => void,
): { offsets: Uint32Array; docs: Uint32Array } {
  const offsets = new Uint32Array(valueCount + 1);
  for (let doc = 0; doc < count; doc++) valuesOf(doc, (value) => offsets[value + 1]!++);
  for (let value = 0; value < valueCount; value++) offsets[value + 1]! += offsets[value]!;
  const docs = new Uint32Array(offsets[valueCount]!);
  const cursor = offsets.slice(0, valueCount);
  for (let doc = 0; doc < count; doc++) valuesOf(doc, (value) => (docs[cursor[value]!++] = doc));
  return { offsets, docs };
}

/**
 * Bytes of the typed arrays held in `owner`'s own properties. A property still lazy (a getter that would read
 * it from a snapshot, see snapshot-reader.ts) is not in memory: it counts nothing, and is not read.
 */
export function residentArrayBytes(owner: object): number {
  let bytes = 0;
  for (const name of Object.getOwnPropertyNames(owner)) {
    const value: unknown = Object.getOwnPropertyDescriptor(owner, name)?.value;
    if (ArrayBuffer.isView(value)) bytes += value.byteLength;
  }
  return bytes;
}
