import { useRef } from "preact/hooks";
import { CommercialBadge, TaskChip } from "./badges.tsx";
import { ModelCard } from "./card.tsx";
import { CatalogEntryNote } from "./catalog-entry.tsx";
import { CopyButton } from "./copy-button.tsx";
import { FilesPanel, useJson } from "./files.tsx";
import { formatAge, formatBytes, formatCount, formatNumber } from "./format.ts";
import { IntegrationPanel } from "./integration.tsx";
import { type DetailsTab, navigate, repoPath, type View } from "./location.ts";
import { PerformancePanel } from "./performance.tsx";
import { ModelRail } from "./rail.tsx";
import type { RepoInfo } from "./types.ts";

const TAB_TITLES: Record<DetailsTab, string> = {
  card: "Model card",
  files: "Files and versions",
  performance: "Performance",
  integration: "Integration",
};

export function Details({ view, url }: { view: Extract<View, { kind: "repo" }>; url: URL }) {
  const { type, id } = view;
  const info = useJson<RepoInfo>(`/api/${type}s/${id}`);
  const tabs: DetailsTab[] =
    type === "model" ? ["card", "files", "performance", "integration"] : ["card", "files"];
  const tabRefs = useRef<Record<string, HTMLAnchorElement | null>>({});
  const tabHref = (tab: DetailsTab) =>
    tab === "card"
      ? repoPath(type, id)
      : tab === "files"
        ? repoPath(type, id, "/tree/main")
        : `${repoPath(type, id)}?tab=${tab}`;
  const onKey = (event: KeyboardEvent, index: number) => {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = tabs[(index + step + tabs.length) % tabs.length]!;
    navigate(tabHref(next));
    tabRefs.current[next]?.focus();
  };
  const hangar = info.data?.hangar;
  const catalogEntry = hangar?.origin === "upstream";
  return (
    <div class="details">
      <header class="repo-header">
        <p class="muted">
          <a href="/">Models</a> / {type !== "model" ? `${type}s / ` : ""}
          {id.split("/")[0]}
        </p>
        <div class="title-row">
          <h1>{id}</h1>
          <CopyButton text={id} label={`Copy the id ${id}`} />
        </div>
        {info.error ? (
          <p class="error" role="alert">
            {info.error}
          </p>
        ) : null}
        {info.data ? (
          <div class="chips">
            <TaskChip task={info.data.pipeline_tag ?? hangar?.tasks[0]} />
            {info.data.library_name ? <span class="chip">{info.data.library_name}</span> : null}
            {hangar?.license ? <span class="chip">Licence: {hangar.license}</span> : null}
            {hangar ? <CommercialBadge value={hangar.commercialUse} /> : null}
            {hangar?.parameters ? (
              <span class="chip">{formatCount(hangar.parameters)} parameters</span>
            ) : null}
            {hangar?.storageBytes || info.data.usedStorage ? (
              <span class="chip">{formatBytes(hangar?.storageBytes ?? info.data.usedStorage)}</span>
            ) : null}
            {hangar?.runsLocally ? <span class="badge good">Runs locally</span> : null}
            {info.data.gated ? <span class="badge warn">🔒 Gated ({String(info.data.gated)})</span> : null}
            {info.data.private ? <span class="badge muted">Private</span> : null}
            <span class="muted">Updated {formatAge(info.data.lastModified)}</span>
          </div>
        ) : null}
        {hangar?.description ? <p class="description">{hangar.description}</p> : null}
      </header>
      {info.error ? null : (
        <>
          <div class="tabs" role="tablist" aria-label="Repository sections">
            {tabs.map((tab, index) => (
              <a
                key={tab}
                ref={(element) => {
                  tabRefs.current[tab] = element;
                }}
                role="tab"
                id={`tab-${tab}`}
                aria-selected={view.tab === tab}
                aria-controls="tab-panel"
                tabIndex={view.tab === tab ? 0 : -1}
                href={tabHref(tab)}
                onKeyDown={(event) => onKey(event, index)}
              >
                {tab === "card" && type !== "model"
                  ? `${type === "dataset" ? "Dataset" : "Space"} card`
                  : TAB_TITLES[tab]}
              </a>
            ))}
          </div>
          <div id="tab-panel" role="tabpanel" aria-labelledby={`tab-${view.tab}`} class="tab-panel">
            {view.tab === "card" ? (
              <div class="card-layout">
                {catalogEntry ? (
                  <CatalogEntryNote id={id} part="card" />
                ) : (
                  <ModelCard base={repoPath(type, id)} revision="main" />
                )}
                {info.data ? (
                  <div class="side">
                    <MetadataTable info={info.data} />
                    {type === "model" ? <ModelRail id={id} info={info.data} /> : null}
                  </div>
                ) : null}
              </div>
            ) : view.tab === "files" && catalogEntry ? (
              <CatalogEntryNote id={id} part="files" />
            ) : view.tab === "files" ? (
              <FilesPanel
                type={type}
                id={id}
                view={view.files ?? { mode: "tree", revision: "main", path: "" }}
              />
            ) : view.tab === "performance" ? (
              <PerformancePanel id={id} url={url} info={info.data} />
            ) : (
              <IntegrationPanel id={id} info={info.data} />
            )}
          </div>
        </>
      )}
    </div>
  );
}

function MetadataTable({ info }: { info: RepoInfo }) {
  const hangar = info.hangar;
  if (!hangar) return null;
  const sourceOf = (source: string) =>
    source === "commit"
      ? "the repo's files"
      : source.replace(/^card-/, "model card ").replace(/^family:/, "model family ");
  const rows: Array<[string, preact.ComponentChildren]> = [
    [
      "Licence",
      hangar.license
        ? `${hangar.license}${hangar.baseRelation && hangar.baseModels.length ? ` (base: ${hangar.baseModels.join(", ")})` : ""}`
        : "unknown",
    ],
    ["Commercial use", <CommercialBadge key="c" value={hangar.commercialUse} />],
    [
      "Parameters",
      hangar.parameters
        ? `${formatCount(hangar.parameters)} (${formatNumber(hangar.parameters)})`
        : "unknown",
    ],
    [
      "Memory per precision",
      Object.keys(hangar.memory).length ? (
        <ul class="plain">
          {Object.entries(hangar.memory).map(([dtype, bytes]) => (
            <li key={dtype}>
              {dtype}: {formatBytes(bytes)}
              {hangar.fitsOn[dtype]?.length ? (
                <span class="muted">
                  {" "}
                  — fits {hangar.fitsOn[dtype]!.length} known devices, the smallest {hangar.fitsOn[dtype]![0]}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        "unknown"
      ),
    ],
    ["Languages", hangar.languages.join(", ") || "—"],
    [
      "Base models",
      hangar.baseModels.length
        ? `${hangar.baseModels.join(", ")}${hangar.baseRelation ? ` (${hangar.baseRelation})` : ""}`
        : "—",
    ],
    [
      "Reported scores",
      hangar.evalResults.length ? (
        <ul class="plain">
          {hangar.evalResults.map((result) => (
            <li key={`${result.dataset}-${result.metric}`}>
              {result.metric} {result.value} on {result.dataset}
              {result.split ? ` (${result.split})` : ""} <span class="muted">— source: model card</span>
            </li>
          ))}
        </ul>
      ) : (
        "—"
      ),
    ],
    ["Runs locally", hangar.runsLocally ? "Yes, on this server" : "No"],
    ["Origin", hangar.origin === "local" ? "Stored in this Hangar" : "Catalog entry (metadata only)"],
    ["Metadata from", hangar.sources.map(sourceOf).join(", ") || "—"],
  ];
  return (
    <aside class="metadata" aria-labelledby="metadata-heading">
      <h2 id="metadata-heading" class="metadata-title">
        Metadata
      </h2>
      <table>
        <tbody>
          {rows.map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
