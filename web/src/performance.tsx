import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { errorText, isAbort, postJson } from "./api.ts";
import { useJson } from "./files.tsx";
import { formatBytes, formatCount, formatMs, formatNumber, formatUsd } from "./format.ts";
import { navigate, withQuery } from "./location.ts";
import type { CompareAnswer, CompareModel, RepoInfo } from "./types.ts";

const MAX_MODELS = 4;

/** The compared models from the URL: this one first, then `compare=a,b` (at most four in all). */
export function comparedModels(id: string, url: URL): string[] {
  const others = url.searchParams
    .getAll("compare")
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value && value !== id);
  return [id, ...new Set(others)].slice(0, MAX_MODELS);
}

interface Evaluations {
  evaluations: Array<{
    id: number;
    dataset: string;
    task: string;
    examples: number;
    createdAt?: string;
    metrics?: Record<string, unknown>;
  }>;
}

/**
 * Performance: measured latency where Hangar has it, reported and measured evaluations, a side-by-side
 * comparison of up to four models through `POST /v1/compare` (matrix, decision and a chart), and a cost
 * estimate for a request volume. Every input lives in the URL.
 */
export function PerformancePanel({ id, url, info }: { id: string; url: URL; info: RepoInfo | null }) {
  const models = comparedModels(id, url);
  const query = url.searchParams;
  const hardware = query.get("hardware") ?? "";
  const tokens = Number(query.get("tokens") ?? 128) || 128;
  const perDay = Number(query.get("per_day") ?? 1000) || 0;
  const [answer, setAnswer] = useState<CompareAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const evaluations = useJson<Evaluations>(`/v1/evaluations?model=${encodeURIComponent(id)}`);
  const key = JSON.stringify({ models, hardware, tokens, perDay });
  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    postJson<CompareAnswer>(
      "/v1/compare",
      { models, tokensPerRequest: tokens, requestsPerMonth: perDay * 30, ...(hardware ? { hardware } : {}) },
      controller.signal,
    ).then(setAnswer, (failure: unknown) => {
      if (!isAbort(failure)) setError(errorText(failure));
    });
    return () => controller.abort();
  }, [key]);

  const setCompare = (list: string[]) =>
    navigate(withQuery(url, { compare: list.slice(1).join(",") || undefined }), { replace: true });
  const [adding, setAdding] = useState("");
  return (
    <section class="performance" aria-labelledby="performance-heading">
      <h2 id="performance-heading">Performance</h2>
      <form
        class="compare-form"
        onSubmit={(event) => {
          event.preventDefault();
          const value = adding.trim();
          if (value && models.length < MAX_MODELS) setCompare([...models, value]);
          setAdding("");
        }}
      >
        <ul class="compared" aria-label="Compared models">
          {models.map((model, index) => (
            <li key={model} class="chip">
              {model}
              {index > 0 ? (
                <button
                  type="button"
                  class="link"
                  aria-label={`Remove ${model} from the comparison`}
                  onClick={() => setCompare(models.filter((item) => item !== model))}
                >
                  ✕
                </button>
              ) : null}
            </li>
          ))}
        </ul>
        <label for="compare-add">Compare with (model id)</label>
        <input
          id="compare-add"
          value={adding}
          placeholder="namespace/name"
          disabled={models.length >= MAX_MODELS}
          onInput={(event) => setAdding(event.currentTarget.value)}
        />
        <button type="submit" disabled={models.length >= MAX_MODELS}>
          Add
        </button>
      </form>
      <fieldset class="estimator">
        <legend>Cost estimator</legend>
        <label>
          Requests per day{" "}
          <input
            type="number"
            min="0"
            value={perDay}
            onChange={(event) =>
              navigate(withQuery(url, { per_day: event.currentTarget.value }), { replace: true })
            }
          />
        </label>
        <label>
          Tokens per request{" "}
          <input
            type="number"
            min="1"
            value={tokens}
            onChange={(event) =>
              navigate(withQuery(url, { tokens: event.currentTarget.value }), { replace: true })
            }
          />
        </label>
        <label>
          Hardware{" "}
          <input
            value={hardware}
            placeholder="T4, A10, A100, RTX 4090, cpu…"
            onChange={(event) =>
              navigate(withQuery(url, { hardware: event.currentTarget.value.trim() || undefined }), {
                replace: true,
              })
            }
          />
        </label>
      </fieldset>
      {error ? (
        <p class="error" role="alert">
          The comparison failed: {error}
        </p>
      ) : null}
      {answer ? (
        <Comparison answer={answer} perDay={perDay} />
      ) : error ? null : (
        <p class="muted">Comparing…</p>
      )}
      <h3>Evaluation results</h3>
      {info?.hangar?.evalResults.length ? (
        <div class="table-scroll">
          <table class="data">
            <caption>Reported in the model card</caption>
            <thead>
              <tr>
                <th scope="col">Dataset</th>
                <th scope="col">Metric</th>
                <th scope="col">Value</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {info.hangar.evalResults.map((result) => (
                <tr key={`${result.dataset}-${result.metric}-${result.split}`}>
                  <td>
                    {result.dataset}
                    {result.split ? ` (${result.split})` : ""}
                  </td>
                  <td>{result.metric}</td>
                  <td>{result.value}</td>
                  <td>model card (self-reported)</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">The model card reports no evaluation results.</p>
      )}
      {evaluations.error ? <p class="error">{evaluations.error}</p> : null}
      {evaluations.data?.evaluations.length ? (
        <div class="table-scroll">
          <table class="data">
            <caption>Measured by this Hangar (hangar evaluate)</caption>
            <thead>
              <tr>
                <th scope="col">Dataset</th>
                <th scope="col">Examples</th>
                <th scope="col">Metrics</th>
              </tr>
            </thead>
            <tbody>
              {evaluations.data.evaluations.map((run) => (
                <tr key={run.id}>
                  <td>{run.dataset}</td>
                  <td>{run.examples}</td>
                  <td>
                    {Object.entries(run.metrics ?? {})
                      .filter(([, value]) => typeof value === "number")
                      .map(([name, value]) => `${name} ${(value as number).toFixed(3)}`)
                      .join(", ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">
          Hangar has not evaluated this model yet: <code>hangar evaluate {"MODEL"} --dataset DATASET</code>.
        </p>
      )}
    </section>
  );
}

function Comparison({ answer, perDay }: { answer: CompareAnswer; perDay: number }) {
  const { models, criteria, decision } = answer;
  const rows: Array<[string, (model: CompareModel) => preact.ComponentChildren]> = [
    ["Parameters", (model) => formatCount(model.parameters)],
    ["Size on disk", (model) => formatBytes(model.storageBytes)],
    [`Memory (${criteria.dtype})`, (model) => formatBytes(model.memory[criteria.dtype])],
    [
      `Fits on ${criteria.hardware?.name ?? "the hardware"}`,
      (model) => (model.hardwareFit.fits === null ? "unknown" : model.hardwareFit.fits ? "yes" : "no"),
    ],
    [
      "Measured latency",
      (model) =>
        model.measuredLatency
          ? `p50 ${formatMs(model.measuredLatency.p50Ms)}, p95 ${formatMs(model.measuredLatency.p95Ms)} (${model.measuredLatency.requests} request${model.measuredLatency.requests === 1 ? "" : "s"}, this server)`
          : "not measured yet",
    ],
    [
      "Latency",
      (model) =>
        model.speed.latencyMs === null
          ? model.speed.note
          : `${formatMs(model.speed.latencyMs)} (${model.speed.basis})`,
    ],
    [
      "Throughput",
      (model) =>
        model.speed.requestsPerSecond === null
          ? "—"
          : `${model.speed.requestsPerSecond.toFixed(0)} requests/s`,
    ],
    ["Cost per 1,000 requests", (model) => formatUsd(model.cost.per1kRequestsUsd)],
    [`Cost per month (${formatNumber(perDay)}/day)`, (model) => formatUsd(model.cost.perMonthUsd)],
    ["Licence", (model) => `${model.license ?? "unknown"} (commercial: ${model.commercialUse})`],
    [
      "Reported scores",
      (model) =>
        model.evaluations.reported
          .map((result) => `${result.metric} ${result.value} on ${result.dataset}`)
          .join("; ") || "—",
    ],
    [
      "Overall score",
      (model) =>
        model.scores.overall === null || model.scores.overall === undefined
          ? "—"
          : model.scores.overall.toFixed(2),
    ],
  ];
  const best = (goal: string): string | null => {
    const pick = decision[goal] as { id?: unknown; reason?: unknown } | null | undefined;
    return pick && typeof pick.id === "string"
      ? `${pick.id}${typeof pick.reason === "string" ? ` — ${pick.reason}` : ""}`
      : null;
  };
  return (
    <>
      <div class="table-scroll">
        <table class="data compare-table">
          <caption>
            Side by side on {criteria.hardware?.name ?? "default hardware"}
            {criteria.hardware?.assumed ? " (assumed)" : ""}, {criteria.tokensPerRequest} tokens per request
          </caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              {models.map((model) => (
                <th key={model.id} scope="col">
                  {model.id}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, cell]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                {models.map((model) => (
                  <td key={model.id}>{cell(model)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Decision</h3>
      <ul class="decision">
        {["bestForSpeed", "bestForQuality", "bestForCost", "bestOverall"].map((goal) => {
          const name = goal.replace(/^best(For)?/, "").toLowerCase();
          const winner = best(goal);
          return (
            <li key={goal}>
              <strong>{name === "overall" ? "Overall" : `Best for ${name}`}:</strong>{" "}
              {winner ?? <span class="muted">{decision.undecided?.[name] ?? "undecided"}</span>}
            </li>
          );
        })}
      </ul>
      {answer.pairwise.flatMap((pair) => pair.lines).length ? (
        <ul>
          {answer.pairwise
            .flatMap((pair) => pair.lines)
            .map((line) => (
              <li key={line}>{line}</li>
            ))}
        </ul>
      ) : null}
      <LatencyChart models={models} basis={answer.speedBasis} />
      <details>
        <summary>How these numbers are made</summary>
        <ul>
          {answer.assumptions.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </details>
    </>
  );
}

/** Latency per model as bars (uPlot), on one basis for all (mixing measured and estimated would mislead). */
function LatencyChart({ models, basis }: { models: CompareModel[]; basis: string | null }) {
  const container = useRef<HTMLDivElement>(null);
  const values = models.map((model) => model.speed.latencyMs ?? null);
  useEffect(() => {
    const element = container.current;
    if (!element || values.every((value) => value === null)) return;
    const width = Math.max(280, Math.min(720, element.clientWidth || 640));
    const styles = getComputedStyle(document.documentElement);
    const ink = styles.getPropertyValue("--ink").trim() || "#222";
    const accent = styles.getPropertyValue("--accent").trim() || "#3b5bdb";
    const bars = uPlot.paths.bars?.({ size: [0.5, 80] });
    const chart = new uPlot(
      {
        width,
        height: 220,
        title: "Latency per request (ms)",
        legend: { show: false },
        scales: { x: { time: false, range: [-0.5, models.length - 0.5] } },
        axes: [
          {
            stroke: ink,
            values: (_u, ticks) =>
              ticks.map((tick) => (Number.isInteger(tick) ? (models[tick]?.id.split("/")[1] ?? "") : "")),
            splits: () => models.map((_, index) => index),
            grid: { show: false },
          },
          { stroke: ink, label: "ms" },
        ],
        series: [
          {},
          {
            label: "latency (ms)",
            fill: accent,
            stroke: accent,
            ...(bars ? { paths: bars } : {}),
            points: { show: false },
          },
        ],
      },
      [models.map((_, index) => index), values],
      element,
    );
    return () => chart.destroy();
  }, [JSON.stringify(values), models.map((model) => model.id).join(",")]);
  return (
    <figure class="chart">
      <div
        ref={container}
        role="img"
        aria-label={`Latency per request: ${models.map((model, index) => `${model.id} ${formatMs(values[index])}`).join(", ")}`}
      />
      <figcaption class="muted">
        Latency per request as the comparison rates it ({basis ?? "unknown"}), the same basis for every model;
        the table has the latencies this server measured.
      </figcaption>
    </figure>
  );
}
