import { CommercialBadge, ScanBadge, TaskChip } from "./badges.tsx";
import { formatAge, formatBytes, formatCount } from "./format.ts";
import { navigate, repoPath, withQuery } from "./location.ts";
import type { DiscoverResult } from "./types.ts";

/** One search result of the Explorer (explorer.tsx) as a card, with its box to pick it for comparing. */
export function ResultCard({
  result,
  url,
  compared,
}: {
  result: DiscoverResult;
  url: URL;
  compared: boolean;
}) {
  const compare = url.searchParams.getAll("compare");
  const toggleCompare = () => {
    const next = compared ? compare.filter((id) => id !== result.id) : [...compare, result.id].slice(-4);
    navigate(withQuery(url, { compare: next }), { replace: true });
  };
  return (
    <li class="card">
      <div class="card-head">
        <a class="model-id" href={repoPath("model", result.id)}>
          {result.id}
        </a>
        {result.gated && result.gated !== "false" ? (
          <span class="badge warn" title="Gated: access must be requested">
            🔒 Gated
          </span>
        ) : null}
        {result.private ? <span class="badge muted">Private</span> : null}
      </div>
      <div class="chips">
        <TaskChip task={result.task} />
        {result.parameters ? <span class="chip">{formatCount(result.parameters)} params</span> : null}
        {result.storageBytes ? <span class="chip">{formatBytes(result.storageBytes)}</span> : null}
        {result.license ? <span class="chip">{result.license}</span> : null}
        {result.library ? <span class="chip">{result.library}</span> : null}
        {result.runsLocally ? <span class="badge good">Runs locally</span> : null}
        <ScanBadge status={result.scanStatus} />
        {result.commercialUse === "no" ? <CommercialBadge value="no" /> : null}
      </div>
      <div class="card-foot muted">
        <span>Updated {formatAge(result.lastModified)}</span>
        <span>↓ {formatCount(result.downloads)}</span>
        <span>♥ {formatCount(result.likes)}</span>
        <label class="compare-toggle">
          <input type="checkbox" checked={compared} onChange={toggleCompare} /> Compare
          <span class="visually-hidden"> {result.id}</span>
        </label>
      </div>
    </li>
  );
}

/** The models picked on the cards to compare (the URL's `compare`), with a link to compare them. */
export function CompareBar({ url, models }: { url: URL; models: string[] }) {
  const [first] = models;
  return (
    <section class="compare-bar" aria-label="Models to compare">
      <span>
        {models.length} selected: {models.join(", ")}
      </span>
      {models.length >= 2 && first ? (
        <a
          class="button primary"
          href={`${repoPath("model", first)}?tab=performance&compare=${models.slice(1).map(encodeURIComponent).join(",")}`}
        >
          Compare {models.length} models
        </a>
      ) : (
        <span class="muted">Pick at least two</span>
      )}
      <button
        type="button"
        class="link"
        onClick={() => navigate(withQuery(url, { compare: undefined }), { replace: true })}
      >
        Clear
      </button>
    </section>
  );
}
