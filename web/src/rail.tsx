import { useEffect, useState } from "preact/hooks";
import { errorText, getJson, getListing, isAbort } from "./api.ts";
import { useJson } from "./files.tsx";
import { formatAge, formatNumber } from "./format.ts";
import { repoPath } from "./location.ts";
import type { RepoInfo } from "./types.ts";

/** The model page's side rail: downloads per day, the model tree and the registry's versions. */
export function ModelRail({ id, info }: { id: string; info: RepoInfo }) {
  return (
    <div class="rail">
      <DownloadsSparkline id={id} total={info.downloads ?? 0} />
      <ModelTree id={id} info={info} />
      <RegistryVersions id={id} />
    </div>
  );
}

const SPARK_DAYS = 30;

/** Downloads per day over the last 30 days (`daily-stats`), as an inline SVG line. */
function DownloadsSparkline({ id, total }: { id: string; total: number }) {
  const stats = useJson<{ days: Array<{ day: string; downloads: number }> }>(
    `/api/models/${id}/daily-stats?days=${SPARK_DAYS}`,
  );
  const days = stats.data?.days ?? [];
  const month = days.reduce((sum, day) => sum + day.downloads, 0);
  const peak = Math.max(1, ...days.map((day) => day.downloads));
  const width = 240;
  const height = 48;
  const step = days.length > 1 ? width / (days.length - 1) : width;
  const points = days
    .map(
      (day, index) =>
        `${(index * step).toFixed(1)},${(height - 2 - (day.downloads / peak) * (height - 4)).toFixed(1)}`,
    )
    .join(" ");
  return (
    <section class="rail-box" aria-labelledby="downloads-heading">
      <h2 id="downloads-heading" class="rail-title">
        Downloads last {SPARK_DAYS} days
      </h2>
      {stats.error ? (
        <p class="error" role="alert">
          {stats.error}
        </p>
      ) : null}
      <p class="rail-figure">
        <strong>{stats.data ? formatNumber(month) : "…"}</strong>{" "}
        <span class="muted">({formatNumber(total)} in all)</span>
      </p>
      <svg
        class="sparkline"
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        role="img"
        aria-label={
          stats.data
            ? `Downloads per day, ${days[0]?.day} to ${days.at(-1)?.day}: ${days.map((day) => day.downloads).join(", ")}`
            : "Downloads per day: loading"
        }
      >
        {days.length ? (
          <polyline points={points} fill="none" stroke="currentColor" stroke-width="1.5" />
        ) : null}
      </svg>
    </section>
  );
}

const MAX_ANCESTORS = 5;
/** How the model before in the chain relates to this base model: "adapter of", "finetune of"… */
const RELATION_OF: Record<string, string> = {
  adapter: "adapter of",
  finetune: "finetune of",
  quantized: "quantization of",
  merge: "merge of",
};
/** How a model built on this one relates to it (its `base_model:{relation}:{id}` tag, as on the Hub). */
const RELATION_NAME: Record<string, string> = {
  adapter: "adapter",
  finetune: "finetune",
  quantized: "quantization",
  merge: "merge",
};
const CHILDREN_SHOWN = 10;

interface Child {
  id: string;
  /** adapter, finetune, quantized or merge; null when its card does not say and nothing implies it. */
  relation: string | null;
}

/**
 * The models naming `id` as a base model, most downloaded first, each with its relation to `id`: one page of
 * the Hub's model listing (`/api/models?base_model=`), whose tags say the relation.
 */
function useChildren(id: string): {
  children: Child[];
  total: number;
  error: string | null;
  loaded: boolean;
} {
  const [state, setState] = useState({
    children: [] as Child[],
    total: 0,
    error: null as string | null,
    loaded: false,
  });
  useEffect(() => {
    const controller = new AbortController();
    setState({ children: [], total: 0, error: null, loaded: false });
    const relationTag = new RegExp(`^base_model:(${Object.keys(RELATION_NAME).join("|")}):(.+)$`);
    getListing<{ id: string; tags?: string[] }>(
      `/api/models?base_model=${encodeURIComponent(id)}&sort=downloads&direction=-1&limit=${CHILDREN_SHOWN + 1}`,
      controller.signal,
    ).then(
      ({ items, total }) => {
        const children = items
          .filter((item) => item.id !== id)
          .slice(0, CHILDREN_SHOWN)
          .map((item) => ({
            id: item.id,
            relation:
              (item.tags ?? []).map((tag) => relationTag.exec(tag)).find((match) => match?.[2] === id)?.[1] ??
              null,
          }));
        setState({ children, total: total ?? children.length, error: null, loaded: true });
      },
      (failure: unknown) => {
        if (isAbort(failure)) return;
        setState({ children: [], total: 0, error: errorText(failure), loaded: true });
      },
    );
    return () => controller.abort();
  }, [id]);
  return state;
}

/** Base models up the chain (each one's own base models), nearest first. */
function useAncestors(info: RepoInfo): {
  chain: Array<{ id: string; relation: string | null }>;
  error: string | null;
} {
  const [state, setState] = useState<{
    chain: Array<{ id: string; relation: string | null }>;
    error: string | null;
  }>({
    chain: [],
    error: null,
  });
  const first = info.hangar?.baseModels ?? [];
  const relation = info.hangar?.baseRelation ?? null;
  useEffect(() => {
    const controller = new AbortController();
    const walk = async () => {
      const chain: Array<{ id: string; relation: string | null }> = [];
      let parents = first;
      let parentRelation = relation;
      const seen = new Set([info.id]);
      while (parents.length && chain.length < MAX_ANCESTORS) {
        const parent = parents[0]!;
        if (seen.has(parent)) break;
        seen.add(parent);
        chain.push({ id: parent, relation: parentRelation });
        setState({ chain: [...chain], error: null });
        try {
          const next = await getJson<RepoInfo>(`/api/models/${parent}`, controller.signal);
          parents = next.hangar?.baseModels ?? [];
          parentRelation = next.hangar?.baseRelation ?? null;
        } catch (failure) {
          if (isAbort(failure)) return;
          // A base model this Hangar does not know ends the chain here; that is not an error worth a banner.
          if ((failure as { status?: number }).status !== 404)
            setState({ chain: [...chain], error: errorText(failure) });
          return;
        }
      }
    };
    void walk();
    return () => controller.abort();
  }, [info.id, first.join(",")]);
  return state;
}

/** The model tree: what it derives from (up the base_model chain) and what names it as a base model. */
function ModelTree({ id, info }: { id: string; info: RepoInfo }) {
  const ancestors = useAncestors(info);
  const children = useChildren(id);
  const derived = children.children;
  return (
    <section class="rail-box" aria-labelledby="tree-heading">
      <h2 id="tree-heading" class="rail-title">
        Model tree
      </h2>
      {ancestors.chain.length ? (
        <ol class="tree-chain" aria-label="Base models, nearest first">
          {ancestors.chain.map((parent) => (
            <li key={parent.id}>
              <span class="muted">{RELATION_OF[parent.relation ?? ""] ?? "built on"} </span>
              <a href={repoPath("model", parent.id)}>{parent.id}</a>
            </li>
          ))}
        </ol>
      ) : (
        <p class="muted">No base model: {id} is a root.</p>
      )}
      {ancestors.error ? (
        <p class="error" role="alert">
          {ancestors.error}
        </p>
      ) : null}
      <p class="tree-self">
        <strong>{id}</strong>
      </p>
      {children.error ? (
        <p class="error" role="alert">
          {children.error}
        </p>
      ) : !children.loaded ? (
        <p class="muted">Looking for models built on it…</p>
      ) : derived.length === 0 ? (
        <p class="muted">No model here names it as its base model.</p>
      ) : (
        <>
          <ul class="tree-children" aria-label="Models built on it">
            {derived.map((child) => (
              <li key={child.id}>
                <a href={repoPath("model", child.id)}>{child.id}</a>
                <span class="muted"> · {RELATION_NAME[child.relation ?? ""] ?? "relation not stated"}</span>
              </li>
            ))}
          </ul>
          {children.total > derived.length ? (
            <a href={`/?base_model=${encodeURIComponent(id)}`}>
              All {formatNumber(children.total)} models built on it
            </a>
          ) : null}
        </>
      )}
    </section>
  );
}

interface RepoVersions {
  versions: Array<{
    model: string;
    version: number;
    commitOid: string;
    revision: string;
    aliases: string[];
    approvals: number;
    createdAt: string;
    createdBy: string;
  }>;
}

/** The registry's versions pinning this repo (`/v1/registry/repos/.../versions`), aliases as `@name → sha`. */
function RegistryVersions({ id }: { id: string }) {
  const registry = useJson<RepoVersions>(`/v1/registry/repos/${id}/versions`);
  return (
    <section class="rail-box" aria-labelledby="registry-heading">
      <h2 id="registry-heading" class="rail-title">
        Registry
      </h2>
      {registry.error ? (
        <p class="error" role="alert">
          {registry.error}
        </p>
      ) : !registry.data ? (
        <p class="muted">Loading versions…</p>
      ) : registry.data.versions.length === 0 ? (
        <p class="muted">
          Not registered. <code>hangar registry register NAME --repo {id}</code> pins a version.
        </p>
      ) : (
        <ul class="versions" aria-label="Registered versions">
          {registry.data.versions.map((version) => (
            <li key={`${version.model}/${version.version}`}>
              <span>
                {version.model} <strong>v{version.version}</strong>
              </span>{" "}
              {version.aliases.map((alias) => (
                <span key={alias} class="badge good" title={`@${alias} → ${version.commitOid}`}>
                  @{alias} → {version.commitOid.slice(0, 7)}
                </span>
              ))}
              <div class="muted">
                {version.revision !== version.commitOid ? `${version.revision} at ` : ""}
                <code>{version.commitOid.slice(0, 12)}</code>, {version.approvals} approval
                {version.approvals === 1 ? "" : "s"}, by {version.createdBy} {formatAge(version.createdAt)}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
