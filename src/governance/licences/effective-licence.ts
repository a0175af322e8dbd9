import type { CommercialUse } from "../../core/types.ts";
import { parseRepoId } from "../../core/validate.ts";
import { canRead } from "../../hub/access.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubScope } from "../../hub/hub.ts";
import {
  categoryStrictness,
  type LicenseCategory,
  licenseEntryOf,
  normalizeLicense,
} from "../../hub/metadata/licenses.ts";

/** What the chain needs of one model: its licence and the base models its card names. */
export interface LicenceNode {
  /** `namespace/name` */
  repo: string;
  license: string | null;
  baseModels: readonly string[];
  /** False when whoever asks may not read the repo: it still counts, but is never named to them. */
  readable?: boolean;
}

/** Finds a base model in this hub (undefined: not here, or not visible to whoever asks). */
export type LicenceLookup = (repo: string) => Promise<LicenceNode | undefined>;

/** One model of a `base_model` chain with its licence. */
export interface ChainEntry {
  repo: string;
  /** The normalised Hub id; null when the card names none. */
  license: string | null;
  category: LicenseCategory;
  commercialUse: CommercialUse | null;
  /** 0 for the model itself, 1 for its base models, 2 for theirs... */
  depth: number;
  /** The models from the one asked about down to this one. */
  path: string[];
  /** False for a repo the caller may not read (see `describeRepo`). */
  readable: boolean;
}

/**
 * A model's effective licence: the strictest of its own and its ancestors' (by `base_model`, which may list
 * several), and which model it comes from. Strictness is the category's place in LICENSE_CATEGORIES; of
 * equally strict licences the nearest to the model wins (the model's own first).
 */
export interface EffectiveLicence {
  license: string | null;
  category: LicenseCategory;
  commercialUse: CommercialUse | null;
  /** The model whose licence it is. */
  source: string;
  /** From the model down to the source (just the model when its own licence is the strictest). */
  path: string[];
  /** Every model of the chain found, breadth first, the model first. */
  chain: ChainEntry[];
  /**
   * Base models named by a card and not found in this hub: their licences are not known, so they count
   * for nothing (a policy that must know them can deny `unknown` licences on the models themselves).
   */
  missing: string[];
  /**
   * Base models that lead back to a model already on their own path (`a → b → a`): the walk stops there,
   * so a cycle never loops; each is listed once as `child → ancestor`.
   */
  cycles: string[];
}

/** A chain deeper or wider than this is cut off: cards are written by anyone. */
const MAX_CHAIN_MODELS = 256;

function entryOf(node: LicenceNode, depth: number, path: string[]): ChainEntry {
  const license = normalizeLicense(node.license);
  const entry = licenseEntryOf(license);
  return {
    repo: node.repo,
    license,
    category: entry.category,
    commercialUse: entry.commercialUse,
    depth,
    path,
    readable: node.readable !== false,
  };
}

/** The strictest entry of a chain; of equal ones the first (the chain is breadth first). */
export function strictestOf(chain: readonly ChainEntry[]): ChainEntry {
  let strictest = chain[0]!;
  for (const entry of chain) {
    if (categoryStrictness(entry.category) > categoryStrictness(strictest.category)) strictest = entry;
  }
  return strictest;
}

/** Walks a model's `base_model` chain breadth first through `lookup` and finds its effective licence. */
export async function resolveEffectiveLicence(
  model: LicenceNode,
  lookup: LicenceLookup,
): Promise<EffectiveLicence> {
  const key = (repo: string) => repo.toLowerCase();
  const chain: ChainEntry[] = [entryOf(model, 0, [model.repo])];
  const seen = new Map<string, ChainEntry>([[key(model.repo), chain[0]!]]);
  const missing: string[] = [];
  const cycles: string[] = [];
  const queue: Array<{ node: LicenceNode; entry: ChainEntry }> = [{ node: model, entry: chain[0]! }];
  while (queue.length > 0 && chain.length < MAX_CHAIN_MODELS) {
    const { node, entry } = queue.shift()!;
    for (const base of new Set(node.baseModels)) {
      const known = seen.get(key(base));
      if (known) {
        // An ancestor on this model's own path: a cycle. Another branch reaching it (a diamond) is no cycle.
        if (entry.path.some((repo) => key(repo) === key(base))) cycles.push(`${node.repo} → ${known.repo}`);
        continue;
      }
      const found = await lookup(base);
      if (!found) {
        if (!missing.some((repo) => key(repo) === key(base))) missing.push(base);
        continue;
      }
      const child = entryOf(found, entry.depth + 1, [...entry.path, found.repo]);
      seen.set(key(base), child);
      chain.push(child);
      queue.push({ node: found, entry: child });
      if (chain.length >= MAX_CHAIN_MODELS) break;
    }
  }
  const strictest = strictestOf(chain);
  return {
    license: strictest.license,
    category: strictest.category,
    commercialUse: strictest.commercialUse,
    source: strictest.repo,
    path: strictest.path,
    chain,
    missing,
    cycles,
  };
}

/**
 * Finds base models among this hub's model repos (local, mirrored, or catalog entries), with the licence
 * and base models their facts record. Every repo counts, private ones too (a licence cannot be escaped by
 * basing a model on a private one); those `caller` may not read are marked unreadable, so that what is
 * said to the caller never names them. Without a caller (the instance itself) every repo is readable.
 */
export function catalogLookup(hub: HubScope, caller?: Caller): LicenceLookup {
  return async (id) => {
    let repo: Awaited<ReturnType<typeof hub.catalog.repos.get>>;
    try {
      repo = await hub.catalog.repos.get(parseRepoId(id, "model"));
    } catch {
      // A card's base_model may be anything (a URL, a legacy name without namespace): not a repo here.
      return undefined;
    }
    if (!repo) return undefined;
    const facts = await hub.catalog.facts.get(repo.pk);
    return {
      repo: repo.id,
      license: facts?.license ?? null,
      baseModels: facts?.baseModels ?? [],
      readable: caller === undefined || canRead(caller, repo),
    };
  };
}

/** A repo of a chain as the caller may be told of it. */
export function describeRepo(entry: Pick<ChainEntry, "repo" | "readable">): string {
  return entry.readable ? entry.repo : "a private model";
}

/** The effective licence as the caller may see it: repos they may not read are not named. */
export function visibleLicence(effective: EffectiveLicence): EffectiveLicence {
  const names = new Map(effective.chain.map((entry) => [entry.repo, describeRepo(entry)]));
  const name = (repo: string) => names.get(repo) ?? repo;
  return {
    ...effective,
    source: name(effective.source),
    path: effective.path.map(name),
    chain: effective.chain.map((entry) => ({ ...entry, repo: name(entry.repo), path: entry.path.map(name) })),
    cycles: effective.cycles.map((cycle) => cycle.split(" → ").map(name).join(" → ")),
  };
}
