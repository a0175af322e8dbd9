import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { badRequest } from "../../core/errors.ts";
import type { CatalogTables } from "../../store/catalog.ts";
import { PRICE_SCOPES, type PriceRow, type PriceScope } from "../../store/prices-table.ts";

/** Where a price came from: Hangar's stated defaults, the prices file, the admin API, a route deployment's `cost`. */
export type PriceSource = "default" | "file" | "api" | "deployment";

/** A price in USD: per million input and output tokens, and per hour of compute. */
export interface Price {
  inputPerMillion: number;
  outputPerMillion: number;
  perHour: number;
  source: PriceSource;
  /** The entry that matched: `model:NAME`, `route:NAME`, `backend:KIND`, `local:*`, `replica:x1`... */
  matched: string;
}

export interface PriceEntry {
  scopeKind: PriceScope;
  scopeName: string;
  inputPerMillion: number | null;
  outputPerMillion: number | null;
  perHour: number | null;
}

/**
 * The defaults, stated as such wherever a price is shown (`"source": "default"`): placeholders until an
 * administrator sets real prices, not anyone's list price. Remote calls: $1.00 per million input tokens and
 * $3.00 per million output tokens; local compute: $0.10 per hour of inference time; an endpoint replica:
 * $0.10 per replica-hour for each thread of its instance size (x1 = 1 thread, x4 = $0.40).
 */
export const DEFAULT_PRICES = {
  remote: { inputPerMillion: 1, outputPerMillion: 3, perHour: 0 },
  local: { inputPerMillion: 0, outputPerMillion: 0, perHour: 0.1 },
  replicaPerThreadHour: 0.1,
} as const;

/** Nano-dollars (1e-9 USD) per USD: costs are kept as whole nano-dollars so sums are exact. */
export const NANOS_PER_USD = 1_000_000_000;

/** What one call consumed, for pricing. */
export interface Consumption {
  inputTokens: number;
  outputTokens: number;
  computeMs: number;
}

/** The cost of `consumption` at `price`, in whole nano-dollars. */
export function costNanos(
  price: Pick<Price, "inputPerMillion" | "outputPerMillion" | "perHour">,
  consumption: Consumption,
): number {
  const usd =
    (consumption.inputTokens * price.inputPerMillion + consumption.outputTokens * price.outputPerMillion) /
      1e6 +
    (consumption.computeMs / 3_600_000) * price.perHour;
  return Math.round(usd * NANOS_PER_USD);
}

export function usdOf(nanos: number): number {
  return Math.round(nanos) / NANOS_PER_USD;
}

const FILE_FIELDS = ["input_per_million", "output_per_million", "per_hour"];

/** Reads a prices file (`HANGAR_PRICES`): YAML or JSON `prices: [{model|route|backend|local|replica: NAME, ...}]`. */
export function readPricesFile(path: string): PriceEntry[] {
  let document: unknown;
  try {
    document = parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw badRequest(`${path}: cannot read the prices file: ${(error as Error).message}`);
  }
  const list = (document as { prices?: unknown } | null)?.prices;
  if (!Array.isArray(list)) throw badRequest(`${path}: prices must be a list of entries`);
  return list.map((item, index) => parsePriceEntry(item, `${path}: prices[${index}]`));
}

/** One price entry from a file or an API body; every error names the field. */
export function parsePriceEntry(item: unknown, where: string): PriceEntry {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw badRequest(`${where} must be a mapping such as {model: NAME, input_per_million: 0.5}`);
  }
  const record = item as Record<string, unknown>;
  const scopes = PRICE_SCOPES.filter((scope) => record[scope] !== undefined);
  if (scopes.length !== 1) {
    throw badRequest(`${where} must name exactly one of ${PRICE_SCOPES.join(", ")}`);
  }
  const scopeKind = scopes[0]!;
  const scopeName = record[scopeKind];
  if (typeof scopeName !== "string" || scopeName.trim() === "") {
    throw badRequest(`${where}.${scopeKind} must be a non-empty string`);
  }
  for (const key of Object.keys(record)) {
    if (key !== scopeKind && !FILE_FIELDS.includes(key)) {
      throw badRequest(
        `${where}.${key} is not a known field (known: ${[scopeKind, ...FILE_FIELDS].join(", ")})`,
      );
    }
  }
  const amount = (field: string): number | null => {
    const value = record[field];
    if (value === undefined || value === null) return null;
    // A mistyped price must not poison spend: negative, non-numbers and absurd figures are refused.
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1_000_000) {
      throw badRequest(`${where}.${field} must be a number of USD from 0 to 1000000`);
    }
    return value;
  };
  const entry: PriceEntry = {
    scopeKind,
    scopeName: scopeName.trim(),
    inputPerMillion: amount("input_per_million"),
    outputPerMillion: amount("output_per_million"),
    perHour: amount("per_hour"),
  };
  if (entry.inputPerMillion === null && entry.outputPerMillion === null && entry.perHour === null) {
    throw badRequest(`${where} must set input_per_million, output_per_million or per_hour`);
  }
  return entry;
}

/** What a call ran on, for its price. */
export interface PricedCall {
  /** The route's name when the model name was a route. */
  route?: string | null;
  /** `local`, `openai`, `hf-providers`, `hf-endpoint`. */
  backend: string;
  /** The model that ran: a local repo id, or the deployment's model name upstream. */
  model: string;
  /** The route deployment's `cost` (USD per million tokens, the `cost` policy's figure), when it has one. */
  deploymentCost?: number;
}

/** How long prices set over the API are kept in memory before the catalog is read again. */
const CACHE_MS = 2_000;

/**
 * Prices of inference: entries set over the admin API override the prices file, which overrides the
 * defaults. The most specific entry wins: the model's, then the route's, then the deployment's `cost`, then
 * the backend's (`local` compute for the local runtime), then the default.
 */
export class PriceBook {
  private cached: { at: number; rows: PriceRow[] } | undefined;

  constructor(
    private readonly catalog: CatalogTables,
    private readonly fileEntries: readonly PriceEntry[] = [],
  ) {}

  /** Prices set over the API changed (here): read them again on the next call. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async apiRows(): Promise<PriceRow[]> {
    const fresh = this.freshRows();
    if (fresh) return fresh;
    const rows = await this.catalog.prices.list();
    this.cached = { at: Date.now(), rows };
    return rows;
  }

  /** The API's rows while fresh, without waiting (a priced call needs no promise for them then). */
  private freshRows(): PriceRow[] | undefined {
    return this.cached && Date.now() - this.cached.at < CACHE_MS ? this.cached.rows : undefined;
  }

  /** The entry for `kind` and `name`: the API's (`api` rows), else the file's. */
  private find(api: readonly PriceRow[], kind: PriceScope, name: string): Price | undefined {
    const lower = name.toLowerCase();
    const set = api.find((row) => row.scopeKind === kind && row.scopeName.toLowerCase() === lower);
    if (set) return priceOf(set, "api");
    const file = this.fileEntries.find(
      (entry) => entry.scopeKind === kind && entry.scopeName.toLowerCase() === lower,
    );
    return file ? priceOf(file, "file") : undefined;
  }

  /** The price of a call on `call.backend` running `call.model` (through `call.route`). */
  async priceOf(call: PricedCall): Promise<Price> {
    const api = this.freshRows() ?? (await this.apiRows());
    const local = call.backend === "local";
    const found =
      this.find(api, "model", call.model) ??
      (call.route ? this.find(api, "route", call.route) : undefined) ??
      (call.deploymentCost !== undefined && !local
        ? {
            inputPerMillion: call.deploymentCost,
            outputPerMillion: call.deploymentCost,
            perHour: 0,
            source: "deployment" as const,
            matched: `deployment:${call.route ?? ""}/${call.model}`,
          }
        : undefined) ??
      (local ? this.find(api, "local", "*") : this.find(api, "backend", call.backend));
    if (found) return found;
    return local
      ? { ...DEFAULT_PRICES.local, source: "default", matched: "local:*" }
      : { ...DEFAULT_PRICES.remote, source: "default", matched: `backend:${call.backend}` };
  }

  /**
   * USD per hour: of local compute (`{kind: "local"}`), or of one replica of an endpoint of an instance size
   * (`{kind: "replica", instanceSize: "x2"}`; an entry `replica: NAME` for the endpoint's name wins over
   * one for its size). For endpoints (src/inference/endpoints) to price replica-hours.
   */
  async hourlyPrice(
    what: { kind: "local" } | { kind: "replica"; instanceSize?: string; endpoint?: string },
  ): Promise<{ perHour: number; source: PriceSource; matched: string }> {
    const api = await this.apiRows();
    if (what.kind === "local") {
      const found = this.find(api, "local", "*");
      return found?.perHour !== undefined && found
        ? { perHour: found.perHour, source: found.source, matched: found.matched }
        : { perHour: DEFAULT_PRICES.local.perHour, source: "default", matched: "local:*" };
    }
    const size = what.instanceSize ?? "x1";
    const found =
      (what.endpoint ? this.find(api, "replica", what.endpoint) : undefined) ??
      this.find(api, "replica", size);
    if (found) return { perHour: found.perHour, source: found.source, matched: found.matched };
    const threads = Number(/^x(\d+)$/i.exec(size)?.[1] ?? 1);
    return {
      perHour: Math.round(DEFAULT_PRICES.replicaPerThreadHour * threads * 1e6) / 1e6,
      source: "default",
      matched: `replica:${size}`,
    };
  }

  /** Every price in force: the API's, the file's and the defaults, each with its source. */
  async list(): Promise<Array<PriceEntry & { source: PriceSource }>> {
    const api = (await this.apiRows()).map((row) => ({ ...entryOf(row), source: "api" as const }));
    const taken = new Set(api.map((entry) => `${entry.scopeKind}:${entry.scopeName.toLowerCase()}`));
    const file = this.fileEntries
      .filter((entry) => !taken.has(`${entry.scopeKind}:${entry.scopeName.toLowerCase()}`))
      .map((entry) => ({ ...entry, source: "file" as const }));
    for (const entry of file) taken.add(`${entry.scopeKind}:${entry.scopeName.toLowerCase()}`);
    const defaults: Array<PriceEntry & { source: PriceSource }> = [];
    if (!taken.has("local:*")) {
      defaults.push({
        scopeKind: "local",
        scopeName: "*",
        ...nullable(DEFAULT_PRICES.local),
        source: "default",
      });
    }
    for (const backend of ["openai", "hf-providers", "hf-endpoint"]) {
      if (!taken.has(`backend:${backend}`)) {
        defaults.push({
          scopeKind: "backend",
          scopeName: backend,
          ...nullable(DEFAULT_PRICES.remote),
          source: "default",
        });
      }
    }
    if (!taken.has("replica:x1")) {
      defaults.push({
        scopeKind: "replica",
        scopeName: "x1",
        inputPerMillion: null,
        outputPerMillion: null,
        perHour: DEFAULT_PRICES.replicaPerThreadHour,
        source: "default",
      });
    }
    return [...api, ...file, ...defaults];
  }
}

function nullable(price: { inputPerMillion: number; outputPerMillion: number; perHour: number }) {
  return {
    inputPerMillion: price.inputPerMillion,
    outputPerMillion: price.outputPerMillion,
    perHour: price.perHour,
  };
}

function entryOf(row: PriceRow): PriceEntry {
  return {
    scopeKind: row.scopeKind,
    scopeName: row.scopeName,
    inputPerMillion: row.inputPerMillion,
    outputPerMillion: row.outputPerMillion,
    perHour: row.perHour,
  };
}

function priceOf(entry: PriceEntry | PriceRow, source: PriceSource): Price {
  return {
    inputPerMillion: entry.inputPerMillion ?? 0,
    outputPerMillion: entry.outputPerMillion ?? 0,
    perHour: entry.perHour ?? 0,
    source,
    matched: `${entry.scopeKind}:${entry.scopeName}`,
  };
}
