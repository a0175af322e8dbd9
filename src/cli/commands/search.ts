import { countNoun } from "../../core/count-noun.ts";
import { parseSearchRequest } from "../../discovery/parse-search-request.ts";
import { type SearchHit, type SearchModelsResult, searchModels } from "../../discovery/search-models.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import type { Command } from "../command.ts";
import {
  askHomeServer,
  emptyHomeHint,
  servedByHome,
  withLocalHome,
  writeJson,
  writeTable,
} from "./local-home.ts";

/** CLI flags and the search request parameters they stand for. */
const FLAG_PARAMETERS: Record<string, string> = {
  task: "task",
  license: "license",
  library: "library",
  language: "language",
  author: "author",
  modality: "modality",
  dataset: "dataset",
  "base-model": "base_model",
  "scan-status": "scan_status",
  "min-params": "params_min",
  "max-params": "params_max",
  "min-size": "storage_min",
  "max-size": "storage_max",
  sort: "sort",
  limit: "limit",
  page: "page",
};

function compactNumber(value: number | null): string {
  if (value === null) return "-";
  if (value >= 1e9) return `${(value / 1e9).toFixed(1)}B`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(0)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)}k`;
  return String(value);
}

function row(hit: SearchHit, explain: boolean): string[] {
  const cells = [
    hit.id,
    hit.task ?? "-",
    hit.library ?? "-",
    hit.license ?? "-",
    compactNumber(hit.parameters),
    compactNumber(hit.downloads),
    compactNumber(hit.likes),
    hit.lastModified.slice(0, 10),
  ];
  if (explain && hit.explain) {
    const c = hit.explain.components;
    cells.push(
      `${hit.score.toFixed(3)} = text ${c.text.toFixed(3)} + exact ${c.exactMatch.toFixed(3)} + pop ${c.popularity.toFixed(3)} + trend ${c.trend.toFixed(3)} + recent ${c.recency.toFixed(3)} + quality ${c.quality.toFixed(3)}`,
    );
  }
  return cells;
}

export const searchCommand: Command = {
  name: ["search"],
  summary: "Search the models of the instance, with filters, sorts and facet counts",
  usage: "[query]",
  usesHome: true,
  options: {
    task: {
      type: "string",
      multiple: true,
      description: "Task (pipeline tag), e.g. text-classification",
      valueName: "TASK",
    },
    license: { type: "string", multiple: true, description: "Licence id, e.g. apache-2.0", valueName: "ID" },
    library: { type: "string", multiple: true, description: "Library, e.g. transformers", valueName: "NAME" },
    language: { type: "string", multiple: true, description: "Language code, e.g. en", valueName: "CODE" },
    author: {
      type: "string",
      multiple: true,
      description: "Namespace (user or organisation)",
      valueName: "NAME",
    },
    modality: {
      type: "string",
      multiple: true,
      description: "Modality: nlp, cv, audio, multimodal, tabular, rl or other",
      valueName: "NAME",
    },
    dataset: { type: "string", multiple: true, description: "Trained on this dataset id", valueName: "ID" },
    "base-model": {
      type: "string",
      multiple: true,
      description: "Fine-tuned, quantised or adapted from this model id",
      valueName: "ID",
    },
    "scan-status": {
      type: "string",
      multiple: true,
      description: "Security scan status: unscanned, safe, suspicious or unsafe",
      valueName: "STATUS",
    },
    commercial: { type: "boolean", description: "Only licences that allow commercial use" },
    gated: { type: "boolean", description: "Only gated models" },
    "runs-locally": { type: "boolean", description: "Only models Hangar's runtime can run" },
    "min-params": {
      type: "string",
      description: "At least this many parameters (e.g. 100M)",
      valueName: "N",
    },
    "max-params": { type: "string", description: "At most this many parameters (e.g. 7B)", valueName: "N" },
    "min-size": { type: "string", description: "At least this much storage (e.g. 100MB)", valueName: "SIZE" },
    "max-size": { type: "string", description: "At most this much storage (e.g. 2GB)", valueName: "SIZE" },
    sort: {
      type: "string",
      description: "relevance, trending, downloads, likes, updated, created or parameters",
      valueName: "KEY",
    },
    limit: { type: "string", description: "Results to show (at most 100, default 20)", valueName: "N" },
    page: { type: "string", description: "Page of results, from 1", valueName: "N" },
    explain: { type: "boolean", description: "Show each result's score components" },
  },
  async run({ positionals, values, config, json, stdout }) {
    const request = new Map<string, string[]>();
    if (positionals.length > 0) request.set("q", [positionals.join(" ")]);
    for (const [flag, parameter] of Object.entries(FLAG_PARAMETERS)) {
      const value = values[flag];
      if (value === undefined) continue;
      request.set(parameter, (Array.isArray(value) ? value : [value]).map(String));
    }
    if (values.commercial === true) request.set("commercial", ["true"]);
    if (values.gated === true) request.set("gated", ["true"]);
    if (values["runs-locally"] === true) request.set("runs_locally", ["true"]);
    if (values.explain === true) request.set("explain", ["true"]);
    const params = parseSearchRequest(request.keys(), (name) => request.get(name) ?? []);
    const query = new URLSearchParams();
    for (const [name, list] of request) for (const value of list) query.append(name, value);
    // A server on this home has its index warm; otherwise the home's index (its snapshot, or a build).
    const answer =
      (await askHomeServer<SearchModelsResult>(config, "GET", `/v1/discover?${query}`)) ??
      (await withLocalHome(config, async (hangar) => ({
        // The CLI works on the home folder directly, as its owner: private repos are included.
        result: await searchModels(hangar, { ...params, caller: localAdministrator() }),
        served: await servedByHome(hangar),
      })));
    const result = answer.result;
    if (json) {
      writeJson(stdout, { ...result, served: answer.served });
      return;
    }
    const header = ["MODEL", "TASK", "LIBRARY", "LICENSE", "PARAMS", "DOWNLOADS", "LIKES", "UPDATED"];
    if (params.explain) header.push("SCORE");
    writeTable(
      stdout,
      header,
      result.results.map((hit) => row(hit, params.explain === true)),
      "No models match.",
    );
    const shown = result.results.length;
    const first = shown > 0 ? (result.page - 1) * result.limit + 1 : 0;
    stdout.write(
      `\n${countNoun(result.total, "model")} ${result.total === 1 ? "matches" : "match"}${shown > 0 ? ` (showing ${first}-${first + shown - 1}, sorted by ${result.sort})` : ""}; ${result.tookMs} ms\n`,
    );
    const hint = emptyHomeHint(answer.served);
    if (hint !== null) stdout.write(`${hint}\n`);
    const facets = result.facets;
    if (facets && result.total > 0) {
      const top = (name: keyof typeof facets) =>
        facets[name]
          .slice(0, 5)
          .map((value) => `${value.value} (${value.count.toLocaleString("en")})`)
          .join(", ");
      stdout.write(`Tasks: ${top("task")}\nLibraries: ${top("library")}\nLicences: ${top("license")}\n`);
    }
    const related = result.insights?.relatedSearches ?? [];
    if (related.length > 0) stdout.write(`Related: ${related.map((entry) => entry.label).join(" | ")}\n`);
  },
};
